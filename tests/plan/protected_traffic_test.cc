#include "daemon/plan/protected_traffic.h"

#include <gtest/gtest.h>

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "common/net_parse.h"
#include "daemon/plan/u32_keys.h"
#include "tests/support/plan_printers.h"

namespace chaosnet::plan {

namespace {

using model::PortRange;
using model::Protocol;

// ---- parsing -----------------------------------------------------------------

struct GoodCase {
  const char* text;
  ProtectedRule expected;
  const char* formatted;  // FormatProtectedRule of the result
};
void PrintTo(const GoodCase& c, std::ostream* os) { *os << c.text; }

class ParseGood : public testing::TestWithParam<GoodCase> {};

TEST_P(ParseGood, ParsesAndFormatsBack) {
  auto rule = ParseProtectedRule(GetParam().text);
  ASSERT_TRUE(rule.ok()) << GetParam().text << ": " << rule.status().message();
  EXPECT_EQ(*rule, GetParam().expected) << GetParam().text;
  EXPECT_EQ(FormatProtectedRule(*rule), GetParam().formatted);
  // The formatted form is itself accepted and means the same.
  auto again = ParseProtectedRule(GetParam().formatted);
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ(*again, *rule);
}

INSTANTIATE_TEST_SUITE_P(
    Forms, ParseGood,
    testing::Values(
        GoodCase{"22", {std::nullopt, PortRange{22, 22}, Protocol::kAny}, "22"},
        GoodCase{"tcp:22", {std::nullopt, PortRange{22, 22}, Protocol::kTcp}, "tcp:22"},
        GoodCase{"udp:53", {std::nullopt, PortRange{53, 53}, Protocol::kUdp}, "udp:53"},
        GoodCase{"8000-8100", {std::nullopt, PortRange{8000, 8100}, Protocol::kAny}, "8000-8100"},
        GoodCase{"10.0.0.0/8", {Cidr("10.0.0.0/8"), std::nullopt, Protocol::kAny}, "10.0.0.0/8"},
        GoodCase{"192.168.1.5",
                 {Cidr("192.168.1.5/32"), std::nullopt, Protocol::kAny},
                 "192.168.1.5/32"},
        GoodCase{"10.0.0.0/8:22",
                 {Cidr("10.0.0.0/8"), PortRange{22, 22}, Protocol::kAny},
                 "10.0.0.0/8:22"},
        GoodCase{"192.168.1.5:tcp:8443",
                 {Cidr("192.168.1.5/32"), PortRange{8443, 8443}, Protocol::kTcp},
                 "192.168.1.5/32:tcp:8443"},
        GoodCase{"2001:db8::/32",
                 {Cidr("2001:db8::/32"), std::nullopt, Protocol::kAny},
                 "2001:db8::/32"},
        GoodCase{"[2001:db8::/32]:443",
                 {Cidr("2001:db8::/32"), PortRange{443, 443}, Protocol::kAny},
                 "[2001:db8::/32]:443"},
        GoodCase{"[2001:db8::]/32:udp:53",
                 {Cidr("2001:db8::/32"), PortRange{53, 53}, Protocol::kUdp},
                 "[2001:db8::/32]:udp:53"},
        GoodCase{"[2001:db8::]/32",
                 {Cidr("2001:db8::/32"), std::nullopt, Protocol::kAny},
                 "2001:db8::/32"},
        GoodCase{"[::1]:22", {Cidr("::1"), PortRange{22, 22}, Protocol::kAny}, "[::1/128]:22"},
        GoodCase{"[10.0.0.0/8]:1-65535",
                 {Cidr("10.0.0.0/8"), PortRange{1, 65535}, Protocol::kAny},
                 "10.0.0.0/8:1-65535"}));

struct BadCase {
  const char* text;
  const char* message_part;
};

class ParseBad : public testing::TestWithParam<BadCase> {};

TEST_P(ParseBad, InvalidArgumentSayingWhy) {
  auto rule = ParseProtectedRule(GetParam().text);
  ASSERT_FALSE(rule.ok()) << GetParam().text;
  EXPECT_EQ(rule.status().code(), StatusCode::kInvalidArgument);
  const std::string& m = rule.status().message();
  EXPECT_NE(m.find(GetParam().message_part), std::string::npos) << m;
  EXPECT_NE(m.find("invalid --protect"), std::string::npos) << m;
  EXPECT_NE(m.find("e.g."), std::string::npos) << "no example in: " << m;
}

INSTANTIATE_TEST_SUITE_P(
    Garbage, ParseBad,
    testing::Values(
        BadCase{"", "empty value"}, BadCase{"ssh", "not a port, a port range or an address prefix"},
        BadCase{"sctp:9", "unknown protocol \"sctp\""},
        BadCase{"icmp:9", "unknown protocol \"icmp\""}, BadCase{"tcp:", "invalid port"},
        BadCase{"0", "port 0 cannot be matched"}, BadCase{"70000", "invalid port"},
        BadCase{"2000-1000", "ends before it starts"}, BadCase{"22 ", "not a port"},
        BadCase{"10.0.0.0/8:", "expected \":\" and ports"},
        BadCase{"10.0.0.0/8;22", "invalid CIDR"}, BadCase{"10.0.0.0/8:ssh", "invalid port"},
        BadCase{"10.0.0.1/8", "host bits are set"}, BadCase{"300.1.2.3", "invalid CIDR"},
        BadCase{"2001:db8::/32:443", "bracket it: [2001:db8::/32]:443"},
        BadCase{"[2001:db8::/32", "missing \"]\""},
        BadCase{"[2001:db8::/32]/64", "two prefix lengths"},
        BadCase{"[2001:db8::]443", "expected \":\" and ports"},
        BadCase{"[2001:db8::]/32:tcp:", "invalid port"}));

TEST(DefaultProtectedRules, SshOnly) {
  EXPECT_EQ(DefaultProtectedRules(),
            (std::vector<ProtectedRule>{{std::nullopt, PortRange{22, 22}, Protocol::kTcp}}));
}

// ---- compiled classifiers ------------------------------------------------------

const U32Key kV4Tcp{0x00060000, 0x00FF0000, 8};
const U32Key kV4Udp{0x00110000, 0x00FF0000, 8};
const U32Key kV6Tcp{0x0600, 0xFF00, 4};
const U32Key kV6Icmp{0x3A00, 0xFF00, 4};

// ICMPv6 133 | 134-135 | 136-137 (tc: match ip6 protocol 58 0xff
// match u8 133 0xff at 40 -> 00003a00/0000ff00 at 4, 85000000/ff000000 at 40).
const std::vector<U32Rule> kNeighbourDiscovery = {{{kV6Icmp, {0x85000000, 0xFF000000, 40}}},
                                                  {{kV6Icmp, {0x86000000, 0xFE000000, 40}}},
                                                  {{kV6Icmp, {0x88000000, 0xFE000000, 40}}}};

TEST(CompileProtectedTraffic, DefaultsAreSshBothWaysAndNeighbourDiscovery) {
  auto classifiers = CompileProtectedTraffic(DefaultProtectedRules());
  ASSERT_TRUE(classifiers.ok()) << classifiers.status().message();
  ASSERT_EQ(classifiers->size(), 2u);

  const U32Classifier& v4 = (*classifiers)[0];
  EXPECT_EQ(v4.priority, kProtectedIpv4Priority);
  EXPECT_EQ(v4.protocol, FilterProtocol::kIp);
  EXPECT_EQ(v4.parent, kTreeRootHandle);
  EXPECT_EQ(v4.flowid, kTreeRootHandle) << "protected traffic must go direct (flowid = root)";
  EXPECT_EQ(v4.rules, (std::vector<U32Rule>{{{kV4Tcp, {0x00160000, 0xFFFF0000, 20}}},
                                            {{kV4Tcp, {0x00000016, 0x0000FFFF, 20}}}}));

  const U32Classifier& v6 = (*classifiers)[1];
  EXPECT_EQ(v6.priority, kProtectedIpv6Priority);
  EXPECT_EQ(v6.protocol, FilterProtocol::kIpv6);
  EXPECT_EQ(v6.flowid, kTreeRootHandle);
  std::vector<U32Rule> expected = kNeighbourDiscovery;
  expected.push_back({{kV6Tcp, {0x00160000, 0xFFFF0000, 40}}});
  expected.push_back({{kV6Tcp, {0x00000016, 0x0000FFFF, 40}}});
  EXPECT_EQ(v6.rules, expected);
}

TEST(CompileProtectedTraffic, PrioritiesStayInTheReservedRange) {
  auto classifiers = CompileProtectedTraffic(DefaultProtectedRules());
  ASSERT_TRUE(classifiers.ok());
  for (const U32Classifier& c : *classifiers) {
    EXPECT_GE(c.priority, 1);
    EXPECT_LE(c.priority, 99);
  }
}

TEST(CompileProtectedTraffic, NoRulesStillProtectsNeighbourDiscoveryOnly) {
  auto classifiers = CompileProtectedTraffic({});
  ASSERT_TRUE(classifiers.ok());
  ASSERT_EQ(classifiers->size(), 1u);
  EXPECT_EQ((*classifiers)[0].protocol, FilterProtocol::kIpv6);
  EXPECT_EQ((*classifiers)[0].rules, kNeighbourDiscovery);
}

TEST(CompileProtectedTraffic, CidrProtectsSrcOrDstOfItsFamilyOnly) {
  auto classifiers =
      CompileProtectedTraffic({ProtectedRule{Cidr("10.0.0.0/8"), std::nullopt, Protocol::kAny}});
  ASSERT_TRUE(classifiers.ok());
  ASSERT_EQ(classifiers->size(), 2u);
  EXPECT_EQ((*classifiers)[0].rules, (std::vector<U32Rule>{{{{0x0A000000, 0xFF000000, 12}}},
                                                           {{{0x0A000000, 0xFF000000, 16}}}}));
  EXPECT_EQ((*classifiers)[1].rules, kNeighbourDiscovery) << "an IPv4 prefix adds no IPv6 rule";
}

TEST(CompileProtectedTraffic, CidrAndPortNeedBoth) {
  auto rule = ParseProtectedRule("10.0.0.0/8:udp:53");
  ASSERT_TRUE(rule.ok());
  auto classifiers = CompileProtectedTraffic({*rule});
  ASSERT_TRUE(classifiers.ok());
  // udp x (sport | dport) x (src | dst): 4 rules, each with all three fields.
  EXPECT_EQ((*classifiers)[0].rules,
            (std::vector<U32Rule>{
                {{kV4Udp, {0x0A000000, 0xFF000000, 12}, {0x00350000, 0xFFFF0000, 20}}},
                {{kV4Udp, {0x0A000000, 0xFF000000, 16}, {0x00350000, 0xFFFF0000, 20}}},
                {{kV4Udp, {0x0A000000, 0xFF000000, 12}, {0x00000035, 0x0000FFFF, 20}}},
                {{kV4Udp, {0x0A000000, 0xFF000000, 16}, {0x00000035, 0x0000FFFF, 20}}}}));
}

TEST(CompileProtectedTraffic, TooManyRulesIsRefused) {
  // Each "1-65535" is 16 blocks x 2 directions x tcp|udp = 64 rules per
  // family; IPv6 also carries the 3 neighbour discovery rules.
  std::vector<ProtectedRule> rules(3, ProtectedRule{std::nullopt, PortRange{1, 65535}});
  EXPECT_TRUE(CompileProtectedTraffic(rules).ok()) << "192 + 3 rules fit";
  rules.push_back(rules.front());  // IPv4: exactly 256, fine; IPv6: 259
  auto classifiers = CompileProtectedTraffic(rules);
  ASSERT_FALSE(classifiers.ok());
  EXPECT_EQ(classifiers.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(classifiers.status().message().find("more than 256 IPv6"), std::string::npos)
      << classifiers.status().message();
}

}  // namespace
}  // namespace chaosnet::plan
