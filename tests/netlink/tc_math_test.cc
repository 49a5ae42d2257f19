#include "daemon/netlink/tc_math.h"

#include <gtest/gtest.h>

#include <limits>

#include "daemon/netlink/distribution_tables.h"

namespace chaosnet::netlink {
namespace {

using namespace std::chrono_literals;

TEST(TcMathTest, ProbabilitiesScaleLikeTc) {
  struct Case {
    double percent;
    uint32_t wire;
  } cases[] = {
      {0, 0},           {0.1, 4294967},   {1, 42949673},     {5, 214748365},
      {25, 0x40000000}, {50, 0x80000000}, {100, 0xFFFFFFFF},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(tc::PercentToProbability(c.percent), c.wire) << c.percent;
    EXPECT_EQ(tc::ProbabilityToPercent(c.wire), c.percent) << c.percent;
  }
}

TEST(TcMathTest, TicksAre64Nanoseconds) {
  EXPECT_EQ(tc::DurationToTicks(100ms), 1'562'500u);
  EXPECT_EQ(tc::TicksToDuration(1'562'500), 100ms);
  EXPECT_EQ(tc::DurationToTicks(1500ns), 15u);  // tc parses whole microseconds
  EXPECT_TRUE(tc::DurationFitsTicks(274s));
  EXPECT_FALSE(tc::DurationFitsTicks(275s));
  EXPECT_EQ(tc::DurationToTicks(300s), std::numeric_limits<uint32_t>::max());
}

TEST(TcMathTest, XmitTimeAndSizeAreInverse) {
  EXPECT_EQ(tc::XmitTimeTicks(125'000, 32768), 4'096'000u);  // 262.144 ms at 1 Mbit/s
  EXPECT_EQ(tc::XmitSizeBytes(125'000, 4'096'000), 32768u);
  const auto rtab = tc::RateTable(125'000);
  EXPECT_EQ(rtab[0], 1000u);       // 8 bytes
  EXPECT_EQ(rtab[255], 256'000u);  // 2048 bytes
}

TEST(DistributionTablesTest, ParsesDistFormat) {
  auto t = DistributionTables::Parse("# comment 1 2\n -3 4\n5\n\n  -32768 32767 \n");
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_EQ(*t, (std::vector<int16_t>{-3, 4, 5, -32768, 32767}));
}

TEST(DistributionTablesTest, RejectsGarbageAndOverflow) {
  EXPECT_FALSE(DistributionTables::Parse("1 2 x\n").ok());
  EXPECT_FALSE(DistributionTables::Parse("40000\n").ok());
  EXPECT_FALSE(DistributionTables::Parse("# only a comment\n").ok());
}

}  // namespace
}  // namespace chaosnet::netlink
