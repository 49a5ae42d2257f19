// Batches of creates and revokes (CreateFaults, RevokeFaults): the single
// create's checks and steps, once per batch where they can be shared.
#include <algorithm>
#include <numeric>
#include <set>
#include <unordered_map>

#include "daemon/core/fault_manager.h"
#include "daemon/core/stored_lease_conversion.h"

namespace chaosnet::core {
namespace {

Status ForItem(long index, const Status& status) {
  if (index < 0) return status;
  return Status(status.code(), "item " + std::to_string(index) + ": " + status.message());
}

}  // namespace

FaultManager::BatchResult FaultManager::CreateMany(const std::vector<CreateRequest>& requests,
                                                   bool dry_run) {
  BatchResult out;
  auto refuse = [&out](long index, const Status& status) {
    out.created.clear();
    out.refusal = BatchRefusal{index, ForItem(index, status)};
    return std::move(out);
  };

  // Every item checked before anything is recorded or placed.
  std::vector<Admitted> admitted;
  admitted.reserve(requests.size());
  std::unordered_map<std::string, std::size_t> request_ids;
  std::size_t adding = 0;
  std::size_t adding_guards = 0;
  for (std::size_t i = 0; i < requests.size(); ++i) {
    CreateRequest asked = requests[i];
    asked.dry_run = dry_run;
    if (!asked.request_id.empty()) {
      auto [it, inserted] = request_ids.emplace(asked.request_id, i);
      if (!inserted) {
        return refuse(static_cast<long>(i),
                      InvalidArgument("request_id " + asked.request_id + " is also item " +
                                      std::to_string(it->second) + "'s; each item needs its own"));
      }
    }
    // programs: placed at their first step and scheduled by Create alone.
    if (asked.spec.program) {
      return refuse(static_cast<long>(i),
                    InvalidArgument("a fault with a program cannot be part of a batch yet; "
                                    "create it on its own"));
    }
    auto item = Admit(asked, adding, adding_guards);
    if (!item.ok()) return refuse(static_cast<long>(i), item.status());
    if (!item->replay) {
      ++adding;
      adding_guards += item->request.spec.guards.checks.size();
    }
    admitted.push_back(std::move(*item));
  }

  // The new faults against the trees and each other, still without the kernel.
  std::vector<std::size_t> new_items;  // indexes into `admitted` of the faults to place
  std::vector<FaultTrees::BatchItem> items;
  std::set<std::string> batch_ids;
  for (std::size_t i = 0; i < admitted.size(); ++i) {
    if (admitted[i].replay) continue;
    FaultRecord& record = admitted[i].record;
    // A dry run's faults have no ids; the plan still needs them told apart.
    if (dry_run) {
      record.id = "dry-run-" + std::to_string(i);
    } else {
      do record.id = NewId();
      while (!batch_ids.insert(record.id).second);
    }
    new_items.push_back(i);
    items.push_back({&record.id, &admitted[i].request.spec});
  }
  std::size_t failed = 0;
  auto sites = trees_.PlanBatch(items, failed);
  if (!sites.ok()) return refuse(static_cast<long>(new_items[failed]), sites.status());
  for (std::size_t k = 0; k < new_items.size(); ++k) {
    admitted[new_items[k]].record.site = std::move((*sites)[k]);
  }

  if (dry_run) {
    for (Admitted& a : admitted) {
      if (a.replay) {
        out.created.push_back({std::move(*a.replay), true});
        continue;
      }
      a.record.id.clear();
      out.created.push_back({std::move(a.record), false});
    }
    return out;
  }

  // Write-ahead, one write for the batch: a crash from here on leaves pending
  // records that say what to undo.
  std::vector<state::StoredLease> leases;
  leases.reserve(new_items.size());
  for (std::size_t i : new_items) {
    leases.push_back(ToStoredLease(admitted[i].record, state::LeaseState::kPending));
  }
  if (Status s = store_.PutMany(leases); !s.ok()) {
    return refuse(-1, Unavailable("cannot record the leases durably: " + s.message()));
  }

  // Placed device by device, so that a device's faults go in one after
  // another (its root with the first of them), together where they can.
  std::vector<std::size_t> order = new_items;
  // By the planned device, not its name: two spellings of one namespace
  // are one device, whose faults must go in in the planned order.
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const FaultSite& x = admitted[a].record.site;
    const FaultSite& y = admitted[b].record.site;
    return std::tie(x.netns_key, x.ifindex) < std::tie(y.netns_key, y.ifindex);
  });
  std::vector<std::size_t> placed;
  placed.reserve(order.size());
  auto undo_and_refuse = [&](std::size_t i, const Status& status) {
    for (auto it = placed.rbegin(); it != placed.rend(); ++it) {
      const FaultRecord& undo = admitted[*it].record;
      trees_.Remove(undo.id, undo.site);
    }
    // Lost in a crash, they are pending records without objects: discarded.
    std::vector<std::string> ids;
    for (std::size_t j : new_items) ids.push_back(admitted[j].record.id);
    store_.RemoveMany(ids);
    return refuse(static_cast<long>(i), status);
  };
  auto place_one = [&](std::size_t i) {
    FaultRecord& record = admitted[i].record;
    auto site = trees_.PlacePlanned(record.id, admitted[i].request.spec, record.site);
    if (!site.ok()) return site.status();
    record.site = std::move(*site);
    placed.push_back(i);
    return Status::Ok();
  };
  auto same_device = [&](std::size_t a, std::size_t b) {
    const FaultSite& x = admitted[a].record.site;
    const FaultSite& y = admitted[b].record.site;
    return x.netns_key == y.netns_key && x.ifindex == y.ifindex;
  };
  auto together = [&](std::size_t i) {
    return FaultTrees::CanPlaceTogether(admitted[i].request.spec, admitted[i].record.site);
  };
  for (std::size_t k = 0; k < order.size();) {
    // A device's egress-only faults go in together: one netlink batch.
    std::size_t end = k + 1;
    if (together(order[k])) {
      while (end < order.size() && together(order[end]) && same_device(order[k], order[end])) {
        ++end;
      }
    }
    if (end - k > 1) {
      std::vector<FaultTrees::PlannedItem> group;
      group.reserve(end - k);
      for (std::size_t g = k; g < end; ++g) {
        const Admitted& a = admitted[order[g]];
        group.push_back({&a.record.id, &a.request.spec, &a.record.site});
      }
      if (auto sites = trees_.PlacePlannedTogether(group); sites.ok()) {
        for (std::size_t g = k; g < end; ++g) {
          admitted[order[g]].record.site = std::move((*sites)[g - k]);
          placed.push_back(order[g]);
        }
        k = end;
        continue;
      }
      // Nothing of the group is left; placed one by one, the faults tell
      // which of them the kernel refuses (the error names that item).
    }
    for (; k < end; ++k) {
      if (Status s = place_one(order[k]); !s.ok()) return undo_and_refuse(order[k], s);
    }
  }
  // Failing does not harm: a pending record whose objects exist is re-armed at
  // start-up with the same deadline, as for a single create.
  leases.clear();
  for (std::size_t i : new_items) {
    leases.push_back(ToStoredLease(admitted[i].record, state::LeaseState::kActive));
  }
  store_.PutMany(leases);

  out.created.reserve(admitted.size());
  for (Admitted& a : admitted) {
    if (a.replay) {
      out.created.push_back({std::move(*a.replay), true});
      continue;
    }
    a.record.state = FaultState::kActive;
    a.record.counters_read_at = a.record.created_at;
    const FaultRecord& tracked = Track(std::move(a.record));
    Publish(EventType::kApplied, tracked, a.request.caller.principal);
    out.created.push_back({tracked, false});
  }
  return out;
}

