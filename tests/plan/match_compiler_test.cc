#include "daemon/plan/match_compiler.h"

#include <gtest/gtest.h>

#include <initializer_list>
#include <ostream>
#include <string>
#include <vector>

#include "common/net_parse.h"
#include "tests/support/plan_printers.h"

namespace chaosnet::plan {

namespace {

using model::Match;
using model::PortRange;
using model::Protocol;

// Small builder so table rows read like the CLI flags.
struct M {
  Match m;
  M& dst(const char* c) {
    m.dst = Cidr(c);
    return *this;
  }
  M& src(const char* c) {
    m.src = Cidr(c);
    return *this;
  }
  M& dport(uint16_t a, uint16_t b = 0) {
    m.dport = PortRange{a, b ? b : a};
    return *this;
  }
  M& sport(uint16_t a, uint16_t b = 0) {
    m.sport = PortRange{a, b ? b : a};
    return *this;
  }
  M& proto(Protocol p) {
    m.protocol = p;
    return *this;
  }
  // fleet: the address sets (dst_cidrs, src_cidrs).
  M& dsts(std::initializer_list<const char*> cidrs) {
    for (const char* c : cidrs) m.dst_cidrs.push_back(Cidr(c));
    return *this;
  }
  M& srcs(std::initializer_list<const char*> cidrs) {
    for (const char* c : cidrs) m.src_cidrs.push_back(Cidr(c));
    return *this;
  }
  operator Match() const { return m; }  // NOLINT
};

constexpr uint32_t kParent = 0xCA000000;
constexpr uint32_t kFlow = 0xCA000003;

// ---- key layouts: each expected rule is what `tc filter show` printed for
// the equivalent tc command on the host kernel (keys sorted by offset here;
// tc keeps the command's order, the kernel checks all keys either way). ------

struct LayoutCase {
  const char* name;
  Match match;
  std::vector<U32Rule> ipv4;  // empty: no IPv4 classifier
  std::vector<U32Rule> ipv6;  // empty: no IPv6 classifier
};
void PrintTo(const LayoutCase& c, std::ostream* os) { *os << c.name; }

class MatchLayout : public testing::TestWithParam<LayoutCase> {};

TEST_P(MatchLayout, RulesMatchTcAndClassifiersFollowTheLayout) {
  const LayoutCase& c = GetParam();
  auto classifiers = CompileMatch(c.match, kParent, 1002, kFlow);
  ASSERT_TRUE(classifiers.ok()) << classifiers.status().message();
  std::vector<U32Classifier> expected;
  if (!c.ipv4.empty()) {
    expected.push_back(U32Classifier{kParent, 1002, FilterProtocol::kIp, kFlow, c.ipv4});
  }
  if (!c.ipv6.empty()) {
    expected.push_back(U32Classifier{kParent, 1003, FilterProtocol::kIpv6, kFlow, c.ipv6});
  }
  ASSERT_EQ(classifiers->size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ((*classifiers)[i].priority, expected[i].priority);
    EXPECT_EQ((*classifiers)[i].protocol, expected[i].protocol);
    EXPECT_EQ((*classifiers)[i].parent, kParent);
    EXPECT_EQ((*classifiers)[i].flowid, kFlow);
    EXPECT_EQ((*classifiers)[i].rules, expected[i].rules) << "classifier " << i;
  }
}

const U32Key kMatchAll{0, 0, 0};
const U32Key kV4Tcp{0x00060000, 0x00FF0000, 8};
const U32Key kV4Udp{0x00110000, 0x00FF0000, 8};
const U32Key kV4Icmp{0x00010000, 0x00FF0000, 8};
const U32Key kV6Tcp{0x0600, 0xFF00, 4};
const U32Key kV6Udp{0x1100, 0xFF00, 4};
const U32Key kV6Icmp{0x3A00, 0xFF00, 4};

INSTANTIATE_TEST_SUITE_P(
    Layouts, MatchLayout,
    testing::Values(
        // Whole interface: "match u32 0 0 at 0" for each family.
        LayoutCase{"Empty", M{}, {{{kMatchAll}}}, {{{kMatchAll}}}},
        // tc ... protocol ip u32 match ip dst 10.0.0.0/24 match ip dport 80 0xffff
        //   match ip protocol 6 0xff
        LayoutCase{"Ipv4DstDportTcp",
                   M{}.dst("10.0.0.0/24").dport(80).proto(Protocol::kTcp),
                   {{{kV4Tcp, {0x0A000000, 0xFFFFFF00, 16}, {0x50, 0xFFFF, 20}}}},
                   {}},
        // tc ... match ip src 192.168.1.5/32 match ip sport 53 0xffff match ip protocol 17 0xff
        LayoutCase{"Ipv4SrcSportUdp",
                   M{}.src("192.168.1.5").sport(53).proto(Protocol::kUdp),
                   {{{kV4Udp, {0xC0A80105, 0xFFFFFFFF, 12}, {0x00350000, 0xFFFF0000, 20}}}},
                   {}},
        // tc ... match ip dst 10.1.0.0/16 match ip src 172.16.0.0/12
        LayoutCase{"Ipv4DstAndSrc",
                   M{}.dst("10.1.0.0/16").src("172.16.0.0/12"),
                   {{{{0xAC100000, 0xFFF00000, 12}, {0x0A010000, 0xFFFF0000, 16}}}},
                   {}},
        // sport and dport in one word: 03e80050/fff8ffff at 20
        LayoutCase{"SportBlockAndDportOneWord",
                   M{}.dst("10.0.0.0/8").sport(1000, 1007).dport(80).proto(Protocol::kTcp),
                   {{{kV4Tcp, {0x0A000000, 0xFF000000, 16}, {0x03E80050, 0xFFF8FFFF, 20}}}},
                   {}},
        // tc ... protocol ipv6 u32 match ip6 dst 2001:db8::/32 match ip6 src
        //   2001:db8:1::/48 match ip6 dport 80 0xffff match ip6 protocol 17 0xff
        LayoutCase{"Ipv6DstSrcDportUdp",
                   M{}.dst("2001:db8::/32").src("2001:db8:1::/48").dport(80).proto(Protocol::kUdp),
                   {},
                   {{{kV6Udp,
                      {0x20010DB8, 0xFFFFFFFF, 8},
                      {0x00010000, 0xFFFF0000, 12},
                      {0x20010DB8, 0xFFFFFFFF, 24},
                      {0x50, 0xFFFF, 40}}}}},
        // tc ... match ip6 sport 443 0xffff match ip6 dport 8080 0xffff match ip6 protocol 6 0xff
        LayoutCase{"Ipv6BothPortsOneWord",
                   M{}.dst("2001:db8::1").sport(443).dport(8080).proto(Protocol::kTcp),
                   {},
                   {{{kV6Tcp,
                      {0x20010DB8, 0xFFFFFFFF, 24},
                      {0, 0xFFFFFFFF, 28},
                      {0, 0xFFFFFFFF, 32},
                      {1, 0xFFFFFFFF, 36},
                      {0x01BB1F90, 0xFFFFFFFF, 40}}}}},
        // icmp: 1 for IPv4 (match ip protocol 1 0xff), 58 for IPv6.
        LayoutCase{"IcmpBothFamilies", M{}.proto(Protocol::kIcmp), {{{kV4Icmp}}}, {{{kV6Icmp}}}},
        LayoutCase{"TcpOnlyBothFamilies", M{}.proto(Protocol::kTcp), {{{kV4Tcp}}}, {{{kV6Tcp}}}},
        // any protocol with a port: tcp OR udp, in both families.
        LayoutCase{"AnyProtocolWithPortIsTcpOrUdp",
                   M{}.dport(53),
                   {{{kV4Tcp, {53, 0xFFFF, 20}}}, {{kV4Udp, {53, 0xFFFF, 20}}}},
                   {{{kV6Tcp, {53, 0xFFFF, 40}}}, {{kV6Udp, {53, 0xFFFF, 40}}}}},
        // /0 fixes the family but constrains nothing else.
        LayoutCase{"ZeroPrefixStillFixesFamily", M{}.dst("0.0.0.0/0"), {{{kMatchAll}}}, {}},
        LayoutCase{"Ipv6OnlyStillUsesPriorityPlusOne",
                   M{}.src("fe80::/10"),
                   {},
                   {{{{0xFE800000, 0xFFC00000, 8}}}}},
        // fleet: a set is one rule per CIDR, ORed, each family in its own
        // classifier: tc ... match ip dst 10.0.0.2/32 (and 10.0.0.3/32).
        LayoutCase{"DstSetMixingFamilies",
                   M{}.dsts({"10.0.0.2", "10.0.0.3", "fd00::2"}),
                   {{{{0x0A000002, 0xFFFFFFFF, 16}}}, {{{0x0A000003, 0xFFFFFFFF, 16}}}},
                   {{{{0xFD000000, 0xFFFFFFFF, 24},
                      {0, 0xFFFFFFFF, 28},
                      {0, 0xFFFFFFFF, 32},
                      {2, 0xFFFFFFFF, 36}}}}},
        // A family only where every given set has members: no IPv6 source,
        // so no IPv6 classifier although the destinations include one.
        LayoutCase{"FamilyOnlyWhereEverySetHasMembers",
                   M{}.dsts({"10.0.0.2", "fd00::2"}).srcs({"10.9.0.0/16"}),
                   {{{{0x0A090000, 0xFFFF0000, 12}, {0x0A000002, 0xFFFFFFFF, 16}}}},
                   {}},
        // Sets times sources times protocols: (tcp|udp) x 80 x (.2|.3).
        LayoutCase{"SetTimesProtocols",
                   M{}.dsts({"10.0.0.2", "10.0.0.3"}).dport(80),
                   {{{kV4Tcp, {0x0A000002, 0xFFFFFFFF, 16}, {80, 0xFFFF, 20}}},
                    {{kV4Tcp, {0x0A000003, 0xFFFFFFFF, 16}, {80, 0xFFFF, 20}}},
                    {{kV4Udp, {0x0A000002, 0xFFFFFFFF, 16}, {80, 0xFFFF, 20}}},
                    {{kV4Udp, {0x0A000003, 0xFFFFFFFF, 16}, {80, 0xFFFF, 20}}}},
                   {}},
        // Both sets: every (src, dst) pair of a family.
        LayoutCase{"SrcSetTimesDstSet",
                   M{}.dsts({"10.0.0.2", "10.0.0.3"}).srcs({"10.1.0.1", "fd00::1"}),
                   {{{{0x0A010001, 0xFFFFFFFF, 12}, {0x0A000002, 0xFFFFFFFF, 16}}},
                    {{{0x0A010001, 0xFFFFFFFF, 12}, {0x0A000003, 0xFFFFFFFF, 16}}}},
                   {}}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(CompileMatchRules, PortRangeTimesBlocks) {
  // 1000-2000 is 8 blocks, 8000-8100 is 4: 32 tcp rules, one per pair.
  auto rules = CompileMatchRules(M{}.sport(1000, 2000).dport(8000, 8100).proto(Protocol::kTcp),
                                 IpFamily::kIpv4);
  ASSERT_TRUE(rules.ok()) << rules.status().message();
  ASSERT_EQ(rules->size(), 32u);
  EXPECT_EQ((*rules)[0].keys, (std::vector<U32Key>{kV4Tcp, {0x03E81F40, 0xFFF8FFC0, 20}}));
  EXPECT_EQ((*rules)[31].keys, (std::vector<U32Key>{kV4Tcp, {0x07D01FA4, 0xFFFFFFFF, 20}}));
}

TEST(CompileMatchRules, AtTheCapStillCompiles) {
  // 1-65535 is 16 blocks; x 2 protocols = 32, x (1024-1535: 1 block) = 32.
  auto rules = CompileMatchRules(M{}.dport(1, 65535).sport(1024, 1535), IpFamily::kIpv6);
  ASSERT_TRUE(rules.ok()) << rules.status().message();
  EXPECT_EQ(rules->size(), 32u);
  // Exactly 128: 1000-2000 (8) x 1000-2000 (8) x tcp|udp (2).
  EXPECT_TRUE(CompileMatchRules(M{}.sport(1000, 2000).dport(1000, 2000), IpFamily::kIpv4).ok());
}

// "A few dozen CIDRs per fault": a fleet of 64 peers with one address of
// each family, under a port without a protocol (x2), is exactly the cap.
TEST(CompileMatchRules, SixtyFourPeersWithAPortFitTheCap) {
  Match m = M{}.dport(5432);
  for (int i = 1; i <= 64; ++i) {
    m.dst_cidrs.push_back(Cidr(("10.0.1." + std::to_string(i)).c_str()));
    m.dst_cidrs.push_back(Cidr(("fd00::1:" + std::to_string(i)).c_str()));
  }
  auto classifiers = CompileMatch(m, kParent, 1002, kFlow);
  ASSERT_TRUE(classifiers.ok()) << classifiers.status().message();
  ASSERT_EQ(classifiers->size(), 2u);
  EXPECT_EQ((*classifiers)[0].rules.size(), 128u);
  EXPECT_EQ((*classifiers)[1].rules.size(), 128u);
  m.dst_cidrs.push_back(Cidr("10.0.2.1"));
  auto over = CompileMatch(m, kParent, 1002, kFlow);
  ASSERT_FALSE(over.ok());
  EXPECT_NE(
      over.status().message().find("the address sets and port ranges need 130 IPv4 filter "
                                   "rules, more than the 128 allowed; give fewer --dst/--src"),
      std::string::npos)
      << over.status().message();
}

TEST(Destinations, TheSingularFieldIsASetOfOne) {
  EXPECT_EQ(Destinations(M{}.dst("10.0.0.0/8")), (std::vector<model::Cidr>{Cidr("10.0.0.0/8")}));
  EXPECT_EQ(Sources(M{}.srcs({"10.0.0.1", "fd00::1"})),
            (std::vector<model::Cidr>{Cidr("10.0.0.1"), Cidr("fd00::1")}));
  EXPECT_TRUE(Destinations(M{}.dport(80)).empty());
}

struct ErrorCase {
  const char* name;
  Match match;
  const char* message_part;
};
void PrintTo(const ErrorCase& c, std::ostream* os) { *os << c.name; }

class MatchErrors : public testing::TestWithParam<ErrorCase> {};

TEST_P(MatchErrors, InvalidArgumentWithAHint) {
  auto classifiers = CompileMatch(GetParam().match, kParent, 1002, kFlow);
  ASSERT_FALSE(classifiers.ok());
  EXPECT_EQ(classifiers.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(classifiers.status().message().find(GetParam().message_part), std::string::npos)
      << classifiers.status().message();
}

INSTANTIATE_TEST_SUITE_P(
    Errors, MatchErrors,
    testing::Values(
        ErrorCase{"MixedFamilies", M{}.dst("10.0.0.0/8").src("2001:db8::/32"),
                  "different address families"},
        ErrorCase{"IcmpWithDport", M{}.proto(Protocol::kIcmp).dport(80), "ICMP has no ports"},
        ErrorCase{"IcmpWithSport", M{}.proto(Protocol::kIcmp).sport(80), "ICMP has no ports"},
        // 16 x 16 x 2 = 512 rules.
        ErrorCase{"FullRangesBothWays", M{}.sport(1, 65535).dport(1, 65535),
                  "narrow the --sport/--dport range"},
        // 30 x 30 = 900 for tcp alone.
        ErrorCase{"WorstRanges", M{}.sport(1, 65534).dport(1, 65534).proto(Protocol::kTcp),
                  "900 IPv4 filter rules"},
        // 1000-2002 is 9 blocks (2000-2001, 2002): 9 x 8 x tcp|udp = 144.
        ErrorCase{"JustAboveCap", M{}.sport(1000, 2002).dport(1000, 2000),
                  "need 144 IPv4 filter rules, more than the 128"},
        ErrorCase{"SetsWithoutACommonFamily", M{}.dsts({"10.0.0.2", "10.0.0.3"}).srcs({"fd00::1"}),
                  "different address families; a packet is IPv4 or IPv6, so give both sets "
                  "members of one family in common"}),
    [](const auto& info) { return std::string(info.param.name); });

// ---- overlap -------------------------------------------------------------------

struct OverlapCase {
  const char* name;
  Match a, b;
  bool overlap;
};
void PrintTo(const OverlapCase& c, std::ostream* os) { *os << c.name; }

class Overlap : public testing::TestWithParam<OverlapCase> {};

TEST_P(Overlap, ExactAndSymmetric) {
  EXPECT_EQ(MatchesOverlap(GetParam().a, GetParam().b), GetParam().overlap);
  EXPECT_EQ(MatchesOverlap(GetParam().b, GetParam().a), GetParam().overlap);
}

INSTANTIATE_TEST_SUITE_P(
    Matrix, Overlap,
    testing::Values(
        OverlapCase{"SameDst", M{}.dst("10.0.0.0/24"), M{}.dst("10.0.0.0/24"), true},
        OverlapCase{"NestedDst", M{}.dst("10.0.0.0/8"), M{}.dst("10.1.2.0/24"), true},
        OverlapCase{"DisjointDst", M{}.dst("10.0.0.0/24"), M{}.dst("10.0.1.0/24"), false},
        OverlapCase{"DisjointAtOddPrefix", M{}.dst("10.0.0.0/23"), M{}.dst("10.0.2.0/23"), false},
        OverlapCase{"NestedAtOddPrefix", M{}.dst("10.0.0.0/23"), M{}.dst("10.0.1.128/25"), true},
        OverlapCase{"DstVsSrcOnly", M{}.dst("10.0.0.0/24"), M{}.src("10.9.0.0/16"), true},
        OverlapCase{"SameDstDisjointSrc", M{}.dst("10.0.0.0/8").src("192.168.0.0/24"),
                    M{}.dst("10.0.0.0/8").src("192.168.1.0/24"), false},
        OverlapCase{"FamiliesDiffer", M{}.dst("10.0.0.0/8"), M{}.dst("2001:db8::/32"), false},
        OverlapCase{"FamiliesDifferAcrossFields", M{}.dst("10.0.0.0/8"), M{}.src("2001:db8::/32"),
                    false},
        OverlapCase{"Ipv6Nested", M{}.dst("2001:db8::/32"), M{}.dst("2001:db8:0:1::/64"), true},
        OverlapCase{"Ipv6Disjoint", M{}.dst("2001:db8::/33"), M{}.dst("2001:db8:8000::/33"), false},
        OverlapCase{"NoCidrVsIpv6", M{}.dport(80), M{}.dst("2001:db8::/32"), true},
        OverlapCase{"PortsIntersect", M{}.dport(1000, 2000), M{}.dport(2000, 3000), true},
        OverlapCase{"PortsAdjacent", M{}.dport(1000, 1999), M{}.dport(2000, 3000), false},
        OverlapCase{"DportVsSport", M{}.dport(80), M{}.sport(80), true},
        OverlapCase{"SamePortDisjointProto", M{}.dport(53).proto(Protocol::kTcp),
                    M{}.dport(53).proto(Protocol::kUdp), false},
        OverlapCase{"AnyWithPortVsUdp", M{}.dport(53), M{}.dport(53).proto(Protocol::kUdp), true},
        OverlapCase{"AnyVsIcmp", M{}.dst("10.0.0.0/8"), M{}.proto(Protocol::kIcmp), true},
        OverlapCase{"PortsVsIcmp", M{}.dport(80), M{}.proto(Protocol::kIcmp), false},
        OverlapCase{"TcpVsIcmp", M{}.proto(Protocol::kTcp), M{}.proto(Protocol::kIcmp), false},
        OverlapCase{"TcpVsPortsOnly", M{}.proto(Protocol::kTcp), M{}.sport(5000), true},
        OverlapCase{"DisjointPortsAnyDst", M{}.dport(80), M{}.dst("10.0.0.0/8").dport(443), false},
        OverlapCase{"EmptyOverlapsEverything", M{}, M{}.dst("10.0.0.0/8").dport(443), true},
        // fleet: sets overlap when some member of one meets some member of the
        // other, in a family both match, on each side.
        OverlapCase{"SetMemberMeetsSingle", M{}.dsts({"10.0.0.2", "10.0.0.3"}), M{}.dst("10.0.0.3"),
                    true},
        OverlapCase{"SetMemberNestsInPrefix", M{}.dsts({"10.0.0.2", "fd00::2"}),
                    M{}.dst("fd00::/64"), true},
        OverlapCase{"DisjointSets", M{}.dsts({"10.0.0.2", "10.0.0.3"}),
                    M{}.dsts({"10.0.0.4", "fd00::4"}), false},
        OverlapCase{"SetVsOtherSide", M{}.dsts({"10.0.0.2", "10.0.0.3"}), M{}.src("10.0.0.9"),
                    true},
        // a matches IPv4 only (its source set has no IPv6 member).
        OverlapCase{"FamilyTheSetsDoNotShare", M{}.dsts({"10.0.0.2", "fd00::2"}).srcs({"10.9.0.1"}),
                    M{}.dst("fd00::2"), false},
        // dst meets in IPv4, src only in IPv6: no packet matches both.
        OverlapCase{"SidesMeetInDifferentFamilies",
                    M{}.dsts({"10.0.0.2", "fd00::2"}).srcs({"10.9.0.1", "fd00::9"}),
                    M{}.dsts({"10.0.0.2", "fd00::3"}).srcs({"10.8.0.1", "fd00::9"}), false},
        OverlapCase{"SetsAndDisjointPorts", M{}.dsts({"10.0.0.2", "10.0.0.3"}).dport(80),
                    M{}.dsts({"10.0.0.3"}).dport(443), false}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(DescribeMatch, ReadsLikeTheFlags) {
  EXPECT_EQ(DescribeMatch(M{}), "all traffic");
  EXPECT_EQ(DescribeMatch(M{}.dst("10.0.0.0/24").dport(80).proto(Protocol::kTcp)),
            "dst 10.0.0.0/24 dport 80 proto tcp");
  EXPECT_EQ(DescribeMatch(M{}.src("2001:db8::/32").sport(1000, 2000)),
            "src 2001:db8::/32 sport 1000-2000");
  EXPECT_EQ(DescribeMatch(M{}.dsts({"10.0.0.2", "fd00::2"}).proto(Protocol::kUdp)),
            "dst 10.0.0.2/32,fd00::2/128 proto udp");
  EXPECT_EQ(DescribeMatch(M{}.dsts({"10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5",
                                    "10.0.0.6", "10.0.0.7", "10.0.0.8"})),
            "dst 10.0.0.1/32,10.0.0.2/32,10.0.0.3/32,10.0.0.4/32,10.0.0.5/32,10.0.0.6/32,... (8 "
            "in all)");
}

}  // namespace
}  // namespace chaosnet::plan
