// ParseClassMessage on our own class requests (same layout as a dump entry)
// and on a hand-built dump entry with counters.
#include "daemon/netlink/class_parser.h"

#include <gtest/gtest.h>
#include <linux/gen_stats.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

#include "daemon/netlink/htb_encoder.h"
#include "daemon/netlink/qdisc_requests.h"

namespace chaosnet::netlink {
namespace {

TEST(ClassParserTest, ReadsBackHtbClassRequests) {
  const plan::HtbClass cases[] = {
      {0xCA000005, 0xCA000000, 125'000, 250'000, 16 * 1024, 32 * 1024, 3000},
      {0xCA000006, 0xCA000000, 5'000'000'000ull, 6'250'000'000ull, 1024 * 1024, 1024 * 1024, 60000},
  };
  for (const auto& want : cases) {
    const NlMessage msg = EncodeHtbClassAdd(9, want);
    auto info = ParseClassMessage(msg.header());
    ASSERT_TRUE(info.ok()) << info.status().message();
    EXPECT_EQ(info->ifindex, 9);
    EXPECT_EQ(info->classid, want.classid);
    EXPECT_EQ(info->parent, want.parent);
    EXPECT_EQ(info->kind, "htb");
    ASSERT_TRUE(info->htb.has_value());
    EXPECT_EQ(info->htb->rate_bytes_per_second, want.rate_bytes_per_second);
    EXPECT_EQ(info->htb->ceil_bytes_per_second, want.ceil_bytes_per_second);
    EXPECT_EQ(info->htb->quantum_bytes, want.quantum_bytes);
    // Burst goes through whole microseconds twice (tc's xmittime, then its
    // tick2time): it comes back rounded down by under two microseconds' worth.
    EXPECT_LE(info->htb->burst_bytes, want.burst_bytes);
    EXPECT_GE(info->htb->burst_bytes + 2 * want.rate_bytes_per_second / 1'000'000 + 1,
              want.burst_bytes);
    EXPECT_LE(info->htb->cburst_bytes, want.cburst_bytes);
    EXPECT_GE(info->htb->cburst_bytes + 2 * want.ceil_bytes_per_second / 1'000'000 + 1,
              want.cburst_bytes);
  }
}

TEST(ClassParserTest, ReadsCountersOfADumpEntry) {
  NlMessage m = StartTcMessage(RTM_NEWTCLASS, 0, QdiscTarget{4, 0xCA000002, 0xCA000000});
  static_cast<tcmsg*>(nlmsg_data(m.header()))->tcm_info = 0x10020000;
  nl_msg* msg = m.get();
  nla_put_string(msg, TCA_KIND, "htb");
  nlattr* stats = nla_nest_start(msg, TCA_STATS2);
  gnet_stats_basic basic{};
  basic.bytes = 123456789012ull;
  basic.packets = 42;
  nla_put(msg, TCA_STATS_BASIC, sizeof(basic), &basic);
  gnet_stats_queue queue{};
  queue.qlen = 3;
  queue.backlog = 4500;
  queue.drops = 7;
  queue.overlimits = 11;
  nla_put(msg, TCA_STATS_QUEUE, sizeof(queue), &queue);
  nla_put_u64(msg, TCA_STATS_PKT64, 5'000'000'000ull);  // wins over the 32-bit count
  nla_nest_end(msg, stats);

  auto info = ParseClassMessage(m.header());
  ASSERT_TRUE(info.ok()) << info.status().message();
  EXPECT_EQ(info->classid, 0xCA000002u);
  EXPECT_EQ(info->leaf_handle, 0x10020000u);
  EXPECT_EQ(info->counters.bytes, 123456789012ull);
  EXPECT_EQ(info->counters.packets, 5'000'000'000ull);
  EXPECT_EQ(info->counters.drops, 7u);
  EXPECT_EQ(info->counters.overlimits, 11u);
  EXPECT_EQ(info->counters.backlog_packets, 3u);
  EXPECT_EQ(info->counters.backlog_bytes, 4500u);
  EXPECT_FALSE(info->htb.has_value()) << "no TCA_OPTIONS, no htb parameters";
}

TEST(ClassParserTest, RefusesMessagesWithoutKindOrHeader) {
  NlMessage no_kind = StartTcMessage(RTM_NEWTCLASS, 0, QdiscTarget{4, 1, 2});
  EXPECT_EQ(ParseClassMessage(no_kind.header()).status().code(), StatusCode::kInternal);
  nlmsghdr shortmsg{};
  shortmsg.nlmsg_len = NLMSG_HDRLEN + 4;
  EXPECT_EQ(ParseClassMessage(&shortmsg).status().code(), StatusCode::kInternal);
}

}  // namespace
}  // namespace chaosnet::netlink
