#include "daemon/core/stored_lease_conversion.h"

#include "daemon/plan/compiler.h"

namespace chaosnet::core {

state::StoredLease ToStoredLease(const FaultRecord& record, state::LeaseState state) {
  state::StoredLease lease;
  lease.id = record.id;
  lease.spec = record.spec;
  lease.labels = record.labels;
  lease.owner = record.owner;
  lease.request_id = record.request_id;
  lease.interface = record.spec.interface;
  lease.ifindex = record.ifindex;
  lease.qdiscs = state::OwnedQdiscsOf(record.plan);
  lease.created_at = record.created_at;
  lease.deadline = record.expires_at;
  lease.state = state;
  return lease;
}

FaultRecord FromStoredLease(const state::StoredLease& lease) {
  FaultRecord record;
  record.id = lease.id;
  record.spec = lease.spec;
  record.labels = lease.labels;
  record.owner = lease.owner;
  record.request_id = lease.request_id;
  record.ifindex = lease.ifindex;
  record.plan = plan::CompileWholeInterfaceFault(lease.spec);
  record.created_at = lease.created_at;
  record.expires_at = lease.deadline;
  record.state = lease.state == state::LeaseState::kEnded ? FaultState::kExpired
                                                          : FaultState::kActive;
  record.counters_read_at = lease.created_at;
  return record;
}

}  // namespace chaosnet::core
