// What to do at start-up with the leases a previous run recorded and the owned
// qdiscs the kernel still holds. Pure: the daemon gathers both, calls
// Reconcile, carries out the plan (kernel removals, journal updates, timers).
//
// Clock rules. Deadlines are stored as wall-clock instants because the
// monotonic clock restarts with the machine; the remaining time is
// `deadline - now` on the wall clock, re-armed on the monotonic one.
//  - A wall clock that moved forward only shortens leases: safe.
//  - A wall clock now EARLIER than a lease's creation time has certainly jumped
//    backwards, by an unknown amount, so how long the fault already ran cannot
//    be known; the lease is treated as expired and rolled back. Ending a fault
//    early is harmless, keeping it beyond its lease breaks the promise.
//  - A smaller backward jump (now still after creation) cannot be detected; it
//    lengthens the lease by at most the jump, and never beyond its full TTL
//    (deadline - created), since remaining <= deadline - created.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "daemon/state/stored_lease.h"

namespace chaosnet::state {

// An owned root qdisc (handle in plan::kOwnedMajorFirst..Last) found in the kernel.
struct KernelObject {
  std::string netns;  // as in FaultSpec::netns; empty: the daemon's own
  std::string interface;
  int ifindex = 0;
  uint32_t handle = 0;
  std::string kind;
  bool operator==(const KernelObject&) const = default;
};

enum class Verdict {
  kRearm,        // live and its qdiscs are in place: restart its timer with `remaining`
  kExpired,      // deadline passed while the daemon was down (or the clock went back)
  kFinish,       // it had ended (state kEnded) but its rollback was not confirmed
  kLost,         // live, but its qdisc is gone or no longer the one it created
  kDiscard,      // recorded (pending) but never applied: nothing to undo, nothing to report
  kStreamEnded,  // bound to a keep-alive stream, which ended with the previous run
};

struct LeaseOutcome {
  std::string id;
  Verdict verdict = Verdict::kRearm;
  std::chrono::nanoseconds remaining{0};  // kRearm only
  std::string reason;                     // for events and logs
  bool operator==(const LeaseOutcome&) const = default;
};

struct Removal {
  KernelObject object;
  std::string lease_id;  // the ended lease it belonged to; empty for an orphan
  std::string reason;
  bool operator==(const Removal&) const = default;
};

struct ReconcilePlan {
  std::vector<LeaseOutcome> leases;  // one per recorded lease, ordered by id
  std::vector<Removal> removals;     // ordered by (netns, ifindex, handle)
};

// A found object belongs to a lease when netns, interface name, ifindex, root
// handle and root kind all match what the lease recorded: a recreated device
// (new ifindex), a renamed one, or another qdisc put under our handle is not
// the object the lease created. Objects that no re-armed lease keeps are
// removed; so the qdisc of an expired or lost lease, and owned qdiscs that no
// lease accounts for (orphans of a lost journal or another run), all go.
ReconcilePlan Reconcile(const std::vector<StoredLease>& recorded,
                        const std::vector<KernelObject>& found, WallTime now);

const char* VerdictName(Verdict v);

}  // namespace chaosnet::state
