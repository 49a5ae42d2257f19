// The fault manager's side of guards: what a create with guards must pass
// (parsed, allowed, counted), what `get` shows before the first check, and
// HALTED: recorded before the rollback, with actor "guard".
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "daemon/core/fault_manager.h"
#include "tests/core/fake_clock.h"
#include "tests/core/fake_kernel.h"
#include "tests/core/test_callers.h"

namespace chaosnet::core {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Remembers each end written and how many kernel removals preceded it.
class OrderStore : public LeaseStore {
 public:
  explicit OrderStore(const testing::FakeKernel& kernel) : kernel_(kernel) {}
  Status Put(const state::StoredLease& lease) override {
    if (lease.state == state::LeaseState::kEnded) {
      log.push_back("ended @remove" + std::to_string(kernel_.remove_calls));
    }
    return Status::Ok();
  }
  Status Remove(const std::string&) override { return Status::Ok(); }
  std::vector<std::string> log;

 private:
  const testing::FakeKernel& kernel_;
};

class FaultManagerGuardsTest : public ::testing::Test {
 protected:
  FaultManagerGuardsTest() : store(kernel) {
    eth0 = kernel.AddInterface("eth0");
    kernel.AddInterface("eth1");
    caps.netem = caps.htb = caps.u32 = caps.tbf = caps.ifb = caps.mirred = true;
    config.guards.allowed_targets = {*guard::ParseAllowedTarget("10.0.0.0/24")};
    config.guards.max_per_fault = 2;
    config.guards.max_total = 3;
    Rebuild();
  }
  void Rebuild() {
    manager = std::make_unique<FaultManager>(
        kernels, clock, caps, config, [this] { return "f" + std::to_string(++ids); }, &store);
    manager->Subscribe([this](const FaultEvent& e) {
      events.push_back(std::string(EventTypeName(e.type)) + " " + e.fault.id + " by " + e.actor);
    });
  }
  CreateRequest Guarded(std::vector<std::string> checks, const std::string& iface = "eth0",
                        bool dry_run = false) {
    CreateRequest r;
    r.spec.interface = iface;
    r.spec.delay = model::DelayFault{50ms};
    r.spec.guards.checks = std::move(checks);
    r.ttl = 30s;
    r.dry_run = dry_run;
    r.caller = testing::Root();
    return r;
  }

  testing::FakeKernel kernel;
  SingleKernelProvider kernels{kernel};
  testing::FakeClock clock;
  kernel::Capabilities caps;
  ManagerConfig config;
  OrderStore store;
  int ids = 0;
  int eth0 = 0;
  std::unique_ptr<FaultManager> manager;
  std::vector<std::string> events;
};

TEST_F(FaultManagerGuardsTest, AGuardedFaultStartsWithItsGuardsUnchecked) {
  auto created = manager->Create(Guarded({"tcp:10.0.0.5:80", "drops<5%"}));
  ASSERT_TRUE(created.ok()) << created.status().message();
  ASSERT_EQ(created->fault.guards.size(), 2u);
  EXPECT_EQ(created->fault.guards[0].check, "tcp:10.0.0.5:80");
  EXPECT_FALSE(created->fault.guards[0].result);
  EXPECT_EQ(manager->live_guards(), 2u);
}

TEST_F(FaultManagerGuardsTest, RefusedGuardsLeaveNothingInTheKernel) {
  struct Case {
    std::vector<std::string> checks;
    StatusCode code;
    const char* says;
  };
  for (const Case& c : {
           Case{{"tcp:10.0.0.5"}, StatusCode::kInvalidArgument, "needs a port"},
           Case{{"tcp:10.0.1.5:80"}, StatusCode::kPermissionDenied, "--allow-guard-target"},
           Case{{"tcp:10.0.0.5:22"}, StatusCode::kFailedPrecondition, "--protect tcp:22"},
           Case{{"drops<1%", "drops<2%", "drops<3%"},
                StatusCode::kInvalidArgument,
                "--max-guards-per-fault"},
       }) {
    auto created = manager->Create(Guarded(c.checks));
    ASSERT_FALSE(created.ok()) << c.says;
    EXPECT_EQ(created.status().code(), c.code) << created.status().message();
    EXPECT_THAT(created.status().message(), HasSubstr(c.says));
    EXPECT_FALSE(kernel.HasOwnedQdisc(eth0)) << c.says;
  }
  EXPECT_TRUE(events.empty());
}

TEST_F(FaultManagerGuardsTest, TheDaemonWideLimitCountsLiveFaultsButNotDryRuns) {
  ASSERT_TRUE(manager->Create(Guarded({"drops<5%", "backlog<10"})).ok());
  EXPECT_TRUE(manager->Create(Guarded({"drops<5%", "backlog<10"}, "eth1", true)).ok());
  auto full = manager->Create(Guarded({"drops<5%", "backlog<10"}, "eth1"));
  EXPECT_EQ(full.status().code(), StatusCode::kResourceExhausted);
  EXPECT_THAT(full.status().message(), HasSubstr("--max-guards"));
  ASSERT_TRUE(manager->Create(Guarded({"drops<5%"}, "eth1")).ok());
  EXPECT_EQ(manager->live_guards(), 3u);
}

TEST_F(FaultManagerGuardsTest, HaltEndsTheFaultHaltedRecordedBeforeTheRollback) {
  ASSERT_TRUE(manager->Create(Guarded({"tcp:10.0.0.5:80"})).ok());
  manager->SetGuardStatuses("f1", {guard::GuardStatus{"tcp:10.0.0.5:80", guard::GuardResult::kFail,
                                                      "connection refused"}});
  auto halted = manager->Halt("f1", "guard tcp:10.0.0.5:80 failed: connection refused");
  ASSERT_TRUE(halted.ok()) << halted.status().message();
  EXPECT_EQ(halted->state, FaultState::kHalted);
  EXPECT_EQ(halted->state_reason, "guard tcp:10.0.0.5:80 failed: connection refused");
  EXPECT_EQ(halted->guards[0].observed, "connection refused") << "the last result stays";
  EXPECT_FALSE(kernel.HasOwnedQdisc(eth0));
  // A crash between the two leaves an ended record: the fault is not re-armed.
  EXPECT_THAT(store.log, ElementsAre("ended @remove0"));
  EXPECT_THAT(events, ElementsAre("APPLIED f1 by uid:0(root)", "HALTED f1 by guard"));
  EXPECT_EQ(manager->Get("f1")->state, FaultState::kHalted);
  EXPECT_EQ(manager->live_guards(), 0u);
  EXPECT_EQ(manager->Halt("f1", "again").status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(manager->Halt("nope", "x").status().code(), StatusCode::kNotFound);
}

TEST_F(FaultManagerGuardsTest, CountersAreReadForTheGuardsOfActiveFaultsOnly) {
  ASSERT_TRUE(manager->Create(Guarded({"drops<5%"})).ok());
  kernel.iface(eth0).counters.packets = 70;
  kernel.iface(eth0).counters.drops = 30;
  kernel.iface(eth0).counters.backlog_packets = 7;
  auto counters = manager->ReadCounters("f1");
  ASSERT_TRUE(counters.ok()) << counters.status().message();
  EXPECT_EQ(counters->packets, 70u);
  EXPECT_EQ(counters->drops, 30u);  // once: the class's include its leaf's
  EXPECT_EQ(counters->backlog_packets, 7u);
  EXPECT_EQ(manager->Get("f1")->counters.packets, 70u);
  EXPECT_EQ(manager->ReadCounters("f9").status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace chaosnet::core
