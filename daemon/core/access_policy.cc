#include "daemon/core/access_policy.h"

#include <fnmatch.h>

#include "common/units.h"
#include "daemon/linkmodel/limits.h"

namespace chaosnet::core {
namespace {

const std::string* FirstMatch(const std::vector<std::string>& patterns, const std::string& name) {
  for (const auto& p : patterns) {
    if (::fnmatch(p.c_str(), name.c_str(), 0) == 0) return &p;
  }
  return nullptr;
}

Status CheckName(const std::string& what, const std::string& name,
                 const std::vector<std::string>& allow, const std::vector<std::string>& deny,
                 const std::string& flag) {
  if (const std::string* p = FirstMatch(deny, name)) {
    return PermissionDenied(what + " " + name + " may not be faulted (--deny-" + flag + " " + *p +
                            ")");
  }
  if (!allow.empty() && FirstMatch(allow, name) == nullptr) {
    return PermissionDenied(what + " " + name + " may not be faulted: it matches no --allow-" +
                            flag + " pattern");
  }
  return Status::Ok();
}

}  // namespace

Status CheckSpecAllowed(const AccessPolicy& policy, const model::FaultSpec& spec) {
  RETURN_IF_ERROR(CheckName("interface", spec.interface, policy.allow_interfaces,
                            policy.deny_interfaces, "interface"));
  if (!spec.netns.empty()) {
    RETURN_IF_ERROR(
        CheckName("network namespace", spec.netns, policy.allow_netns, policy.deny_netns, "netns"));
  }
  if (policy.max_delay) {
    const linkmodel::DelayBound delay = linkmodel::WorstCaseDelay(spec);
    if (delay.worst > *policy.max_delay) {
      return PermissionDenied("delay " + units::FormatDuration(delay.worst) + " (" + delay.parts +
                              ") is above the limit of " +
                              units::FormatDuration(*policy.max_delay) + " (--max-delay)");
    }
  }
  if (policy.max_loss_percent) {
    const linkmodel::LossShare loss = linkmodel::LongRunLoss(spec);
    if (loss.percent > *policy.max_loss_percent) {
      return PermissionDenied(loss.what + " is above the limit of " +
                              units::FormatPercent(*policy.max_loss_percent) + " (--max-loss)");
    }
  }
  return Status::Ok();
}

Status CheckCapacity(const AccessPolicy& policy, std::size_t active, std::size_t active_of_caller,
                     const std::string& caller) {
  if (policy.max_faults != 0 && active >= policy.max_faults) {
    return ResourceExhausted(std::to_string(active) + " faults are live, the limit (--max-faults " +
                             std::to_string(policy.max_faults) +
                             "); revoke some or wait for them to expire");
  }
  if (policy.max_faults_per_caller != 0 && active_of_caller >= policy.max_faults_per_caller) {
    return ResourceExhausted(caller + " has " + std::to_string(active_of_caller) +
                             " live faults, the limit per caller (--max-faults-per-caller " +
                             std::to_string(policy.max_faults_per_caller) + ")");
  }
  return Status::Ok();
}

bool IsOwner(const model::Identity& who, const model::Identity& owner) {
  return !owner.empty() && who == owner;
}

bool IsAdmin(const AccessPolicy& policy, const Caller& caller) {
  if (caller.local && caller.local->uid == 0) return true;
  return FirstMatch(policy.admins, caller) != nullptr;
}

Status CheckMayChangeFault(const AccessPolicy& policy, const Caller& caller, FaultChange change,
                           const FaultRecord& fault) {
  const bool others_may =
      change == FaultChange::kRevoke && policy.revoke_others == RevokeOthers::kAny;
  if (others_may || IsOwner(caller.identity, fault.owner_identity) || IsAdmin(policy, caller)) {
    return Status::Ok();
  }
  std::string action;
  switch (change) {
    case FaultChange::kExtend: action = "extend"; break;
    case FaultChange::kBindKeepAlive: action = "bind"; break;
    case FaultChange::kRevoke: action = "revoke"; break;
  }
  const std::string what = action + " fault " + fault.id +
                           (change == FaultChange::kBindKeepAlive ? " to a keep-alive stream" : "");
  const std::string whose =
      fault.owner_identity.empty()
          ? "it has no known owner, so only an admin may"
          : "it belongs to " + fault.owner + ", and only its owner or an admin may";
  const std::string flags = change == FaultChange::kRevoke
                                ? "(--revoke-others owner is set; --admin PATTERN or "
                                  "--revoke-others any would allow it)"
                                : "(--admin PATTERN would allow it)";
  return PermissionDenied(caller.principal + " may not " + what + ": " + whose + " " + flags);
}

Status CheckMayChange(const AccessPolicy& policy, const Caller& caller, const std::string& action) {
  if (caller.transport == Caller::Transport::kUnknown) {
    return PermissionDenied("cannot tell who is calling (" + caller.principal +
                            "), so it may not " + action);
  }
  if (const CallerPattern* p = FirstMatch(policy.read_only, caller)) {
    return PermissionDenied(caller.principal + " is read-only (--read-only " + p->text +
                            "): it may get, list, watch and read info, not " + action);
  }
  return Status::Ok();
}

}  // namespace chaosnet::core
