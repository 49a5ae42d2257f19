// Where the FaultManager records its leases so that a fault never outlives its
// lease across a crash of the daemon. The manager writes before it touches the
// kernel; a Put or Remove that returned ok must survive the daemon's death
// (a reboot takes the faults with it, so nothing more is asked). The daemon's
// implementation, over the journal, is app/journal_lease_store.h.
#pragma once

#include <string>
#include <vector>

#include "common/result.h"
#include "common/status.h"
#include "daemon/state/stored_lease.h"

namespace chaosnet::core {

class LeaseStore {
 public:
  virtual ~LeaseStore() = default;
  virtual Status Put(const state::StoredLease& lease) = 0;
  // NOT_FOUND when not recorded; the manager treats that as done.
  virtual Status Remove(const std::string& id) = 0;
  // A batch of faults: stores that can write several records at once (the
  // journal: one write) override these; the defaults go one by one and stop
  // at the first failure.
  virtual Status PutMany(const std::vector<state::StoredLease>& leases) {
    for (const auto& lease : leases) RETURN_IF_ERROR(Put(lease));
    return Status::Ok();
  }
  // Ids not recorded are skipped.
  virtual Status RemoveMany(const std::vector<std::string>& ids) {
    for (const auto& id : ids) {
      if (Status s = Remove(id); !s.ok() && s.code() != StatusCode::kNotFound) return s;
    }
    return Status::Ok();
  }
};

// Remembers nothing: for a daemon run without durability and for tests that
// do not care.
class NullLeaseStore final : public LeaseStore {
 public:
  Status Put(const state::StoredLease&) override { return Status::Ok(); }
  Status Remove(const std::string&) override { return Status::Ok(); }
};

}  // namespace chaosnet::core
