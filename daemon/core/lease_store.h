// Where the FaultManager records its leases so that a fault never outlives its
// lease across a crash. The manager writes before it touches the kernel; an
// implementation must be durable when Put/Remove return ok, unless told
// kWithNextSync (a record whose loss crash recovery tolerates). The daemon's
// implementation, over the journal, is app/journal_lease_store.h.
#pragma once

#include <string>

#include "common/status.h"
#include "daemon/state/durability.h"
#include "daemon/state/stored_lease.h"

namespace chaosnet::core {

class LeaseStore {
 public:
  virtual ~LeaseStore() = default;
  using Durability = state::Durability;
  virtual Status Put(const state::StoredLease& lease, Durability durability) = 0;
  // NOT_FOUND when not recorded; the manager treats that as done.
  virtual Status Remove(const std::string& id, Durability durability) = 0;
};

// Remembers nothing: for a daemon run without durability and for tests that
// do not care.
class NullLeaseStore final : public LeaseStore {
 public:
  Status Put(const state::StoredLease&, Durability) override { return Status::Ok(); }
  Status Remove(const std::string&, Durability) override { return Status::Ok(); }
};

}  // namespace chaosnet::core
