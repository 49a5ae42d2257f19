// The fault manager's side of programs: a program's fault is placed as its
// first step, each later step changes the same netem leaf / htb class in
// place when the (injected) monotonic clock says, a late call skips to the
// step the clock says, a restored fault resumes where the clock says, and the
// operator's limits apply to every step.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "daemon/core/fault_manager.h"
#include "daemon/core/stored_lease_conversion.h"
#include "tests/core/fake_clock.h"
#include "tests/core/fake_kernel.h"
#include "tests/core/test_callers.h"

namespace chaosnet::core {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

class FaultManagerProgramsTest : public ::testing::Test {
 protected:
  FaultManagerProgramsTest() {
    eth0 = kernel.AddInterface("eth0");
    caps.netem = caps.htb = caps.u32 = caps.tbf = caps.ifb = caps.mirred = true;
    Rebuild();
  }
  void Rebuild() {
    manager = std::make_unique<FaultManager>(kernels, clock, caps, config,
                                             [this] { return "f" + std::to_string(++ids); });
    manager->Subscribe([this](const FaultEvent& e) {
      events.push_back(std::string(EventTypeName(e.type)) + " " + e.fault.id);
    });
    manager->SubscribeSteps(
        [this](const FaultRecord& r) { steps_heard.push_back(r.program->position.index); });
  }
  CreateRequest WithProgram(program::Program p) {
    CreateRequest r;
    r.spec.interface = "eth0";
    r.spec.program = std::move(p);
    r.ttl = 60s;
    r.caller = testing::Root();
    return r;
  }
  static program::Program DelayRamp(std::chrono::nanoseconds to) {
    program::Ramp ramp;
    ramp.from.delay = 0ms;
    ramp.to.delay = to;
    ramp.over = 10s;
    ramp.step = 1s;
    return program::Program{ramp};
  }
  // The one netem leaf of eth0 as the kernel holds it now.
  const plan::NetemQdisc& Leaf() {
    auto& netem = kernel.iface(eth0).netem;
    EXPECT_EQ(netem.size(), 1u);
    return netem.begin()->second;
  }

