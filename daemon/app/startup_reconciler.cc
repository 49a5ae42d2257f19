#include "daemon/app/startup_reconciler.h"

#include <set>

#include <spdlog/spdlog.h>

#include "daemon/core/stored_lease_conversion.h"
#include "daemon/plan/describe.h"
#include "daemon/state/reconcile.h"

namespace chaosnet::app {

void LogJournalReport(const state::LeaseJournal& journal) {
  const state::LoadReport& r = journal.report();
  spdlog::info("lease journal {}: {} entries replayed, {} lease(s) recorded", journal.path(),
               r.entries_replayed, r.live_leases);
  for (const auto& w : r.warnings) spdlog::warn("lease journal: {}", w);
  for (const auto& e : r.errors) spdlog::error("lease journal corrupt: {}", e);
}

Status ReconcileAtStart(state::LeaseJournal& journal, netlink::NetlinkKernel& kernel,
                        core::FaultManager& manager, const core::Clock& clock) {
  auto owned = kernel.FindOwnedRootQdiscs();
  if (!owned.ok()) return owned.status();
  std::vector<state::KernelObject> found;
  for (const auto& q : *owned) found.push_back({"", q.interface, q.ifindex, q.handle, q.kind});

  const std::vector<state::StoredLease> recorded = journal.Live();
  const state::ReconcilePlan plan = state::Reconcile(recorded, found, clock.WallNow());

  std::set<std::string> rollback_failed;
  int orphans = 0;
  for (const auto& removal : plan.removals) {
    Status s = kernel.RemoveRoot(removal.object.ifindex, removal.object.handle);
    const std::string what = removal.lease_id.empty() ? "orphan" : "fault " + removal.lease_id;
    if (s.ok() || s.code() == StatusCode::kNotFound) {
      if (removal.lease_id.empty()) ++orphans;
      spdlog::info("removed {} {} qdisc {} from {}: {}", what, removal.object.kind,
                   plan::FormatHandle(removal.object.handle), removal.object.interface,
                   removal.reason);
    } else {
      if (!removal.lease_id.empty()) rollback_failed.insert(removal.lease_id);
      spdlog::error("cannot remove {} {} qdisc {} from {}: {}", what, removal.object.kind,
                    plan::FormatHandle(removal.object.handle), removal.object.interface,
                    s.message());
    }
  }

  int rearmed = 0, expired = 0, lost = 0;
  for (const auto& outcome : plan.leases) {
    const state::StoredLease* lease = journal.Find(outcome.id);
    if (lease == nullptr) continue;
    core::FaultRecord record = core::FromStoredLease(*lease);
    const std::string where = record.spec.interface;
    switch (outcome.verdict) {
      case state::Verdict::kRearm: {
        Status s = manager.Restore(record, outcome.remaining);
        if (s.ok()) {
          ++rearmed;
          spdlog::info("fault {} on {} re-armed after restart: {}ms left", outcome.id, where,
                       std::chrono::duration_cast<std::chrono::milliseconds>(outcome.remaining)
                           .count());
          continue;
        }
        spdlog::error("fault {} on {} cannot be re-armed ({}): rolling it back", outcome.id,
                      where, s.message());
        Status removed = kernel.RemoveRoot(record.ifindex, record.plan.root_handle());
        if (!removed.ok() && removed.code() != StatusCode::kNotFound) {
          rollback_failed.insert(outcome.id);
        }
        record.state = core::FaultState::kFailed;
        record.state_reason = "could not be re-armed after a restart: " + s.message();
        break;
      }
      case state::Verdict::kExpired:
      case state::Verdict::kFinish:
        ++expired;
        record.state = core::FaultState::kExpired;
        record.state_reason = "lease expired while the daemon was down (" + outcome.reason + ")";
        spdlog::info("fault {} on {} expired while the daemon was down: {}", outcome.id, where,
                     outcome.reason);
        break;
      case state::Verdict::kLost:
        ++lost;
        record.state = core::FaultState::kLost;
        record.state_reason = "lost while the daemon was down: " + outcome.reason;
        spdlog::warn("fault {} on {} lost while the daemon was down: {}", outcome.id, where,
                     outcome.reason);
        break;
      case state::Verdict::kDiscard:
        spdlog::info("fault {} on {} was recorded but never applied: discarded", outcome.id,
                     where);
        if (Status s = journal.Remove(outcome.id); !s.ok() && s.code() != StatusCode::kNotFound) {
          spdlog::error("lease journal: cannot forget {}: {}", outcome.id, s.message());
        }
        continue;
    }
    record.ended_at = clock.WallNow();
    manager.RestoreEnded(record);
    // An unconfirmed rollback stays recorded as ended, so the next start retries it.
    Status s = rollback_failed.contains(outcome.id)
                   ? journal.Put(core::ToStoredLease(record, state::LeaseState::kEnded))
                   : journal.Remove(outcome.id);
    if (!s.ok() && s.code() != StatusCode::kNotFound) {
      spdlog::error("lease journal: cannot update {}: {}", outcome.id, s.message());
    }
  }
  spdlog::info("reconciled: {} re-armed, {} expired and removed, {} lost, {} orphans removed",
               rearmed, expired, lost, orphans);
  return Status::Ok();
}

}  // namespace chaosnet::app
