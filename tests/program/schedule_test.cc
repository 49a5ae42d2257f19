// Where a program is at any instant, from offsets alone (no clock, no sleep).
#include "daemon/program/schedule.h"

#include <gtest/gtest.h>

namespace chaosnet::program {
namespace {

using namespace std::chrono_literals;

Program RampOf(Values from, Values to, Nanos over, Nanos step) {
  return Program{Ramp{from, to, over, step}};
}

Program StepsOf(std::vector<Step> steps, uint32_t repeat = 1, bool forever = false) {
  Program p{StepList{std::move(steps)}};
  p.repeat = repeat;
  p.forever = forever;
  return p;
}

Values Delay(Nanos d) { return Values{.delay = d}; }

TEST(ScheduleTest, RampStepKBeginsAtKTimesStepAndTheLastHoldsTheEnd) {
  // 0 -> 200 ms over 10 s in 1 s steps: 0, 20, ..., 180 ms, then 200 ms from 10 s on.
  const Schedule s(RampOf(Delay(0ms), Delay(200ms), 10s, 1s));
  EXPECT_EQ(s.steps_per_cycle(), 11u);
  for (int k = 0; k < 10; ++k) {
    const Position p = s.At(Nanos(std::chrono::seconds(k)) + 999ms);
    EXPECT_EQ(p.index, static_cast<uint64_t>(k));
    EXPECT_EQ(p.started, std::chrono::seconds(k));
    ASSERT_TRUE(p.next);
    EXPECT_EQ(*p.next, std::chrono::seconds(k + 1));
    EXPECT_EQ(s.ValuesAt(p).values.delay, Nanos(std::chrono::milliseconds(20 * k))) << k;
  }
  const Position end = s.At(10s);
  EXPECT_EQ(end.index, 10u);
  EXPECT_TRUE(end.finished());
  EXPECT_EQ(s.ValuesAt(end).values.delay, Nanos(200ms));
  // Long after the end (a lease longer than the ramp): still the end.
  EXPECT_EQ(s.At(1h), end);
}

TEST(ScheduleTest, RampWhoseStepDoesNotDivideItEndsExactlyAtOver) {
  // 10 s in 3 s steps: 0, 3, 6, 9 s, then the end value at 10 s (after 1 s).
  const Schedule s(RampOf(Values{.loss = 0}, Values{.loss = 10}, 10s, 3s));
  EXPECT_EQ(s.steps_per_cycle(), 5u);
  const Position p = s.At(9500ms);
  EXPECT_EQ(p.index, 3u);
  EXPECT_EQ(p.started, 9s);
  EXPECT_EQ(p.next, Nanos(10s));
  EXPECT_DOUBLE_EQ(*s.ValuesAt(p).values.loss, 9.0);
  EXPECT_DOUBLE_EQ(*s.ValuesAt(s.At(10s)).values.loss, 10.0);
}

TEST(ScheduleTest, RampMovesEveryParameterItSetsAndNothingElse) {
  const Schedule s(RampOf(Values{.delay = 100ms, .rate = 8'000'000},
                          Values{.delay = 0ms, .rate = 1'000'000}, 4s, 1s));
  const StepValues half = s.ValuesAt(s.At(2s));
  EXPECT_EQ(half.values.delay, Nanos(50ms));
  EXPECT_EQ(half.values.rate, 4'500'000u);
  EXPECT_FALSE(half.values.loss);
  EXPECT_FALSE(half.values.jitter);
  EXPECT_FALSE(half.off);
}

TEST(ScheduleTest, StepListKeepsOmittedValuesAndHoldsItsLastStep) {
  const Schedule s(StepsOf({{10s, Values{.delay = 50ms}},
                            {10s, Values{.delay = 200ms, .loss = 1}},
                            {10s, Values{.delay = 50ms}}}));
  EXPECT_EQ(s.steps_per_cycle(), 3u);
  EXPECT_EQ(s.At(0ms).index, 0u);
  EXPECT_EQ(s.At(9999ms).index, 0u);
  EXPECT_EQ(s.At(10s).index, 1u);
  const Position third = s.At(20s);
  EXPECT_EQ(third.index, 2u);
  EXPECT_TRUE(third.finished());  // runs once: holds until the lease ends
  EXPECT_EQ(s.At(25h), third);
  const StepValues v = s.ValuesAt(third);
  EXPECT_EQ(v.values.delay, Nanos(50ms));
  EXPECT_EQ(v.values.loss, 1.0);  // set by step 2, omitted by step 3: kept
}

TEST(ScheduleTest, RepeatedStepsStartEachCycleWhereTheLastEnded) {
  const Schedule s(StepsOf({{1s, Values{.delay = 10ms}}, {2s, Values{.loss = 5}}}, 3));
  // cycle 0: [0,1) step 0, [1,3) step 1; cycle 1: [3,4), [4,6); cycle 2: [6,7), [7,...).
  EXPECT_EQ(s.At(3s), (Position{1, 0, 3s, 4s}));
  EXPECT_EQ(s.At(5s), (Position{1, 1, 4s, 6s}));
  EXPECT_EQ(s.At(7s), (Position{2, 1, 7s, std::nullopt}));
  EXPECT_EQ(s.At(100s), (Position{2, 1, 7s, std::nullopt}));
  // The first step of cycle 0 has no loss yet; in later cycles it keeps 5%.
  EXPECT_FALSE(s.ValuesAt(s.At(0s)).values.loss);
  EXPECT_EQ(s.ValuesAt(s.At(3s)).values.loss, 5.0);
  EXPECT_EQ(s.ValuesAt(s.At(3s)).values.delay, Nanos(10ms));
}

TEST(ScheduleTest, ForeverNeverFinishes) {
  const Schedule s(StepsOf({{100ms, Delay(1ms)}, {100ms, Delay(2ms)}}, 1, /*forever=*/true));
  const Position p = s.At(24h + 150ms);
  EXPECT_EQ(p.cycle, 24u * 3600 * 5);
  EXPECT_EQ(p.index, 1u);
  EXPECT_EQ(p.started, 24h + 100ms);
  EXPECT_EQ(p.next, Nanos(24h + 200ms));
}

TEST(ScheduleTest, FlapAlternatesOnAndOffUntilTheLeaseEnds) {
  const Schedule s(Program{Flap{2s, 3s}});
  EXPECT_EQ(s.steps_per_cycle(), 2u);
  EXPECT_FALSE(s.ValuesAt(s.At(0s)).off);
  EXPECT_FALSE(s.ValuesAt(s.At(1999ms)).off);
  EXPECT_TRUE(s.ValuesAt(s.At(2s)).off);
  EXPECT_EQ(s.At(2s).next, Nanos(5s));
  EXPECT_FALSE(s.ValuesAt(s.At(5s)).off);
  EXPECT_EQ(s.At(11s), (Position{2, 0, 10s, 12s}));
  EXPECT_TRUE(s.ValuesAt(s.At(1h + 4s)).off);  // 3600 s is 720 whole cycles
}

TEST(ScheduleTest, BeforeTheStartIsTheFirstStep) {
  const Schedule s(StepsOf({{1s, Delay(1ms)}, {1s, Delay(2ms)}}));
  EXPECT_EQ(s.At(-5s), s.At(0s));
}

TEST(ScheduleTest, ResumingAtAnyInstantGivesTheSamePositionAsRunningThrough) {
  // A restarted daemon asks At(now - start) once; a running one walks from step to step.
  const Schedule s(StepsOf({{130ms, Delay(1ms)}, {70ms, Delay(2ms)}, {250ms, Delay(3ms)}}, 7));
  Position walked = s.At(0s);
  for (Nanos t = 0ms; t < 5s; t += 10ms) {
    while (walked.next && *walked.next <= t) walked = s.At(*walked.next);
    EXPECT_EQ(walked, s.At(t)) << t.count();
  }
}

}  // namespace
}  // namespace chaosnet::program
