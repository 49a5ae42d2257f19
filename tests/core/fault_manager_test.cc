#include "daemon/core/fault_manager.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "daemon/core/stored_lease_conversion.h"
#include "daemon/plan/describe.h"
#include "daemon/plan/tc_objects.h"
#include "tests/core/fake_clock.h"
#include "tests/core/fake_kernel.h"
#include "tests/core/test_callers.h"

namespace chaosnet::core {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::LocalUser;
using testing::Root;

using testing::FakeClock;

model::FaultSpec Delay(const std::string& iface, std::chrono::nanoseconds latency = 100ms) {
  model::FaultSpec spec;
  spec.interface = iface;
  spec.delay = model::DelayFault{latency};
  return spec;
}

class FaultManagerTest : public ::testing::Test {
 protected:
  FaultManagerTest() {
    eth0 = kernel.AddInterface("eth0");
    eth1 = kernel.AddInterface("eth1");
    caps.netem = caps.tbf = caps.htb = caps.u32 = caps.ifb = caps.mirred = true;
    Rebuild();
  }
  void Rebuild() {
    manager = std::make_unique<FaultManager>(kernels, clock, caps, config,
                                             [this] { return "f" + std::to_string(++ids); });
    manager->Subscribe([this](const FaultEvent& e) {
      events.push_back(std::string(EventTypeName(e.type)) + " " + e.fault.id);
    });
  }
  CreateRequest Request(model::FaultSpec spec, std::optional<std::chrono::nanoseconds> ttl = 30s) {
    CreateRequest r;
    r.spec = std::move(spec);
    r.ttl = ttl;
    r.caller = Root();
    return r;
  }

  testing::FakeKernel kernel;
  SingleKernelProvider kernels{kernel};
  FakeClock clock;
  kernel::Capabilities caps;
  ManagerConfig config;
  int ids = 0;
  int eth0 = 0, eth1 = 0;
  std::unique_ptr<FaultManager> manager;
  std::vector<std::string> events;
};

TEST_F(FaultManagerTest, CreateAppliesThePlanAndStartsTheLease) {
  auto created = manager->Create(Request(Delay("eth0")));
  ASSERT_TRUE(created.ok()) << created.status().message();
  EXPECT_EQ(created->fault.id, "f1");
  EXPECT_EQ(created->fault.state, FaultState::kActive);
  EXPECT_EQ(created->fault.deadline, clock.steady + 30s);
  EXPECT_EQ(created->fault.expires_at, clock.wall + 30s);
  EXPECT_TRUE(kernel.HasOwnedQdisc(eth0));
  EXPECT_EQ(manager->NextDeadline(), clock.steady + 30s);
  EXPECT_THAT(events, ElementsAre("APPLIED f1"));
}

TEST_F(FaultManagerTest, LeaseExpiresExactlyAtItsDeadline) {
  ASSERT_TRUE(manager->Create(Request(Delay("eth0"))).ok());
  clock.Advance(30s - 1ns);
  EXPECT_TRUE(manager->ExpireDue().empty());
  EXPECT_TRUE(kernel.HasOwnedQdisc(eth0));
  clock.Advance(1ns);
  auto ended = manager->ExpireDue();
  ASSERT_EQ(ended.size(), 1u);
  EXPECT_EQ(ended[0].state, FaultState::kExpired);
  EXPECT_FALSE(kernel.HasOwnedQdisc(eth0));
  EXPECT_FALSE(manager->NextDeadline());
  EXPECT_THAT(events, ElementsAre("APPLIED f1", "EXPIRED f1"));
  // The ended fault stays visible with its final state.
  auto got = manager->Get("f1");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->state, FaultState::kExpired);
}

TEST_F(FaultManagerTest, MissingTtlGetsTheDefault) {
  config.default_ttl = 2min;
  Rebuild();
  auto created = manager->Create(Request(Delay("eth0"), std::nullopt));
  ASSERT_TRUE(created.ok());
  EXPECT_EQ(created->fault.deadline, clock.steady + 2min);
}

TEST_F(FaultManagerTest, TtlAboveMaximumOrNotPositiveIsRefusedAndTouchesNothing) {
  config.max_ttl = 1h;
  Rebuild();
  for (auto ttl :
       {std::chrono::nanoseconds(2h), std::chrono::nanoseconds(0), std::chrono::nanoseconds(-5s)}) {
    auto r = manager->Create(Request(Delay("eth0"), ttl));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(r.status().message(), HasSubstr("ttl"));
  }
  EXPECT_EQ(kernel.apply_calls, 0);
}

TEST_F(FaultManagerTest, UnknownInterfaceIsNotFound) {
  auto r = manager->Create(Request(Delay("nope0")));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(kernel.apply_calls, 0);
}

TEST_F(FaultManagerTest, InvalidSpecIsRefusedBeforeTheKernelIsTouched) {
  auto spec = Delay("eth0");
  spec.loss = model::ProbabilityFault{150};
  auto r = manager->Create(Request(spec));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(kernel.apply_calls, 0);
}

TEST_F(FaultManagerTest, ForeignRootQdiscIsRefused) {
  kernel.iface(eth0).root = {"htb", 0x00010000, false};
  auto r = manager->Create(Request(Delay("eth0")));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(r.status().message(), HasSubstr("did not create"));
  EXPECT_EQ(kernel.apply_calls, 0);
}

TEST_F(FaultManagerTest, LeftoverOwnedQdiscPointsAtCleanup) {
  kernel.iface(eth0).root = {"netem", 0xCA000000, false};
  auto r = manager->Create(Request(Delay("eth0")));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(r.status().message(), HasSubstr("--cleanup"));
}

