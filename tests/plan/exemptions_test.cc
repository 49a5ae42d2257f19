// A fault's exemptions (feature fault-exemptions): --protect-shaped rules put
// in front of the fault's own rules, flowid the tree's root (direct).
#include "daemon/plan/exemptions.h"

#include <gtest/gtest.h>

#include <string>
#include <variant>
#include <vector>

#include "common/net_parse.h"
#include "daemon/plan/describe.h"
#include "daemon/plan/interface_tree.h"
#include "daemon/plan/match_compiler.h"
#include "daemon/plan/protected_traffic.h"
#include "tests/support/plan_printers.h"

namespace chaosnet::plan {
namespace {

constexpr uint32_t kRoot = 0xCA000000;
constexpr uint32_t kFlow = 0xCA000001;

model::TrafficRule Rule(const char* text) {
  auto r = ParseTrafficRule(text, "exemption");
  EXPECT_TRUE(r.ok()) << text << ": " << r.status().message();
  return r.ok() ? *r : model::TrafficRule{};
}

model::Match DstSet(std::initializer_list<const char*> cidrs) {
  model::Match m;
  for (const char* c : cidrs) m.dst_cidrs.push_back(Cidr(c));
  return m;
}

std::vector<U32Classifier> Compiled(const model::Match& m) {
  auto c = CompileMatch(m, kRoot, 1002, kFlow);
  EXPECT_TRUE(c.ok()) << c.status().message();
  return c.ok() ? *c : std::vector<U32Classifier>{};
}

const U32Key kV4Tcp{0x00060000, 0x00FF0000, 8};

TEST(AddExemptions, GoFirstAndDirectInTheirFamilyOnly) {
  auto out =
      AddExemptions(Compiled(DstSet({"10.0.0.2", "fd00::2"})), {Rule("10.0.0.3:tcp:7443")}, kRoot);
  ASSERT_TRUE(out.ok()) << out.status().message();
  ASSERT_EQ(out->size(), 2u);
  const U32Classifier& v4 = (*out)[0];
  // (sport | dport 7443) x (src | dst 10.0.0.3), tcp: 4 exemption rules, then
  // the fault's own.
  ASSERT_EQ(v4.rules.size(), 5u);
  const U32Key kAt3Src{0x0A000003, 0xFFFFFFFF, 12}, kAt3Dst{0x0A000003, 0xFFFFFFFF, 16};
  const U32Key kSport{0x1D130000, 0xFFFF0000, 20}, kDport{0x00001D13, 0x0000FFFF, 20};
  EXPECT_EQ(v4.rules[0], (U32Rule{{kV4Tcp, kAt3Src, kSport}, kRoot}));
  EXPECT_EQ(v4.rules[1], (U32Rule{{kV4Tcp, kAt3Dst, kSport}, kRoot}));
  EXPECT_EQ(v4.rules[2], (U32Rule{{kV4Tcp, kAt3Src, kDport}, kRoot}));
  EXPECT_EQ(v4.rules[3], (U32Rule{{kV4Tcp, kAt3Dst, kDport}, kRoot}));
  EXPECT_EQ(v4.rules[4], (U32Rule{{{0x0A000002, 0xFFFFFFFF, 16}}, std::nullopt}));
  EXPECT_EQ(v4.flowid, kFlow);
  // No IPv6 exemption: the IPv6 classifier is the fault's alone.
  EXPECT_EQ((*out)[1], Compiled(DstSet({"10.0.0.2", "fd00::2"}))[1]);
}

TEST(AddExemptions, PortsWithoutAnAddressApplyToBothFamilies) {
  auto out = AddExemptions(Compiled(model::Match{}), {Rule("udp:53")}, kRoot);
  ASSERT_TRUE(out.ok()) << out.status().message();
  ASSERT_EQ(out->size(), 2u);
  for (const U32Classifier& c : *out) {
    ASSERT_EQ(c.rules.size(), 3u) << "sport 53, dport 53, then the catch-all";
    EXPECT_EQ(c.rules[0].flowid, kRoot);
    EXPECT_EQ(c.rules[1].flowid, kRoot);
    EXPECT_EQ(c.rules[2].flowid, std::nullopt);
  }
}

TEST(AddExemptions, NoneChangeNothing) {
  const auto classifiers = Compiled(DstSet({"10.0.0.2"}));
  auto out = AddExemptions(classifiers, {}, kRoot);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out, classifiers);
}

TEST(AddExemptions, BudgetPerFamily) {
  // 64 endpoints x 4 rules = 256: the most; one more is refused.
  std::vector<model::TrafficRule> rules;
  for (int i = 1; i <= 64; ++i) {
    rules.push_back(Rule(("10.0.1." + std::to_string(i) + ":tcp:7443").c_str()));
  }
  EXPECT_TRUE(AddExemptions(Compiled(DstSet({"10.0.0.2"})), rules, kRoot).ok());
  rules.push_back(Rule("10.0.2.1:tcp:7443"));
  auto over = AddExemptions(Compiled(DstSet({"10.0.0.2"})), rules, kRoot);
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(over.status().message(),
            "exemptions needs more than 256 IPv4 filter rules; give fewer exemptions or narrower "
            "port ranges");
}

// Through the tree: the fault's filters carry the exemptions, the dry run
// shows them as their own group, and a set costs no extra classifier.
TEST(AddExemptions, InTheTreeAndItsDescription) {
  model::FaultSpec spec;
  spec.interface = "veth-t";
  spec.partition = true;
  spec.match = DstSet({"10.0.0.2", "10.0.0.4"});
  spec.exemptions = {Rule("10.0.0.2:tcp:7002")};
  InterfaceTree tree(DefaultProtectedRules(), "veth-t");
  auto objects = tree.PlanFault("f1", spec);
  ASSERT_TRUE(objects.ok()) << objects.status().message();
  ASSERT_EQ(objects->filters.size(), 1u) << "IPv4 only: one classifier";
  EXPECT_EQ(objects->filters[0].rules.size(), 6u);
  const PlanStepText text = DescribeTcObject(objects->filters[0]);
  EXPECT_EQ(text.parameters,
            "prio 1002 protocol ip match ip protocol 6 0xff match ip src 10.0.0.2/32 match ip "
            "sport 7002 0xffff or match ip protocol 6 0xff match ip dst 10.0.0.2/32 match ip "
            "sport 7002 0xffff or match ip protocol 6 0xff match ip src 10.0.0.2/32 match ip "
            "dport 7002 0xffff or match ip protocol 6 0xff match ip dst 10.0.0.2/32 match ip "
            "dport 7002 0xffff flowid ca00:, then match ip dst 10.0.0.2/32 or match ip dst "
            "10.0.0.4/32 flowid ca00:1");
}

TEST(AddExemptions, ParseErrorsNameTheExemption) {
  auto r = ParseTrafficRule("10.0.0.2:sctp:9", "exemption");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(
      r.status().message().rfind("invalid exemption \"10.0.0.2:sctp:9\": unknown protocol", 0), 0u)
      << r.status().message();
  auto p = ParseProtectedRule("nonsense");
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().message().rfind("invalid --protect \"nonsense\": ", 0), 0u)
      << p.status().message();
}

}  // namespace
}  // namespace chaosnet::plan
