// --netem-seed: TCA_NETEM_PRNG_SEED (type 14, Linux 6.6) as the last netem
// attribute, a u64, in an add and in every change (a change without it makes
// the kernel draw a new seed). tc 6.1 cannot send it, so there is no fixture:
// the layout is checked attribute by attribute, and our parser reads it back
// apart from the parameters a plan compares.
#include <gtest/gtest.h>
#include <linux/netlink.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

#include <chrono>
#include <cstring>
#include <vector>

#include "daemon/netlink/netem_encoder.h"
#include "daemon/netlink/qdisc_parser.h"
#include "daemon/netlink/tc_attrs.h"
#include "daemon/plan/qdisc_plan.h"

namespace chaosnet::netlink {
namespace {

using namespace std::chrono_literals;

const QdiscTarget kRoot{7, 0xCA000000, plan::kRootParent};

// The netem attributes after tc_netem_qopt, in order: {type, payload}.
std::vector<std::pair<int, std::vector<uint8_t>>> NetemAttrs(const std::vector<uint8_t>& bytes) {
  const auto* h = reinterpret_cast<const nlmsghdr*>(bytes.data());
  const int tc_len = NLMSG_ALIGN(sizeof(tcmsg));
  const auto* attr =
      reinterpret_cast<const nlattr*>(static_cast<const char*>(nlmsg_data(h)) + tc_len);
  int rem = static_cast<int>(h->nlmsg_len) - NLMSG_HDRLEN - tc_len;
  const nlattr* options = nullptr;
  for (; nla_ok(attr, rem); attr = nla_next(attr, &rem)) {
    if (nla_type(attr) == TCA_OPTIONS) options = attr;
  }
  std::vector<std::pair<int, std::vector<uint8_t>>> out;
  if (options == nullptr) return out;
  const int skip = NLA_ALIGN(sizeof(tc_netem_qopt));
  const auto* a =
      reinterpret_cast<const nlattr*>(static_cast<const char*>(nla_data(options)) + skip);
  int left = nla_len(options) - skip;
  for (; nla_ok(a, left); a = nla_next(a, &left)) {
    const auto* p = static_cast<const uint8_t*>(nla_data(a));
    out.emplace_back(nla_type(a), std::vector<uint8_t>(p, p + nla_len(a)));
  }
  return out;
}

uint64_t U64(const std::vector<uint8_t>& payload) {
  uint64_t v = 0;
  std::memcpy(&v, payload.data(), sizeof v);
  return v;
}

TEST(NetemSeedEncoderTest, TheSeedIsTheLastAttributeOfAnAddAndOfAChange) {
  plan::NetemQdisc n;
  n.latency = 10ms;
  n.loss = 5;
  n.seed = 0x0123456789ABCDEFULL;
  for (bool change : {false, true}) {
    SCOPED_TRACE(change ? "change" : "add");
    auto msg = change ? EncodeNetemChange(kRoot, n) : EncodeNetemAdd(kRoot, n, {});
    ASSERT_TRUE(msg.ok()) << msg.status().message();
    const auto attrs = NetemAttrs(msg->Bytes());
    ASSERT_FALSE(attrs.empty());
    EXPECT_EQ(attrs.back().first, kTcaNetemPrngSeed);
    ASSERT_EQ(attrs.back().second.size(), 8u);
    EXPECT_EQ(U64(attrs.back().second), 0x0123456789ABCDEFULL);
  }
  EXPECT_EQ(kTcaNetemPrngSeed, TCA_NETEM_SLOT_DIST + 1);
}

TEST(NetemSeedEncoderTest, NoSeedNoAttribute) {
  plan::NetemQdisc n;
  n.latency = 10ms;
  for (bool change : {false, true}) {
    auto msg = change ? EncodeNetemChange(kRoot, n) : EncodeNetemAdd(kRoot, n, {});
    ASSERT_TRUE(msg.ok()) << msg.status().message();
    for (const auto& [type, payload] : NetemAttrs(msg->Bytes())) EXPECT_NE(type, kTcaNetemPrngSeed);
  }
}

TEST(NetemSeedEncoderTest, TheParserReadsTheSeedApartFromTheParameters) {
  plan::NetemQdisc n;
  n.loss = 1;
  n.seed = 42;
  auto msg = EncodeNetemAdd(kRoot, n, {});
  ASSERT_TRUE(msg.ok()) << msg.status().message();
  const std::vector<uint8_t> bytes = msg->Bytes();
  auto info = ParseQdiscMessage(reinterpret_cast<const nlmsghdr*>(bytes.data()));
  ASSERT_TRUE(info.ok()) << info.status().message();
  EXPECT_EQ(info->netem_seed, 42u);
  ASSERT_TRUE(info->netem.has_value());
  EXPECT_FALSE(info->netem->seed);  // a kernel from 6.6 dumps one always: not compared
  EXPECT_EQ(info->netem->loss, 1.0);
}

}  // namespace
}  // namespace chaosnet::netlink
