// The core's lease store (core/lease_store.h) over the journal in the daemon's
// state directory: the wiring is the only place that knows both.
#pragma once

#include <string>

#include "daemon/core/lease_store.h"
#include "daemon/state/lease_journal.h"

namespace chaosnet::app {

class JournalLeaseStore final : public core::LeaseStore {
 public:
  explicit JournalLeaseStore(state::LeaseJournal& journal) : journal_(journal) {}
  Status Put(const state::StoredLease& lease) override { return journal_.Put(lease); }
  Status Remove(const std::string& id) override { return journal_.Remove(id); }
  Status PutMany(const std::vector<state::StoredLease>& leases) override {
    return journal_.PutMany(leases);
  }
  Status RemoveMany(const std::vector<std::string>& ids) override {
    return journal_.RemoveMany(ids);
  }

 private:
  state::LeaseJournal& journal_;
};

}  // namespace chaosnet::app
