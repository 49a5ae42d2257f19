// The operator's limits on what callers may do: which interfaces and network
// namespaces may be faulted, how hard, and how many faults may be live. Pure:
// the manager asks before it touches anything, so a refused request leaves
// nothing behind. Messages name the flag that set the limit.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "daemon/core/caller.h"
#include "daemon/core/caller_pattern.h"
#include "daemon/model/fault_spec.h"

namespace chaosnet::core {

struct AccessPolicy {
  // Shell globs over the interface name. A deny match refuses; with any allow
  // pattern, the name must match one.
  std::vector<std::string> allow_interfaces;
  std::vector<std::string> deny_interfaces;
  // The same over FaultSpec::netns, for faults in other namespaces only
  // (a fault in the daemon's own namespace is governed by the interface rules).
  std::vector<std::string> allow_netns;
  std::vector<std::string> deny_netns;
  // Latency plus jitter, and loss (a partition is a loss of 100%).
  std::optional<std::chrono::nanoseconds> max_delay;
  std::optional<double> max_loss_percent;
  // Live faults, in all and per caller identity; 0 means no limit.
  std::size_t max_faults = 0;
  std::size_t max_faults_per_caller = 0;

  // Callers who may get, list, watch and read info, and change nothing.
  std::vector<CallerPattern> read_only;

  bool restricts_callers() const { return max_faults_per_caller != 0; }
};

// PERMISSION_DENIED when `caller` may not change faults (`action` says what
// it tried, e.g. "create faults"): read-only callers, and connections whose
// caller the daemon could not establish.
Status CheckMayChange(const AccessPolicy& policy, const Caller& caller, const std::string& action);

// PERMISSION_DENIED when the spec falls outside the policy.
Status CheckSpecAllowed(const AccessPolicy& policy, const model::FaultSpec& spec);

// RESOURCE_EXHAUSTED when one more fault would pass a count limit.
Status CheckCapacity(const AccessPolicy& policy, std::size_t active, std::size_t active_of_caller,
                     const std::string& caller);

}  // namespace chaosnet::core
