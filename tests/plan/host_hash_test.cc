// The shared host classifier of a fault tree (plan/host_hash.h): which faults
// go in it, their buckets and node handles, the table's lifetime, and the
// overlap index behind CheckOverlap.
#include "daemon/plan/host_hash.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <variant>
#include <vector>

#include "common/net_parse.h"
#include "daemon/plan/compiler.h"
#include "daemon/plan/describe.h"
#include "daemon/plan/interface_tree.h"

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

FaultSpec DelayTo(const std::string& dst) {
  FaultSpec s;
  s.interface = "veth-t";
  s.delay = model::DelayFault{100ms};
  if (!dst.empty()) s.match.dst = Cidr(dst);
  return s;
}

InterfaceTree Tree() { return InterfaceTree(DefaultProtectedRules(), "veth-t"); }

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

std::string Host(int i) {
  return "10." + std::to_string(i / 65536) + "." + std::to_string(i / 256 % 256) + "." +
         std::to_string(i % 256);
}

// ---- which faults are host faults ---------------------------------------------

TEST(HostHash, OneDestinationHostWithoutExemptionsIsHashed) {
  EXPECT_TRUE(HashedHost(DelayTo("10.0.0.7")));
  EXPECT_TRUE(HashedHost(DelayTo("10.0.0.7/32")));
  EXPECT_TRUE(HashedHost(DelayTo("fd00::7")));
  FaultSpec ports = DelayTo("10.0.0.7");
  ports.match.dport = PortRange{80, 90};
  ports.match.src = Cidr("192.168.0.0/16");
  EXPECT_TRUE(HashedHost(ports)) << "ports, protocol and a source are keys of its nodes";

  EXPECT_FALSE(HashedHost(DelayTo(""))) << "whole interface";
  EXPECT_FALSE(HashedHost(DelayTo("10.0.0.0/24")));
  EXPECT_FALSE(HashedHost(DelayTo("fd00::/64")));
  FaultSpec set = DelayTo("");
  set.match.dst_cidrs = {Cidr("10.0.0.1"), Cidr("10.0.0.2")};
  EXPECT_FALSE(HashedHost(set));
  FaultSpec src_only = DelayTo("");
  src_only.match.src = Cidr("10.0.0.1");
  EXPECT_FALSE(HashedHost(src_only));
  FaultSpec exempt = DelayTo("10.0.0.7");
  exempt.exemptions.push_back(model::TrafficRule{});
  EXPECT_FALSE(HashedHost(exempt)) << "exemptions need a classifier of their own";
}

TEST(HostHash, BucketIsTheLastByteOfTheAddress) {
  EXPECT_EQ(HostBucket(Cidr("10.1.2.42")), 42u);
  EXPECT_EQ(HostBucket(Cidr("fd00::1:ff")), 0xFFu);
  EXPECT_EQ(HostSubBucket(Cidr("10.1.2.42")), 2u);
  EXPECT_EQ(HostSubBucket(Cidr("fd00::1ff")), 1u);
  // Level 2: table 100: + the last byte, bucket: the byte before it.
  EXPECT_EQ(HostNodeHandle(Cidr("10.1.2.42"), 3), 0x12A02003u);
  EXPECT_EQ(HostNodeHandle(Cidr("fd00::2a"), 1), 0x22A00001u);
  const U32HashLink l2 = HostLevel2Link(Cidr("10.1.2.42"), kTreeRootHandle);
  EXPECT_EQ(l2.handle, 0x0042A001u) << "node 1 of level 1's bucket 0x2a";
  EXPECT_EQ(l2.table, 0x12A00000u);
  EXPECT_EQ(l2.hash_mask, 0xFF00u);
  EXPECT_EQ(l2.hash_offset, 16);
  EXPECT_EQ(HostLevel2Table(Cidr("fd00::2a"), kTreeRootHandle).handle, 0x22A00000u);
  EXPECT_EQ(HostLevel2Link(Cidr("fd00::2a"), kTreeRootHandle).hash_offset, 36);
  EXPECT_EQ(FormatU32Handle(0x0042A003u), "4:2a:3");
  EXPECT_EQ(FormatU32Handle(0x00400000u), "4:");
  EXPECT_EQ(FormatU32Handle(0x00400001u), "4::1");
  EXPECT_EQ(FormatU32Handle(0x80000800u), "800::800");

  const U32HashLink v4 = HostHashLink(IpFamily::kIpv4, kTreeRootHandle);
  EXPECT_EQ(v4.hash_mask, 0xFFu);
  EXPECT_EQ(v4.hash_offset, 16) << "the IPv4 destination's word";
  EXPECT_EQ(v4.table, 0x00400000u);
  EXPECT_EQ(v4.priority, kHostHashPriority);
  const U32HashLink v6 = HostHashLink(IpFamily::kIpv6, kTreeRootHandle);
  EXPECT_EQ(v6.hash_offset, 36) << "the IPv6 destination's last word";
  EXPECT_EQ(v6.priority, kHostHashPriority + 1);
  EXPECT_EQ(v6.protocol, FilterProtocol::kIpv6);
  EXPECT_EQ(HostHashTable(IpFamily::kIpv6, kTreeRootHandle).divisor, 256u);
}

