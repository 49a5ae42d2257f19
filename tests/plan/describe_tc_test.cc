#include <gtest/gtest.h>

#include <chrono>
#include <ostream>
#include <string>

#include "common/net_parse.h"
#include "daemon/plan/describe.h"
#include "daemon/plan/interface_tree.h"
#include "daemon/plan/match_compiler.h"
#include "daemon/plan/protected_traffic.h"
#include "tests/support/plan_printers.h"

namespace chaosnet::plan {

void PrintTo(const PlanStepText& s, std::ostream* os) {
  *os << "{" << s.object << " | " << s.kind << " | " << s.handle << " | " << s.parent << " | "
      << s.parameters << "}";
}

namespace {

using namespace std::chrono_literals;
using model::PortRange;
using model::Protocol;

U32Classifier Compiled(const model::Match& m, size_t index = 0) {
  auto c = CompileMatch(m, kTreeRootHandle, 1002, 0xCA000003);
  EXPECT_TRUE(c.ok()) << c.status().message();
  return c.ok() && index < c->size() ? (*c)[index] : U32Classifier{};
}

struct ObjectCase {
  const char* name;
  TcObject object;
  PlanStepText expected;
};
void PrintTo(const ObjectCase& c, std::ostream* os) { *os << c.name; }

class DescribeObject : public testing::TestWithParam<ObjectCase> {};

TEST_P(DescribeObject, TcWords) {
  EXPECT_EQ(DescribeTcObject(GetParam().object), GetParam().expected);
}

NetemQdisc Netem100ms() {
  NetemQdisc n;
  n.latency = 100ms;
  return n;
}

model::Match DstDport() {
  model::Match m;
  m.dst = Cidr("10.0.0.0/24");
  m.dport = PortRange{80, 80};
  m.protocol = Protocol::kTcp;
  return m;
}

model::Match Ipv6Everything() {
  model::Match m;
  m.dst = Cidr("2001:db8::/32");
  m.src = Cidr("2001:db8:1::/48");
  m.sport = PortRange{1000, 1007};
  m.dport = PortRange{443, 443};
  m.protocol = Protocol::kUdp;
  return m;
}

model::Match DportRange() {
  model::Match m;
  m.dst = Cidr("10.0.0.0/8");
  m.dport = PortRange{1023, 1024};
  m.protocol = Protocol::kTcp;
  return m;
}

INSTANTIATE_TEST_SUITE_P(
    Objects, DescribeObject,
    testing::Values(
        ObjectCase{"RootHtb",
                   RootQdisc(),
                   {"qdisc", "htb", "ca00:", "root", "default 0 direct_qlen 1000 r2q 10"}},
        ObjectCase{"Leaf",
                   TreeQdisc{0x10030000, 0xCA000003, Netem100ms()},
                   {"qdisc", "netem", "1003:", "ca00:3", "limit 1000 delay 100ms"}},
        ObjectCase{"Ingress",
                   TreeQdisc{kIngressHandle, kIngressParent, IngressQdisc{}},
                   {"qdisc", "ingress", "ffff:", "ffff:fff1", ""}},
        ObjectCase{"RateClass",
                   HtbClass{0xCA000003, kTreeRootHandle, 125000, 125000, 3200, 3200, 1514},
                   {"class", "htb", "ca00:3",
                    "ca00:", "rate 1mbit ceil 1mbit burst 3200b cburst 3200b quantum 1514"}},
        ObjectCase{
            "SlowestRateClass",
            HtbClass{0xCA000004, kTreeRootHandle, 1, 1, 3200, 3200, 0},
            {"class", "htb", "ca00:4", "ca00:", "rate 8bit ceil 8bit burst 3200b cburst 3200b"}},
        ObjectCase{"UnlimitedClass",
                   FaultClass(model::FaultSpec{}, 2),
                   {"class", "htb", "ca00:2", "ca00:",
                    "rate 100gbit ceil 100gbit burst 125000000b cburst 125000000b quantum 1514"}},
        ObjectCase{"Ipv4Filter",
                   Compiled(DstDport()),
                   {"filter", "u32", "", "ca00:",
                    "prio 1002 protocol ip match ip protocol 6 0xff match ip dst 10.0.0.0/24 "
                    "match ip dport 80 0xffff flowid ca00:3"}},
        ObjectCase{"Ipv6Filter",
                   Compiled(Ipv6Everything()),
                   {"filter", "u32", "", "ca00:",
                    "prio 1003 protocol ipv6 match ip6 protocol 17 0xff "
                    "match ip6 src 2001:db8:1::/48 match ip6 dst 2001:db8::/32 "
                    "match ip6 sport 1000 0xfff8 match ip6 dport 443 0xffff flowid ca00:3"}},
        ObjectCase{"RulesJoinedWithOr",
                   Compiled(DportRange()),
                   {"filter", "u32", "", "ca00:",
                    "prio 1002 protocol ip match ip protocol 6 0xff match ip dst 10.0.0.0/8 "
                    "match ip dport 1023 0xffff or match ip protocol 6 0xff match ip dst "
                    "10.0.0.0/8 match ip dport 1024 0xffff flowid ca00:3"}},
        ObjectCase{"MatchAll",
                   Compiled(model::Match{}, 1),
                   {"filter", "u32", "",
                    "ca00:", "prio 1003 protocol ipv6 match u32 0 0 at 0 flowid ca00:3"}},
        ObjectCase{"NotAPrefixIsRaw",
                   U32Classifier{kTreeRootHandle,
                                 5,
                                 FilterProtocol::kIp,
                                 kTreeRootHandle,
                                 {{{{0x0A0000FF, 0xFF0000FF, 16}}}}},
                   {"filter", "u32", "", "ca00:",
                    "prio 5 protocol ip match u32 0x0a0000ff 0xff0000ff at 16 flowid ca00:"}},
        ObjectCase{"Redirect",
                   RedirectFilter{kIngressHandle, 1, "cn-ifb0", 7},
                   {"filter", "mirred", "", "ffff:",
                    "prio 1 protocol all match u32 0 0 at 0 action mirred egress redirect dev "
                    "cn-ifb0 cookie 6368616f736e6574"}}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(DescribeTcObject, ProtectedIpv6NamesNeighbourDiscoveryTypes) {
  auto classifiers = CompileProtectedTraffic({});
  ASSERT_TRUE(classifiers.ok());
  ASSERT_EQ(classifiers->size(), 1u);
  EXPECT_EQ(DescribeTcObject((*classifiers)[0]).parameters,
            "prio 2 protocol ipv6 match ip6 protocol 58 0xff match ip6 icmp_type 133 0xff or "
            "match ip6 protocol 58 0xff match ip6 icmp_type 134 0xfe or "
            "match ip6 protocol 58 0xff match ip6 icmp_type 136 0xfe flowid ca00:");
}

TEST(DescribeTcObject, EveryStepOfATreeIsDescribed) {
  InterfaceTree tree(DefaultProtectedRules(), "veth-d");
  model::FaultSpec spec;
  spec.delay = model::DelayFault{100ms};
  spec.match = DstDport();
  auto objects = tree.PlanFault("f", spec);
  ASSERT_TRUE(objects.ok());
  for (const TcObject& step : tree.AddSteps(*objects)) {
    const PlanStepText text = DescribeTcObject(step);
    EXPECT_FALSE(text.object.empty());
    EXPECT_FALSE(text.kind.empty());
    EXPECT_FALSE(text.parent.empty());
    EXPECT_EQ(text.parameters.find("match u32 0x"), std::string::npos)
        << "every key of our own layouts has a tc name: " << text.parameters;
  }
}

}  // namespace
}  // namespace chaosnet::plan
