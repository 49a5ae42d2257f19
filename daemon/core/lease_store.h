// Where the FaultManager records its leases so that a fault never outlives its
// lease across a crash of the daemon. The manager writes before it touches the
// kernel; a Put or Remove that returned ok must survive the daemon's death
// (a reboot takes the faults with it, so nothing more is asked). The daemon's
// implementation, over the journal, is app/journal_lease_store.h.
#pragma once

#include <string>

#include "common/status.h"
#include "daemon/state/stored_lease.h"

namespace chaosnet::core {

class LeaseStore {
 public:
  virtual ~LeaseStore() = default;
  virtual Status Put(const state::StoredLease& lease) = 0;
  // NOT_FOUND when not recorded; the manager treats that as done.
  virtual Status Remove(const std::string& id) = 0;
};

// Remembers nothing: for a daemon run without durability and for tests that
// do not care.
class NullLeaseStore final : public LeaseStore {
 public:
  Status Put(const state::StoredLease&) override { return Status::Ok(); }
  Status Remove(const std::string&) override { return Status::Ok(); }
};

}  // namespace chaosnet::core
