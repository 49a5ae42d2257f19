// What the fault is during each step, and the queue sized for the program's peak.
#include "daemon/program/program_plan.h"

#include <gtest/gtest.h>

#include "daemon/plan/compiler.h"
#include "daemon/plan/interface_tree.h"

namespace chaosnet::program {
namespace {

using namespace std::chrono_literals;

model::FaultSpec Spec(auto&& edit) {
  model::FaultSpec s;
  s.interface = "eth0";
  edit(s);
  return s;
}

TEST(ProgramPlanTest, StepValuesReplaceTheFaultsOwnAndKeepItsCorrelations) {
  const model::FaultSpec spec = Spec([](model::FaultSpec& s) {
    s.delay = model::DelayFault{100ms, 10ms, 25, model::DelayDistribution::kUniform};
    s.loss = model::ProbabilityFault{1, 30};
    s.program = Program{StepList{{{1s, Values{.delay = 200ms, .loss = 5}}}}};
  });
  const ProgramPlan plan(spec);
  const model::FaultSpec step = plan.SpecAt(plan.schedule().At(0s));
  EXPECT_FALSE(step.program);
  EXPECT_EQ(step.delay->latency, 200ms);
  EXPECT_EQ(step.delay->jitter, 10ms);
  EXPECT_EQ(step.delay->correlation_percent, 25);
  EXPECT_EQ(step.loss->percent, 5);
  EXPECT_EQ(step.loss->correlation_percent, 30);
  EXPECT_EQ(step.queue_limit, plan.queue_limit());
}

TEST(ProgramPlanTest, AFlapsOutClearsEveryImpairmentButKeepsTheLeaf) {
  const model::FaultSpec spec = Spec([](model::FaultSpec& s) {
    s.partition = true;
    s.program = Program{Flap{2s, 2s}};
  });
  const ProgramPlan plan(spec);
  const model::FaultSpec on = plan.SpecAt(plan.schedule().At(0s));
  EXPECT_TRUE(on.partition);
  EXPECT_EQ(plan::NetemForFault(on).loss, 100);
  const model::FaultSpec off = plan.SpecAt(plan.schedule().At(2s));
  EXPECT_FALSE(off.partition);
  // The leaf stays, doing nothing: the change is in place, never a delete.
  EXPECT_TRUE(off.needs_netem());
  const plan::NetemQdisc netem = plan::NetemForFault(off);
  EXPECT_EQ(netem.loss, 0);
  EXPECT_EQ(netem.latency, 0ns);
  EXPECT_EQ(netem.limit, plan::NetemForFault(on).limit);
  // And the class does not shape.
  EXPECT_EQ(plan::FaultClass(off, 1).rate_bytes_per_second, plan::kUnlimitedBitsPerSecond / 8);
}

TEST(ProgramPlanTest, ARateFaultWhoseStepsAddDelayHasItsLeafFromTheStart) {
  const model::FaultSpec spec = Spec([](model::FaultSpec& s) {
    s.rate = model::RateFault{10'000'000};
    s.program = Program{StepList{{{1s, Values{}}, {1s, Values{.delay = 50ms}}}}};
  });
  EXPECT_TRUE(spec.needs_netem());
  const ProgramPlan plan(spec);
  const model::FaultSpec first = plan.SpecAt(plan.schedule().At(0s));
  ASSERT_TRUE(first.needs_netem());
  EXPECT_EQ(first.delay->latency, 0ns);
  EXPECT_EQ(plan.SpecAt(plan.schedule().At(1s)).delay->latency, 50ms);
}

TEST(ProgramPlanTest, AProgramOfRatesAloneHasNoLeaf) {
  const model::FaultSpec spec = Spec([](model::FaultSpec& s) {
    s.rate = model::RateFault{10'000'000};
    s.program = Program{Ramp{Values{.rate = 10'000'000}, Values{.rate = 1'000'000}, 9s, 1s}};
  });
  EXPECT_FALSE(spec.needs_netem());
  const ProgramPlan plan(spec);
  EXPECT_FALSE(plan.SpecAt(plan.schedule().At(3s)).needs_netem());
  EXPECT_EQ(plan.SpecAt(plan.schedule().At(3s)).rate->bits_per_second, 7'000'000u);
}

TEST(ProgramPlanTest, TheQueueIsSizedForThePeakNotTheFirstStep) {
  // 0 -> 2 s of delay: at the peak, 100,000 pps x 2 s x 1.5 = 300,000 packets.
  const model::FaultSpec spec = Spec([](model::FaultSpec& s) {
    s.delay = model::DelayFault{};
    s.program = Program{Ramp{Values{.delay = 0ms}, Values{.delay = 2s}, 10s, 1s}};
  });
  const ProgramPlan plan(spec);
  model::FaultSpec peak = Spec([](model::FaultSpec& s) { s.delay = model::DelayFault{2s}; });
  EXPECT_EQ(plan.queue_limit(), plan::NetemQueueLimit(peak));
  EXPECT_EQ(plan.queue_limit(), 300'000u);
  EXPECT_EQ(plan::NetemForFault(plan.SpecAt(plan.schedule().At(0s))).limit, 300'000u);
}

TEST(ProgramPlanTest, ThePeakIsTheLongestDelayAtTheLowestRateAcrossSteps) {
  // A low rate lowers the packet rate to absorb: the peak is the step with
  // the largest delay x packet rate, here the middle one.
  const model::FaultSpec spec = Spec([](model::FaultSpec& s) {
    s.program = Program{StepList{{{1s, Values{.delay = 3s, .rate = 1'000'000}},
                                  {1s, Values{.delay = 1s, .rate = 100'000'000}},
                                  {1s, Values{.delay = 10ms}}}}};
  });
  auto limit = [](Nanos delay, std::optional<uint64_t> rate) {
    model::FaultSpec s;
    s.delay = model::DelayFault{delay};
    if (rate) s.rate = model::RateFault{*rate};
    return plan::NetemQueueLimit(s);
  };
  const uint32_t expected =
      std::max({limit(3s, 1'000'000), limit(1s, 100'000'000), limit(10ms, 100'000'000)});
  EXPECT_EQ(ProgramPlan(spec).queue_limit(), expected);
  EXPECT_EQ(expected, limit(1s, 100'000'000));
}

TEST(ProgramPlanTest, AnExplicitLimitWins) {
  const model::FaultSpec spec = Spec([](model::FaultSpec& s) {
    s.queue_limit = 1234;
    s.program = Program{Ramp{Values{.delay = 0ms}, Values{.delay = 2s}, 10s, 1s}};
  });
  EXPECT_EQ(ProgramPlan(spec).queue_limit(), 1234u);
}

}  // namespace
}  // namespace chaosnet::program
