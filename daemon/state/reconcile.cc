#include "daemon/state/reconcile.h"

#include <algorithm>
#include <set>
#include <tuple>

#include "daemon/plan/qdisc_plan.h"

namespace chaosnet::state {
namespace {

bool Owns(const StoredLease& l, const KernelObject& o) {
  return !l.qdiscs.empty() && o.netns == l.spec.netns && o.interface == l.interface &&
         o.ifindex == l.ifindex && o.handle == l.root_handle() && o.kind == l.root_kind();
}

// Why a live lease's object is missing, in the words an operator needs.
std::string LostReason(const StoredLease& l, const std::vector<KernelObject>& found) {
  for (const KernelObject& o : found) {
    if (o.netns != l.spec.netns) continue;
    if (o.interface == l.interface && o.ifindex != l.ifindex) {
      return "interface " + l.interface + " was recreated while the daemon was down (ifindex " +
             std::to_string(l.ifindex) + " -> " + std::to_string(o.ifindex) + ")";
    }
    if (o.ifindex == l.ifindex && o.interface == l.interface) {
      if (o.handle != l.root_handle()) {
        return "interface " + l.interface + " now has a different chaosnet qdisc as its root";
      }
      return "the root qdisc of " + l.interface + " is now a " + o.kind + ", not the " +
             l.root_kind() + " it created";
    }
  }
  return "qdisc gone while the daemon was down";
}

std::string Remaining(std::chrono::nanoseconds d) {
  return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(d).count()) + "ms";
}

}  // namespace

ReconcilePlan Reconcile(const std::vector<StoredLease>& recorded,
                        const std::vector<KernelObject>& found, WallTime now) {
  std::vector<const StoredLease*> leases;
  for (const StoredLease& l : recorded) leases.push_back(&l);
  std::stable_sort(leases.begin(), leases.end(),
                   [](const StoredLease* a, const StoredLease* b) { return a->id < b->id; });

  ReconcilePlan plan;
  std::vector<bool> kept(found.size(), false);      // claimed by a re-armed lease
  std::vector<std::string> ended_by(found.size());  // claimed by a lease that ends now

  for (const StoredLease* l : leases) {
    std::vector<size_t> mine;
    for (size_t i = 0; i < found.size(); ++i) {
      if (Owns(*l, found[i])) mine.push_back(i);
    }
    LeaseOutcome out{l->id, Verdict::kRearm, {}, {}};

    if (l->state == LeaseState::kEnded) {
      out.verdict = Verdict::kFinish;
      out.reason = mine.empty() ? "had ended; its qdisc is already gone"
                                : "had ended; finishing its rollback";
    } else if (l->keep_alive && l->state == LeaseState::kActive) {
      // Its holder's stream went with the previous run; re-arming would keep a
      // fault nobody holds any more.
      out.verdict = Verdict::kStreamEnded;
      out.reason = "its keep-alive stream ended when the previous daemon run stopped";
    } else if (now < l->created_at) {
      out.verdict = Verdict::kExpired;
      out.reason =
          "wall clock is earlier than the lease's creation: it jumped backwards, so "
          "the time already served is unknown; rolled back to be safe";
    } else if (now >= l->deadline) {
      out.verdict = Verdict::kExpired;
      out.reason = "deadline passed while the daemon was down";
    } else if (!mine.empty()) {
      out.verdict = Verdict::kRearm;
      out.remaining = std::chrono::duration_cast<std::chrono::nanoseconds>(l->deadline - now);
      out.reason = "re-armed with " + Remaining(out.remaining) + " left";
    } else if (l->state == LeaseState::kPending) {
      // Recorded ahead of an apply that never happened (or was undone): the
      // client never got this lease, so nothing is lost.
      out.verdict = Verdict::kDiscard;
      out.reason = "recorded but never applied";
    } else {
      out.verdict = Verdict::kLost;
      out.reason = LostReason(*l, found);
    }

    for (size_t i : mine) {
      if (out.verdict == Verdict::kRearm) {
        kept[i] = true;
      } else if (ended_by[i].empty()) {
        ended_by[i] = l->id;
      }
    }
    plan.leases.push_back(std::move(out));
  }

  std::vector<size_t> order;
  for (size_t i = 0; i < found.size(); ++i) {
    if (!kept[i]) order.push_back(i);
  }
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return std::tie(found[a].netns, found[a].ifindex, found[a].handle) <
           std::tie(found[b].netns, found[b].ifindex, found[b].handle);
  });
  for (size_t i : order) {
    // Never touch what chaosnet did not create, even if the caller passed it.
    if (!plan::IsOwnedHandle(found[i].handle)) continue;
    Removal r{found[i], ended_by[i], {}};
    r.reason = ended_by[i].empty() ? "owned qdisc that no recorded lease accounts for"
                                   : "rollback of lease " + ended_by[i];
    plan.removals.push_back(std::move(r));
  }
  return plan;
}

const char* VerdictName(Verdict v) {
  switch (v) {
    case Verdict::kRearm: return "rearm";
    case Verdict::kExpired: return "expired";
    case Verdict::kFinish: return "finish";
    case Verdict::kLost: return "lost";
    case Verdict::kDiscard: return "discard";
    case Verdict::kStreamEnded: return "stream-ended";
  }
  return "unknown";
}

}  // namespace chaosnet::state