  testing::FakeKernel kernel;
  SingleKernelProvider kernels{kernel};
  testing::FakeClock clock;
  kernel::Capabilities caps;
  ManagerConfig config;
  int ids = 0;
  int eth0 = 0;
  std::unique_ptr<FaultManager> manager;
  std::vector<std::string> events;
  std::vector<uint64_t> steps_heard;
};

TEST_F(FaultManagerProgramsTest, ARampStartsWithALeafAtZeroAndStepsInPlaceOnTheClock) {
  auto created = manager->Create(WithProgram(DelayRamp(200ms)));
  ASSERT_TRUE(created.ok()) << created.status().message();
  ASSERT_TRUE(created->fault.program);
  EXPECT_EQ(created->fault.program->position.index, 0u);
  EXPECT_EQ(Leaf().latency, 0ns);  // the leaf exists from the start
  const int adds = kernel.apply_calls;
  ASSERT_EQ(manager->NextProgramStep(), clock.steady + 1s);

  clock.Advance(999ms);
  EXPECT_EQ(manager->AdvancePrograms(), 0u);
  clock.Advance(1ms);
  EXPECT_EQ(manager->AdvancePrograms(), 1u);
  EXPECT_EQ(Leaf().latency, 20ms);
  clock.Advance(1s);
  EXPECT_EQ(manager->AdvancePrograms(), 1u);
  EXPECT_EQ(Leaf().latency, 40ms);
  // Every step a change, nothing added or removed.
  EXPECT_EQ(kernel.apply_calls, adds);
  EXPECT_EQ(kernel.remove_calls, 0);
  EXPECT_EQ(kernel.change_calls, 2);
  const std::optional<FaultRecord> record = manager->Find(created->fault.id);
  ASSERT_TRUE(record && record->program);
  EXPECT_EQ(record->program->position.index, 2u);
  EXPECT_EQ(record->program->steps_applied, 2u);
  EXPECT_EQ(record->program->values.delay, 40ms);
  // Steps go to step listeners only: the lease listeners heard the create.
  EXPECT_EQ(steps_heard, (std::vector<uint64_t>{1, 2}));
  EXPECT_EQ(events, (std::vector<std::string>{"APPLIED f1"}));
}

TEST_F(FaultManagerProgramsTest, ALateCallSkipsToTheStepTheClockSaysWithoutDrift) {
  ASSERT_TRUE(manager->Create(WithProgram(DelayRamp(200ms))).ok());
  const SteadyTime start = clock.steady;
  clock.Advance(3500ms);  // three steps due; one change, to the step in effect
  EXPECT_EQ(manager->AdvancePrograms(), 1u);
  EXPECT_EQ(Leaf().latency, 60ms);
  EXPECT_EQ(kernel.change_calls, 1);
  // The next is due at start + 4 * step, not 1 s after this late change.
  EXPECT_EQ(manager->NextProgramStep(), start + 4s);
  const std::optional<FaultRecord> record = manager->Find("f1");
  EXPECT_EQ(record->program->last_lag, 500ms);
  EXPECT_EQ(record->program->step_due_at, clock.ToWall(start + 3s));
}

TEST_F(FaultManagerProgramsTest, TheLastStepHoldsAndTheProgramEndsWithItsLease) {
  ASSERT_TRUE(manager->Create(WithProgram(DelayRamp(200ms))).ok());
  clock.Advance(10s);
  EXPECT_EQ(manager->AdvancePrograms(), 1u);
  EXPECT_EQ(Leaf().latency, 200ms);
  EXPECT_FALSE(manager->NextProgramStep());  // run its course
  EXPECT_TRUE(manager->Find("f1")->program->position.finished());

  // A step list repeating forever stops when its lease ends.
  program::StepList list;
  list.steps = {{1s, {.delay = 50ms}}, {1s, {.delay = 100ms}}};
  program::Program forever{list};
  forever.forever = true;
  ASSERT_TRUE(manager->Revoke("f1", testing::Root()).ok());
  auto r = WithProgram(forever);
  r.ttl = 5s;
  ASSERT_TRUE(manager->Create(r).ok());
  ASSERT_TRUE(manager->NextProgramStep());
  clock.Advance(5s);
  manager->ExpireDue();
  EXPECT_FALSE(manager->NextProgramStep());
  EXPECT_EQ(manager->AdvancePrograms(), 0u);
}

TEST_F(FaultManagerProgramsTest, AFlappingPartitionPassesTrafficWhileOutWithTheSameLeaf) {
  CreateRequest r = WithProgram(program::Program{program::Flap{2s, 2s}});
  r.spec.partition = true;
  ASSERT_TRUE(manager->Create(r).ok());
  const uint32_t leaf = kernel.iface(eth0).netem.begin()->first;
  EXPECT_EQ(Leaf().loss, 100);
  clock.Advance(2s);
  manager->AdvancePrograms();
  EXPECT_EQ(Leaf().loss, 0);
  EXPECT_EQ(Leaf().latency, 0ns);
  EXPECT_TRUE(manager->Find("f1")->program->off);
  clock.Advance(2s);
  manager->AdvancePrograms();
  EXPECT_EQ(Leaf().loss, 100);
  EXPECT_EQ(kernel.iface(eth0).netem.begin()->first, leaf);
  EXPECT_EQ(manager->Find("f1")->program->position.cycle, 1u);
}

TEST_F(FaultManagerProgramsTest, ARateStepChangesTheClassAndOnlyWhatDiffers) {
  program::StepList list;
  list.steps = {{1s, {.rate = 8'000'000}}, {1s, {.rate = 800'000}}, {1s, {.delay = 10ms}}};
  CreateRequest r = WithProgram(program::Program{list});
  r.spec.rate = model::RateFault{8'000'000};
  ASSERT_TRUE(manager->Create(r).ok());
  auto& rates = kernel.iface(eth0).class_rates;
  const uint32_t classid = rates.begin()->first;
  EXPECT_EQ(rates.at(classid), 1'000'000u);
  clock.Advance(1s);
  manager->AdvancePrograms();
  EXPECT_EQ(rates.at(classid), 100'000u);
  EXPECT_EQ(kernel.change_calls, 1);
  clock.Advance(1s);
  manager->AdvancePrograms();  // the delay: the leaf; the rate stays
  EXPECT_EQ(rates.at(classid), 100'000u);
  EXPECT_EQ(Leaf().latency, 10ms);
}

TEST_F(FaultManagerProgramsTest, AChangeOnAVanishedTreeEndsTheFaultLost) {
  ASSERT_TRUE(manager->Create(WithProgram(DelayRamp(200ms))).ok());
  kernel.next_change_error = NotFound("no such qdisc");
  clock.Advance(1s);
  manager->AdvancePrograms();
  const std::optional<FaultRecord> record = manager->Find("f1");
  ASSERT_TRUE(record);
  EXPECT_EQ(record->state, FaultState::kLost);
  EXPECT_THAT(record->state_reason, HasSubstr("program step 2"));
  EXPECT_FALSE(manager->NextProgramStep());
}

TEST_F(FaultManagerProgramsTest, ARestoredProgramResumesAtTheStepTheClockSays) {
  auto created = manager->Create(WithProgram(DelayRamp(200ms)));
  ASSERT_TRUE(created.ok());
  const state::StoredLease stored = ToStoredLease(created->fault, state::LeaseState::kActive);
  // The daemon dies; 5.5 s later a new one restores the fault.
  manager.reset();
  kernel.DeleteByHand(eth0);
  clock.Advance(5500ms);
  Rebuild();
  ASSERT_TRUE(manager->Restore(FromStoredLease(stored), 54500ms).ok());
  EXPECT_EQ(Leaf().latency, 100ms);
  const std::optional<FaultRecord> record = manager->Find(created->fault.id);
  ASSERT_TRUE(record && record->program);
  EXPECT_EQ(record->program->position.index, 5u);
  EXPECT_EQ(manager->NextProgramStep(), clock.steady + 500ms);
  clock.Advance(500ms);
  EXPECT_EQ(manager->AdvancePrograms(), 1u);
  EXPECT_EQ(Leaf().latency, 120ms);
}

TEST_F(FaultManagerProgramsTest, MaxDelayAppliesToTheRampsPeakAndNothingIsPlaced) {
  config.policy.max_delay = 150ms;
  Rebuild();
  auto created = manager->Create(WithProgram(DelayRamp(200ms)));
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(created.status().code(), StatusCode::kPermissionDenied) << created.status().message();
  EXPECT_THAT(created.status().message(), HasSubstr("max-delay"));
  EXPECT_FALSE(kernel.HasOwnedQdisc(eth0));
  EXPECT_TRUE(manager->Create(WithProgram(DelayRamp(150ms))).ok());
}

TEST_F(FaultManagerProgramsTest, ADryRunChecksEveryStepAndSchedulesNothing) {
  CreateRequest r = WithProgram(DelayRamp(200ms));
  r.dry_run = true;
  ASSERT_TRUE(manager->Create(r).ok());
  EXPECT_FALSE(manager->NextProgramStep());
  EXPECT_FALSE(kernel.HasOwnedQdisc(eth0));
}

TEST_F(FaultManagerProgramsTest, ABatchRefusesAProgramNamingTheItem) {
  CreateRequest plain = WithProgram(DelayRamp(200ms));
  plain.spec.program.reset();
  plain.spec.delay = model::DelayFault{10ms};
  plain.spec.match.dport = model::PortRange{80, 80};
  const auto result = manager->CreateMany({plain, WithProgram(DelayRamp(200ms))}, false);
  ASSERT_TRUE(result.refusal);
  EXPECT_EQ(result.refusal->index, 1);
  EXPECT_THAT(result.refusal->status.message(), HasSubstr("cannot be part of a batch"));
  EXPECT_FALSE(kernel.HasOwnedQdisc(eth0));
}

}  // namespace
}  // namespace chaosnet::core
