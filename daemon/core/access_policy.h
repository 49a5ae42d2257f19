// The operator's limits on what callers may do: which interfaces and network
// namespaces may be faulted, how hard, how many faults may be live, and what
// a caller may do to a fault someone else owns. Pure: the manager asks before
// it touches anything, so a refused request leaves nothing behind. Messages
// name the flag that set the limit, or that would lift it.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "daemon/core/caller.h"
#include "daemon/core/caller_pattern.h"
#include "daemon/core/fault_record.h"
#include "daemon/model/fault_spec.h"

namespace chaosnet::core {

// Who may revoke a fault another caller owns (--revoke-others). Revoking is
// the emergency stop, so by default every caller allowed to write may.
enum class RevokeOthers { kAny, kOwner };

struct AccessPolicy {
  // Shell globs over the interface name. A deny match refuses; with any allow
  // pattern, the name must match one.
  std::vector<std::string> allow_interfaces;
  std::vector<std::string> deny_interfaces;
  // The same over FaultSpec::netns, for faults in other namespaces only
  // (a fault in the daemon's own namespace is governed by the interface rules).
  std::vector<std::string> allow_netns;
  std::vector<std::string> deny_netns;
  // Latency plus jitter (plus the longest slot wait), and loss (a partition
  // or a jam is a loss of 100%, a loss model counts its long-run loss).
  std::optional<std::chrono::nanoseconds> max_delay;
  std::optional<double> max_loss_percent;
  // Live faults, in all and per caller identity; 0 means no limit.
  std::size_t max_faults = 0;
  std::size_t max_faults_per_caller = 0;

  // Callers who may get, list, watch and read info, and change nothing.
  std::vector<CallerPattern> read_only;
  // Callers who may extend, bind and revoke every fault, not only their own
  // (--admin); root (uid 0) always may. A read-only admin is read-only.
  std::vector<CallerPattern> admins;
  RevokeOthers revoke_others = RevokeOthers::kAny;

  bool restricts_callers() const { return max_faults_per_caller != 0; }
};

// PERMISSION_DENIED when `caller` may not change faults (`action` says what
// it tried, e.g. "create faults"): read-only callers, and connections whose
// caller the daemon could not establish.
Status CheckMayChange(const AccessPolicy& policy, const Caller& caller, const std::string& action);

// What a caller asks to do to a fault that exists.
enum class FaultChange { kExtend, kBindKeepAlive, kRevoke };

// `who` is `owner`: the same uid, certificate subject or address, whatever
// names are shown for either. Nobody owns a fault without a known owner.
bool IsOwner(const model::Identity& who, const model::Identity& owner);
// Root, or a caller matching an --admin pattern.
bool IsAdmin(const AccessPolicy& policy, const Caller& caller);

// PERMISSION_DENIED, naming the owner and the flag that would allow it, when
// `caller` may not make `change` to `fault`: extending and binding it belong
// to its owner and admins; revoking it, to every caller allowed to write
// unless --revoke-others owner. Read-only callers are CheckMayChange's.
Status CheckMayChangeFault(const AccessPolicy& policy, const Caller& caller, FaultChange change,
                           const FaultRecord& fault);

// PERMISSION_DENIED when the spec falls outside the policy.
Status CheckSpecAllowed(const AccessPolicy& policy, const model::FaultSpec& spec);

// RESOURCE_EXHAUSTED when one more fault would pass a count limit.
Status CheckCapacity(const AccessPolicy& policy, std::size_t active, std::size_t active_of_caller,
                     const std::string& caller);

}  // namespace chaosnet::core
