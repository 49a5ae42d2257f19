// The operator's bounds on guards. A network guard makes the daemon open
// connections on a caller's behalf, so by default none is accepted: the
// operator allows targets with --allow-guard-target CIDR[:PORTS]. Counter
// guards open nothing and need no target. Guards are counted per fault and in
// all, and a network guard aimed at protected traffic (--protect rules, the
// daemon's own API ports) is refused: its packets would go out past every
// fault, so it could not see the one it guards. Pure.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "daemon/guard/guard_spec.h"
#include "daemon/model/fault_spec.h"
#include "daemon/plan/protected_traffic.h"

namespace chaosnet::guard {

struct AllowedTarget {
  model::Cidr cidr;
  std::optional<model::PortRange> ports;  // none: every port
  bool operator==(const AllowedTarget&) const = default;
};

// "10.0.0.0/8", "10.0.0.5:8080", "10.0.0.0/24:8000-8100", "2001:db8::/32",
// "[2001:db8::/32]:443". INVALID_ARGUMENT naming the flag.
Result<AllowedTarget> ParseAllowedTarget(std::string_view text);
std::string FormatAllowedTarget(const AllowedTarget& target);

struct GuardPolicy {
  std::vector<AllowedTarget> allowed_targets;  // none: no network guard
  std::size_t max_per_fault = 4;
  std::size_t max_total = 256;  // over every live fault
};

// Refuses, naming the flag that decides: more guards than --max-guards-per-
// fault (INVALID_ARGUMENT); a network guard whose target no
// --allow-guard-target allows (PERMISSION_DENIED); one aimed at protected
// traffic (FAILED_PRECONDITION, naming the rule).
Status CheckGuardsAllowed(const GuardPolicy& policy, const std::vector<GuardSpec>& specs,
                          const std::vector<plan::ProtectedRule>& protected_rules);

// RESOURCE_EXHAUSTED when `adding` more guards would take the live ones
// (`live`) past --max-guards.
Status CheckGuardCapacity(const GuardPolicy& policy, std::size_t live, std::size_t adding);

}  // namespace chaosnet::guard
