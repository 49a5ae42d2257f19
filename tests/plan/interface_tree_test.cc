#include "daemon/plan/interface_tree.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <variant>
#include <vector>

#include "common/net_parse.h"
#include "daemon/plan/compiler.h"

namespace chaosnet::plan {
namespace {

using namespace std::chrono_literals;
using model::FaultSpec;
using model::PortRange;
using model::Protocol;

model::Cidr Cidr(const std::string& text) {
  auto c = ParseCidr(text);
  EXPECT_TRUE(c.ok()) << text;
  return c.ok() ? *c : model::Cidr{};
}

FaultSpec Delay(std::chrono::milliseconds ms) {
  FaultSpec s;
  s.interface = "veth-t";
  s.delay = model::DelayFault{ms};
  return s;
}
FaultSpec DelayTo(const std::string& dst, std::chrono::milliseconds ms = 100ms) {
  FaultSpec s = Delay(ms);
  s.match.dst = Cidr(dst);
  return s;
}
FaultSpec Rate(uint64_t bits) {
  FaultSpec s;
  s.interface = "veth-t";
  s.rate = model::RateFault{bits};
  return s;
}

InterfaceTree Tree() { return InterfaceTree(DefaultProtectedRules(), "veth-t"); }

// Plan + Insert, as the caller does after applying AddSteps.
FaultObjects Add(InterfaceTree& tree, const std::string& id, const FaultSpec& spec) {
  auto objects = tree.PlanFault(id, spec);
  EXPECT_TRUE(objects.ok()) << id << ": " << objects.status().message();
  if (!objects.ok()) return {};
  tree.Insert(id, spec, *objects);
  return *objects;
}

template <typename T>
size_t CountOf(const std::vector<TcObject>& steps) {
  size_t n = 0;
  for (const TcObject& s : steps) n += std::holds_alternative<T>(s) ? 1 : 0;
  return n;
}

std::vector<TcObject> ExpectedFaultSteps(const FaultObjects& o) {
  std::vector<TcObject> steps{o.cls};
  if (o.leaf) steps.emplace_back(*o.leaf);
  for (const auto& f : o.filters) steps.emplace_back(f);
  return steps;
}

// ---- add/remove diffs ------------------------------------------------------------

TEST(InterfaceTree, FirstFaultCreatesRootAndProtectedThenItsObjects) {
  InterfaceTree tree = Tree();
  auto objects = tree.PlanFault("f1", DelayTo("10.0.0.0/24"));
  ASSERT_TRUE(objects.ok()) << objects.status().message();
  const std::vector<TcObject> steps = tree.AddSteps(*objects);

  std::vector<TcObject> expected = tree.RootSteps();
  for (const TcObject& s : ExpectedFaultSteps(*objects)) expected.push_back(s);
  ASSERT_EQ(steps, expected);

  // The root comes first, is the owned htb ca00: at root, and sends
  // unclassified traffic direct.
  const auto& root = std::get<TreeQdisc>(steps.front());
  EXPECT_EQ(root.handle, kTreeRootHandle);
  EXPECT_EQ(root.parent, kRootParent);
  EXPECT_EQ(std::get<HtbQdisc>(root.params).default_minor, 0u);
  // Then the protected classifiers (ssh v4 + v6 with neighbour discovery).
  EXPECT_EQ(std::get<U32Classifier>(steps[1]).priority, kProtectedIpv4Priority);
  EXPECT_EQ(std::get<U32Classifier>(steps[2]).priority, kProtectedIpv6Priority);
  // Filters last: nothing is steered to a class that does not exist yet.
  EXPECT_TRUE(std::holds_alternative<U32Classifier>(steps.back()));
  EXPECT_TRUE(std::holds_alternative<HtbClass>(steps[3]));
  EXPECT_TRUE(std::holds_alternative<TreeQdisc>(steps[4]));
}

TEST(InterfaceTree, SecondFaultAddsOnlyItsOwnObjects) {
  InterfaceTree tree = Tree();
  Add(tree, "f1", DelayTo("10.0.0.0/24"));
  auto second = tree.PlanFault("f2", DelayTo("10.0.1.0/24"));
  ASSERT_TRUE(second.ok()) << second.status().message();
  EXPECT_EQ(tree.AddSteps(*second), ExpectedFaultSteps(*second));
  EXPECT_EQ(second->slot, 2);
}

TEST(InterfaceTree, RemovingOneRemovesOnlyItsFiltersThenClass) {
  InterfaceTree tree = Tree();
  const FaultObjects f1 = Add(tree, "f1", DelayTo("10.0.0.0/24"));
  const FaultObjects f2 = Add(tree, "f2", Rate(1'000'000));  // whole interface, 2 filters

  const std::vector<TcObject> steps = tree.RemoveSteps("f2");
  std::vector<TcObject> expected;
  for (const auto& f : f2.filters) expected.emplace_back(f);
  expected.emplace_back(f2.cls);
  EXPECT_EQ(steps, expected);
  EXPECT_EQ(CountOf<TreeQdisc>(steps), 0u) << "the root and f1's leaf stay";

  tree.Erase("f2");
  EXPECT_EQ(tree.size(), 1u);
  EXPECT_EQ(tree.Find("f2"), nullptr);
  ASSERT_NE(tree.Find("f1"), nullptr);
  EXPECT_EQ(*tree.Find("f1"), f1);
}

TEST(InterfaceTree, RemovingTheLastRemovesJustTheRoot) {
  InterfaceTree tree = Tree();
  Add(tree, "f1", DelayTo("10.0.0.0/24"));
  Add(tree, "f2", DelayTo("10.0.1.0/24"));
  tree.Erase("f1");
  const std::vector<TcObject> steps = tree.RemoveSteps("f2");
  ASSERT_EQ(steps.size(), 1u);
  EXPECT_EQ(std::get<TreeQdisc>(steps[0]).handle, kTreeRootHandle);
  tree.Erase("f2");
  EXPECT_TRUE(tree.empty());

  // The next fault rebuilds the root and the protected classifiers.
  auto again = tree.PlanFault("f3", DelayTo("10.0.2.0/24"));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->slot, 1);
  EXPECT_EQ(CountOf<TreeQdisc>(tree.AddSteps(*again)), 2u);  // root + leaf
}

TEST(InterfaceTree, UnknownIdsAreHarmless) {
  InterfaceTree tree = Tree();
  Add(tree, "f1", DelayTo("10.0.0.0/24"));
  EXPECT_TRUE(tree.RemoveSteps("nope").empty());
  tree.Erase("nope");
  EXPECT_EQ(tree.size(), 1u);
}

// ---- objects of one fault ---------------------------------------------------------

TEST(InterfaceTree, TargetedFaultHandlesAndPrioritiesFollowItsSlot) {
  InterfaceTree tree = Tree();
  for (const char* id : {"f1", "f2"}) {
    FaultSpec other = Delay(50ms);
    other.match.protocol = Protocol::kIcmp;
    other.match.dst = Cidr(id == std::string("f1") ? "10.0.0.0/24" : "2001:db8::/32");
    Add(tree, id, other);
  }
  FaultSpec spec = Delay(50ms);
  spec.match.dport = PortRange{80, 80};  // no CIDR: IPv4 and IPv6
  const FaultObjects o = Add(tree, "f3", spec);
  EXPECT_EQ(o.slot, 3);
  EXPECT_EQ(o.cls.classid, 0xCA000003u);
  EXPECT_EQ(o.cls.parent, kTreeRootHandle);
  ASSERT_TRUE(o.leaf.has_value());
  EXPECT_EQ(o.leaf->handle, 0x10030000u);
  EXPECT_EQ(o.leaf->parent, 0xCA000003u);
  EXPECT_EQ(std::get<NetemQdisc>(o.leaf->params), NetemForFault(spec));
  ASSERT_EQ(o.filters.size(), 2u);
  EXPECT_EQ(o.filters[0].priority, 1006);
  EXPECT_EQ(o.filters[0].protocol, FilterProtocol::kIp);
  EXPECT_EQ(o.filters[1].priority, 1007);
  EXPECT_EQ(o.filters[1].protocol, FilterProtocol::kIpv6);
  for (const auto& f : o.filters) {
    EXPECT_EQ(f.flowid, 0xCA000003u);
    EXPECT_EQ(f.parent, kTreeRootHandle);
  }
}

TEST(InterfaceTree, NetemLeafCarriesTheSizedQueueLimit) {
  InterfaceTree tree = Tree();
  const FaultObjects o = Add(tree, "f1", DelayTo("10.0.0.0/24", 1000ms));
  ASSERT_TRUE(o.leaf.has_value());
  // 100,000 pps x 1 s x 1.5: the "delay, not loss" sizing of compiler.h.
  EXPECT_EQ(std::get<NetemQdisc>(o.leaf->params).limit, 150'000u);
}

TEST(InterfaceTree, RateOnlyFaultHasAShapingClassAndNoLeaf) {
  InterfaceTree tree = Tree();
  FaultSpec spec = Rate(8'000'000);  // 1 MB/s
  spec.match.dst = Cidr("10.0.0.0/8");
  const FaultObjects o = Add(tree, "f1", spec);
  EXPECT_FALSE(o.leaf.has_value());
  EXPECT_EQ(o.cls.rate_bytes_per_second, 1'000'000u);
  EXPECT_EQ(o.cls.ceil_bytes_per_second, 1'000'000u);
  EXPECT_EQ(o.cls.burst_bytes, TbfForRate(8'000'000).burst_bytes);
  EXPECT_EQ(o.cls.cburst_bytes, o.cls.burst_bytes);
  EXPECT_EQ(o.cls.quantum_bytes, kFaultClassQuantumBytes);
  EXPECT_EQ(CountOf<TreeQdisc>(tree.RemoveSteps("f1")), 1u);  // last: root only
}

TEST(InterfaceTree, NoRateMeansAClassThatDoesNotShape) {
  const HtbClass cls = FaultClass(Delay(10ms), 7);
  EXPECT_EQ(cls.classid, 0xCA000007u);
  EXPECT_EQ(cls.rate_bytes_per_second, 12'500'000'000u);  // 100 Gbit/s
  EXPECT_EQ(cls.ceil_bytes_per_second, 12'500'000'000u);
  EXPECT_EQ(cls.burst_bytes, 125'000'000u);  // 10 ms at that rate
  EXPECT_EQ(cls.quantum_bytes, 1514u) << "explicit, or htb warns that the quantum is big";
}

// ---- the overlap rule -------------------------------------------------------------

TEST(InterfaceTree, OverlappingTargetedFaultIsRefusedNamingTheOther) {
  InterfaceTree tree = Tree();
  FaultSpec first = DelayTo("10.0.0.0/24");
  first.match.dport = PortRange{80, 80};
  first.match.protocol = Protocol::kTcp;
  Add(tree, "lease-1", first);

  auto r = tree.PlanFault("lease-2", DelayTo("10.0.0.0/16"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(r.status().message(),
            "match overlaps fault lease-1 (dst 10.0.0.0/24 dport 80 proto tcp) on veth-t; a "
            "packet can belong to one fault only: narrow the match or revoke lease-1");

  // Disjoint in one dimension is enough.
  FaultSpec udp = DelayTo("10.0.0.0/16");
  udp.match.protocol = Protocol::kUdp;
  EXPECT_TRUE(tree.PlanFault("lease-3", udp).ok());
}

TEST(InterfaceTree, OneWholeInterfaceFaultPerDevice) {
  InterfaceTree tree = Tree();
  Add(tree, "whole-1", Delay(10ms));
  auto r = tree.PlanFault("whole-2", Rate(1'000'000));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(r.status().message().find("fault whole-1 already affects all of veth-t"),
            std::string::npos)
      << r.status().message();
  EXPECT_NE(r.status().message().find("revoke whole-1"), std::string::npos);

  tree.Erase("whole-1");
  EXPECT_TRUE(tree.PlanFault("whole-2", Rate(1'000'000)).ok()) << "freed by the erase";
}

TEST(InterfaceTree, WholeAndTargetedCoexistTargetedFirst) {
  InterfaceTree tree = Tree();
  const FaultObjects whole = Add(tree, "whole", Delay(10ms));
  const FaultObjects targeted = Add(tree, "db", DelayTo("10.0.0.0/24", 200ms));
  const FaultObjects targeted6 = Add(tree, "db6", DelayTo("2001:db8::/32", 200ms));

  ASSERT_EQ(whole.filters.size(), 2u);
  EXPECT_EQ(whole.filters[0].priority, 0xFFF0);
  EXPECT_EQ(whole.filters[1].priority, 0xFFF1);
  EXPECT_EQ(whole.filters[0].rules, (std::vector<U32Rule>{{{U32Key{0, 0, 0}}}}));
  ASSERT_EQ(targeted.filters.size(), 1u);
  ASSERT_EQ(targeted6.filters.size(), 1u);
  EXPECT_EQ(targeted6.filters[0].protocol, FilterProtocol::kIpv6);
  // A packet goes to the first filter it matches: targeted ones must come
  // before the catch-all, protected ones before everything.
  for (const auto* o : {&targeted, &targeted6}) {
    EXPECT_LT(o->filters[0].priority, whole.filters[0].priority);
    EXPECT_GT(o->filters[0].priority, 99);
  }
  EXPECT_EQ(tree.size(), 3u);
}

TEST(InterfaceTree, InvalidMatchAndDuplicateIdLeaveTheTreeAlone) {
  InterfaceTree tree = Tree();
  Add(tree, "f1", DelayTo("10.0.0.0/24"));
  FaultSpec bad = Delay(10ms);
  bad.match.protocol = Protocol::kIcmp;
  bad.match.dport = PortRange{80, 80};
  auto r = tree.PlanFault("f2", bad);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);

  auto dup = tree.PlanFault("f1", DelayTo("10.9.0.0/24"));
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(tree.size(), 1u);
}

TEST(InterfaceTree, UncompilableProtectedRulesRefuseEveryFault) {
  std::vector<ProtectedRule> rules(5, ProtectedRule{std::nullopt, PortRange{1, 65535}});
  InterfaceTree tree(rules, "veth-t");
  auto r = tree.PlanFault("f1", Delay(10ms));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("protected traffic"), std::string::npos);
}

// ---- slots ----------------------------------------------------------------------

TEST(InterfaceTree, LowestFreeSlotIsReused) {
  InterfaceTree tree = Tree();
  Add(tree, "a", DelayTo("10.0.1.0/24"));
  Add(tree, "b", DelayTo("10.0.2.0/24"));
  Add(tree, "c", DelayTo("10.0.3.0/24"));
  tree.Erase("b");
  const FaultObjects d = Add(tree, "d", DelayTo("10.0.4.0/24"));
  EXPECT_EQ(d.slot, 2);
  EXPECT_EQ(d.cls.classid, 0xCA000002u);
  EXPECT_EQ(d.filters[0].priority, 1004);
  const FaultObjects e = Add(tree, "e", DelayTo("10.0.5.0/24"));
  EXPECT_EQ(e.slot, 4);
}

TEST(InterfaceTree, PlanFaultInSlotRecreatesTheSameObjects) {
  InterfaceTree before = Tree();
  Add(before, "a", DelayTo("10.0.1.0/24"));
  Add(before, "b", DelayTo("10.0.2.0/24"));
  const FaultObjects c = Add(before, "c", DelayTo("10.0.3.0/24"));
  before.Erase("a");

  // After a restart: re-arm c where it was, then new faults fill the gaps.
  InterfaceTree after = Tree();
  auto again = after.PlanFaultInSlot("c", DelayTo("10.0.3.0/24"), c.slot);
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ(*again, c);
  after.Insert("c", DelayTo("10.0.3.0/24"), *again);
  const FaultObjects next = Add(after, "n", DelayTo("10.0.9.0/24"));
  EXPECT_EQ(next.slot, 1);

  auto taken = after.PlanFaultInSlot("x", DelayTo("10.0.8.0/24"), c.slot);
  ASSERT_FALSE(taken.ok());
  EXPECT_EQ(taken.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(taken.status().message().find("held by fault c"), std::string::npos);

  for (uint16_t bad : {uint16_t{0}, uint16_t{kMaxFaultsPerDevice + 1}}) {
    auto r = after.PlanFaultInSlot("x", DelayTo("10.0.8.0/24"), bad);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  }
  // The overlap rule holds on restart too.
  auto overlap = after.PlanFaultInSlot("y", DelayTo("10.0.0.0/16"), 7);
  ASSERT_FALSE(overlap.ok());
  EXPECT_EQ(overlap.status().code(), StatusCode::kFailedPrecondition);
}

// ---- capacity -----------------------------------------------------------------

std::string HostRoute(int i) {
  return "10." + std::to_string(i / 256) + "." + std::to_string(i % 256) + ".1";
}

TEST(InterfaceTree, SlotLimitAt10000Faults) {
  InterfaceTree tree = Tree();
  // Host faults spread over the host classifier's buckets (host_hash.h):
  // they take no classifier of their own, so the slots are the limit.
  const auto host = [](int i) {
    return "10." + std::to_string(i / 65536) + "." + std::to_string(i / 256 % 256) + "." +
           std::to_string(i % 256);
  };
  for (int i = 0; i < kMaxFaultsPerDevice; ++i) {
    auto o = tree.PlanFault("f" + std::to_string(i), DelayTo(host(i)));
    ASSERT_TRUE(o.ok()) << i << ": " << o.status().message();
    tree.Insert("f" + std::to_string(i), DelayTo(host(i)), *o);
  }
  auto full = tree.PlanFault("one-more", DelayTo("192.168.0.1"));
  ASSERT_FALSE(full.ok());
  EXPECT_EQ(full.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(full.status().message().find("10000 faults"), std::string::npos)
      << full.status().message();

  tree.Erase("f1234");
  auto freed = tree.PlanFault("one-more", DelayTo("192.168.0.1"));
  ASSERT_TRUE(freed.ok());
  EXPECT_EQ(freed->slot, 1235);
}

TEST(InterfaceTree, ClassifierBudgetLimitsLinearFaults) {
  InterfaceTree tree = Tree();
  // /31s are not hosts: one linear classifier each; 2045 + 2 protected fill
  // the kernel's 2047.
  for (int i = 0; i < 2045; ++i) {
    FaultSpec s = DelayTo(HostRoute(i));
    s.match.dst->prefix_length = 31;
    auto o = tree.PlanFault("f" + std::to_string(i), s);
    ASSERT_TRUE(o.ok()) << i << ": " << o.status().message();
    tree.Insert("f" + std::to_string(i), s, *o);
  }
  FaultSpec s = DelayTo("192.168.0.0/31");
  auto full = tree.PlanFault("one-more", s);
  ASSERT_FALSE(full.ok());
  EXPECT_EQ(full.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(full.status().message().find("2047 u32 filters"), std::string::npos)
      << full.status().message();
}

TEST(InterfaceTree, ClassifierBudgetLimitsDualFamilyFaults) {
  InterfaceTree tree = Tree();
  // Without a CIDR a fault needs two classifiers: (2047 - 2 protected) / 2.
  const size_t fit = (kMaxU32ClassifiersPerQdisc - 2) / 2;
  for (size_t i = 0; i < fit; ++i) {
    FaultSpec s = Delay(10ms);
    s.match.dport = PortRange{static_cast<uint16_t>(1000 + i), static_cast<uint16_t>(1000 + i)};
    s.match.protocol = Protocol::kTcp;
    auto o = tree.PlanFault("f" + std::to_string(i), s);
    ASSERT_TRUE(o.ok()) << i << ": " << o.status().message();
    tree.Insert("f" + std::to_string(i), s, *o);
  }
  FaultSpec s = Delay(10ms);
  s.match.dport = PortRange{5000, 5000};
  auto full = tree.PlanFault("dual", s);
  ASSERT_FALSE(full.ok());
  EXPECT_EQ(full.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(full.status().message().find("u32 filters"), std::string::npos)
      << full.status().message();
  // One IPv4-only fault (ICMP: no overlap with the tcp ones) still fits in
  // the last classifier.
  FaultSpec v4 = DelayTo("192.168.0.1");
  v4.match.protocol = Protocol::kIcmp;
  auto last = tree.PlanFault("v4", v4);
  EXPECT_TRUE(last.ok()) << last.status().message();
}

}  // namespace
}  // namespace chaosnet::plan