// ---- add / remove ---------------------------------------------------------------

TEST(HostHash, FirstHostFaultMakesTableThenNodesThenLink) {
  InterfaceTree tree = Tree();
  auto o = tree.PlanFault("a", DelayTo("10.0.0.42"));
  ASSERT_TRUE(o.ok()) << o.status().message();
  EXPECT_TRUE(o->filters.empty());
  ASSERT_EQ(o->nodes.size(), 1u);
  const U32Node& node = o->nodes[0];
  EXPECT_EQ(node.handle, 0x12A00001u) << "table 12a:, bucket 0, node 1";
  EXPECT_EQ(node.flowid, o->cls.classid);
  EXPECT_EQ(node.priority, kHostHashPriority);
  ASSERT_EQ(node.keys.size(), 1u);
  EXPECT_EQ(node.keys[0], (U32Key{0x0A00002A, 0xFFFFFFFF, 16}));

  const std::vector<TcObject> steps = tree.AddSteps(*o);
  const size_t root = tree.RootSteps().size();
  // class, leaf, level 1, level 2, node, level-2 link, root link
  ASSERT_EQ(steps.size(), root + 7);
  EXPECT_TRUE(std::holds_alternative<HtbClass>(steps[root]));
  EXPECT_TRUE(std::holds_alternative<TreeQdisc>(steps[root + 1]));
  EXPECT_EQ(std::get<U32HashTable>(steps[root + 2]),
            HostHashTable(IpFamily::kIpv4, kTreeRootHandle));
  EXPECT_EQ(std::get<U32HashTable>(steps[root + 3]),
            HostLevel2Table(Cidr("10.0.0.42"), kTreeRootHandle));
  EXPECT_EQ(std::get<U32Node>(steps[root + 4]), node);
  EXPECT_EQ(std::get<U32HashLink>(steps[root + 5]),
            HostLevel2Link(Cidr("10.0.0.42"), kTreeRootHandle));
  EXPECT_EQ(std::get<U32HashLink>(steps[root + 6]), HostHashLink(IpFamily::kIpv4, kTreeRootHandle))
      << "links last: a table is reachable only once its nodes are in";
  tree.Insert("a", DelayTo("10.0.0.42"), *o);

  // The next IPv4 host fault adds only its class, leaf and node; the first
  // IPv6 one brings the IPv6 table and link.
  auto b = tree.PlanFault("b", DelayTo("10.1.0.42"));
  ASSERT_TRUE(b.ok());
  const auto b_steps = tree.AddSteps(*b);
  EXPECT_EQ(CountOf<U32HashTable>(b_steps) + CountOf<U32HashLink>(b_steps), 0u);
  EXPECT_EQ(b->nodes.at(0).handle, 0x12A00002u) << "same bucket, next node id";
  tree.Insert("b", DelayTo("10.1.0.42"), *b);
  // Another last byte: a new level-2 table and its link, not level 1.
  auto b2 = tree.PlanFault("b2", DelayTo("10.1.0.43"));
  ASSERT_TRUE(b2.ok());
  const auto b2_steps = tree.AddSteps(*b2);
  EXPECT_EQ(CountOf<U32HashTable>(b2_steps), 1u);
  EXPECT_EQ(CountOf<U32HashLink>(b2_steps), 1u);
  EXPECT_EQ(std::get<U32HashLink>(b2_steps.back()).handle, 0x0042B001u);
  auto c = tree.PlanFault("c", DelayTo("fd00::42"));
  ASSERT_TRUE(c.ok());
  const auto c_steps = tree.AddSteps(*c);
  EXPECT_EQ(CountOf<U32HashTable>(c_steps), 2u);
  EXPECT_EQ(CountOf<U32HashLink>(c_steps), 2u);
  EXPECT_EQ(c->nodes.at(0).handle, 0x24200001u);
}

