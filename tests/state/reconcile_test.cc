#include "daemon/state/reconcile.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <ostream>

#include "tests/state/state_test_util.h"

namespace chaosnet::state {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using testing::kT0;

constexpr uint32_t kA = plan::MakeHandle(0xCA01, 0);
constexpr uint32_t kB = plan::MakeHandle(0xCA02, 0);

// Created at kT0, deadline kT0 + 30s, netem root kA on eth0 (ifindex 5).
StoredLease Lease(const std::string& id, LeaseState state = LeaseState::kActive) {
  StoredLease l;
  l.id = id;
  l.spec.interface = "eth0";
  l.interface = "eth0";
  l.ifindex = 5;
  l.qdiscs = {{kA, plan::kRootParent, "netem"}, {kB, plan::MakeHandle(0xCA01, 1), "tbf"}};
  l.created_at = kT0;
  l.deadline = kT0 + 30s;
  l.state = state;
  return l;
}

template <typename F>
StoredLease With(StoredLease l, F change) {
  change(l);
  return l;
}

KernelObject Obj(const std::string& iface = "eth0", int ifindex = 5, uint32_t handle = kA,
                 const std::string& kind = "netem", const std::string& netns = "") {
  return KernelObject{netns, iface, ifindex, handle, kind};
}

struct WantLease {
  std::string id;
  Verdict verdict;
  std::chrono::nanoseconds remaining{0};
  std::string reason_part;
};

struct WantRemoval {
  KernelObject object;
  std::string lease_id;  // empty: orphan
};

struct Case {
  const char* name;
  std::vector<StoredLease> recorded;
  std::vector<KernelObject> found;
  WallTime now;
  std::vector<WantLease> leases;
  std::vector<WantRemoval> removals;
};

// Failure messages name the row instead of dumping its bytes.
void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

class ReconcileTable : public ::testing::TestWithParam<Case> {};

TEST_P(ReconcileTable, ProducesThePlan) {
  const Case& c = GetParam();
  const ReconcilePlan plan = Reconcile(c.recorded, c.found, c.now);

  ASSERT_EQ(plan.leases.size(), c.leases.size());
  for (size_t i = 0; i < c.leases.size(); ++i) {
    SCOPED_TRACE("lease " + c.leases[i].id);
    EXPECT_EQ(plan.leases[i].id, c.leases[i].id);
    EXPECT_EQ(VerdictName(plan.leases[i].verdict), std::string(VerdictName(c.leases[i].verdict)));
    EXPECT_EQ(plan.leases[i].remaining, c.leases[i].remaining);
    EXPECT_THAT(plan.leases[i].reason, HasSubstr(c.leases[i].reason_part));
  }
  ASSERT_EQ(plan.removals.size(), c.removals.size());
  for (size_t i = 0; i < c.removals.size(); ++i) {
    SCOPED_TRACE("removal " + std::to_string(i));
    EXPECT_EQ(plan.removals[i].object, c.removals[i].object);
    EXPECT_EQ(plan.removals[i].lease_id, c.removals[i].lease_id);
    EXPECT_FALSE(plan.removals[i].reason.empty());
  }
}

const WallTime kNow = kT0 + 10s;

INSTANTIATE_TEST_SUITE_P(
    Cases, ReconcileTable,
    ::testing::Values(
        Case{"nothing", {}, {}, kNow, {}, {}},
        Case{"live_and_present_is_rearmed_with_the_remaining_time",
             {Lease("a")},
             {Obj()},
             kNow,
             {{"a", Verdict::kRearm, 20s, "re-armed with 20000ms left"}},
             {}},
        Case{"remaining_keeps_nanoseconds",
             {Lease("a")},
             {Obj()},
             kT0 + 1ns,
             {{"a", Verdict::kRearm, 30s - 1ns, "re-armed"}},
             {}},
        Case{"expired_and_present_is_removed",
             {Lease("a")},
             {Obj()},
             kT0 + 31s,
             {{"a", Verdict::kExpired, 0s, "deadline passed while the daemon was down"}},
             {{Obj(), "a"}}},
        Case{"deadline_exactly_now_counts_as_expired",
             {Lease("a")},
             {Obj()},
             kT0 + 30s,
             {{"a", Verdict::kExpired, 0s, "deadline passed"}},
             {{Obj(), "a"}}},
        Case{"expired_and_absent_only_ends_the_lease",
             {Lease("a")},
             {},
             kT0 + 1h,
             {{"a", Verdict::kExpired, 0s, "deadline passed"}},
             {}},
        Case{"live_and_missing_is_lost",
             {Lease("a")},
             {},
             kNow,
             {{"a", Verdict::kLost, 0s, "qdisc gone while the daemon was down"}},
             {}},
        Case{"live_but_another_owned_root_on_the_interface_is_lost_and_the_orphan_removed",
             {Lease("a")},
             {Obj("eth0", 5, kB)},
             kNow,
             {{"a", Verdict::kLost, 0s, "different chaosnet qdisc"}},
             {{Obj("eth0", 5, kB), ""}}},
        Case{"recreated_interface_new_ifindex_is_lost_and_the_orphan_removed",
             {Lease("a")},
             {Obj("eth0", 9)},
             kNow,
             {{"a", Verdict::kLost, 0s, "recreated while the daemon was down (ifindex 5 -> 9)"}},
             {{Obj("eth0", 9), ""}}},
        Case{"same_handle_other_kind_is_not_ours",
             {Lease("a")},
             {Obj("eth0", 5, kA, "htb")},
             kNow,
             {{"a", Verdict::kLost, 0s, "is now a htb, not the netem"}},
             {{Obj("eth0", 5, kA, "htb"), ""}}},
        Case{"renamed_interface_is_not_ours",
             {Lease("a")},
             {Obj("eth0-renamed", 5)},
             kNow,
             {{"a", Verdict::kLost, 0s, "qdisc gone"}},
             {{Obj("eth0-renamed", 5), ""}}},
        Case{"same_interface_in_another_netns_is_not_ours",
             {With(Lease("a"), [](StoredLease& l) { l.spec.netns = "/run/netns/c1"; })},
             {Obj(), Obj("eth0", 5, kA, "netem", "/run/netns/c1")},
             kNow,
             {{"a", Verdict::kRearm, 20s, "re-armed"}},
             {{Obj(), ""}}},
        Case{"lease_in_netns_whose_qdisc_is_gone_is_lost",
             {With(Lease("a"), [](StoredLease& l) { l.spec.netns = "pid:77"; })},
             {Obj()},
             kNow,
             {{"a", Verdict::kLost, 0s, "qdisc gone"}},
             {{Obj(), ""}}},
        Case{"orphan_without_any_lease_is_removed",
             {},
             {Obj("eth1", 6, kB, "tbf")},
             kNow,
             {},
             {{Obj("eth1", 6, kB, "tbf"), ""}}},
        Case{"qdisc_we_do_not_own_is_never_removed",
             {},
             {Obj("eth1", 6, plan::MakeHandle(0x8001, 0), "htb"), Obj("eth2", 7, 0, "mq")},
             kNow,
             {},
             {}},
        Case{"pending_and_present_is_rearmed",
             {Lease("a", LeaseState::kPending)},
             {Obj()},
             kNow,
             {{"a", Verdict::kRearm, 20s, "re-armed"}},
             {}},
        Case{"pending_and_absent_was_never_applied",
             {Lease("a", LeaseState::kPending)},
             {},
             kNow,
             {{"a", Verdict::kDiscard, 0s, "never applied"}},
             {}},
        Case{"pending_and_expired_is_removed",
             {Lease("a", LeaseState::kPending)},
             {Obj()},
             kT0 + 1h,
             {{"a", Verdict::kExpired, 0s, "deadline passed"}},
             {{Obj(), "a"}}},
        Case{"ended_and_present_finishes_its_rollback",
             {Lease("a", LeaseState::kEnded)},
             {Obj()},
             kNow,
             {{"a", Verdict::kFinish, 0s, "finishing its rollback"}},
             {{Obj(), "a"}}},
        Case{"ended_and_absent_just_finishes",
             {Lease("a", LeaseState::kEnded)},
             {},
             kNow,
             {{"a", Verdict::kFinish, 0s, "already gone"}},
             {}},
        Case{"live_lease_bound_to_a_keep_alive_stream_ends_instead_of_being_rearmed",
             {With(Lease("a"), [](StoredLease& l) { l.keep_alive = true; })},
             {Obj()},
             kNow,
             {{"a", Verdict::kStreamEnded, 0s, "keep-alive stream ended"}},
             {{Obj(), "a"}}},
        Case{"ended_lease_bound_to_a_stream_just_finishes",
             {With(Lease("a", LeaseState::kEnded), [](StoredLease& l) { l.keep_alive = true; })},
             {Obj()},
             kNow,
             {{"a", Verdict::kFinish, 0s, "finishing its rollback"}},
             {{Obj(), "a"}}},
        Case{"wall_clock_before_creation_means_it_jumped_back_so_roll_back",
             {Lease("a")},
             {Obj()},
             kT0 - 1s,
             {{"a", Verdict::kExpired, 0s, "jumped backwards"}},
             {{Obj(), "a"}}},
        Case{"clock_at_creation_is_fine",
             {Lease("a")},
             {Obj()},
             kT0,
             {{"a", Verdict::kRearm, 30s, "re-armed"}},
             {}},
        Case{"several_leases_each_decided_alone_and_ordered_by_id",
             {With(Lease("c"), [](StoredLease& l) { l.deadline = kT0 + 1s; }),
              With(Lease("b"),
                   [](StoredLease& l) {
                     l.interface = l.spec.interface = "eth1";
                     l.ifindex = 6;
                   }),
              With(Lease("a"),
                   [](StoredLease& l) {
                     l.interface = l.spec.interface = "eth2";
                     l.ifindex = 7;
                   })},
             {Obj("eth1", 6), Obj(), Obj("eth3", 8, kB, "tbf")},
             kNow,
             {{"a", Verdict::kLost, 0s, "qdisc gone"},
              {"b", Verdict::kRearm, 20s, "re-armed"},
              {"c", Verdict::kExpired, 0s, "deadline passed"}},
             {{Obj(), "c"}, {Obj("eth3", 8, kB, "tbf"), ""}}},
        Case{
            "object_shared_with_a_rearmed_lease_is_kept",
            {With(Lease("old"), [](StoredLease& l) { l.deadline = kT0 + 1s; }), Lease("new")},
            {Obj()},
            kNow,
            {{"new", Verdict::kRearm, 20s, "re-armed"}, {"old", Verdict::kExpired, 0s, "deadline"}},
            {}},
        Case{"removals_are_ordered_by_netns_ifindex_handle",
             {},
             {Obj("z", 9, kA), Obj("y", 2, kB), Obj("x", 2, kA), Obj("w", 1, kA, "netem", "ns")},
             kNow,
             {},
             {{Obj("x", 2, kA), ""},
              {Obj("y", 2, kB), ""},
              {Obj("z", 9, kA), ""},
              {Obj("w", 1, kA, "netem", "ns"), ""}}},
        Case{"lease_without_recorded_qdiscs_owns_nothing",
             {With(Lease("a"), [](StoredLease& l) { l.qdiscs.clear(); })},
             {Obj()},
             kNow,
             {{"a", Verdict::kLost, 0s, ""}},
             {{Obj(), ""}}}),
    [](const ::testing::TestParamInfo<Case>& info) { return info.param.name; });

TEST(Reconcile, EveryRecordedLeaseGetsExactlyOneOutcome) {
  std::vector<StoredLease> leases;
  for (int i = 0; i < 20; ++i)
    leases.push_back(With(Lease("id" + std::to_string(i)), [i](StoredLease& l) {
      l.ifindex = i;
      l.deadline = kT0 + std::chrono::seconds(i);
    }));
  const ReconcilePlan plan = Reconcile(leases, {}, kNow);
  ASSERT_EQ(plan.leases.size(), leases.size());
  for (size_t i = 1; i < plan.leases.size(); ++i)
    EXPECT_LT(plan.leases[i - 1].id, plan.leases[i].id);
}

}  // namespace
}  // namespace chaosnet::state
