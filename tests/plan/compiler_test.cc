#include "daemon/plan/compiler.h"

#include <gtest/gtest.h>

#include <chrono>
#include <limits>
#include <ostream>
#include <string>

#include "daemon/model/validate.h"

namespace chaosnet::plan {
namespace {

using namespace std::chrono_literals;
using model::DelayDistribution;
using model::DelayFault;
using model::FaultSpec;
using model::ProbabilityFault;
using model::RateFault;
using model::ReorderFault;

FaultSpec Base() {
  FaultSpec s;
  s.interface = "veth0";
  return s;
}

FaultSpec Delay(model::Nanos latency, model::Nanos jitter = 0ns) {
  FaultSpec s = Base();
  s.delay = DelayFault{latency, jitter};
  return s;
}

// ---- netem parameters ---------------------------------------------------------

TEST(NetemForFault, CarriesEveryImpairmentInPercent) {
  FaultSpec s = Delay(100ms, 10ms);
  s.delay->correlation_percent = 25;
  s.delay->distribution = DelayDistribution::kNormal;
  s.loss = ProbabilityFault{1, 25};
  s.duplicate = ProbabilityFault{2, 5};
  s.corrupt = ProbabilityFault{0.1, 0};
  s.reorder = ReorderFault{25, 50, 5};
  ASSERT_TRUE(model::ValidateFaultSpec(s).ok());

  NetemQdisc expected;
  expected.limit = NetemQueueLimit(s);
  expected.latency = 100ms;
  expected.jitter = 10ms;
  expected.delay_correlation = 25;
  expected.distribution = DelayDistribution::kNormal;
  expected.loss = 1;  // percents stay percents: the encoder scales them
  expected.loss_correlation = 25;
  expected.duplicate = 2;
  expected.duplicate_correlation = 5;
  expected.corrupt = 0.1;
  expected.reorder = 25;
  expected.reorder_correlation = 50;
  expected.gap = 5;
  EXPECT_EQ(NetemForFault(s), expected);
}

TEST(NetemForFault, UnsetImpairmentsStayZero) {
  FaultSpec s = Base();
  s.corrupt = ProbabilityFault{0.5, 0};
  NetemQdisc expected;
  expected.limit = 1000;
  expected.corrupt = 0.5;
  EXPECT_EQ(NetemForFault(s), expected);
}

TEST(NetemForFault, PartitionIsTotalLoss) {
  FaultSpec s = Base();
  s.partition = true;
  NetemQdisc expected;
  expected.loss = 100;
  EXPECT_EQ(NetemForFault(s), expected);
}

TEST(NetemForFault, ExplicitQueueLimitWins) {
  FaultSpec s = Delay(3000ms);
  s.queue_limit = 77;
  EXPECT_EQ(NetemForFault(s).limit, 77u);
}

// ---- netem queue limit ------------------------------------------------------

struct LimitCase {
  const char* name;
  FaultSpec spec;
  uint32_t limit;
  friend std::ostream& operator<<(std::ostream& os, const LimitCase& c) { return os << c.name; }
};

FaultSpec WithRate(FaultSpec s, uint64_t bits) {
  s.rate = RateFault{bits};
  return s;
}

FaultSpec WithLimit(FaultSpec s, uint32_t limit) {
  s.queue_limit = limit;
  return s;
}

FaultSpec LossOnly() {
  FaultSpec s = Base();
  s.loss = ProbabilityFault{1, 0};
  return s;
}

FaultSpec DelayWithReorderAndDuplicate() {
  FaultSpec s = Delay(100ms);
  s.reorder = ReorderFault{25, 0, 0};
  s.duplicate = ProbabilityFault{50, 0};
  return s;
}

class NetemQueueLimitTable : public testing::TestWithParam<LimitCase> {};

TEST_P(NetemQueueLimitTable, SizesForTheDelay) {
  EXPECT_EQ(NetemQueueLimit(GetParam().spec), GetParam().limit);
}

INSTANTIATE_TEST_SUITE_P(
    Fidelity, NetemQueueLimitTable,
    testing::Values(
        // No delay: nothing is held, netem's default is right.
        LimitCase{"loss_only", LossOnly(), 1000},
        // 100,000 pps * 0.1 s * 1.5
        LimitCase{"delay_100ms", Delay(100ms), 15'000},
        // The headline case: 3 s of delay would overflow 1000 packets within
        // 10 ms at the assumed rate.
        LimitCase{"delay_3000ms", Delay(3000ms), 450'000},
        LimitCase{"delay_10ms", Delay(10ms), 1'500},
        LimitCase{"delay_1ms_floor", Delay(1ms), 1'000},
        // 100,000 * 0.006667 * 1.5 = 1000.05: rounds up, never down.
        LimitCase{"rounds_up", Delay(6667us), 1'001},
        // window = latency + 4 * jitter = 140 ms
        LimitCase{"jitter_counts_four_times", Delay(100ms, 10ms), 21'000},
        LimitCase{"delay_10s_ceiling", Delay(10s), 1u << 20},
        LimitCase{"delay_1h_huge_jitter_no_overflow", Delay(1h, 1h), 1u << 20},
        // 1mbit = 125,000 B/s / 64 B = 1953 pps; 1953 * 3 * 1.5 = 8788.5
        LimitCase{"slow_rate_shrinks", WithRate(Delay(3000ms), 1'000'000), 8'789},
        // 10gbit / 8 / 64 = 19.5M pps, capped at the assumed 100,000.
        LimitCase{"fast_rate_capped", WithRate(Delay(3000ms), 10'000'000'000), 450'000},
        LimitCase{"tiny_rate_floor", WithRate(Delay(3000ms), 8), 1'000},
        LimitCase{"reorder_duplicate_ignored", DelayWithReorderAndDuplicate(), 15'000},
        LimitCase{"explicit_small_wins", WithLimit(Delay(3000ms), 50), 50},
        LimitCase{"explicit_large_wins", WithLimit(Delay(1ms), 2'000'000), 2'000'000}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(NetemQueueLimit, LongDelayIsFarAboveNetemDefault) {
  // The bug this rule exists for: netem's 1000 would drop most of the traffic.
  EXPECT_GT(NetemQueueLimit(Delay(3000ms)), 100u * 1000u);
}

TEST(NetemQueueLimit, GrowsWithDelay) {
  uint32_t previous = 0;
  for (auto d : {1ms, 10ms, 100ms, 1000ms, 3000ms, 6000ms}) {
    const uint32_t limit = NetemQueueLimit(Delay(d));
    EXPECT_GE(limit, previous) << d.count();
    EXPECT_GE(limit, kNetemMinLimit);
    EXPECT_LE(limit, kNetemMaxLimit);
    previous = limit;
  }
}

// ---- tbf sizing -------------------------------------------------------------

struct TbfCase {
  const char* name;
  uint64_t bits;
  TbfQdisc tbf;
  friend std::ostream& operator<<(std::ostream& os, const TbfCase& c) { return os << c.name; }
};

class TbfForRateTable : public testing::TestWithParam<TbfCase> {};

TEST_P(TbfForRateTable, Sizes) {
  const TbfQdisc t = TbfForRate(GetParam().bits);
  EXPECT_EQ(t.rate_bytes_per_second, GetParam().tbf.rate_bytes_per_second);
  EXPECT_EQ(t.burst_bytes, GetParam().tbf.burst_bytes);
  EXPECT_EQ(t.limit_bytes, GetParam().tbf.limit_bytes);
}

constexpr uint32_t kU32Max = std::numeric_limits<uint32_t>::max();

INSTANTIATE_TEST_SUITE_P(
    Sizing, TbfForRateTable,
    testing::Values(
        // Low rates: the two-frame floor for the burst, burst + 2 frames limit.
        TbfCase{"min_rate", 8, {1, 3200, 3200 + 3028}},
        // 1mbit: 10 ms = 1250 B < 3200; limit = 3200 + 100 ms (12,500 B).
        TbfCase{"one_mbit", 1'000'000, {125'000, 3200, 15'700}},
        // Exactly where 10 ms of traffic equals the floor.
        TbfCase{"floor_boundary", 2'560'000, {320'000, 3200, 35'200}},
        // 10mbit: 10 ms = 12,500 B; limit = 12,500 + 125,000.
        TbfCase{"ten_mbit", 10'000'000, {1'250'000, 12'500, 137'500}},
        TbfCase{"ten_gbit", 10'000'000'000, {1'250'000'000, 12'500'000, 137'500'000}},
        // 100tbit: both overflow u32 and are capped.
        TbfCase{"hundred_tbit", 100'000'000'000'000, {12'500'000'000'000, kU32Max, kU32Max}}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(TbfForRate, BurstAlwaysHoldsTwoFullFrames) {
  for (uint64_t bits : {8ull, 1000ull, 64'000ull, 1'000'000ull, 1'000'000'000ull}) {
    const TbfQdisc t = TbfForRate(bits);
    EXPECT_GE(t.burst_bytes, kTwoFullFramesBytes) << bits;
    EXPECT_GE(t.limit_bytes, t.burst_bytes + kTwoFullFramesBytes) << bits;
  }
}

}  // namespace
}  // namespace chaosnet::plan
