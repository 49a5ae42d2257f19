// Everything chaosnetctl prints on stdout. Pure functions of the records and
// of "now", so tests pin the exact text. Times are shown in local time for
// people (expiry) and in UTC ISO 8601 for logs (watch lines).
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "chaosnet/v1/chaosnet.pb.h"

namespace chaosnet::client {

namespace v1 = ::chaosnet::v1;
using WallClock = std::chrono::system_clock;

// "delay 100ms jitter 10ms, loss 1% correlation 25%, rate 10mbit".
std::string FaultSummary(const v1::FaultSpec& spec);
// "eth0", "eth0 (netns web, ingress, dst 10.0.0.0/8 dport 5432 proto tcp)".
std::string TargetSummary(const v1::FaultSpec& spec);

// Compact, two units at most: "30s", "4m10s", "2h5m", "3d4h", "0s".
std::string HumanDuration(std::chrono::seconds d);
// "in 30s", "5s ago", "now".
std::string TimeUntil(const google::protobuf::Timestamp& at, WallClock::time_point now);
// "2026-11-23 20:14:05" in the local time zone (TZ).
std::string LocalTime(const google::protobuf::Timestamp& at);
// "2026-11-23T20:14:05Z".
std::string UtcTime(const google::protobuf::Timestamp& at);

std::string StateName(v1::FaultState state);  // "active", "expired", ...
std::string EventName(v1::EventType type);    // "APPLIED", "EXPIRED", ...

// One line of JSON, keeping the proto field names (expires_at, not expiresAt).
std::string ToJson(const google::protobuf::Message& message);
// A JSON array of faults, one line.
std::string FaultsToJson(const google::protobuf::RepeatedPtrField<v1::Fault>& faults);

// tc-like lines, one per plan step: "qdisc add dev eth0 parent root handle ca00: netem delay 3s".
std::vector<std::string> PlanLines(const v1::Plan& plan);

// What a create prints (a line, or the plan for a dry run).
std::string CreateText(const v1::CreateFaultResponse& response, WallClock::time_point now);
// "fault <id> <verb>: <summary> on <target>, expires ... (in 30s)" for extend/revoke.
std::string FaultLine(const v1::Fault& fault, const std::string& verb, WallClock::time_point now);
// "fault <id> not revoked: <summary> on <target>, owner <owner>" for revoke --all.
std::string NotRevokedLine(const v1::NotRevoked& not_revoked);
// The detailed view of `get`.
std::string FaultDetails(const v1::Fault& fault, WallClock::time_point now);
// The table of `list`: ID, IFACE, FAULT, STATE, EXPIRES IN, COUNTERS (pkts/drops), OWNER.
std::string FaultTable(const google::protobuf::RepeatedPtrField<v1::Fault>& faults,
                       WallClock::time_point now);
// "2026-11-23T20:14:05Z APPLIED <id> <summary> on <target>".
std::string EventLine(const v1::FaultEvent& event);
std::string InfoText(const v1::Info& info, WallClock::time_point now);

// Left-aligned columns separated by two spaces; the last column is not padded.
std::string RenderTable(const std::vector<std::string>& header,
                        const std::vector<std::vector<std::string>>& rows);

}  // namespace chaosnet::client
