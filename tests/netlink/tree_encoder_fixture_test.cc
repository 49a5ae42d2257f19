// The fault-tree encoders (htb, u32, ingress + mirred) against the bytes
// iproute2 6.1's tc sends for the same command (fixtures/, captured with
// scripts/capture-tc-fixture.sh in a throwaway namespace: v0 has ifindex 3
// there and its peer v1 ifindex 2, which the mirred fixture carries).
#include <gtest/gtest.h>

#include <string>

#include "daemon/netlink/filter_requests.h"
#include "daemon/netlink/htb_encoder.h"
#include "daemon/netlink/ingress_encoder.h"
#include "daemon/netlink/u32_encoder.h"
#include "daemon/plan/tc_objects.h"
#include "tests/netlink/fixture.h"

namespace chaosnet::netlink {
namespace {

using plan::FilterProtocol;
using plan::U32Key;
using testing::LoadFixture;
using testing::SameRequest;

constexpr int kIfindex = 7;  // masked by SameRequest
constexpr uint32_t kCa00 = 0xCA000000;

std::string FixtureName(const std::string& file) { return file.substr(0, file.find('.')); }

// ---- htb -------------------------------------------------------------------

struct HtbQdiscCase {
  const char* fixture;
  plan::HtbQdisc htb;
};

const HtbQdiscCase kHtbQdiscCases[] = {
    {"htb_root.txt", {0, 0, 10}},
    // tc reads "default 10" as hex: minor 0x10.
    {"htb_root_direct_qlen.txt", {0x10, 100, 5}},
};

class HtbQdiscFixtureTest : public ::testing::TestWithParam<HtbQdiscCase> {};

TEST_P(HtbQdiscFixtureTest, MatchesTcByteForByte) {
  const auto fixture = LoadFixture(GetParam().fixture);
  const QdiscTarget root{kIfindex, kCa00, plan::kRootParent};
  EXPECT_TRUE(SameRequest(fixture.bytes, EncodeHtbQdiscAdd(root, GetParam().htb).Bytes()))
      << "tc " << fixture.command;
}

INSTANTIATE_TEST_SUITE_P(Tc61, HtbQdiscFixtureTest, ::testing::ValuesIn(kHtbQdiscCases),
                         [](const auto& info) { return FixtureName(info.param.fixture); });

struct HtbClassCase {
  const char* fixture;
  plan::HtbClass cls;
};

const HtbClassCase kHtbClassCases[] = {
    // rate 1mbit ceil 2mbit burst 16k cburst 32k quantum 3000
    {"htb_class_1mbit.txt", {0xCA000005, kCa00, 125'000, 250'000, 16 * 1024, 32 * 1024, 3000}},
    // rate 40gbit ceil 50gbit: both beyond 32 bits, so RATE64 and CEIL64
    // appear, the ratespecs say UINT32_MAX, and buffer uses the full rate.
    {"htb_class_rate64.txt",
     {0xCA000006, kCa00, 5'000'000'000ull, 6'250'000'000ull, 1024 * 1024, 1024 * 1024, 60000}},
};

class HtbClassFixtureTest : public ::testing::TestWithParam<HtbClassCase> {};

TEST_P(HtbClassFixtureTest, MatchesTcByteForByte) {
  const auto fixture = LoadFixture(GetParam().fixture);
  EXPECT_TRUE(SameRequest(fixture.bytes, EncodeHtbClassAdd(kIfindex, GetParam().cls).Bytes()))
      << "tc " << fixture.command;
}

INSTANTIATE_TEST_SUITE_P(Tc61, HtbClassFixtureTest, ::testing::ValuesIn(kHtbClassCases),
                         [](const auto& info) { return FixtureName(info.param.fixture); });

TEST(HtbRequestFixtureTest, ClassDeleteMatchesTc) {
  const auto fixture = LoadFixture("class_del.txt");
  EXPECT_TRUE(SameRequest(fixture.bytes, EncodeClassDelete(kIfindex, 0xCA000005).Bytes()))
      << "tc " << fixture.command;
}

TEST(HtbRequestFixtureTest, ClassDumpMatchesTc) {
  const auto fixture = LoadFixture("class_dump.txt");
  EXPECT_TRUE(SameRequest(fixture.bytes, EncodeClassDump(kIfindex).Bytes()))
      << "tc " << fixture.command;
}

// ---- u32 -------------------------------------------------------------------

struct U32Case {
  const char* fixture;
  plan::U32Classifier classifier;
};

plan::U32Classifier Classifier(uint16_t prio, FilterProtocol proto, uint32_t flowid,
                               std::vector<U32Key> keys) {
  return plan::U32Classifier{kCa00, prio, proto, flowid, {plan::U32Rule{std::move(keys)}}};
}

const U32Case kU32Cases[] = {
    // match ip dst 10.1.2.0/24 match ip dport 80 0xffff match ip protocol 6 0xff
    {"u32_v4_dst_dport_proto.txt",
     Classifier(1002, FilterProtocol::kIp, 0xCA000005,
                {{0x0A010200, 0xFFFFFF00, 16}, {80, 0x0000FFFF, 20}, {0x00060000, 0x00FF0000, 8}})},
    // match ip6 dst 2001:db8:1:2::/64 match ip6 dport 443 0xffff match ip6 protocol 6 0xff
    {"u32_v6_dst.txt", Classifier(1003, FilterProtocol::kIpv6, 0xCA000005,
                                  {{0x20010DB8, 0xFFFFFFFF, 24},
                                   {0x00010002, 0xFFFFFFFF, 28},
                                   {443, 0x0000FFFF, 40},
                                   {0x00000600, 0x0000FF00, 4}})},
    // protocol all ... match u32 0 0 at 0 flowid ca00:1
    {"u32_match_all.txt", Classifier(0xFFF0, FilterProtocol::kAll, 0xCA000001, {{0, 0, 0}})},
};

class U32FixtureTest : public ::testing::TestWithParam<U32Case> {};

TEST_P(U32FixtureTest, MatchesTcByteForByte) {
  const auto fixture = LoadFixture(GetParam().fixture);
  const auto& c = GetParam().classifier;
  auto msg = EncodeU32RuleAdd(kIfindex, c, c.rules.front());
  ASSERT_TRUE(msg.ok()) << msg.status().message();
  EXPECT_TRUE(SameRequest(fixture.bytes, msg->Bytes())) << "tc " << fixture.command;
}

INSTANTIATE_TEST_SUITE_P(Tc61, U32FixtureTest, ::testing::ValuesIn(kU32Cases),
                         [](const auto& info) { return FixtureName(info.param.fixture); });

TEST(U32EncoderTest, RuleWithoutKeysIsTcsMatchAll) {
  const auto fixture = LoadFixture("u32_match_all.txt");
  const auto c = Classifier(0xFFF0, FilterProtocol::kAll, 0xCA000001, {});
  auto msg = EncodeU32RuleAdd(kIfindex, c, c.rules.front());
  ASSERT_TRUE(msg.ok());
  EXPECT_TRUE(SameRequest(fixture.bytes, msg->Bytes()));
}

TEST(U32EncoderTest, ValueIsMaskedAsTcDoes) {
  // "match ip dst 10.1.2.77/24" is sent by tc as 10.1.2.0 under /24.
  const auto fixture = LoadFixture("u32_v4_dst_dport_proto.txt");
  const auto c =
      Classifier(1002, FilterProtocol::kIp, 0xCA000005,
                 {{0x0A01024D, 0xFFFFFF00, 16}, {80, 0xFFFF, 20}, {0x00060000, 0x00FF0000, 8}});
  auto msg = EncodeU32RuleAdd(kIfindex, c, c.rules.front());
  ASSERT_TRUE(msg.ok());
  EXPECT_TRUE(SameRequest(fixture.bytes, msg->Bytes()));
}

// fleet (fault-exemptions): an exemption is a node of the fault's own
// classifier (flowid ca00:1) whose own flowid is the root, ca00: (direct).
TEST(U32EncoderTest, RuleWithItsOwnFlowidIsTcsRuleWithThatFlowid) {
  const auto fixture = LoadFixture("u32_exemption_direct.txt");
  auto c = Classifier(
      1002, FilterProtocol::kIp, 0xCA000001,
      {{0x00060000, 0x00FF0000, 8}, {0x0A000002, 0xFFFFFFFF, 16}, {0x1B5A0000, 0xFFFF0000, 20}});
  c.rules.front().flowid = kCa00;
  auto msg = EncodeU32RuleAdd(kIfindex, c, c.rules.front());
  ASSERT_TRUE(msg.ok()) << msg.status().message();
  EXPECT_TRUE(SameRequest(fixture.bytes, msg->Bytes())) << "tc " << fixture.command;
  // Without its own flowid the same rule is the classifier's: not tc's bytes.
  c.rules.front().flowid.reset();
  auto plain = EncodeU32RuleAdd(kIfindex, c, c.rules.front());
  ASSERT_TRUE(plain.ok());
  EXPECT_FALSE(SameRequest(fixture.bytes, plain->Bytes()));
}

TEST(U32EncoderTest, RefusesMoreKeysThanOneNodeHolds) {
  const auto c = Classifier(1002, FilterProtocol::kIp, 0xCA000005,
                            std::vector<U32Key>(kMaxU32Keys + 1, U32Key{1, 1, 0}));
  auto msg = EncodeU32RuleAdd(kIfindex, c, c.rules.front());
  ASSERT_FALSE(msg.ok());
  EXPECT_EQ(msg.status().code(), StatusCode::kInvalidArgument);
}

TEST(FilterRequestFixtureTest, DeletePriorityMatchesTc) {
  const auto fixture = LoadFixture("filter_del_prio.txt");
  EXPECT_TRUE(
      SameRequest(fixture.bytes,
                  EncodeFilterDeletePriority({kIfindex, kCa00, 1002, FilterProtocol::kIp}).Bytes()))
      << "tc " << fixture.command;
}

// The shared host classifier (plan/host_hash.h): its table, its link and a
// node at an explicit handle, and a node deleted by handle.
TEST(U32HashEncoderTest, TableLinkNodeAndDeleteMatchTcByteForByte) {
  const auto table = LoadFixture("u32_hash_table.txt");
  EXPECT_TRUE(SameRequest(
      table.bytes,
      EncodeU32HashTableAdd(kIfindex,
                            plan::U32HashTable{kCa00, 65280, FilterProtocol::kIp, 0x00400000, 256})
          .Bytes()))
      << "tc " << table.command;
  const auto link = LoadFixture("u32_hash_link.txt");
  EXPECT_TRUE(SameRequest(
      link.bytes,
      EncodeU32HashLinkAdd(
          kIfindex, plan::U32HashLink{kCa00, 65280, FilterProtocol::kIp, 0, 0x00400000, 0xFF, 16})
          .Bytes()))
      << "tc " << link.command;
  const auto node = LoadFixture("u32_hash_node.txt");
  auto msg = EncodeU32NodeAdd(kIfindex, plan::U32Node{kCa00,
                                                      65280,
                                                      FilterProtocol::kIp,
                                                      0x0042A001,
                                                      0xCA000007,
                                                      {U32Key{0x0A00002A, 0xFFFFFFFF, 16}}});
  ASSERT_TRUE(msg.ok()) << msg.status().message();
  EXPECT_TRUE(SameRequest(node.bytes, msg->Bytes())) << "tc " << node.command;
  const auto del = LoadFixture("u32_node_del.txt");
  EXPECT_TRUE(SameRequest(
      del.bytes,
      EncodeU32HandleDelete({kIfindex, kCa00, 65280, FilterProtocol::kIp}, 0x0042A001).Bytes()))
      << "tc " << del.command;
}

TEST(FilterRequestTest, InfoCarriesPriorityAndNetworkOrderProtocol) {
  // tcm_info is host order with the protocol's two bytes swapped in.
  EXPECT_EQ(FilterInfo(1002, FilterProtocol::kIp), 0x03EA0008u);
  EXPECT_EQ(FilterInfo(1, FilterProtocol::kAll), 0x00010300u);
  EXPECT_EQ(FilterInfo(0xFFF1, FilterProtocol::kIpv6), 0xFFF1DD86u);
}

// ---- ingress ---------------------------------------------------------------

TEST(IngressFixtureTest, IngressQdiscMatchesTc) {
  const auto fixture = LoadFixture("ingress_qdisc.txt");
  EXPECT_TRUE(SameRequest(
      fixture.bytes,
      EncodeIngressQdiscAdd({kIfindex, plan::kIngressHandle, plan::kIngressParent}).Bytes()))
      << "tc " << fixture.command;
}

TEST(IngressFixtureTest, MirredRedirectWithCookieMatchesTc) {
  const auto fixture = LoadFixture("mirred_redirect.txt");
  plan::RedirectFilter redirect;
  redirect.to_device = "v1";
  redirect.to_ifindex = 2;  // v1's index in the capture namespace
  EXPECT_TRUE(SameRequest(fixture.bytes, EncodeRedirectFilterAdd(kIfindex, redirect).Bytes()))
      << "tc " << fixture.command;
}

}  // namespace
}  // namespace chaosnet::netlink
