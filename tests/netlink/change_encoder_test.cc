// The in-place change requests of a program's steps against the bytes tc
// sends for `tc qdisc change` / `tc class change`, and what tc leaves out but
// a change must carry (netem keeps every attribute a change omits).
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <vector>

#include "daemon/netlink/htb_encoder.h"
#include "daemon/netlink/netem_encoder.h"
#include "daemon/netlink/qdisc_parser.h"
#include "tests/netlink/fixture.h"

namespace chaosnet::netlink {
namespace {

using namespace std::chrono_literals;
using testing::LoadFixture;
using testing::SameRequest;

const QdiscTarget kLeaf{7, 0x10010000, 0xCA000001};  // 1001: under class ca00:1

// The TCA_NETEM_* attributes after tc_netem_qopt in TCA_OPTIONS, by type.
std::map<int, std::vector<uint8_t>> NetemAttributes(const NlMessage& m) {
  std::map<int, std::vector<uint8_t>> out;
  nlmsghdr* h = m.header();
  nlattr* attr = nlmsg_attrdata(h, sizeof(tcmsg));
  int left = nlmsg_attrlen(h, sizeof(tcmsg));
  for (; nla_ok(attr, left); attr = nla_next(attr, &left)) {
    if (nla_type(attr) != TCA_OPTIONS) continue;
    auto* inner = reinterpret_cast<nlattr*>(static_cast<char*>(nla_data(attr)) +
                                            NLA_ALIGN(sizeof(tc_netem_qopt)));
    int inner_left = nla_len(attr) - static_cast<int>(NLA_ALIGN(sizeof(tc_netem_qopt)));
    for (; nla_ok(inner, inner_left); inner = nla_next(inner, &inner_left)) {
      const auto* data = static_cast<const uint8_t*>(nla_data(inner));
      out[nla_type(inner)] = std::vector<uint8_t>(data, data + nla_len(inner));
    }
  }
  return out;
}

bool AllZero(const std::vector<uint8_t>& bytes) {
  for (uint8_t b : bytes) {
    if (b != 0) return false;
  }
  return !bytes.empty();
}

TEST(NetemChangeTest, MatchesTcQdiscChangeWhenEveryAttributeIsSet) {
  const auto fixture = LoadFixture("netem_change_all.txt");
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
  n.reorder_correlation = 50;
  n.ecn = true;
  n.slot = model::SlotFault{.min_delay = 1ms, .max_delay = 2ms};
  n.rate.bytes_per_second = 125'000;  // 1mbit
  auto msg = EncodeNetemChange(kLeaf, n);
  ASSERT_TRUE(msg.ok()) << msg.status().message();
  EXPECT_TRUE(SameRequest(fixture.bytes, msg->Bytes())) << "tc " << fixture.command;
  EXPECT_EQ(msg->header()->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);  // no CREATE, no EXCL
}

TEST(NetemChangeTest, CarriesZerosForWhatAStepDoesNotUse) {
  // tc would leave these out, and netem would keep the old correlations,
  // reorder, corrupt, ECN, slots and rate: a flap's "out" would still corrupt
  // packets. A loss model is the exception: netem drops it when absent.
  plan::NetemQdisc off;
  off.limit = 1000;
  auto msg = EncodeNetemChange(kLeaf, off);
  ASSERT_TRUE(msg.ok()) << msg.status().message();
  const auto attrs = NetemAttributes(*msg);
  for (int type : {TCA_NETEM_CORR, TCA_NETEM_REORDER, TCA_NETEM_CORRUPT, TCA_NETEM_ECN,
                   TCA_NETEM_SLOT, TCA_NETEM_RATE}) {
    ASSERT_TRUE(attrs.contains(type)) << "attribute " << type << " missing";
    EXPECT_TRUE(AllZero(attrs.at(type))) << "attribute " << type;
  }
  EXPECT_FALSE(attrs.contains(TCA_NETEM_DELAY_DIST));
  EXPECT_FALSE(attrs.contains(TCA_NETEM_LOSS));
  // The base parameters read back as zeros, the limit as given.
  auto info = ParseQdiscMessage(msg->header());
  ASSERT_TRUE(info.ok()) << info.status().message();
  ASSERT_TRUE(info->netem);
  EXPECT_EQ(info->netem->latency, 0ns);
  EXPECT_EQ(info->netem->loss, 0);
  EXPECT_EQ(info->netem->duplicate, 0);
  EXPECT_EQ(info->netem->limit, 1000u);
}

TEST(NetemChangeTest, NeverSendsTheDistributionTableSoTheQdiscKeepsItsOwn) {
  plan::NetemQdisc n;
  n.latency = 100ms;
  n.jitter = 20ms;
  n.distribution = model::DelayDistribution::kNormal;
  auto msg = EncodeNetemChange(kLeaf, n);  // no tables needed, none given
  ASSERT_TRUE(msg.ok()) << msg.status().message();
  EXPECT_FALSE(NetemAttributes(*msg).contains(TCA_NETEM_DELAY_DIST));
  // Without jitter a change is fine too: the table stays and sees no jitter.
  n.jitter = 0ms;
  EXPECT_TRUE(EncodeNetemChange(kLeaf, n).ok());
}

TEST(NetemChangeTest, RefusesAReorderWithoutADelayAsAnAddDoes) {
  plan::NetemQdisc n;
  n.reorder = 10;
  auto msg = EncodeNetemChange(kLeaf, n);
  ASSERT_FALSE(msg.ok());
  EXPECT_EQ(msg.status().code(), StatusCode::kInvalidArgument);
}

TEST(HtbClassChangeTest, MatchesTcClassChange) {
  const auto fixture = LoadFixture("htb_class_change.txt");
  // rate 1mbit ceil 1mbit burst 3200 cburst 3200 quantum 1514: FaultClass of a 1mbit fault.
  const plan::HtbClass cls{0xCA000001, 0xCA000000, 125'000, 125'000, 3200, 3200, 1514};
  const NlMessage msg = EncodeHtbClassChange(7, cls);
  EXPECT_TRUE(SameRequest(fixture.bytes, msg.Bytes())) << "tc " << fixture.command;
  EXPECT_EQ(msg.header()->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
}

}  // namespace
}  // namespace chaosnet::netlink
