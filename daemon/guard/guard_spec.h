// A guard: a steady-state check the daemon runs while a fault is active, and
// that halts the fault when it fails. The spec language is what users type
// after --guard, and what the API and the journal carry:
//
//   tcp:IP:PORT  tcp:[IPv6]:PORT        a TCP connect must succeed in time
//   http://IP[:PORT]/PATH[,status=A-B]   GET must answer a status in A-B
//                                        (default 200-299) in time
//   drops<N%[,min-packets=M]             the fault's own drops / (packets +
//                                        drops) since apply stays below N%;
//                                        decided once M (100) packets were seen
//   backlog<N                            packets queued in the fault's class
//                                        stay below N
//   retransmits<N/s                      TCP retransmissions in the fault's
//                                        network namespace stay below N/s
//
// IP literals only: the daemon resolves no names. Pure: no syscalls.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "common/result.h"
#include "daemon/model/fault_spec.h"

namespace chaosnet::guard {

// Where a network guard connects: one host (a /32 or /128 Cidr) and a port.
struct Endpoint {
  model::Cidr address;
  uint16_t port = 0;
  bool operator==(const Endpoint&) const = default;
};

struct TcpCheck {
  Endpoint target;
  bool operator==(const TcpCheck&) const = default;
};

struct HttpCheck {
  Endpoint target;
  std::string path = "/";  // request target, starts with '/'
  uint16_t status_first = 200;
  uint16_t status_last = 299;
  bool operator==(const HttpCheck&) const = default;
};

struct DropsCheck {
  double max_percent = 0;  // fails at or above
  uint64_t min_packets = 100;
  bool operator==(const DropsCheck&) const = default;
};

struct BacklogCheck {
  uint32_t max_packets = 0;  // fails at or above
  bool operator==(const BacklogCheck&) const = default;
};

struct RetransmitsCheck {
  double max_per_second = 0;  // fails at or above
  bool operator==(const RetransmitsCheck&) const = default;
};

using GuardCheck = std::variant<TcpCheck, HttpCheck, DropsCheck, BacklogCheck, RetransmitsCheck>;

struct GuardSpec {
  std::string text;  // as the user gave it: what messages and records show
  GuardCheck check;
  bool operator==(const GuardSpec&) const = default;
};

// INVALID_ARGUMENT, one line that quotes the spec and shows a correct one.
Result<GuardSpec> ParseGuardSpec(std::string_view text);

// "tcp", "http", "drops", "backlog", "retransmits".
const char* KindName(const GuardCheck& check);

// The host and port a network guard connects to; null for counter guards.
const Endpoint* TargetOf(const GuardCheck& check);

// "10.0.0.5:80", "[2001:db8::5]:443".
std::string FormatEndpoint(const Endpoint& endpoint);

}  // namespace chaosnet::guard
