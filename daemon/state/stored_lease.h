// What must survive a crash for one lease: enough to find its fault's trees
// again (where they are, and the marks they carry) and to re-arm it (the spec
// to place it again from, and the deadline, as a wall-clock instant because
// the monotonic clock restarts with the machine). Pure data; lease_codec.h
// turns it into bytes, reconcile.h decides with it.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/enum_names.h"
#include "daemon/model/fault_spec.h"
#include "daemon/model/identity.h"
#include "daemon/plan/qdisc_plan.h"

namespace chaosnet::state {

using WallTime = std::chrono::system_clock::time_point;

// kPending: recorded before the kernel was touched (write-ahead), so after a
// crash its objects may or may not exist. kActive: the kernel holds it.
// kEnded: the lease is over but its rollback was not confirmed yet; the record
// is removed once it is.
enum class LeaseState { kPending, kActive, kEnded };
inline constexpr EnumNames<LeaseState, 3> kLeaseStateNames{{
    {LeaseState::kPending, "pending"},
    {LeaseState::kActive, "active"},
    {LeaseState::kEnded, "ended"},
}};

// The mark of one tree the fault lives in, as start-up finds it in the kernel:
// the htb root ca00: of the interface (egress side), or the interface's
// ingress qdisc ffff: that redirects into its IFB device (ingress side). The
// fault's own class, leaf and filters are not recorded: start-up clears the
// trees and places live faults again from their specs. The kind is kept so
// that a qdisc of another kind found under the same handle is not mistaken
// for ours.
struct OwnedQdisc {
  uint32_t handle = 0;
  uint32_t parent = plan::kRootParent;
  std::string kind;  // "htb", "ingress"
  bool operator==(const OwnedQdisc&) const = default;
};

struct StoredLease {
  std::string id;
  model::FaultSpec spec;  // complete, so later features (match, netns) recover too
  std::map<std::string, std::string> labels;
  std::string owner;               // as shown: "uid:1000(alice)"
  model::Identity owner_identity;  // who owns it; none in records of older daemons
  std::string request_id;

  std::string interface;           // name at apply time
  int ifindex = 0;                 // index at apply time; a new index means a new device
  std::vector<OwnedQdisc> qdiscs;  // egress tree first, then the ingress side

  WallTime created_at{};
  WallTime deadline{};  // wall clock; see reconcile.h for the clock rules
  LeaseState state = LeaseState::kPending;
  // Bound to a keep-alive stream: the fault must not outlive that stream, and
  // no stream survives the daemon, so a restart ends it instead of re-arming it.
  bool keep_alive = false;

  // The first mark: the one Reconcile matches against what it finds.
  uint32_t root_handle() const { return qdiscs.empty() ? 0 : qdiscs.front().handle; }
  const std::string& root_kind() const {
    static const std::string kNone;
    return qdiscs.empty() ? kNone : qdiscs.front().kind;
  }
  bool operator==(const StoredLease&) const = default;
};

const char* LeaseStateName(LeaseState s);

}  // namespace chaosnet::state
