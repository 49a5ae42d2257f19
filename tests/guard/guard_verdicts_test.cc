#include "daemon/guard/guard_verdicts.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace chaosnet::guard {
namespace {

using namespace std::chrono_literals;

Guards TwoGuards(uint32_t failures) {
  model::GuardSet set;
  set.checks = {"tcp:10.0.0.5:80", "http://10.0.0.5/health"};
  set.interval = 500ms;
  set.failures = failures;
  auto guards = ParseGuards(set);
  EXPECT_TRUE(guards.ok());
  return *guards;
}

GuardOutcome Pass() { return {GuardResult::kPass, "connected", 2ms}; }
GuardOutcome Fail(std::string what = "connection refused") {
  return {GuardResult::kFail, std::move(what), 1ms};
}

class GuardVerdictsTest : public ::testing::Test {
 protected:
  SteadyTime t0{std::chrono::hours(1)};
  WallTime wall{std::chrono::seconds(1'800'000'000)};
};

TEST_F(GuardVerdictsTest, RoundsStartAfterTheGraceThenKeepAFixedRate) {
  GuardVerdicts v(TwoGuards(1), t0);
  EXPECT_EQ(v.FirstRound(), t0 + 500ms);  // grace defaults to one interval
  EXPECT_EQ(v.NextRoundAfter(t0), t0 + 500ms);
  EXPECT_EQ(v.NextRoundAfter(t0 + 500ms), t0 + 1000ms);
  EXPECT_EQ(v.NextRoundAfter(t0 + 501ms), t0 + 1000ms);
  // A loop that was held up skips the rounds it missed instead of bunching them.
  EXPECT_EQ(v.NextRoundAfter(t0 + 2600ms), t0 + 3000ms);
  EXPECT_EQ(v.DeadlineOf(t0 + 500ms), t0 + 750ms);  // timeout defaults to interval/2
}

TEST_F(GuardVerdictsTest, OneFailureHaltsByDefaultNamingTheGuardAndWhatItSaw) {
  GuardVerdicts v(TwoGuards(1), t0);
  EXPECT_FALSE(v.Record(0, Pass(), t0 + 500ms, wall));
  auto halt = v.Record(1, Fail("503"), t0 + 500ms, wall);
  ASSERT_TRUE(halt);
  EXPECT_EQ(*halt, "guard http://10.0.0.5/health failed: 503");
}

TEST_F(GuardVerdictsTest, KFailuresInARowHaltAndAPassStartsTheCountAgain) {
  GuardVerdicts v(TwoGuards(3), t0);
  SteadyTime round = v.FirstRound();
  EXPECT_FALSE(v.Record(0, Fail(), round, wall));
  EXPECT_FALSE(v.Record(0, Fail(), round += 500ms, wall));
  EXPECT_FALSE(v.Record(0, Pass(), round += 500ms, wall));
  EXPECT_EQ(v.statuses()[0].consecutive_failures, 0u);
  EXPECT_FALSE(v.Record(0, Fail(), round += 500ms, wall));
  EXPECT_FALSE(v.Record(0, Fail(), round += 500ms, wall));
  auto halt = v.Record(0, Fail(), round += 500ms, wall);
  ASSERT_TRUE(halt);
  EXPECT_EQ(*halt, "guard tcp:10.0.0.5:80 failed 3 times: connection refused");
  EXPECT_EQ(v.statuses()[0].failures, 5u);
  EXPECT_EQ(v.statuses()[0].checks, 6u);
}

TEST_F(GuardVerdictsTest, UndecidedNeitherBreaksNorExtendsTheStreak) {
  GuardVerdicts v(TwoGuards(2), t0);
  SteadyTime round = v.FirstRound();
  EXPECT_FALSE(v.Record(0, Fail(), round, wall));
  EXPECT_FALSE(v.Record(0, {GuardResult::kUndecided, "first sample"}, round += 500ms, wall));
  EXPECT_EQ(v.statuses()[0].consecutive_failures, 1u);
  EXPECT_TRUE(v.Record(0, Fail(), round += 500ms, wall));
}

TEST_F(GuardVerdictsTest, GuardsCountApart) {
  GuardVerdicts v(TwoGuards(2), t0);
  SteadyTime round = v.FirstRound();
  EXPECT_FALSE(v.Record(0, Fail(), round, wall));
  EXPECT_FALSE(v.Record(1, Fail(), round += 500ms, wall));
  EXPECT_FALSE(v.Record(0, Pass(), round, wall));
  EXPECT_TRUE(v.Record(1, Fail(), round += 500ms, wall));
}

TEST_F(GuardVerdictsTest, ChecksStartedInTheGracePeriodDoNotCount) {
  GuardVerdicts v(TwoGuards(1), t0);
  EXPECT_FALSE(v.Record(0, Fail(), t0 + 499ms, wall));
  EXPECT_EQ(v.statuses()[0].checks, 0u);
  EXPECT_FALSE(v.statuses()[0].result);
  EXPECT_TRUE(v.Record(0, Fail(), t0 + 500ms, wall));
}

TEST_F(GuardVerdictsTest, StatusesKeepTheLastResultLatencyAndTime) {
  GuardVerdicts v(TwoGuards(1), t0);
  v.Record(0, Pass(), v.FirstRound(), wall + 3s);
  const GuardStatus& s = v.statuses()[0];
  EXPECT_EQ(s.check, "tcp:10.0.0.5:80");
  EXPECT_EQ(s.result, GuardResult::kPass);
  EXPECT_EQ(s.observed, "connected");
  EXPECT_EQ(s.latency, 2ms);
  EXPECT_EQ(s.checked_at, wall + 3s);
  EXPECT_FALSE(v.statuses()[1].result) << "never checked";
  EXPECT_STREQ(GuardResultName(GuardResult::kUndecided), "undecided");
}

}  // namespace
}  // namespace chaosnet::guard
