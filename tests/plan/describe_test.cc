#include "daemon/plan/describe.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

namespace chaosnet::plan {
namespace {

using namespace std::chrono_literals;

struct HandleCase {
  uint32_t handle;
  const char* text;
};

class FormatHandleTable : public testing::TestWithParam<HandleCase> {};

TEST_P(FormatHandleTable, TcNotation) {
  EXPECT_EQ(FormatHandle(GetParam().handle), GetParam().text);
}

INSTANTIATE_TEST_SUITE_P(Values, FormatHandleTable,
                         testing::Values(HandleCase{0xCA000000, "ca00:"},
                                         HandleCase{0xCA000001, "ca00:1"},
                                         HandleCase{0xCA01000A, "ca01:a"},
                                         HandleCase{0x00010000, "1:"},
                                         HandleCase{0xFFFF0000, "ffff:"},
                                         HandleCase{0x0001FFFF, "1:ffff"}, HandleCase{0, "0:"}));

TEST(FormatParent, RootIsNamed) {
  EXPECT_EQ(FormatParent(kRootParent), "root");
  EXPECT_EQ(FormatParent(0xCA000001), "ca00:1");
}

struct NetemCase {
  const char* name;
  NetemQdisc netem;
  const char* text;
  friend std::ostream& operator<<(std::ostream& os, const NetemCase& c) { return os << c.name; }
};

NetemQdisc Full() {
  NetemQdisc n;
  n.limit = 250'000;
  n.latency = 100ms;
  n.jitter = 10ms;
  n.delay_correlation = 25;
  n.distribution = model::DelayDistribution::kNormal;
  n.loss = 1;
  n.loss_correlation = 25;
  n.duplicate = 2;
  n.corrupt = 0.1;
  n.corrupt_correlation = 5;
  n.reorder = 25;
  n.reorder_correlation = 50;
  n.gap = 5;
  return n;
}

NetemQdisc Make(uint32_t limit, std::chrono::nanoseconds latency, std::chrono::nanoseconds jitter,
                double correlation) {
  NetemQdisc n;
  n.limit = limit;
  n.latency = latency;
  n.jitter = jitter;
  n.delay_correlation = correlation;
  return n;
}

NetemQdisc LossOnly(double loss) {
  NetemQdisc n;
  n.loss = loss;
  return n;
}

NetemQdisc Pareto() {
  NetemQdisc n = Make(1000, 1500ms, 250us, 0);
  n.distribution = model::DelayDistribution::kParetoNormal;
  return n;
}

class DescribeNetemTable : public testing::TestWithParam<NetemCase> {};

TEST_P(DescribeNetemTable, TcLikeText) {
  EXPECT_EQ(DescribeNetem(GetParam().netem), GetParam().text);
}

INSTANTIATE_TEST_SUITE_P(
    Values, DescribeNetemTable,
    testing::Values(
        NetemCase{"everything", Full(),
                  "limit 250000 delay 100ms 10ms 25% distribution normal loss 1% 25% duplicate 2% "
                  "corrupt 0.1% 5% reorder 25% 50% gap 5"},
        NetemCase{"delay_only", Make(15'000, 100ms, 0ns, 0), "limit 15000 delay 100ms"},
        NetemCase{"delay_jitter", Make(21'000, 100ms, 10ms, 0), "limit 21000 delay 100ms 10ms"},
        NetemCase{"long_delay", Make(450'000, 3000ms, 0ns, 0), "limit 450000 delay 3s"},
        NetemCase{"distribution", Pareto(),
                  "limit 1000 delay 1500ms 250us distribution paretonormal"},
        NetemCase{"loss_only", LossOnly(5), "limit 1000 loss 5%"},
        NetemCase{"partition", LossOnly(100), "limit 1000 loss 100%"},
        NetemCase{"nothing", NetemQdisc{}, "limit 1000"}),
    [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace chaosnet::plan
