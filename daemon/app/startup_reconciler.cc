#include "daemon/app/startup_reconciler.h"

#include "daemon/app/owned_objects.h"

#include <map>
#include <set>
#include <tuple>

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

namespace {

// Objects of the namespaces recorded leases name: the daemon's own is scanned
// whole (orphans of any kind go); another one only on the recorded interfaces.
std::vector<state::KernelObject> FindOwnedObjects(const std::vector<state::StoredLease>& recorded,
                                                  netlink::NetlinkKernel& kernel,
                                                  core::KernelProvider& kernels,
                                                  std::map<std::string, kernel::Kernel*>& opened,
                                                  std::vector<std::string>& acquired) {
  std::vector<state::KernelObject> found;
  std::set<std::tuple<std::string, int, uint32_t>> seen;
  auto add = [&](const state::KernelObject& o) {
    if (seen.insert({o.netns, o.ifindex, o.handle}).second) found.push_back(o);
  };
  opened[""] = &kernel;
  for (const auto& lease : recorded) {
    const std::string& netns = lease.spec.netns;
    if (!opened.contains(netns)) {
      auto ns = kernels.Acquire(netns);
      if (!ns.ok()) {
        spdlog::warn("network namespace {} of fault {} cannot be opened: {}", netns, lease.id,
                     ns.status().message());
        continue;
      }
      opened[netns] = ns->kernel;
      acquired.push_back(ns->key);
    }
    for (const auto& o : OwnedObjectsOn(*opened[netns], netns, lease.interface)) add(o);
  }
  auto scan = ScanOwnedObjects(kernel, "");
  if (!scan.ok()) {
    spdlog::error("cannot list chaosnet's objects: {}", scan.status().message());
    return found;
  }
  for (const auto& o : scan->objects) add(o);
  for (const auto& [name, index] : scan->stray_ifbs) {
    Status s = kernel.DeleteLink(index);
    spdlog::info("removed stray IFB device {}: {}", name, s.ok() ? "ok" : s.message());
  }
  return found;
}

}  // namespace

Status ReconcileAtStart(state::LeaseJournal& journal, netlink::NetlinkKernel& kernel,
                        core::KernelProvider& kernels, core::FaultManager& manager,
                        const core::Clock& clock) {
  const std::vector<state::StoredLease> recorded = journal.Live();
  std::map<std::string, kernel::Kernel*> opened;
  std::vector<std::string> acquired;
  const std::vector<state::KernelObject> found =
      FindOwnedObjects(recorded, kernel, kernels, opened, acquired);
  const state::ReconcilePlan plan = state::Reconcile(recorded, found, clock.WallNow());

  // Everything found goes, including what live leases own: they are placed
  // again below, from their specs.
  std::set<std::string> rollback_failed;
  std::map<std::tuple<std::string, int, uint32_t>, std::string> owner;
  for (const auto& removal : plan.removals) {
    owner[{removal.object.netns, removal.object.ifindex, removal.object.handle}] =
        removal.lease_id.empty() ? "orphan" : "fault " + removal.lease_id + ": " + removal.reason;
  }
  int orphans = 0;
  for (const auto& object : found) {
    const auto key = std::make_tuple(object.netns, object.ifindex, object.handle);
    const std::string why = owner.contains(key) ? owner[key] : "to be placed again";
    Status s = RemoveOwnedObject(*opened.at(object.netns), object);
    if (s.ok() || s.code() == StatusCode::kNotFound) {
      if (why == "orphan") ++orphans;
      spdlog::info("removed {} ({})", DescribeOwnedObject(object), why);
    } else {
      for (const auto& removal : plan.removals) {
        if (removal.object == object && !removal.lease_id.empty()) {
          rollback_failed.insert(removal.lease_id);
        }
      }
      spdlog::error("cannot remove {} ({}): {}", DescribeOwnedObject(object), why, s.message());
    }
  }
  for (const auto& key : acquired) kernels.Release(key);

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
          spdlog::info(
              "fault {} on {} re-armed after restart: {}ms left", outcome.id, where,
              std::chrono::duration_cast<std::chrono::milliseconds>(outcome.remaining).count());
          continue;
        }
        spdlog::error("fault {} on {} cannot be re-armed ({}): it stays rolled back", outcome.id,
                      where, s.message());
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
      case state::Verdict::kStreamEnded:
        ++expired;
        record.state = core::FaultState::kRevoked;
        record.state_reason = outcome.reason;
        spdlog::info("fault {} on {} rolled back: {}", outcome.id, where, outcome.reason);
        break;
      case state::Verdict::kLost:
        ++lost;
        record.state = core::FaultState::kLost;
        record.state_reason = "lost while the daemon was down: " + outcome.reason;
        spdlog::warn("fault {} on {} lost while the daemon was down: {}", outcome.id, where,
                     outcome.reason);
        break;
      case state::Verdict::kDiscard:
        spdlog::info("fault {} on {} was recorded but never applied: discarded", outcome.id, where);
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
