// A fault under its lease, as the daemon tracks it from creation to its end.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "daemon/core/clock.h"
#include "daemon/core/fault_site.h"
#include "daemon/core/program_progress.h"
#include "daemon/guard/guard_verdicts.h"
#include "daemon/kernel/kernel.h"
#include "daemon/model/fault_spec.h"
#include "daemon/model/identity.h"

namespace chaosnet::core {

// kHalted: a guard failed (daemon/guard/), and the fault was rolled back.
enum class FaultState { kPlanned, kActive, kExpired, kRevoked, kLost, kFailed, kHalted };

using Labels = std::map<std::string, std::string>;

struct FaultRecord {
  std::string id;
  model::FaultSpec spec;
  Labels labels;
  std::string owner;               // who asked for it, as shown (the caller's principal)
  model::Identity owner_identity;  // who asked for it: what ownership compares
  std::string request_id;

  FaultSite site;           // where its objects are in the kernel
  bool keep_alive = false;  // bound to a keep-alive stream: ends with it

  WallTime created_at{};
  SteadyTime deadline{};  // authoritative
  WallTime expires_at{};  // derived from deadline when it was last set
  WallTime ended_at{};    // set when state leaves kActive

  FaultState state = FaultState::kPlanned;
  std::string state_reason;

  kernel::Counters counters;  // live while active, final once ended
  WallTime counters_read_at{};

  // Each guard of spec.guards as last checked (guard::GuardRunner keeps it
  // current); final once ended.
  std::vector<guard::GuardStatus> guards;

  // programs: where the fault's program is; none without one.
  std::optional<ProgramProgress> program;

  bool active() const { return state == FaultState::kActive; }
};

enum class EventType { kApplied, kExtended, kExpired, kRevoked, kLost, kFailed, kHalted };

struct FaultEvent {
  EventType type;
  FaultRecord fault;
  WallTime at;
  uint64_t sequence = 0;
  // Who caused it: the caller's identity, "chaosnetd" for the daemon's own
  // doing (expiry, drift, shutdown), "keep-alive stream" for a stream's end,
  // "guard" for a guard that failed.
  std::string actor;
};

const char* FaultStateName(FaultState s);
const char* EventTypeName(EventType t);
// "applied", "expired", ...: for the audit log and metric labels.
std::string EventTypeLabel(EventType t);

}  // namespace chaosnet::core
