// The reply parser, fed with our own requests (same TCA_OPTIONS layout as the
// kernel's dumps) and with hand-built kernel-style attributes.
#include <gtest/gtest.h>
#include <linux/gen_stats.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

#include "daemon/netlink/netem_encoder.h"
#include "daemon/netlink/qdisc_parser.h"
#include "daemon/netlink/tbf_encoder.h"

namespace chaosnet::netlink {
namespace {

using namespace std::chrono_literals;

TEST(QdiscParserTest, NetemRequestReadsBackToThePlan) {
  plan::NetemQdisc n;
  n.limit = 5000;
  n.latency = 100ms;
  n.jitter = 10ms;
  n.delay_correlation = 25;
  n.loss = 1;
  n.loss_correlation = 10;
  n.duplicate = 2;
  n.duplicate_correlation = 5;
  n.corrupt = 0.5;
  n.corrupt_correlation = 1;
  n.reorder = 10;
  n.reorder_correlation = 3;
  n.gap = 4;
  auto msg = EncodeNetemAdd({3, 0xCA010000, 0xCA000001}, n, DistributionTables{});
  ASSERT_TRUE(msg.ok());
  auto info = ParseQdiscMessage(msg->header());
  ASSERT_TRUE(info.ok()) << info.status().message();
  EXPECT_EQ(info->kind, "netem");
  EXPECT_EQ(info->ifindex, 3);
  EXPECT_EQ(info->handle, 0xCA010000u);
  EXPECT_EQ(info->parent, 0xCA000001u);
  ASSERT_TRUE(info->netem.has_value());
  EXPECT_EQ(*info->netem, n);
  EXPECT_FALSE(info->tbf.has_value());
}

TEST(QdiscParserTest, DelaysBeyond32BitTicksTravelIn64BitAttributes) {
  plan::NetemQdisc n;
  n.latency = 300s;  // ~4.7e9 ticks: too big for tc_netem_qopt.latency
  n.jitter = 280s;
  auto msg = EncodeNetemAdd({3, 0xCA000000, plan::kRootParent}, n, DistributionTables{});
  ASSERT_TRUE(msg.ok());
  auto info = ParseQdiscMessage(msg->header());
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->netem->latency, 300s);
  EXPECT_EQ(info->netem->jitter, 280s);
}

TEST(QdiscParserTest, TbfRequestReadsBack) {
  for (const plan::TbfQdisc t : {plan::TbfQdisc{125'000, 32768, 102400},
                                 plan::TbfQdisc{5'000'000'000ull, 1 << 20, 10 << 20}}) {
    auto msg = EncodeTbfAdd({2, 0xCA000000, plan::kRootParent}, t);
    auto info = ParseQdiscMessage(msg.header());
    ASSERT_TRUE(info.ok()) << info.status().message();
    ASSERT_TRUE(info->tbf.has_value());
    EXPECT_EQ(*info->tbf, t);
  }
}

// A kernel dump has no TCA_TBF_BURST: burst comes from the bucket time.
TEST(QdiscParserTest, TbfDumpWithoutBurstDerivesItFromBucketTime) {
  NlMessage m = StartTcMessage(RTM_NEWQDISC, 0, {2, 0xCA000000, plan::kRootParent});
  nla_put_string(m.get(), TCA_KIND, "tbf");
  nlattr* opts = nla_nest_start(m.get(), TCA_OPTIONS);
  tc_tbf_qopt q{};
  q.rate.rate = 125000;
  q.limit = 102400;
  q.buffer = 4'096'000;  // 262.144 ms at 125000 B/s = 32768 bytes
  nla_put(m.get(), TCA_TBF_PARMS, sizeof(q), &q);
  nla_nest_end(m.get(), opts);
  nlattr* stats = nla_nest_start(m.get(), TCA_STATS2);
  struct {
    uint64_t bytes;
    uint32_t packets;
    uint32_t pad;
  } basic{1234, 7, 0};
  nla_put(m.get(), TCA_STATS_BASIC, sizeof(basic), &basic);
  gnet_stats_queue queue{2, 300, 5, 0, 9};
  nla_put(m.get(), TCA_STATS_QUEUE, sizeof(queue), &queue);
  nla_nest_end(m.get(), stats);

  auto info = ParseQdiscMessage(m.header());
  ASSERT_TRUE(info.ok()) << info.status().message();
  EXPECT_EQ(*info->tbf, (plan::TbfQdisc{125000, 32768, 102400}));
  EXPECT_EQ(info->counters.bytes, 1234u);
  EXPECT_EQ(info->counters.packets, 7u);
  EXPECT_EQ(info->counters.drops, 5u);
  EXPECT_EQ(info->counters.overlimits, 9u);
  EXPECT_EQ(info->counters.backlog_packets, 2u);
  EXPECT_EQ(info->counters.backlog_bytes, 300u);
}

TEST(QdiscParserTest, MessageWithoutKindIsAnError) {
  NlMessage m = StartTcMessage(RTM_NEWQDISC, 0, {2, 0, plan::kRootParent});
  EXPECT_FALSE(ParseQdiscMessage(m.header()).ok());
}

}  // namespace
}  // namespace chaosnet::netlink