TEST_F(FaultManagerTest, SecondFaultOnTheSameInterfaceIsRefusedOthersAreIndependent) {
  ASSERT_TRUE(manager->Create(Request(Delay("eth0"), 10s)).ok());
  auto second = manager->Create(Request(Delay("eth0")));
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(second.status().message(), HasSubstr("fault f1 already affects all of eth0"));
  ASSERT_TRUE(manager->Create(Request(Delay("eth1"), 20s)).ok());
  clock.Advance(10s);
  manager->ExpireDue();
  EXPECT_FALSE(kernel.HasOwnedQdisc(eth0));
  EXPECT_TRUE(kernel.HasOwnedQdisc(eth1));
  // The interface is free again once its fault ended.
  EXPECT_TRUE(manager->Create(Request(Delay("eth0"))).ok());
}

TEST_F(FaultManagerTest, MissingNetemIsNamed) {
  caps.netem = false;
  Rebuild();
  auto r = manager->Create(Request(Delay("eth0")));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(r.status().message(), HasSubstr("sch_netem"));
}

TEST_F(FaultManagerTest, KernelApplyErrorIsReturnedAndNoLeaseIsKept) {
  kernel.next_apply_error = Internal("netlink said no");
  auto r = manager->Create(Request(Delay("eth0")));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "netlink said no");
  EXPECT_EQ(manager->active_count(), 0u);
  EXPECT_TRUE(events.empty());
  EXPECT_TRUE(manager->Create(Request(Delay("eth0"))).ok());
}

TEST_F(FaultManagerTest, DryRunReturnsThePlanWithoutTouchingTheKernel) {
  auto request = Request(Delay("eth0"));
  request.dry_run = true;
  auto r = manager->Create(request);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->fault.state, FaultState::kPlanned);
  EXPECT_FALSE(r->fault.site.added.empty());
  EXPECT_EQ(r->fault.site.placements.size(), 1u);
  EXPECT_TRUE(r->fault.id.empty());
  EXPECT_EQ(kernel.apply_calls, 0);
  EXPECT_EQ(manager->active_count(), 0u);
}

TEST_F(FaultManagerTest, RetryWithTheSameRequestIdReturnsTheSameFault) {
  auto request = Request(Delay("eth0"));
  request.request_id = "run-42";
  auto first = manager->Create(request);
  ASSERT_TRUE(first.ok());
  auto retry = manager->Create(request);
  ASSERT_TRUE(retry.ok());
  EXPECT_TRUE(retry->replayed);
  EXPECT_EQ(retry->fault.id, first->fault.id);
  EXPECT_EQ(kernel.apply_calls, 1);

  auto different = request;
  different.spec.delay->latency = 200ms;
  auto conflict = manager->Create(different);
  ASSERT_FALSE(conflict.ok());
  EXPECT_EQ(conflict.status().code(), StatusCode::kAlreadyExists);
}

