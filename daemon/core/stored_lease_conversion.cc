#include "daemon/core/stored_lease_conversion.h"

#include "daemon/plan/tc_objects.h"

namespace chaosnet::core {

state::StoredLease ToStoredLease(const FaultRecord& record, state::LeaseState state) {
  state::StoredLease lease;
  lease.id = record.id;
  lease.spec = record.spec;
  lease.labels = record.labels;
  lease.owner = record.owner;
  lease.owner_identity = record.owner_identity;
  lease.request_id = record.request_id;
  lease.interface = record.spec.interface;
  lease.ifindex = record.site.ifindex;
  // The trees' marks, as reconciliation finds them again: the htb root on
  // the interface (egress), the ingress hook redirecting into its IFB.
  for (const Placement& p : record.site.placements) {
    lease.qdiscs.push_back(
        p.ingress ? state::OwnedQdisc{plan::kIngressHandle, plan::kIngressParent, "ingress"}
                  : state::OwnedQdisc{plan::kTreeRootHandle, plan::kRootParent, "htb"});
  }
  lease.created_at = record.created_at;
  lease.deadline = record.expires_at;
  lease.state = state;
  lease.keep_alive = record.keep_alive;
  return lease;
}

FaultRecord FromStoredLease(const state::StoredLease& lease) {
  FaultRecord record;
  record.id = lease.id;
  record.spec = lease.spec;
  record.labels = lease.labels;
  record.owner = lease.owner;
  // Records of daemons that kept only the principal: it names the identity.
  record.owner_identity =
      lease.owner_identity.empty() ? model::IdentityOfPrincipal(lease.owner) : lease.owner_identity;
  record.request_id = lease.request_id;
  record.site.ifindex = lease.ifindex;
  record.keep_alive = lease.keep_alive;
  record.created_at = lease.created_at;
  record.expires_at = lease.deadline;
  record.state =
      lease.state == state::LeaseState::kEnded ? FaultState::kExpired : FaultState::kActive;
  record.counters_read_at = lease.created_at;
  record.guards = guard::UncheckedStatuses(lease.spec.guards.checks);
  return record;
}

}  // namespace chaosnet::core