RevokeManyResult FaultManager::RevokeMany(const std::vector<std::string>& ids,
                                          const Caller& caller) {
  RevokeManyResult out;
  std::set<std::string> seen;
  std::vector<std::string> revoking;
  for (const std::string& id : ids) {
    if (!seen.insert(id).second) continue;
    const FaultRecord* record = FindActive(id);
    if (record == nullptr) {
      if (const std::optional<FaultRecord> ended = ended_.Find(id)) {
        out.not_revoked.push_back(
            {*ended, FailedPrecondition("fault " + id + " has already ended (" +
                                        FaultStateName(ended->state) + ")")});
      } else {
        out.not_found.push_back(id);
      }
      continue;
    }
    if (Status s = CheckMayChangeFault(config_.policy, caller, FaultChange::kRevoke, *record);
        !s.ok()) {
      out.not_revoked.push_back({*record, s});
      continue;
    }
    revoking.push_back(id);
  }
  std::vector<std::string> reasons;
  reasons.reserve(revoking.size());
  for (const std::string& id : revoking)
    reasons.push_back(RevokeReason(active_.at(id), caller, ""));
  out.revoked = EndTogether(revoking, FaultState::kRevoked, reasons, caller.principal);
  return out;
}

std::vector<FaultRecord> FaultManager::EndTogether(const std::vector<std::string>& ids,
                                                   FaultState state,
                                                   const std::vector<std::string>& reasons,
                                                   const std::string& actor) {
  if (ids.empty()) return {};
  std::vector<FaultRecord> records;
  records.reserve(ids.size());
  for (const std::string& id : ids) records.push_back(TakeOutOfActive(id));
  std::vector<FaultTrees::Placed> placed;
  placed.reserve(records.size());
  for (const FaultRecord& r : records) placed.push_back({&r.id, &r.site});

  // Final readings while the objects exist; a failed one keeps the last.
  const auto counters = trees_.ReadCountersMany(placed);
  const WallTime now = clock_.WallNow();
  std::vector<state::StoredLease> ended;
  ended.reserve(records.size());
  for (std::size_t i = 0; i < records.size(); ++i) {
    if (counters[i].ok()) {
      records[i].counters = *counters[i];
      records[i].counters_read_at = now;
    }
    ended.push_back(ToStoredLease(records[i], state::LeaseState::kEnded));
  }
  // As End: a failed write does not stop the rollback.
  store_.PutMany(ended);

  const std::vector<Status> removed = trees_.RemoveMany(placed);
  std::vector<std::string> forget;
  for (std::size_t i = 0; i < records.size(); ++i) {
    if (JournalMayForget(removed[i])) forget.push_back(records[i].id);
  }
  if (!forget.empty()) store_.RemoveMany(forget);

  std::vector<FaultRecord> out;
  out.reserve(records.size());
  for (std::size_t i = 0; i < records.size(); ++i) {
    out.push_back(FinishEnd(std::move(records[i]), removed[i], state, reasons[i], "", actor));
  }
  return out;
}

}  // namespace chaosnet::core