TEST_F(FaultManagerTest, ExtendMovesTheDeadlineAndIsBoundedByTheMaximum) {
  config.max_ttl = 1h;
  Rebuild();
  ASSERT_TRUE(manager->Create(Request(Delay("eth0"), 10s)).ok());
  clock.Advance(5s);
  auto extended = manager->Extend("f1", 60s, Root());
  ASSERT_TRUE(extended.ok());
  EXPECT_EQ(extended->deadline, clock.steady + 60s);
  clock.Advance(10s);
  EXPECT_TRUE(manager->ExpireDue().empty());
  EXPECT_EQ(manager->Extend("f1", 2h, Root()).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(manager->Extend("zz", 1s, Root()).status().code(), StatusCode::kNotFound);
  clock.Advance(50s);
  EXPECT_EQ(manager->ExpireDue().size(), 1u);
  EXPECT_EQ(manager->Extend("f1", 1s, Root()).status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(events, ElementsAre("APPLIED f1", "EXTENDED f1", "EXPIRED f1"));
}

TEST_F(FaultManagerTest, RevokeRollsBackAtOnce) {
  ASSERT_TRUE(manager->Create(Request(Delay("eth0"))).ok());
  auto revoked = manager->Revoke("f1", LocalUser(1000, "alice"));
  ASSERT_TRUE(revoked.ok());
  EXPECT_EQ(revoked->state, FaultState::kRevoked);
  EXPECT_THAT(revoked->state_reason, HasSubstr("uid:1000"));
  EXPECT_FALSE(kernel.HasOwnedQdisc(eth0));
  EXPECT_EQ(manager->Revoke("f1", Root()).status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(manager->Revoke("nope", Root()).status().code(), StatusCode::kNotFound);
  // Nothing is left for the timer.
  EXPECT_FALSE(manager->NextDeadline());
}

// Extend, revoke and keep-alive binding tell an ended fault from an unknown
// one in the same words.
TEST_F(FaultManagerTest, ChangesToAnEndedOrUnknownFaultSayWhich) {
  ASSERT_TRUE(manager->Create(Request(Delay("eth0"), 10s)).ok());
  clock.Advance(10s);
  ASSERT_EQ(manager->ExpireDue().size(), 1u);

  EXPECT_EQ(manager->Extend("f1", 1s, Root()).status().message(),
            "fault f1 has already ended (EXPIRED); create a new one");
  EXPECT_EQ(manager->Revoke("f1", Root()).status().message(),
            "fault f1 has already ended (EXPIRED)");
  EXPECT_EQ(manager->BindKeepAlive("f1", Root()).status().message(),
            "fault f1 has already ended (EXPIRED)");
  for (const Status& s :
       {manager->Extend("f9", 1s, Root()).status(), manager->Revoke("f9", Root()).status(),
        manager->BindKeepAlive("f9", Root()).status()}) {
    EXPECT_EQ(s.code(), StatusCode::kNotFound);
    EXPECT_EQ(s.message(), "no fault with id f9");
  }
}

TEST_F(FaultManagerTest, RevokeAllHonoursTheLabelSelector) {
  auto a = Request(Delay("eth0"));
  a.labels = {{"team", "db"}};
  auto b = Request(Delay("eth1"));
  b.labels = {{"team", "web"}};
  ASSERT_TRUE(manager->Create(a).ok());
  ASSERT_TRUE(manager->Create(b).ok());
  auto revoked = manager->RevokeAll({{"team", "db"}}, Root()).revoked;
  ASSERT_EQ(revoked.size(), 1u);
  EXPECT_EQ(revoked[0].spec.interface, "eth0");
  EXPECT_TRUE(kernel.HasOwnedQdisc(eth1));
  EXPECT_EQ(manager->RevokeAll({}, Root()).revoked.size(), 1u);
  EXPECT_EQ(manager->active_count(), 0u);
}

TEST_F(FaultManagerTest, QdiscDeletedByHandEndsTheLeaseAsLost) {
  ASSERT_TRUE(manager->Create(Request(Delay("eth0"), 5s)).ok());
  kernel.DeleteByHand(eth0);
  clock.Advance(5s);
  auto ended = manager->ExpireDue();
  ASSERT_EQ(ended.size(), 1u);
  EXPECT_EQ(ended[0].state, FaultState::kLost);
  EXPECT_THAT(events, ElementsAre("APPLIED f1", "LOST f1"));
}

TEST_F(FaultManagerTest, FailedRollbackIsReportedNotHidden) {
  ASSERT_TRUE(manager->Create(Request(Delay("eth0"), 5s)).ok());
  kernel.next_remove_error = Internal("EBUSY");
  clock.Advance(5s);
  auto ended = manager->ExpireDue();
  ASSERT_EQ(ended.size(), 1u);
  EXPECT_EQ(ended[0].state, FaultState::kFailed);
  EXPECT_THAT(ended[0].state_reason, HasSubstr("EBUSY"));
}

TEST_F(FaultManagerTest, CountersAreLiveWhileActiveAndFinalAfterTheEnd) {
  ASSERT_TRUE(manager->Create(Request(Delay("eth0"), 5s)).ok());
  kernel.iface(eth0).counters.packets = 10;
  EXPECT_EQ(manager->Get("f1")->counters.packets, 10u);
  kernel.iface(eth0).counters.packets = 25;
  clock.Advance(5s);
  manager->ExpireDue();
  kernel.iface(eth0).counters.packets = 0;
  EXPECT_EQ(manager->Get("f1")->counters.packets, 25u);
}

TEST_F(FaultManagerTest, ListFiltersByInterfaceAndLabelsAndCanIncludeEnded) {
  auto a = Request(Delay("eth0"), 5s);
  a.labels = {{"exp", "1"}};
  ASSERT_TRUE(manager->Create(a).ok());
  ASSERT_TRUE(manager->Create(Request(Delay("eth1"), 50s)).ok());
  EXPECT_EQ(manager->List({}).size(), 2u);
  EXPECT_EQ(manager->List({.interface = "eth1"}).size(), 1u);
  EXPECT_EQ(manager->List({.label_selector = {{"exp", "1"}}}).size(), 1u);
  clock.Advance(5s);
  manager->ExpireDue();
  EXPECT_EQ(manager->List({}).size(), 1u);
  EXPECT_EQ(manager->List({.include_ended = true}).size(), 2u);
}

TEST_F(FaultManagerTest, ForEachActiveVisitsTheLiveFaultsWithoutReadingTheKernel) {
  ASSERT_TRUE(manager->Create(Request(Delay("eth0"), 5s)).ok());
  ASSERT_TRUE(manager->Create(Request(Delay("eth1"), 50s)).ok());
  clock.Advance(5s);
  manager->ExpireDue();
  kernel.counter_reads = 0;
  std::vector<std::string> visited;
  manager->ForEachActive(
      [&](const FaultRecord& f) { visited.push_back(f.id + " " + f.spec.interface); });
  EXPECT_THAT(visited, ElementsAre("f2 eth1"));
  EXPECT_EQ(kernel.counter_reads, 0);
  // What it spares: List reads every live fault's counters.
  manager->List({});
  EXPECT_GT(kernel.counter_reads, 0);
}

TEST_F(FaultManagerTest, RollbackAllEndsEverything) {
  ASSERT_TRUE(manager->Create(Request(Delay("eth0"))).ok());
  ASSERT_TRUE(manager->Create(Request(Delay("eth1"))).ok());
  EXPECT_EQ(manager->RollbackAll("daemon shutdown").size(), 2u);
  EXPECT_FALSE(kernel.HasOwnedQdisc(eth0));
  EXPECT_FALSE(kernel.HasOwnedQdisc(eth1));
  EXPECT_EQ(manager->active_count(), 0u);
}

TEST_F(FaultManagerTest, EndedHistoryIsBounded) {
  config.ended_history = 3;
  Rebuild();
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(manager->Create(Request(Delay("eth0"))).ok());
    manager->Revoke("f" + std::to_string(i + 1), Root());
  }
  EXPECT_EQ(manager->List({.include_ended = true}).size(), 3u);
  EXPECT_EQ(manager->Get("f1").status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(manager->Get("f5").ok());
}

TEST_F(FaultManagerTest, AnEndedFaultReadsBackFromTheHistoryAsItEnded) {
  auto request = Request(Delay("eth0"));
  request.labels = {{"exp", "1"}};
  request.request_id = "run-7";
  ASSERT_TRUE(manager->Create(request).ok());
  kernel.iface(eth0).counters.packets = 25;
  kernel.iface(eth0).counters.drops = 3;
  clock.Advance(2s);
  auto ended = manager->Revoke("f1", Root());
  ASSERT_TRUE(ended.ok());
  auto got = manager->Get("f1");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->state, FaultState::kRevoked);
  EXPECT_EQ(got->state_reason, ended->state_reason);
  EXPECT_EQ(got->ended_at, ended->ended_at);
  EXPECT_EQ(got->created_at, ended->created_at);
  EXPECT_EQ(got->expires_at, ended->expires_at);
  EXPECT_EQ(got->counters.packets, 25u);
  EXPECT_EQ(got->counters.drops, 3u);
  EXPECT_EQ(got->counters_read_at, ended->counters_read_at);
  EXPECT_EQ(got->spec, ended->spec);
  EXPECT_EQ(got->labels, ended->labels);
  EXPECT_EQ(got->owner, ended->owner);
  EXPECT_EQ(got->owner_identity, ended->owner_identity);
  EXPECT_EQ(got->request_id, "run-7");
  // The plan, as the text get shows.
  ASSERT_EQ(got->site.described.size(), ended->site.added.size());
  for (std::size_t i = 0; i < got->site.described.size(); ++i) {
    EXPECT_EQ(got->site.described[i].device, ended->site.added[i].device);
    EXPECT_EQ(got->site.described[i].step, plan::DescribeTcObject(ended->site.added[i].object));
  }
  // Changes to it name how it ended.
  EXPECT_THAT(manager->Extend("f1", 10s, Root()).status().message(),
              HasSubstr("has already ended (REVOKED)"));
}

TEST_F(FaultManagerTest, ARequestIdReplaysItsEndedFaultUntilTheHistoryLetsItGo) {
  config.ended_history = 2;
  Rebuild();
  auto request = Request(Delay("eth0"));
  request.request_id = "run-1";
  ASSERT_TRUE(manager->Create(request).ok());
  ASSERT_TRUE(manager->Revoke("f1", Root()).ok());
  auto replay = manager->Create(request);
  ASSERT_TRUE(replay.ok());
  EXPECT_TRUE(replay->replayed);
  EXPECT_EQ(replay->fault.id, "f1");
  EXPECT_EQ(replay->fault.state, FaultState::kRevoked);
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(manager->Create(Request(Delay("eth1"))).ok());
    manager->RollbackAll("next");
  }
  auto fresh = manager->Create(request);
  ASSERT_TRUE(fresh.ok());
  EXPECT_FALSE(fresh->replayed);
  EXPECT_EQ(fresh->fault.id, "f4");
  EXPECT_THAT(manager->List({.include_ended = true}).size(), 3u);
}

TEST_F(FaultManagerTest, NewIdsAvoidTheIdsOfEndedFaults) {
  int next = 0;
  manager = std::make_unique<FaultManager>(kernels, clock, caps, config, [&next] {
    // f1, f1, f2, f2, ...: every second id was already given.
    return "f" + std::to_string(++next / 2 + 1);
  });
  ASSERT_TRUE(manager->Create(Request(Delay("eth0"))).ok());
  ASSERT_TRUE(manager->Revoke("f1", Root()).ok());
  auto second = manager->Create(Request(Delay("eth0")));
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->fault.id, "f2");
}