TEST(HostHash, PortsAndProtocolBecomeNodesOfTheSameBucket) {
  InterfaceTree tree = Tree();
  FaultSpec s = DelayTo("10.0.0.9");
  s.match.dport = PortRange{80, 81};  // one block
  s.match.protocol = Protocol::kAny;  // tcp or udp: two rules
  const FaultObjects o = Add(tree, "p", s);
  ASSERT_EQ(o.nodes.size(), 2u);
  EXPECT_EQ(o.nodes[0].handle, 0x10900001u);
  EXPECT_EQ(o.nodes[1].handle, 0x10900002u);
}

TEST(HostHash, RemovingDeletesNodesByHandleAndFreesTheirIds) {
  InterfaceTree tree = Tree();
  const FaultObjects a = Add(tree, "a", DelayTo("10.0.0.5"));
  const FaultObjects b = Add(tree, "b", DelayTo("10.0.1.5"));
  Add(tree, "c", DelayTo("10.0.2.5"));

  const std::vector<TcObject> steps = tree.RemoveSteps("b");
  ASSERT_EQ(steps.size(), 2u);
  EXPECT_EQ(std::get<U32Node>(steps[0]), b.nodes[0]);
  EXPECT_EQ(std::get<HtbClass>(steps[1]), b.cls);
  tree.Erase("b");
  // b's node id is free again; the tables and links stay (host_hash.h).
  auto d = tree.PlanFault("d", DelayTo("10.1.1.5"));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->nodes.at(0).handle, b.nodes[0].handle);
  EXPECT_EQ(CountOf<U32HashTable>(tree.AddSteps(*d)), 0u);
  tree.Erase("a");
  tree.Erase("c");
  EXPECT_TRUE(tree.empty());
  // A new tree: root, tables and links again.
  auto e = tree.PlanFault("e", DelayTo("10.0.0.5"));
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->nodes.at(0).handle, a.nodes[0].handle);
  const auto e_steps = tree.AddSteps(*e);
  EXPECT_EQ(CountOf<U32HashTable>(e_steps), 2u);
  EXPECT_EQ(CountOf<U32HashLink>(e_steps), 2u);
}

TEST(HostHash, LinearAndHostFaultsCoexist) {
  InterfaceTree tree = Tree();
  const FaultObjects cidr = Add(tree, "cidr", DelayTo("10.0.0.0/24"));
  const FaultObjects host = Add(tree, "host", DelayTo("10.0.1.1"));
  EXPECT_EQ(cidr.nodes.size(), 0u);
  ASSERT_EQ(cidr.filters.size(), 1u);
  EXPECT_EQ(cidr.filters[0].priority, TargetedPriority(cidr.slot));
  EXPECT_LT(TargetedPriority(kMaxFaultsPerDevice) + 1, kHostHashPriority)
      << "linear faults come before the host classifier";
  EXPECT_LT(kHostHashPriority + 1, kWholeInterfacePriority);
  EXPECT_EQ(host.nodes.size(), 1u);
  FaultSpec exempt = DelayTo("10.0.2.1");
  exempt.exemptions.push_back(model::TrafficRule{});
  exempt.exemptions.back().cidr = Cidr("10.0.2.1");
  exempt.exemptions.back().ports = PortRange{22, 22};
  exempt.exemptions.back().protocol = Protocol::kTcp;
  const FaultObjects linear_host = Add(tree, "exempt", exempt);
  EXPECT_TRUE(linear_host.nodes.empty());
  EXPECT_EQ(linear_host.filters.size(), 1u);
}

