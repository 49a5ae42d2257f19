#include "daemon/core/fault_manager.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/core/fake_kernel.h"

namespace chaosnet::core {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class FakeClock : public Clock {
 public:
  SteadyTime Now() const override { return steady; }
  WallTime WallNow() const override { return wall; }
  void Advance(std::chrono::nanoseconds d) {
    steady += d;
    wall += std::chrono::duration_cast<WallTime::duration>(d);
  }
  SteadyTime steady{std::chrono::hours(1000)};
  WallTime wall{std::chrono::seconds(1'800'000'000)};
};

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
    caps.netem = caps.tbf = true;
    Rebuild();
  }
  void Rebuild() {
    manager = std::make_unique<FaultManager>(kernel, clock, caps, config,
                                             [this] { return "f" + std::to_string(++ids); });
    manager->Subscribe([this](const FaultEvent& e) {
      events.push_back(std::string(EventTypeName(e.type)) + " " + e.fault.id);
    });
  }
  CreateRequest Request(model::FaultSpec spec, std::optional<std::chrono::nanoseconds> ttl = 30s) {
    CreateRequest r;
    r.spec = std::move(spec);
    r.ttl = ttl;
    r.caller = "uid:0";
    return r;
  }

  testing::FakeKernel kernel;
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
  for (auto ttl : {std::chrono::nanoseconds(2h), std::chrono::nanoseconds(0),
                   std::chrono::nanoseconds(-5s)}) {
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
  EXPECT_THAT(second.status().message(), HasSubstr("already carries fault f1"));
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
  EXPECT_FALSE(r->fault.plan.qdiscs.empty());
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
  auto extended = manager->Extend("f1", 60s, "uid:0");
  ASSERT_TRUE(extended.ok());
  EXPECT_EQ(extended->deadline, clock.steady + 60s);
  clock.Advance(10s);
  EXPECT_TRUE(manager->ExpireDue().empty());
  EXPECT_EQ(manager->Extend("f1", 2h, "uid:0").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(manager->Extend("zz", 1s, "uid:0").status().code(), StatusCode::kNotFound);
  clock.Advance(50s);
  EXPECT_EQ(manager->ExpireDue().size(), 1u);
  EXPECT_EQ(manager->Extend("f1", 1s, "uid:0").status().code(),
            StatusCode::kFailedPrecondition);
  EXPECT_THAT(events, ElementsAre("APPLIED f1", "EXTENDED f1", "EXPIRED f1"));
}

TEST_F(FaultManagerTest, RevokeRollsBackAtOnce) {
  ASSERT_TRUE(manager->Create(Request(Delay("eth0"))).ok());
  auto revoked = manager->Revoke("f1", "uid:1000");
  ASSERT_TRUE(revoked.ok());
  EXPECT_EQ(revoked->state, FaultState::kRevoked);
  EXPECT_THAT(revoked->state_reason, HasSubstr("uid:1000"));
  EXPECT_FALSE(kernel.HasOwnedQdisc(eth0));
  EXPECT_EQ(manager->Revoke("f1", "x").status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(manager->Revoke("nope", "x").status().code(), StatusCode::kNotFound);
  // Nothing is left for the timer.
  EXPECT_FALSE(manager->NextDeadline());
}

TEST_F(FaultManagerTest, RevokeAllHonoursTheLabelSelector) {
  auto a = Request(Delay("eth0"));
  a.labels = {{"team", "db"}};
  auto b = Request(Delay("eth1"));
  b.labels = {{"team", "web"}};
  ASSERT_TRUE(manager->Create(a).ok());
  ASSERT_TRUE(manager->Create(b).ok());
  auto revoked = manager->RevokeAll({{"team", "db"}}, "uid:0");
  ASSERT_EQ(revoked.size(), 1u);
  EXPECT_EQ(revoked[0].spec.interface, "eth0");
  EXPECT_TRUE(kernel.HasOwnedQdisc(eth1));
  EXPECT_EQ(manager->RevokeAll({}, "uid:0").size(), 1u);
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
    manager->Revoke("f" + std::to_string(i + 1), "x");
  }
  EXPECT_EQ(manager->List({.include_ended = true}).size(), 3u);
  EXPECT_EQ(manager->Get("f1").status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(manager->Get("f5").ok());
}

}  // namespace
}  // namespace chaosnet::core
