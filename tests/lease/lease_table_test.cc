#include "daemon/lease/lease_table.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace chaosnet::lease {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

const TimePoint kT0{};

TEST(LeaseTable, EmptyHasNoDeadline) {
  LeaseTable t;
  EXPECT_FALSE(t.NextDeadline());
  EXPECT_THAT(t.TakeExpired(kT0 + 1h), IsEmpty());
}

TEST(LeaseTable, NextDeadlineIsTheEarliest) {
  LeaseTable t;
  t.Add("b", kT0 + 20s);
  t.Add("a", kT0 + 10s);
  t.Add("c", kT0 + 30s);
  EXPECT_EQ(t.NextDeadline(), kT0 + 10s);
}

TEST(LeaseTable, DuplicateIdIsRefused) {
  LeaseTable t;
  EXPECT_TRUE(t.Add("a", kT0 + 10s));
  EXPECT_FALSE(t.Add("a", kT0 + 5s));
  EXPECT_EQ(t.Deadline("a"), kT0 + 10s);
  EXPECT_EQ(t.size(), 1u);
}

TEST(LeaseTable, TakeExpiredReturnsDueLeasesInDeadlineOrderAndKeepsTheRest) {
  LeaseTable t;
  t.Add("late", kT0 + 30s);
  t.Add("second", kT0 + 20s);
  t.Add("first", kT0 + 10s);
  EXPECT_THAT(t.TakeExpired(kT0 + 9s), IsEmpty());
  // A deadline equal to now is due: rollback must not wait one more tick.
  EXPECT_THAT(t.TakeExpired(kT0 + 20s), ElementsAre("first", "second"));
  EXPECT_EQ(t.size(), 1u);
  EXPECT_FALSE(t.Deadline("first"));
  EXPECT_EQ(t.NextDeadline(), kT0 + 30s);
}

TEST(LeaseTable, RescheduleMovesTheDeadlineBothWays) {
  LeaseTable t;
  t.Add("a", kT0 + 10s);
  t.Add("b", kT0 + 20s);
  EXPECT_TRUE(t.Reschedule("a", kT0 + 60s));
  EXPECT_EQ(t.NextDeadline(), kT0 + 20s);
  EXPECT_THAT(t.TakeExpired(kT0 + 30s), ElementsAre("b"));
  EXPECT_TRUE(t.Reschedule("a", kT0 + 1s));
  EXPECT_THAT(t.TakeExpired(kT0 + 1s), ElementsAre("a"));
  EXPECT_FALSE(t.Reschedule("zzz", kT0));
}

TEST(LeaseTable, RemoveForgetsTheLease) {
  LeaseTable t;
  t.Add("a", kT0 + 10s);
  EXPECT_TRUE(t.Remove("a"));
  EXPECT_FALSE(t.Remove("a"));
  EXPECT_TRUE(t.empty());
  EXPECT_THAT(t.TakeExpired(kT0 + 1h), IsEmpty());
}

TEST(LeaseTable, EqualDeadlinesAreAllKept) {
  LeaseTable t;
  for (int i = 0; i < 100; ++i) t.Add("l" + std::to_string(i), kT0 + 5s);
  t.Remove("l50");
  EXPECT_EQ(t.TakeExpired(kT0 + 5s).size(), 99u);
  EXPECT_TRUE(t.empty());
}

TEST(LeaseTable, ThousandsOfLeasesExpireInOrder) {
  LeaseTable t;
  for (int i = 9999; i >= 0; --i) t.Add(std::to_string(i), kT0 + std::chrono::milliseconds(i));
  auto due = t.TakeExpired(kT0 + 4999ms);
  ASSERT_EQ(due.size(), 5000u);
  for (int i = 0; i < 5000; ++i) EXPECT_EQ(due[i], std::to_string(i));
  EXPECT_EQ(t.NextDeadline(), kT0 + 5000ms);
}

}  // namespace
}  // namespace chaosnet::lease
