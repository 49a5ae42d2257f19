// FaultRecord <-> state::StoredLease: the core's view of a fault and what the
// journal keeps of it. Deadlines cross as wall-clock instants because the
// monotonic clock does not survive a reboot.
#pragma once

#include "daemon/core/fault_record.h"
#include "daemon/state/stored_lease.h"

namespace chaosnet::core {

// The record's expires_at is the wall-clock deadline it was last given.
state::StoredLease ToStoredLease(const FaultRecord& record, state::LeaseState state);

// A record of a previous run, not yet scheduled: the plan is recompiled from
// the spec (compilation is deterministic, so it names the recorded handles);
// deadline is left for FaultManager::Restore to set on this run's clock.
FaultRecord FromStoredLease(const state::StoredLease& lease);

}  // namespace chaosnet::core
