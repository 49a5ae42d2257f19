// Many faults per interface, through the manager: each targeted fault gets its
// own class, leaf and filters in the interface's tree; ending one takes only
// its objects; the tree goes with the last. Ingress faults bring an IFB device
// and a redirect that go with the last ingress fault. Namespaces that vanish
// and objects deleted by someone else end leases as LOST.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

#include "daemon/core/fault_manager.h"
#include "tests/core/fake_kernel.h"
#include "tests/core/test_callers.h"

namespace chaosnet::core {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

class FixedClock : public Clock {
 public:
  SteadyTime Now() const override { return steady; }
  WallTime WallNow() const override { return WallTime{std::chrono::seconds(1'800'000'000)}; }
  SteadyTime steady{std::chrono::hours(1)};
};

// Two namespaces: the daemon's own ("") and "blue", whose name can vanish.
class TwoNamespaces : public KernelProvider {
 public:
  Result<NamespaceKernel> Acquire(const std::string& netns) override {
    if (netns.empty()) return NamespaceKernel{&own, ""};
    if (netns != "blue" || !blue_named)
      return NotFound("network namespace " + netns + " not found");
    ++blue_users;
    return NamespaceKernel{&blue, "ns:blue"};
  }
  void Release(const std::string& key) override {
    if (key == "ns:blue") --blue_users;
  }
  bool StillNamed(const std::string& key) override { return key != "ns:blue" || blue_named; }

  testing::FakeKernel own, blue;
  bool blue_named = true;
  int blue_users = 0;
};

model::FaultSpec Spec(const std::string& iface) {
  model::FaultSpec spec;
  spec.interface = iface;
  spec.delay = model::DelayFault{100ms};
  return spec;
}
model::Cidr V4(uint8_t a, uint8_t b, uint8_t c, uint8_t d, uint8_t prefix) {
  return model::Cidr{2, {a, b, c, d}, prefix};
}

class CompositionTest : public ::testing::Test {
 protected:
  CompositionTest() {
    eth0 = kernels.own.AddInterface("eth0");
    veth = kernels.blue.AddInterface("veth0");
    caps.netem = caps.tbf = caps.htb = caps.u32 = caps.ifb = caps.mirred = true;
    manager = std::make_unique<FaultManager>(kernels, clock, caps, ManagerConfig{},
                                             [this] { return "f" + std::to_string(++ids); });
    manager->Subscribe([this](const FaultEvent& e) {
      events.push_back(std::string(EventTypeName(e.type)) + " " + e.fault.id);
    });
  }
  Result<CreateResult> Create(model::FaultSpec spec) {
    CreateRequest r;
    r.spec = std::move(spec);
    r.ttl = 60s;
    return manager->Create(r);
  }
  model::FaultSpec To(const model::Cidr& dst) {
    auto spec = Spec("eth0");
    spec.match.dst = dst;
    return spec;
  }

  TwoNamespaces kernels;
  FixedClock clock;
  kernel::Capabilities caps;
  int ids = 0, eth0 = 0, veth = 0;
  std::unique_ptr<FaultManager> manager;
  std::vector<std::string> events;
};

TEST_F(CompositionTest, TargetedFaultsShareOneTreeAndEndIndependently) {
  auto a = Create(To(V4(10, 0, 0, 1, 32)));
  ASSERT_TRUE(a.ok()) << a.status().message();
  auto& iface = kernels.own.iface(eth0);
  EXPECT_TRUE(kernels.own.HasOwnedQdisc(eth0));
  EXPECT_EQ(iface.classes.size(), 1u);
  const size_t filters_with_one = iface.filters.size();
  // Host faults: a node each in the shared host table (plan/host_hash.h).
  EXPECT_EQ(iface.nodes.size(), 1u);
  EXPECT_EQ(iface.hash_tables.size(), 2u) << "level 1 and the level 2 of .1";
  EXPECT_EQ(iface.links.size(), 2u);

  auto b = Create(To(V4(10, 0, 0, 2, 32)));
  ASSERT_TRUE(b.ok()) << b.status().message();
  EXPECT_EQ(iface.classes.size(), 2u);
  EXPECT_EQ(iface.leaves.size(), 2u);
  EXPECT_EQ(iface.nodes.size(), 2u);
  EXPECT_EQ(iface.filters.size(), filters_with_one) << "no classifier of its own";
  EXPECT_NE(a->fault.site.placements[0].objects.cls.classid,
            b->fault.site.placements[0].objects.cls.classid);
  // The second create added only its own objects, not a second root.
  for (const auto& added : b->fault.site.added) {
    if (const auto* q = std::get_if<plan::TreeQdisc>(&added.object)) {
      EXPECT_NE(q->parent, plan::kRootParent) << "second fault re-created the root";
    }
  }

  ASSERT_TRUE(manager->Revoke("f1", testing::Root()).ok());
  EXPECT_EQ(iface.classes.size(), 1u);
  EXPECT_EQ(iface.nodes.size(), 1u);
  EXPECT_EQ(iface.hash_tables.size(), 3u) << "the tables stay until the root goes";
  EXPECT_TRUE(kernels.own.HasOwnedQdisc(eth0));
  EXPECT_TRUE(manager->Get("f2")->active());

  ASSERT_TRUE(manager->Revoke("f2", testing::Root()).ok());
  EXPECT_FALSE(kernels.own.HasOwnedQdisc(eth0));
  EXPECT_TRUE(iface.classes.empty());
  EXPECT_TRUE(iface.filters.empty());
  EXPECT_TRUE(iface.nodes.empty());
}

TEST_F(CompositionTest, DriftOnAHostNodeEndsItsFaultAndOnTheSharedClassifierEveryHostFault) {
  auto a = Create(To(V4(10, 0, 0, 1, 32)));
  auto b = Create(To(V4(10, 0, 0, 2, 32)));
  auto c = Create(To(V4(10, 0, 0, 3, 32)));
  auto linear = Create(To(V4(10, 0, 1, 0, 24)));
  ASSERT_TRUE(a.ok() && b.ok() && c.ok() && linear.ok());
  const uint32_t a_node = a->fault.site.placements[0].objects.nodes.at(0).handle;
  auto lost = manager->EndFaultsFilteredBy("", eth0, plan::kHostHashPriority, a_node, "gone");
  ASSERT_EQ(lost.size(), 1u);
  EXPECT_EQ(lost[0].id, a->fault.id);
  EXPECT_TRUE(manager->Get(b->fault.id)->active());
  // Anything else at that priority (the link, the table, the whole
  // priority): every host fault of the family, not the linear one.
  lost = manager->EndFaultsFilteredBy("", eth0, plan::kHostHashPriority, 0x80000800, "gone");
  EXPECT_EQ(lost.size(), 2u);
  EXPECT_TRUE(manager->Get(linear->fault.id)->active());
}

TEST_F(CompositionTest, LinearFaultsHaveAClassifierEach) {
  ASSERT_TRUE(Create(To(V4(10, 0, 0, 0, 24))).ok());
  auto& iface = kernels.own.iface(eth0);
  const size_t filters_with_one = iface.filters.size();
  ASSERT_TRUE(Create(To(V4(10, 0, 1, 0, 24))).ok());
  EXPECT_EQ(iface.filters.size(), filters_with_one + 1);
  EXPECT_TRUE(iface.nodes.empty());
}

TEST_F(CompositionTest, OverlappingTargetsAreRefusedNamingTheOtherFault) {
  ASSERT_TRUE(Create(To(V4(10, 0, 0, 0, 24))).ok());
  const int applies = kernels.own.apply_calls;
  auto overlap = Create(To(V4(10, 0, 0, 7, 32)));
  ASSERT_FALSE(overlap.ok());
  EXPECT_EQ(overlap.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(overlap.status().message(), HasSubstr("f1"));
  EXPECT_EQ(kernels.own.apply_calls, applies);  // refused before the kernel
  EXPECT_TRUE(Create(To(V4(10, 0, 1, 7, 32))).ok());
}

TEST_F(CompositionTest, WholeInterfaceFaultCoexistsWithTargetedOnesButNotWithAnother) {
  ASSERT_TRUE(Create(Spec("eth0")).ok());
  ASSERT_TRUE(Create(To(V4(10, 0, 0, 1, 32))).ok());
  auto second_whole = Create(Spec("eth0"));
  ASSERT_FALSE(second_whole.ok());
  EXPECT_EQ(second_whole.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(second_whole.status().message(), HasSubstr("f1"));
}

TEST_F(CompositionTest, IngressFaultBringsAnIfbThatGoesWithTheLastIngressFault) {
  auto spec = To(V4(10, 0, 0, 1, 32));
  spec.direction = model::Direction::kIngress;
  auto a = Create(spec);
  ASSERT_TRUE(a.ok()) << a.status().message();
  ASSERT_TRUE(kernels.own.HasInterface(IfbNameFor(eth0)));
  EXPECT_TRUE(kernels.own.iface(eth0).ingress);
  EXPECT_FALSE(kernels.own.HasOwnedQdisc(eth0));  // nothing on the egress side
  const int ifb = *kernels.own.InterfaceIndex(IfbNameFor(eth0));
  EXPECT_TRUE(kernels.own.HasOwnedQdisc(ifb));

  spec.match.dst = V4(10, 0, 0, 2, 32);
  spec.direction = model::Direction::kBoth;
  ASSERT_TRUE(Create(spec).ok());
  EXPECT_TRUE(kernels.own.HasOwnedQdisc(eth0));
  EXPECT_EQ(kernels.own.iface(ifb).classes.size(), 2u);

  ASSERT_TRUE(manager->Revoke("f1", testing::Root()).ok());
  EXPECT_TRUE(kernels.own.HasInterface(IfbNameFor(eth0)));  // f2 still uses it
  ASSERT_TRUE(manager->Revoke("f2", testing::Root()).ok());
  EXPECT_FALSE(kernels.own.HasInterface(IfbNameFor(eth0)));
  EXPECT_FALSE(kernels.own.iface(eth0).ingress);
  EXPECT_FALSE(kernels.own.HasOwnedQdisc(eth0));
}

TEST_F(CompositionTest, ForeignIngressQdiscIsRefused) {
  kernels.own.iface(eth0).ingress = true;
  auto spec = Spec("eth0");
  spec.direction = model::Direction::kIngress;
  auto r = Create(spec);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(r.status().message(), HasSubstr("did not create"));
  EXPECT_FALSE(kernels.own.HasInterface(IfbNameFor(eth0)));
}

TEST_F(CompositionTest, FailedIngressSideTakesBackTheEgressSide) {
  auto spec = Spec("eth0");
  spec.direction = model::Direction::kBoth;
  kernels.own.CreateIfb(IfbNameFor(eth0));  // a leftover IFB: the ingress side fails
  auto r = Create(spec);
  ASSERT_FALSE(r.ok());
  EXPECT_FALSE(kernels.own.HasOwnedQdisc(eth0));
  EXPECT_EQ(manager->active_count(), 0u);
}

TEST_F(CompositionTest, FaultInAnotherNamespaceAndItsVanishing) {
  auto spec = Spec("veth0");
  spec.netns = "blue";
  auto r = Create(spec);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_TRUE(kernels.blue.HasOwnedQdisc(veth));
  EXPECT_FALSE(kernels.own.HasOwnedQdisc(eth0));
  EXPECT_EQ(kernels.blue_users, 1);

  EXPECT_TRUE(manager->EndFaultsInVanishedNamespaces().empty());
  kernels.blue_named = false;
  auto lost = manager->EndFaultsInVanishedNamespaces();
  ASSERT_EQ(lost.size(), 1u);
  EXPECT_EQ(lost[0].state, FaultState::kLost);
  EXPECT_THAT(lost[0].state_reason, HasSubstr("blue is gone"));
  EXPECT_EQ(kernels.blue_users, 0);  // the namespace is let go
  EXPECT_EQ(events.back(), "LOST f1");
}

TEST_F(CompositionTest, UnknownNamespaceOrInterfaceInItIsNotFound) {
  auto spec = Spec("veth0");
  spec.netns = "green";
  EXPECT_EQ(Create(spec).status().code(), StatusCode::kNotFound);
  spec.netns = "blue";
  spec.interface = "eth9";
  auto r = Create(spec);
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(r.status().message(), HasSubstr("in network namespace blue"));
  EXPECT_EQ(kernels.blue_users, 0);
}

TEST_F(CompositionTest, DriftEndsOnlyTheFaultsThatLostSomething) {
  ASSERT_TRUE(Create(To(V4(10, 0, 0, 1, 32))).ok());
  auto b = Create(To(V4(10, 0, 0, 2, 32)));
  ASSERT_TRUE(b.ok());
  const uint32_t b_class = b->fault.site.placements[0].objects.cls.classid;
  auto lost = manager->EndFaultsOwning("", eth0, b_class, "its class was deleted");
  ASSERT_EQ(lost.size(), 1u);
  EXPECT_EQ(lost[0].id, "f2");
  EXPECT_EQ(lost[0].state, FaultState::kLost);
  EXPECT_TRUE(manager->Get("f1")->active());

  ASSERT_TRUE(Create(To(V4(10, 0, 0, 3, 32))).ok());
  lost = manager->EndFaultsOwning("", eth0, plan::kTreeRootHandle, "root deleted");
  EXPECT_EQ(lost.size(), 2u);  // the root takes every fault of the device
  EXPECT_EQ(manager->active_count(), 0u);
}

TEST_F(CompositionTest, InterfaceDeletedEndsItsFaultsAsLost) {
  ASSERT_TRUE(Create(To(V4(10, 0, 0, 1, 32))).ok());
  kernels.own.RemoveInterface("eth0");
  auto lost = manager->EndFaultsOnDevice("", eth0, "interface eth0 was deleted");
  ASSERT_EQ(lost.size(), 1u);
  EXPECT_EQ(lost[0].state, FaultState::kLost);
  EXPECT_EQ(lost[0].state_reason, "interface eth0 was deleted");
}

TEST_F(CompositionTest, CountersAreTheFaultsClass) {
  auto a = Create(To(V4(10, 0, 0, 1, 32)));
  ASSERT_TRUE(a.ok());
  kernels.own.iface(eth0).counters = kernel::Counters{42, 4200, 3, 0, 1, 100};
  auto got = manager->Get("f1");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->counters.packets, 42u);
  EXPECT_EQ(got->counters.bytes, 4200u);
  EXPECT_EQ(got->counters.drops, 3u);  // the class's, which include its leaf's once
}

}  // namespace
}  // namespace chaosnet::core
