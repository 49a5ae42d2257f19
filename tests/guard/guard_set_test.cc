#include "daemon/guard/guard_set.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace chaosnet::guard {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

model::GuardSet Checks(std::vector<std::string> checks) {
  model::GuardSet set;
  set.checks = std::move(checks);
  return set;
}

TEST(GuardSetTest, DefaultsAreOneSecondHalfOfItOneFailureAndOneIntervalOfGrace) {
  auto guards = ParseGuards(Checks({"tcp:10.0.0.5:80", "drops<5%"}));
  ASSERT_TRUE(guards.ok()) << guards.status().message();
  ASSERT_EQ(guards->specs.size(), 2u);
  EXPECT_EQ(guards->specs[1].text, "drops<5%");
  EXPECT_EQ(guards->schedule.interval, 1s);
  EXPECT_EQ(guards->schedule.timeout, 500ms);
  EXPECT_EQ(guards->schedule.failures, 1u);
  EXPECT_EQ(guards->schedule.grace, 1s);
}

TEST(GuardSetTest, TimeoutAndGraceFollowTheIntervalUnlessGiven) {
  auto set = Checks({"backlog<10"});
  set.interval = 500ms;
  auto s = ResolveSchedule(set);
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->timeout, 250ms);
  EXPECT_EQ(s->grace, 500ms);
  set.timeout = 450ms;
  set.grace = 0s;  // explicitly none
  set.failures = 3;
  s = ResolveSchedule(set);
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->timeout, 450ms);
  EXPECT_EQ(s->grace, 0s);
  EXPECT_EQ(s->failures, 3u);
}

TEST(GuardSetTest, OutOfRangeOptionsNameTheirFlag) {
  auto refused = [](auto mutate) {
    auto set = Checks({"backlog<10"});
    mutate(set);
    auto s = ResolveSchedule(set);
    return s.ok() ? std::string("ok") : s.status().message();
  };
  EXPECT_THAT(refused([](auto& s) { s.interval = 99ms; }), HasSubstr("guard-interval: 99ms"));
  EXPECT_THAT(refused([](auto& s) { s.interval = 2h; }), HasSubstr("guard-interval"));
  EXPECT_THAT(refused([](auto& s) { s.timeout = 0s; }), HasSubstr("guard-timeout"));
  EXPECT_THAT(refused([](auto& s) { s.timeout = 1001ms; }), HasSubstr("at most the interval (1s)"));
  EXPECT_THAT(refused([](auto& s) { s.failures = 0; }), HasSubstr("guard-failures"));
  EXPECT_THAT(refused([](auto& s) { s.grace = -1s; }), HasSubstr("guard-grace"));
  EXPECT_EQ(refused([](auto& s) { s.interval = 100ms; }), "ok");
}

TEST(GuardSetTest, NoGuardsIsFineButOptionsWithoutAGuardAreNot) {
  auto none = ParseGuards({});
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->specs.empty());
  model::GuardSet stray;
  stray.interval = 1s;
  auto refused = ParseGuards(stray);
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(refused.status().message(), HasSubstr("without a guard"));
}

TEST(GuardSetTest, TheFirstMalformedCheckIsNamed) {
  auto refused = ParseGuards(Checks({"tcp:10.0.0.5:80", "tcp:nowhere:80"}));
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(refused.status().message(), HasSubstr("guard \"tcp:nowhere:80\""));
}

}  // namespace
}  // namespace chaosnet::guard
