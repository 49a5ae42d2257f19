// Which programs are accepted, each rule on its own, and how errors name the step.
#include "daemon/program/validate.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "common/units.h"

namespace chaosnet::program {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

model::FaultSpec WithProgram(Program p, auto&& edit) {
  model::FaultSpec s;
  s.interface = "eth0";
  s.program = std::move(p);
  edit(s);
  return s;
}
model::FaultSpec WithProgram(Program p) {
  return WithProgram(std::move(p), [](model::FaultSpec&) {});
}

Program Steps(std::vector<Step> steps) { return Program{StepList{std::move(steps)}}; }
Program DelayRamp(Nanos from, Nanos to) {
  return Program{Ramp{Values{.delay = from}, Values{.delay = to}, 10s, 1s}};
}

// The message, or "ok".
std::string Check(const model::FaultSpec& spec) {
  Status s = ValidateProgramFault(spec);
  if (s.ok()) return "ok";
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.message();
  return s.message();
}

TEST(ValidateProgramTest, ARampFromZeroIsAcceptedThoughASingleZeroDelayIsNot) {
  auto spec = WithProgram(DelayRamp(0ms, 500ms),
                          [](model::FaultSpec& s) { s.delay = model::DelayFault{}; });
  EXPECT_EQ(Check(spec), "ok");
  spec.program.reset();
  EXPECT_THAT(Check(spec), HasSubstr("delay: must be greater than 0"));
}

TEST(ValidateProgramTest, StepsWithoutAnImpairmentOfTheirOwnAreAccepted) {
  // `apply eth0 --steps ...`: the fault itself sets nothing.
  EXPECT_EQ(Check(WithProgram(Steps({{10s, Values{.delay = 50ms}},
                                     {10s, Values{.delay = 200ms, .loss = 1}},
                                     {10s, Values{.loss = 0}}}))),
            "ok");
}

TEST(ValidateProgramTest, AProgramThatNeverImpairsIsRefused) {
  EXPECT_THAT(Check(WithProgram(Steps({{1s, Values{.delay = 0ms}}, {1s, Values{.loss = 0}}}))),
              HasSubstr("no step impairs anything"));
}

TEST(ValidateProgramTest, EveryStepFollowsTheRulesOfASingleFaultNamingTheStep) {
  EXPECT_EQ(Check(WithProgram(Steps({{1s, Values{.loss = 5}}, {1s, Values{.loss = 150}}}))),
            "program step 2: loss: 150% is above 100%");
  Program trace = Steps({{1s, Values{.rate = 1'000'000}}, {1s, Values{.delay = 2h}}});
  std::get<StepList>(trace.shape).steps[1].source_line = 7;
  EXPECT_EQ(Check(WithProgram(trace)),
            "program step 2 (trace line 7): delay: 2h is above the maximum of 1h");
  EXPECT_THAT(Check(WithProgram(Steps({{1s, Values{.rate = 0}}}))),
              HasSubstr("program step 1: rate: 0bit is below the minimum"));
}

TEST(ValidateProgramTest, ARepetitionIsCheckedWithTheValuesItStartsFrom) {
  // Run once, step 1 has no delay at all. Repeated, it keeps the jitter step
  // 2 set, and a jitter without a delay is refused.
  auto spec =
      WithProgram(Steps({{1s, Values{.delay = 0ms}}, {1s, Values{.delay = 10ms, .jitter = 5ms}}}));
  EXPECT_EQ(Check(spec), "ok");
  spec.program->repeat = 2;
  EXPECT_EQ(Check(spec),
            "program step 1, when repeated: delay: a jitter of 5ms needs a delay above 0");
  spec.program->repeat = 1;
  spec.program->forever = true;
  EXPECT_THAT(Check(spec), HasSubstr("when repeated"));
}

TEST(ValidateProgramTest, ReorderNeedsADelayInEveryStep) {
  auto spec = WithProgram(Steps({{1s, Values{.delay = 20ms}}, {1s, Values{.delay = 0ms}}}),
                          [](model::FaultSpec& s) {
                            s.delay = model::DelayFault{10ms};
                            s.reorder = model::ReorderFault{25, 0, 0};
                          });
  EXPECT_THAT(Check(spec), HasSubstr("program step 2: reorder: reorder needs --delay"));
}

TEST(ValidateProgramTest, ADistributionCannotBeTakenAwayInPlace) {
  auto spec = WithProgram(DelayRamp(100ms, 0ms), [](model::FaultSpec& s) {
    s.delay = model::DelayFault{100ms, 20ms, 0, model::DelayDistribution::kNormal};
  });
  EXPECT_THAT(Check(spec), HasSubstr("ramp end: delay: a delay distribution cannot be taken away"));
  spec.program = DelayRamp(100ms, 50ms);
  EXPECT_EQ(Check(spec), "ok");
  // A flap's "out" keeps the table in the kernel and sends nothing through it.
  spec.program = Program{Flap{1s, 1s}};
  EXPECT_EQ(Check(spec), "ok");
}

TEST(ValidateProgramTest, JitterNeedsADelayAboveZero) {
  auto spec = WithProgram(DelayRamp(0ms, 100ms), [](model::FaultSpec& s) {
    s.delay = model::DelayFault{0ms, 10ms};
  });
  EXPECT_EQ(Check(spec), "ramp start: delay: a jitter of 10ms needs a delay above 0");
}

TEST(ValidateProgramTest, NegativeValuesAreRefused) {
  EXPECT_EQ(Check(WithProgram(Steps({{1s, Values{.delay = -5ms}}}))),
            "program step 1: delay: must not be negative");
  EXPECT_THAT(Check(WithProgram(Steps({{1s, Values{.loss = -1}}}))),
              HasSubstr("loss: -1% is below 0%"));
}

TEST(ValidateProgramTest, DurationsAreBounded) {
  EXPECT_EQ(Check(WithProgram(Steps({{1s, Values{.loss = 1}}, {5ms, Values{.loss = 2}}}))),
            "program step 2: 5ms is shorter than the shortest step, 10ms");
  EXPECT_THAT(Check(WithProgram(Steps({{24h * 31, Values{.loss = 1}}}))),
              HasSubstr("longer than the longest step"));
  auto flap = [](Nanos on, Nanos off) {
    return WithProgram(Program{Flap{on, off}}, [](model::FaultSpec& s) { s.partition = true; });
  };
  EXPECT_EQ(Check(flap(0s, 10s)), "flap on: 0s is shorter than the shortest step, 10ms");
  EXPECT_EQ(Check(flap(5s, 0s)), "flap off: 0s is shorter than the shortest step, 10ms");
  EXPECT_EQ(Check(flap(5s, 10s)), "ok");
}

TEST(ValidateProgramTest, RampShapeRules) {
  auto ramp = [](Ramp r) { return WithProgram(Program{std::move(r)}, [](model::FaultSpec&) {}); };
  EXPECT_EQ(Check(ramp(Ramp{Values{.delay = 0ms}, Values{.delay = 1s}, 1s, 2s})),
            "ramp: its step (2s) is longer than the ramp (1s)");
  EXPECT_EQ(Check(ramp(Ramp{Values{.delay = 0ms}, Values{.loss = 1}, 10s, 1s})),
            "ramp: its start and its end must set the same parameters");
  EXPECT_EQ(Check(ramp(Ramp{Values{}, Values{}, 10s, 1s})),
            "ramp: sets no parameter (e.g. delay 0ms..200ms)");
  EXPECT_EQ(Check(ramp(Ramp{Values{.loss = 0}, Values{.loss = 1}, 24h, 10ms})),
            "ramp: 8640000 steps of 10ms is more than 100000; use a longer --step");
  auto repeated = ramp(Ramp{Values{.loss = 0}, Values{.loss = 1}, 10s, 1s});
  repeated.program->repeat = 2;
  EXPECT_EQ(Check(repeated), "ramp: runs once; --repeat applies to --steps and --trace");
}

TEST(ValidateProgramTest, StepListShapeRules) {
  EXPECT_EQ(Check(WithProgram(Steps({}))), "program: has no steps");
  std::vector<Step> many(kMaxSteps + 1, Step{1s, Values{.loss = 1}, 0});
  EXPECT_EQ(Check(WithProgram(Steps(many))),
            "program: 4097 steps is more than 4096 (a trace: use a wider --trace-window)");
  auto repeated = WithProgram(Steps({{1s, Values{.loss = 1}}}));
  repeated.program->repeat = 0;
  EXPECT_THAT(Check(repeated), HasSubstr("repeat: 0 is out of range"));
  repeated.program->repeat = kMaxRepeat;
  repeated.program->shape = StepList{{{24h * 30, Values{.loss = 1}}}};
  EXPECT_EQ(Check(repeated), "repeat: the program would run for centuries; use forever instead");
  repeated.program->forever = true;
  EXPECT_EQ(Check(repeated), "ok");
}

TEST(ValidateProgramTest, AFlapNeedsSomethingToSwitch) {
  EXPECT_THAT(Check(WithProgram(Program{Flap{1s, 1s}})),
              HasSubstr("flap: the fault itself impairs nothing"));
}

TEST(ValidateProgramTest, LinkModelsAreRefusedBesideAProgram) {
  const Program flap{Flap{1s, 1s}};
  for (auto edit : std::vector<std::function<void(model::FaultSpec&)>>{
           [](model::FaultSpec& s) {
             s.loss_model = model::GilbertElliottLoss{1, 10, 100, 0};
           },
           [](model::FaultSpec& s) { s.slot = model::SlotFault{.max_delay = 1ms}; },
           [](model::FaultSpec& s) { s.link_rate = model::LinkRateFault{1'000'000}; },
           [](model::FaultSpec& s) { s.jam = model::JamFault{}; },
           [](model::FaultSpec& s) { s.profile = "lte"; },
       }) {
    EXPECT_THAT(Check(WithProgram(flap,
                                  [&](model::FaultSpec& s) {
                                    s.partition = true;
                                    edit(s);
                                  })),
                HasSubstr("cannot be combined with link models"));
  }
}

TEST(ValidateProgramTest, QueueLimitNeedsTheLeafAProgramMayGive) {
  auto rates =
      WithProgram(Program{Ramp{Values{.rate = 1'000'000}, Values{.rate = 8'000'000}, 4s, 1s}},
                  [](model::FaultSpec& s) { s.queue_limit = 5000; });
  EXPECT_THAT(Check(rates), HasSubstr("queue_limit: sets the netem queue"));
  // A rate fault whose steps add delay has a leaf, so a limit.
  auto delays = WithProgram(Steps({{1s, Values{.rate = 1'000'000}}, {1s, Values{.delay = 5ms}}}),
                            [](model::FaultSpec& s) { s.queue_limit = 5000; });
  EXPECT_EQ(Check(delays), "ok");
}

TEST(ValidateProgramTest, ThePartitionRuleHoldsInEveryStep) {
  auto spec = WithProgram(Steps({{1s, Values{.delay = 10ms}}}),
                          [](model::FaultSpec& s) { s.partition = true; });
  EXPECT_THAT(Check(spec), HasSubstr("program step 1: partition: drops every packet"));
}

TEST(ValidateProgramTest, ForEachStepSpecGivesTheOperatorsLimitTheRampsPeak) {
  // --max-delay 300ms as core::CheckSpecAllowed applies it, to each step.
  auto max_delay = [](const model::FaultSpec& s) {
    if (s.delay && s.delay->latency + s.delay->jitter > 300ms) {
      return PermissionDenied("delay " + units::FormatDuration(s.delay->latency) +
                              " is above the limit");
    }
    return Status::Ok();
  };
  auto spec = WithProgram(DelayRamp(0ms, 500ms));
  Status s = ForEachStepSpec(spec, max_delay);
  EXPECT_EQ(s.code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(s.message(), "ramp end: delay 500ms is above the limit");
  EXPECT_TRUE(ForEachStepSpec(WithProgram(DelayRamp(0ms, 300ms)), max_delay).ok());
  // A step of zero delay never reaches the check as a delay.
  int calls = 0;
  EXPECT_TRUE(ForEachStepSpec(WithProgram(DelayRamp(0ms, 300ms)), [&](const model::FaultSpec& f) {
                ++calls;
                EXPECT_TRUE(f.delay);
                return Status::Ok();
              }).ok());
  EXPECT_EQ(calls, 1);
}

}  // namespace
}  // namespace chaosnet::program