TEST(HostHash, AFullBucketSendsTheFaultToTheLinearPath) {
  InterfaceTree tree = Tree();
  // Two rules a fault (ports 1-3: the blocks 1/ffff and 2/fffe); 2047 such
  // faults at addresses ending in .0.7 take 4094 of the bucket's 4095 ids.
  auto spec = [](int i) {
    FaultSpec s = DelayTo(std::to_string(10 + i / 256) + "." + std::to_string(i % 256) + ".0.7");
    s.match.dport = PortRange{1, 3};
    s.match.protocol = Protocol::kTcp;
    return s;
  };
  for (int i = 0; i < 2047; ++i) {
    ASSERT_EQ(Add(tree, "f" + std::to_string(i), spec(i)).nodes.size(), 2u) << i;
  }
  const FaultObjects o = Add(tree, "more", spec(2047));
  EXPECT_TRUE(o.nodes.empty());
  ASSERT_EQ(o.filters.size(), 1u) << "placed linearly, at its slot's priority";
  EXPECT_EQ(o.filters[0].priority, TargetedPriority(o.slot));
  // Another bucket still hashes.
  EXPECT_EQ(Add(tree, "other", DelayTo("10.200.0.8")).nodes.size(), 1u);
}

TEST(HostHash, ReArmingInASlotGivesTheSameNodes) {
  // After a restart the daemon rebuilds the tree fault by fault in journal
  // order (app/startup_reconciler.h); PlanFaultInSlot keeps the slot, and a
  // fresh tree gives the same nodes for the same order.
  InterfaceTree tree = Tree();
  Add(tree, "a", DelayTo("10.0.0.5"));
  const FaultObjects b = Add(tree, "b", DelayTo("10.0.1.5"));
  InterfaceTree after = Tree();
  Add(after, "a", DelayTo("10.0.0.5"));
  auto again = after.PlanFaultInSlot("b", DelayTo("10.0.1.5"), b.slot);
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ(*again, b);
  EXPECT_EQ(CountOf<U32HashTable>(after.AddSteps(*again)), 0u) << "a made the table";
}

TEST(HostHash, AHostMatchThatCannotBeCompiledIsReportedAsBefore) {
  InterfaceTree tree = Tree();
  FaultSpec mixed = DelayTo("10.0.0.5");
  mixed.match.src = Cidr("fd00::1");
  auto r = tree.PlanFault("m", mixed);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("different address families"), std::string::npos)
      << r.status().message();
  FaultSpec icmp_port = DelayTo("10.0.0.5");
  icmp_port.match.protocol = Protocol::kIcmp;
  icmp_port.match.dport = PortRange{80, 80};
  auto p = tree.PlanFault("p", icmp_port);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), StatusCode::kInvalidArgument);
}

// ---- capacity and overlaps at scale -------------------------------------------------