TEST_F(FaultManagerTest, ThePolicyIsCheckedBeforeAnythingIsTouched) {
  config.policy.deny_interfaces = {"eth1"};
  config.policy.max_faults = 1;
  config.policy.max_faults_per_caller = 1;
  Rebuild();
  auto denied = manager->Create(Request(Delay("eth1")));
  EXPECT_EQ(denied.status().code(), StatusCode::kPermissionDenied);
  ASSERT_TRUE(manager->Create(Request(Delay("eth0"))).ok());
  // A dry run creates nothing, so no count limit applies to it.
  CreateRequest dry = Request(Delay("eth0", 10ms));
  dry.dry_run = true;
  EXPECT_EQ(manager->Create(dry).status().code(), StatusCode::kFailedPrecondition)
      << "only the overlap with the live fault refuses it";
  auto full = manager->Create(Request(Delay("eth0", 10ms)));
  EXPECT_EQ(full.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(kernel.apply_calls, 1);
  EXPECT_FALSE(kernel.HasOwnedQdisc(eth1));
  EXPECT_THAT(events, ElementsAre("APPLIED f1"));
}

// --- Ownership ------------------------------------------------------------------

class OwnershipTest : public FaultManagerTest {
 protected:
  const Caller alice = LocalUser(1000, "alice");
  const Caller bob = LocalUser(1001, "bob");

  std::string CreateAs(const Caller& caller, const std::string& iface) {
    CreateRequest r = Request(Delay(iface));
    r.caller = caller;
    auto created = manager->Create(r);
    EXPECT_TRUE(created.ok()) << created.status().message();
    return created.ok() ? created->fault.id : "";
  }
};

TEST_F(OwnershipTest, ExtendingBelongsToTheOwnerAndAdmins) {
  config.policy.admins = {*ParseCallerPattern("gid:500", nullptr, nullptr)};
  Rebuild();
  const std::string id = CreateAs(alice, "eth0");
  const SteadyTime deadline = manager->Get(id)->deadline;

  auto refused = manager->Extend(id, 20h, bob);
  EXPECT_EQ(refused.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(refused.status().message(),
            "uid:1001(bob) may not extend fault f1: it belongs to uid:1000(alice), and only its "
            "owner or an admin may (--admin PATTERN would allow it)");
  EXPECT_EQ(manager->Get(id)->deadline, deadline);
  EXPECT_THAT(events, ElementsAre("APPLIED f1"));

  // The identity, not its name: uid 1000 without a name is alice.
  EXPECT_TRUE(manager->Extend(id, 60s, LocalUser(1000)).ok());
  EXPECT_TRUE(manager->Extend(id, 60s, alice).ok());
  EXPECT_TRUE(manager->Extend(id, 60s, Root()).ok()) << "root is always an admin";
  EXPECT_TRUE(manager->Extend(id, 60s, LocalUser(1002, "carol", {500})).ok()) << "--admin gid:500";
  // An admin pattern matches callers, not uids alone: a certificate is not uid 1000.
  EXPECT_EQ(manager->Extend(id, 60s, testing::CertificateUser("alice")).status().code(),
            StatusCode::kPermissionDenied);
}

TEST_F(OwnershipTest, BindingToAKeepAliveStreamBelongsToTheOwnerAndAdmins) {
  const std::string id = CreateAs(alice, "eth0");
  auto refused = manager->BindKeepAlive(id, bob);
  EXPECT_EQ(refused.status().code(), StatusCode::kPermissionDenied);
  EXPECT_THAT(refused.status().message(),
              HasSubstr("may not bind fault f1 to a keep-alive stream: it belongs to "
                        "uid:1000(alice)"));
  EXPECT_FALSE(manager->Get(id)->keep_alive);
  // Refusing the binding ends nothing: the stream that asked holds none of it.
  EXPECT_TRUE(manager->EndKeepAlive({id}, "the refused stream ended").empty());
  EXPECT_TRUE(kernel.HasOwnedQdisc(eth0));
  EXPECT_TRUE(manager->BindKeepAlive(id, alice).ok());
}

TEST_F(OwnershipTest, AnyWriterMayRevokeByDefaultAndTheReasonNamesBoth) {
  const std::string mine = CreateAs(alice, "eth0");
  const std::string theirs = CreateAs(alice, "eth1");
  auto own = manager->Revoke(mine, LocalUser(1000));
  ASSERT_TRUE(own.ok());
  EXPECT_EQ(own->state_reason, "revoked by uid:1000");
  auto other = manager->Revoke(theirs, bob);
  ASSERT_TRUE(other.ok()) << other.status().message();
  EXPECT_EQ(other->state, FaultState::kRevoked);
  EXPECT_EQ(other->state_reason, "revoked by uid:1001(bob), owner uid:1000(alice)");
  EXPECT_FALSE(kernel.HasOwnedQdisc(eth1));
}

TEST_F(OwnershipTest, RevokeOthersOwnerLeavesOthersFaultsToTheirOwnersAndAdmins) {
  config.policy.revoke_others = RevokeOthers::kOwner;
  Rebuild();
  const std::string alices = CreateAs(alice, "eth0");
  const std::string bobs = CreateAs(bob, "eth1");

  auto refused = manager->Revoke(alices, bob);
  EXPECT_EQ(refused.status().code(), StatusCode::kPermissionDenied);
  EXPECT_THAT(refused.status().message(), HasSubstr("it belongs to uid:1000(alice)"));
  EXPECT_THAT(refused.status().message(), HasSubstr("--revoke-others any"));
  EXPECT_TRUE(kernel.HasOwnedQdisc(eth0));

  RevokeAllResult all = manager->RevokeAll({}, bob);
  ASSERT_EQ(all.revoked.size(), 1u);
  EXPECT_EQ(all.revoked[0].id, bobs);
  ASSERT_EQ(all.not_revoked.size(), 1u);
  EXPECT_EQ(all.not_revoked[0].fault.id, alices);
  EXPECT_EQ(all.not_revoked[0].why.code(), StatusCode::kPermissionDenied);
  EXPECT_THAT(all.not_revoked[0].why.message(), HasSubstr("uid:1000(alice)"));
  EXPECT_TRUE(manager->Get(alices)->active());

  all = manager->RevokeAll({}, Root());
  ASSERT_EQ(all.revoked.size(), 1u);
  EXPECT_TRUE(all.not_revoked.empty());
  EXPECT_EQ(all.revoked[0].state_reason,
            "revoked by uid:0(root) (revoke all), owner uid:1000(alice)");
}

TEST_F(OwnershipTest, AFaultWithoutAKnownOwnerIsForAdminsOnly) {
  CreateRequest r = Request(Delay("eth0"));
  r.caller = Caller{};  // as a record of an unknown owner restored from a journal would be
  ASSERT_TRUE(manager->Create(r).ok());
  auto refused = manager->Extend("f1", 60s, alice);
  EXPECT_THAT(refused.status().message(), HasSubstr("it has no known owner, so only an admin may"));
  EXPECT_TRUE(manager->Extend("f1", 60s, Root()).ok());
}

TEST_F(OwnershipTest, MineListsTheCallersOwnFaults) {
  CreateAs(alice, "eth0");
  CreateAs(bob, "eth1");
  auto mine = manager->List({.owner = model::UidIdentity(1000)});
  ASSERT_EQ(mine.size(), 1u);
  EXPECT_EQ(mine[0].owner, "uid:1000(alice)");
  EXPECT_TRUE(manager->List({.owner = model::Identity{}}).empty()) << "an unknown caller owns none";
  EXPECT_EQ(manager->List({}).size(), 2u);
}

TEST_F(OwnershipTest, PerCallerLimitsCountIdentitiesNotNames) {
  config.policy.max_faults_per_caller = 1;
  Rebuild();
  CreateAs(alice, "eth0");
  CreateRequest r = Request(Delay("eth1"));
  r.caller = LocalUser(1000);
  EXPECT_EQ(manager->Create(r).status().code(), StatusCode::kResourceExhausted);
  r.caller = bob;
  EXPECT_TRUE(manager->Create(r).ok());
}

// --- The durable lease store -------------------------------------------------

// Records every call, and how many kernel applies/removals had happened by
// then, so a test can check the write-ahead order.
class FakeStore : public LeaseStore {
 public:
  explicit FakeStore(const testing::FakeKernel& kernel) : kernel_(kernel) {}
  Status Put(const state::StoredLease& lease) override {
    log.push_back("put " + lease.id + " " + state::LeaseStateName(lease.state) + " @apply" +
                  std::to_string(kernel_.apply_calls) + " @remove" +
                  std::to_string(kernel_.remove_calls));
    if (!next_error.ok()) return std::exchange(next_error, Status::Ok());
    leases[lease.id] = lease;
    return Status::Ok();
  }
  Status Remove(const std::string& id) override {
    log.push_back("remove " + id + " @apply" + std::to_string(kernel_.apply_calls) + " @remove" +
                  std::to_string(kernel_.remove_calls));
    if (leases.erase(id) == 0) return NotFound(id);
    return Status::Ok();
  }
  Status next_error;
  std::vector<std::string> log;
  std::map<std::string, state::StoredLease> leases;

 private:
  const testing::FakeKernel& kernel_;
};

class FaultManagerStoreTest : public FaultManagerTest {
 protected:
  FaultManagerStoreTest() : store(kernel) {
    manager = std::make_unique<FaultManager>(
        kernels, clock, caps, config, [this] { return "f" + std::to_string(++ids); }, &store);
    manager->Subscribe([this](const FaultEvent& e) {
      events.push_back(std::string(EventTypeName(e.type)) + " " + e.fault.id);
    });
  }
  FakeStore store;
};

TEST_F(FaultManagerStoreTest, RecordsThePendingLeaseBeforeApplyAndActiveAfter) {
  ASSERT_TRUE(manager->Create(Request(Delay("eth0"), 30s)).ok());
  EXPECT_THAT(store.log,
              ElementsAre("put f1 pending @apply0 @remove0", "put f1 active @apply1 @remove0"));
  ASSERT_TRUE(store.leases.contains("f1"));
  const state::StoredLease& lease = store.leases.at("f1");
  EXPECT_EQ(lease.deadline, clock.wall + 30s);  // wall clock: survives a reboot
  EXPECT_EQ(lease.created_at, clock.wall);
  EXPECT_EQ(lease.ifindex, eth0);
  EXPECT_EQ(lease.interface, "eth0");
  ASSERT_FALSE(lease.qdiscs.empty());
  EXPECT_EQ(lease.root_kind(), "htb");
}

TEST_F(FaultManagerStoreTest, StoreFailureRefusesCreateWithoutTouchingTheKernel) {
  store.next_error = Unavailable("disk full");
  auto r = manager->Create(Request(Delay("eth0")));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(r.status().message(), HasSubstr("cannot record the lease durably: disk full"));
  EXPECT_EQ(kernel.apply_calls, 0);
  EXPECT_FALSE(kernel.HasOwnedQdisc(eth0));
  EXPECT_EQ(manager->active_count(), 0u);
  EXPECT_TRUE(events.empty());
}

TEST_F(FaultManagerStoreTest, FailedApplyForgetsThePendingLease) {
  kernel.next_apply_error = Internal("netlink said no");
  ASSERT_FALSE(manager->Create(Request(Delay("eth0"))).ok());
  EXPECT_THAT(store.log,
              ElementsAre("put f1 pending @apply0 @remove0", "remove f1 @apply1 @remove0"));
  EXPECT_TRUE(store.leases.empty());
}

TEST_F(FaultManagerStoreTest, ExtendRecordsTheNewDeadlineBeforeAcknowledging) {
  ASSERT_TRUE(manager->Create(Request(Delay("eth0"), 30s)).ok());
  clock.Advance(10s);
  ASSERT_TRUE(manager->Extend("f1", 60s, Root()).ok());
  EXPECT_EQ(store.leases.at("f1").deadline, clock.wall + 60s);

  store.next_error = Unavailable("disk full");
  auto r = manager->Extend("f1", 120s, Root());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  // Not acknowledged, so not applied: the old deadline still rules.
  EXPECT_EQ(manager->NextDeadline(), clock.steady + 60s);
  EXPECT_EQ(manager->Get("f1")->expires_at, clock.wall + 60s);
}

TEST_F(FaultManagerStoreTest, KeepAliveBindingIsRecordedAndItsEndRevokesOnlyBoundFaults) {
  ASSERT_TRUE(manager->Create(Request(Delay("eth0"))).ok());
  ASSERT_TRUE(manager->Create(Request(Delay("eth1"))).ok());
  auto bound = manager->BindKeepAlive("f1", Root());
  ASSERT_TRUE(bound.ok()) << bound.status().message();
  EXPECT_TRUE(bound->keep_alive);
  // Durable before it is acknowledged: a restart must know not to re-arm it.
  EXPECT_TRUE(store.leases.at("f1").keep_alive);
  EXPECT_FALSE(store.leases.at("f2").keep_alive);

  // f2 was never bound: a stream naming it does not end it.
  auto ended = manager->EndKeepAlive({"f1", "f2", "nope"}, "its keep-alive stream broke");
  ASSERT_EQ(ended.size(), 1u);
  EXPECT_EQ(ended[0].id, "f1");
  EXPECT_EQ(ended[0].state, FaultState::kRevoked);
  EXPECT_EQ(ended[0].state_reason, "its keep-alive stream broke");
  EXPECT_FALSE(kernel.HasOwnedQdisc(eth0));
  EXPECT_TRUE(kernel.HasOwnedQdisc(eth1));
  EXPECT_THAT(events, ElementsAre("APPLIED f1", "APPLIED f2", "REVOKED f1"));
  EXPECT_FALSE(store.leases.contains("f1"));
}

TEST_F(FaultManagerStoreTest, KeepAliveBindingRefusals) {
  ASSERT_TRUE(manager->Create(Request(Delay("eth0"))).ok());
  EXPECT_EQ(manager->BindKeepAlive("nope", Root()).status().code(), StatusCode::kNotFound);

  store.next_error = Unavailable("disk full");
  auto unrecorded = manager->BindKeepAlive("f1", Root());
  EXPECT_EQ(unrecorded.status().code(), StatusCode::kUnavailable);
  EXPECT_FALSE(manager->Get("f1")->keep_alive);  // not recorded, so not bound

  ASSERT_TRUE(manager->BindKeepAlive("f1", Root()).ok());
  auto twice = manager->BindKeepAlive("f1", Root());
  EXPECT_EQ(twice.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(twice.status().message(), HasSubstr("already bound"));

  ASSERT_TRUE(manager->Revoke("f1", Root()).ok());
  auto ended = manager->BindKeepAlive("f1", Root());
  EXPECT_EQ(ended.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(ended.status().message(), HasSubstr("already ended"));
  // A stream ending after its fault did changes nothing.
  EXPECT_TRUE(manager->EndKeepAlive({"f1"}, "late").empty());
}

TEST_F(FaultManagerStoreTest, EndedLeasesAreMarkedEndedBeforeRollbackThenRemoved) {
  ASSERT_TRUE(manager->Create(Request(Delay("eth0"), 30s)).ok());
  ASSERT_TRUE(manager->Create(Request(Delay("eth1"), 60s)).ok());
  store.log.clear();
  clock.Advance(30s);
  ASSERT_EQ(manager->ExpireDue().size(), 1u);
  EXPECT_THAT(store.log,
              ElementsAre("put f1 ended @apply2 @remove0", "remove f1 @apply2 @remove1"));
  store.log.clear();
  ASSERT_TRUE(manager->Revoke("f2", Root()).ok());
  // A revoke ends a lease early: that must be recorded before the kernel changes.
  EXPECT_THAT(store.log,
              ElementsAre("put f2 ended @apply2 @remove1", "remove f2 @apply2 @remove2"));
  EXPECT_TRUE(store.leases.empty());
}

TEST_F(FaultManagerStoreTest, FailedRollbackKeepsTheEndedRecordForTheNextStart) {
  ASSERT_TRUE(manager->Create(Request(Delay("eth0"))).ok());
  kernel.next_remove_error = Internal("EBUSY");
  auto r = manager->Revoke("f1", Root());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->state, FaultState::kFailed);
  ASSERT_TRUE(store.leases.contains("f1"));
  EXPECT_EQ(store.leases.at("f1").state, state::LeaseState::kEnded);
}

TEST_F(FaultManagerStoreTest, RollbackAllLeavesTheStoreEmpty) {
  ASSERT_TRUE(manager->Create(Request(Delay("eth0"))).ok());
  ASSERT_TRUE(manager->Create(Request(Delay("eth1"))).ok());
  manager->RollbackAll("daemon shutdown");
  EXPECT_TRUE(store.leases.empty());
}

// A lease of a previous run, as the journal holds it.
state::StoredLease Recorded(const std::string& id, const std::string& iface, int ifindex,
                            WallTime created, WallTime deadline) {
  FaultRecord r;
  r.id = id;
  r.spec = Delay(iface);
  r.site.ifindex = ifindex;
  r.site.placements.push_back(Placement{iface, ifindex, false, {}});
  r.created_at = created;
  r.expires_at = deadline;
  r.request_id = "req-" + id;
  return ToStoredLease(r, state::LeaseState::kActive);
}

TEST_F(FaultManagerStoreTest, RestoreRearmsWithTheRemainingTimeAndExpiresOnTime) {
  auto lease = Recorded("old1", "eth0", eth0, clock.wall - 20s, clock.wall + 10s);
  store.leases["old1"] = lease;

  // Start-up cleared the previous run's tree: the fault is placed again.
  ASSERT_TRUE(manager->Restore(FromStoredLease(lease), 10s).ok());
  EXPECT_TRUE(kernel.HasOwnedQdisc(eth0));
  EXPECT_TRUE(events.empty());  // no APPLIED event: for clients it never went away
  EXPECT_EQ(manager->active_count(), 1u);
  EXPECT_EQ(manager->NextDeadline(), clock.steady + 10s);
  auto got = manager->Get("old1");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->state, FaultState::kActive);
  EXPECT_EQ(got->expires_at, clock.wall + 10s);
  EXPECT_EQ(got->created_at, clock.wall - 20s);

  // The interface is taken, and a replayed request_id finds the restored fault.
  auto again = manager->Create(Request(Delay("eth0")));
  EXPECT_EQ(again.status().code(), StatusCode::kFailedPrecondition);
  CreateRequest replay = Request(Delay("eth0"));
  replay.request_id = "req-old1";
  auto replayed = manager->Create(replay);
  ASSERT_TRUE(replayed.ok());
  EXPECT_TRUE(replayed->replayed);
  EXPECT_EQ(replayed->fault.id, "old1");

  clock.Advance(10s - 1ns);
  EXPECT_TRUE(manager->ExpireDue().empty());
  clock.Advance(1ns);
  auto ended = manager->ExpireDue();
  ASSERT_EQ(ended.size(), 1u);
  EXPECT_EQ(ended[0].id, "old1");
  EXPECT_EQ(ended[0].state, FaultState::kExpired);
  EXPECT_FALSE(kernel.HasOwnedQdisc(eth0));
  EXPECT_TRUE(store.leases.empty());
  EXPECT_THAT(events, ElementsAre("EXPIRED old1"));
}

TEST_F(FaultManagerStoreTest, ARestoredLeaseKeepsItsOwner) {
  auto lease = Recorded("old1", "eth0", eth0, clock.wall - 20s, clock.wall + 10s);
  lease.owner = "uid:1000(alice)";
  lease.owner_identity = model::UidIdentity(1000);
  ASSERT_TRUE(manager->Restore(FromStoredLease(lease), 10s).ok());
  EXPECT_EQ(store.leases.at("old1").owner_identity, model::UidIdentity(1000));
  EXPECT_EQ(manager->Extend("old1", 60s, LocalUser(1001, "bob")).status().code(),
            StatusCode::kPermissionDenied);
  EXPECT_TRUE(manager->Extend("old1", 60s, LocalUser(1000)).ok());
}

TEST_F(FaultManagerStoreTest, RestoreRefusesAnInterfaceAlreadyTaken) {
  ASSERT_TRUE(manager->Create(Request(Delay("eth0"))).ok());
  auto lease = Recorded("old1", "eth0", eth0, clock.wall, clock.wall + 10s);
  EXPECT_FALSE(manager->Restore(FromStoredLease(lease), 10s).ok());
  EXPECT_EQ(manager->active_count(), 1u);
}

TEST_F(FaultManagerStoreTest, RestoreEndedKeepsALostFaultVisible) {
  FaultRecord lost = FromStoredLease(Recorded("old2", "eth1", eth1, clock.wall, clock.wall + 5s));
  lost.state = FaultState::kLost;
  lost.state_reason = "qdisc gone";
  manager->RestoreEnded(lost);
  EXPECT_EQ(manager->active_count(), 0u);
  auto got = manager->Get("old2");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->state, FaultState::kLost);
  EXPECT_EQ(got->ended_at, clock.wall);
  EXPECT_TRUE(events.empty());
}

TEST(StoredLeaseConversionTest, RoundTripsWhatARestartNeeds) {
  FaultRecord r;
  r.id = "abc";
  r.spec = Delay("eth3", 250ms);
  r.labels = {{"team", "x"}};
  r.owner = "uid:7(bob)";
  r.owner_identity = model::UidIdentity(7);
  r.request_id = "req-1";
  r.site.ifindex = 9;
  r.site.placements.push_back(Placement{"eth3", 9, false, {}});
  r.site.placements.push_back(Placement{"cnifb9", 12, true, {}});
  r.created_at = WallTime{std::chrono::seconds(1'800'000'000)};
  r.expires_at = r.created_at + 30s;
  auto lease = ToStoredLease(r, state::LeaseState::kActive);
  EXPECT_EQ(lease.root_handle(), plan::kTreeRootHandle);
  ASSERT_EQ(lease.qdiscs.size(), 2u);
  EXPECT_EQ(lease.qdiscs[1].kind, "ingress");
  FaultRecord back = FromStoredLease(lease);
  EXPECT_EQ(back.id, r.id);
  EXPECT_TRUE(back.spec == r.spec);
  EXPECT_EQ(back.labels, r.labels);
  EXPECT_EQ(back.owner, r.owner);
  EXPECT_EQ(back.owner_identity, r.owner_identity);
  EXPECT_EQ(back.request_id, r.request_id);
  EXPECT_EQ(back.site.ifindex, r.site.ifindex);
  EXPECT_EQ(back.created_at, r.created_at);
  EXPECT_EQ(back.expires_at, r.expires_at);
}

// Journals of daemons that kept only the principal still name the owner.
TEST(StoredLeaseConversionTest, ARecordWithoutAnOwnerIdentityTakesItFromThePrincipal) {
  state::StoredLease lease;
  lease.id = "abc";
  lease.owner = "uid:1000(alice)";
  EXPECT_EQ(FromStoredLease(lease).owner_identity, model::UidIdentity(1000));
  lease.owner = "x509:CN=runner-1,O=chaosnet";
  EXPECT_EQ(FromStoredLease(lease).owner_identity,
            model::CertificateIdentity("CN=runner-1,O=chaosnet"));
  lease.owner = "";
  EXPECT_TRUE(FromStoredLease(lease).owner_identity.empty());
  // A recorded identity wins over the principal's text.
  lease.owner = "uid:1000(alice)";
  lease.owner_identity = model::UidIdentity(1001);
  EXPECT_EQ(FromStoredLease(lease).owner_identity, model::UidIdentity(1001));
}

}  // namespace
}  // namespace chaosnet::core