TEST(HostHash, TenThousandHostFaultsFitOneDevice) {
  InterfaceTree tree = Tree();
  for (int i = 0; i < kMaxFaultsPerDevice; ++i) {
    auto o = tree.PlanFault("f" + std::to_string(i), DelayTo(Host(i)));
    ASSERT_TRUE(o.ok()) << i << ": " << o.status().message();
    ASSERT_EQ(o->nodes.size(), 1u) << i;
    tree.Insert("f" + std::to_string(i), DelayTo(Host(i)), *o);
  }
  auto full = tree.PlanFault("one-more", DelayTo("192.168.0.1"));
  ASSERT_FALSE(full.ok());
  EXPECT_EQ(full.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(full.status().message().find("10000 faults"), std::string::npos)
      << full.status().message();
  // The largest ids still fit their spaces.
  const FaultObjects* last = tree.Find("f9999");
  ASSERT_NE(last, nullptr);
  EXPECT_EQ(last->slot, kMaxFaultsPerDevice);
  ASSERT_TRUE(last->leaf);
  EXPECT_LT(last->leaf->handle >> 16, kOwnedMajorFirst);
  // 10000 hosts of a /16 over 256 x 256 buckets: one node in each.
  EXPECT_EQ(last->nodes[0].handle & 0xFFF, 1u);

  // Overlaps are still found through the index: the same host, a CIDR
  // around some hosts, a source-only match.
  auto same = tree.PlanFault("x", DelayTo(Host(5000)));
  ASSERT_FALSE(same.ok());
  tree.Erase("f1");
  auto dup = tree.PlanFault("x", DelayTo(Host(5000)));
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(dup.status().message().find("fault f5000 "), std::string::npos)
      << dup.status().message();
  auto wide = tree.PlanFault("x", DelayTo("10.0.39.0/24"));
  ASSERT_FALSE(wide.ok());
  EXPECT_NE(wide.status().message().find("fault f9984 "), std::string::npos)
      << "the lowest id of those inside: " << wide.status().message();
  auto outside = tree.PlanFault("x", DelayTo("10.0.40.0/24"));
  EXPECT_TRUE(outside.ok()) << "no host inside: " << outside.status().message();
  FaultSpec by_port = DelayTo("");
  by_port.match.dport = PortRange{80, 80};
  auto port = tree.PlanFault("x", by_port);
  ASSERT_FALSE(port.ok()) << "every host fault takes port 80 too";
  EXPECT_NE(port.status().message().find("fault f0 "), std::string::npos)
      << port.status().message();
  auto freed = tree.PlanFault("x", DelayTo(Host(1)));
  EXPECT_TRUE(freed.ok()) << freed.status().message();
}

TEST(HostHash, HostFaultsTakeNoLinearClassifiers) {
  InterfaceTree tree = Tree();
  // Fill the classifier budget with dual-family linear faults...
  const size_t fit = (kMaxU32ClassifiersPerQdisc - 2 - 2) / 2;
  for (size_t i = 0; i < fit; ++i) {
    FaultSpec s = DelayTo("");
    s.match.dport = PortRange{static_cast<uint16_t>(1000 + i), static_cast<uint16_t>(1000 + i)};
    s.match.protocol = Protocol::kTcp;
    Add(tree, "l" + std::to_string(i), s);
  }
  // ... leaving room for the two host classifiers, which then hold any
  // number of host faults (udp: no overlap with the tcp ones).
  for (int i = 0; i < 300; ++i) {
    FaultSpec v4 = DelayTo(Host(i));
    v4.match.protocol = Protocol::kUdp;
    ASSERT_EQ(Add(tree, "h" + std::to_string(i), v4).nodes.size(), 1u);
  }
  FaultSpec v6 = DelayTo("fd00::1");
  v6.match.protocol = Protocol::kUdp;
  EXPECT_EQ(Add(tree, "v6-host", v6).nodes.size(), 1u);
  FaultSpec linear = DelayTo("");  // icmp, both families: two classifiers
  linear.match.protocol = Protocol::kIcmp;
  auto refused = tree.PlanFault("one-more-linear", linear);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kResourceExhausted);
}

// ---- the tc-readable description --------------------------------------------------

TEST(HostHash, DescribedAsTcCommands) {
  const PlanStepText table = DescribeTcObject(HostHashTable(IpFamily::kIpv4, kTreeRootHandle));
  EXPECT_EQ(table.parameters, "prio 65280 protocol ip divisor 256");
  EXPECT_EQ(table.handle, "4:");
  const PlanStepText link = DescribeTcObject(HostHashLink(IpFamily::kIpv6, kTreeRootHandle));
  EXPECT_EQ(link.parameters,
            "prio 65281 protocol ipv6 match u32 0 0 at 0 hashkey mask 0x000000ff at 36 link 6:");
  InterfaceTree tree = Tree();
  const FaultObjects o = Add(tree, "a", DelayTo("10.0.0.42"));
  const PlanStepText node = DescribeTcObject(o.nodes.at(0));
  EXPECT_EQ(node.parameters,
            "prio 65280 protocol ip ht 12a:0: match ip dst 10.0.0.42/32 flowid ca00:1");
  EXPECT_EQ(node.handle, "12a::1");
  const PlanStepText l2 = DescribeTcObject(HostLevel2Link(Cidr("10.0.0.42"), kTreeRootHandle));
  EXPECT_EQ(l2.handle, "4:2a:1");
  EXPECT_EQ(l2.parameters,
            "prio 65280 protocol ip ht 4:2a: match u32 0 0 at 0 hashkey mask 0x0000ff00 at 16 "
            "link 12a:");
  EXPECT_EQ(node.kind, "u32");
  EXPECT_EQ(node.parent, "ca00:");
}

}  // namespace
}  // namespace chaosnet::plan
