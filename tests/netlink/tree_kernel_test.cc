// NetlinkKernel's fault-tree methods (AddObjects, RemoveObjects,
// ClassCounters, GetIngressQdisc) against the real kernel, inside two
// throwaway namespaces joined by a veth pair (cnv0 10.77.0.1 in A; cnv1 in B
// with 10.77.0.2 and 10.77.0.3). The test thread enters A. What we created is
// read back with tc (an independent reader) and exercised with ping. Needs
// root; skips otherwise. The netem-leaf test runs where netem exists (the
// guest) and its counterpart checks the rollback where it does not (host).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "daemon/netlink/netlink_kernel.h"
#include "tests/netlink/kernel_in_netns_test.h"
#include "tests/support/kernel_features.h"
#include "tests/support/run_command.h"
#include "tests/support/test_netns.h"

namespace chaosnet::netlink {
namespace {

using namespace std::chrono_literals;
using chaosnet::testing::KernelHasQdisc;
using chaosnet::testing::MissingQdiscSkipMessage;

constexpr uint32_t kClass1 = 0xCA000001;
constexpr uint32_t kClass2 = 0xCA000002;
constexpr uint32_t kPeerIp = 0x0A4D0002;   // 10.77.0.2
constexpr uint32_t kOtherIp = 0x0A4D0003;  // 10.77.0.3

plan::TcObject Class(uint32_t classid) {
  // 1 Gbit/s: shapes nothing a ping does.
  return plan::HtbClass{classid, kCa00, 125'000'000, 125'000'000, 200'000, 200'000, 60'000};
}

plan::TcObject DstFilter(uint16_t prio, uint32_t dst, uint32_t flowid, uint32_t parent = kCa00) {
  plan::U32Classifier f{parent, prio, plan::FilterProtocol::kIp, flowid, {}};
  f.rules.push_back(plan::U32Rule{{plan::U32Key{dst, 0xFFFFFFFF, 16}}});
  return f;
}

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

class TreeKernelTest : public KernelInNetnsTest {
 protected:
  void SetUp() override {
    KernelInNetnsTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    int rc = 0;
    const std::string out = b_->Exec("ip addr add 10.77.0.3/24 dev cnv1", &rc);
    ASSERT_EQ(rc, 0) << out;
  }

  std::string InA(const std::string& command) const { return a_->Exec(command); }

  // Pings from A; true when every echo came back.
  bool PingFromA(const std::string& ip, int count = 3) const {
    int rc = 0;
    a_->Exec("ping -n -q -c " + std::to_string(count) + " -i 0.2 -W 2 " + ip, &rc);
    return rc == 0;
  }

  // An IFB device in A, up. (The test makes it with ip(8): creating links is
  // another component's job and is tested there.)
  int AddIfb(const std::string& name) {
    int rc = 0;
    const std::string out =
        a_->Exec("ip link add " + name + " type ifb && ip link set " + name + " up", &rc);
    EXPECT_EQ(rc, 0) << out;
    auto idx = kernel_->InterfaceIndex(name);
    EXPECT_TRUE(idx.ok()) << idx.status().message();
    return idx.ok() ? *idx : 0;
  }

  std::vector<plan::TcObject> TwoClassTree() const {
    return {HtbRoot(), Class(kClass1), Class(kClass2), DstFilter(1000, kPeerIp, kClass1),
            DstFilter(1002, kOtherIp, kClass2)};
  }
};

TEST_F(TreeKernelTest, AddObjectsBuildsTheTreeAsTcSeesIt) {
  Status s = kernel_->AddObjects(ifindex_, TwoClassTree());
  ASSERT_TRUE(s.ok()) << s.message();

  const std::string qdiscs = InA("tc -j qdisc show dev cnv0");
  EXPECT_TRUE(Contains(qdiscs, R"({"kind":"htb","handle":"ca00:","root":true)")) << qdiscs;
  EXPECT_TRUE(Contains(qdiscs, R"("default":"0")")) << qdiscs;

  // tc 6.1 prints htb classes as text even with -j.
  const std::string classes = InA("tc class show dev cnv0");
  EXPECT_TRUE(Contains(classes, "class htb ca00:1 root prio 0 rate 1Gbit ceil 1Gbit")) << classes;
  EXPECT_TRUE(Contains(classes, "class htb ca00:2 root prio 0 rate 1Gbit ceil 1Gbit")) << classes;

  const std::string filters = InA("tc -j filter show dev cnv0");
  EXPECT_TRUE(Contains(filters, R"("pref":1000,"kind":"u32")")) << filters;
  EXPECT_TRUE(Contains(
      filters,
      R"("flowid":"ca00:1","not_in_hw":true,"match":{"value":"a4d0002","mask":"ffffffff","offmask":"","off":16})"))
      << filters;
  EXPECT_TRUE(Contains(
      filters,
      R"("flowid":"ca00:2","not_in_hw":true,"match":{"value":"a4d0003","mask":"ffffffff","offmask":"","off":16})"))
      << filters;

  // Our own reader agrees on what the classes are.
  auto dumped = kernel_->DumpClasses(ifindex_);
  ASSERT_TRUE(dumped.ok()) << dumped.status().message();
  ASSERT_EQ(dumped->size(), 2u);
  for (const auto& c : *dumped) {
    EXPECT_EQ(c.kind, "htb");
    // The kernel reports a class directly under the qdisc with parent
    // TC_H_ROOT (tc prints "root"), not the qdisc's handle we created it at.
    EXPECT_EQ(c.parent, plan::kRootParent);
    ASSERT_TRUE(c.htb.has_value());
    EXPECT_EQ(c.htb->rate_bytes_per_second, 125'000'000u);
    EXPECT_EQ(c.htb->quantum_bytes, 60'000u);
  }
}

TEST_F(TreeKernelTest, ClassCountersCountOnlyTheFilteredDestination) {
  ASSERT_TRUE(kernel_->AddObjects(ifindex_, TwoClassTree()).ok());
  auto before = kernel_->ClassCounters(ifindex_, {kClass1, kClass2});
  ASSERT_TRUE(before.ok()) << before.status().message();

  ASSERT_TRUE(PingFromA("10.77.0.2", 5)) << "ping through the tree failed";

  auto after = kernel_->ClassCounters(ifindex_, {kClass1, kClass2});
  ASSERT_TRUE(after.ok()) << after.status().message();
  EXPECT_GE((*after)[0].packets, (*before)[0].packets + 5) << "echo requests to .2 go via ca00:1";
  EXPECT_GE((*after)[0].bytes, (*before)[0].bytes + 5 * 84);
  EXPECT_EQ((*after)[1].packets, (*before)[1].packets) << "nothing was sent to .3";

  // The independent reader sees the same count for ca00:1.
  const std::string stats = InA("tc -s class show dev cnv0 classid ca00:1");
  EXPECT_TRUE(Contains(stats, " " + std::to_string((*after)[0].packets) + " pkt")) << stats;

  ASSERT_TRUE(PingFromA("10.77.0.3", 2));
  auto third = kernel_->ClassCounters(ifindex_, {kClass2});
  ASSERT_TRUE(third.ok());
  EXPECT_GE((*third)[0].packets, 2u);
}

TEST_F(TreeKernelTest, ClassCountersOfAMissingClassIsNotFound) {
  ASSERT_TRUE(kernel_->AddObjects(ifindex_, {HtbRoot(), Class(kClass1)}).ok());
  auto c = kernel_->ClassCounters(ifindex_, {kClass1, 0xCA000009});
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(Contains(c.status().message(), "ca00:9")) << c.status().message();
}

TEST_F(TreeKernelTest, RemovingFilterAndClassLeavesTheRoot) {
  ASSERT_TRUE(kernel_->AddObjects(ifindex_, TwoClassTree()).ok());
  Status s = kernel_->RemoveObjects(ifindex_, {DstFilter(1000, kPeerIp, kClass1), Class(kClass1)});
  ASSERT_TRUE(s.ok()) << s.message();

  const std::string classes = InA("tc class show dev cnv0");
  EXPECT_FALSE(Contains(classes, "ca00:1 ")) << classes;
  EXPECT_TRUE(Contains(classes, "ca00:2 ")) << classes;
  const std::string filters = InA("tc -j filter show dev cnv0");
  EXPECT_FALSE(Contains(filters, R"("pref":1000)")) << filters;
  EXPECT_TRUE(Contains(filters, R"("pref":1002)")) << filters;
  auto root = kernel_->GetRootQdisc(ifindex_);
  ASSERT_TRUE(root.ok());
  EXPECT_EQ(root->kind, "htb");
  EXPECT_EQ(root->handle, kCa00);

  // Traffic to .2 now goes direct and still flows.
  EXPECT_TRUE(PingFromA("10.77.0.2", 1));
}

TEST_F(TreeKernelTest, RemovingWhatIsAlreadyGoneIsNotFoundAndRemovesTheRest) {
  ASSERT_TRUE(kernel_->AddObjects(ifindex_, TwoClassTree()).ok());
  ASSERT_TRUE(
      kernel_->RemoveObjects(ifindex_, {DstFilter(1000, kPeerIp, kClass1), Class(kClass1)}).ok());

  // Gone filter prio (ENOENT) and gone class (ENOENT) next to live ones.
  Status s = kernel_->RemoveObjects(
      ifindex_, {DstFilter(1000, kPeerIp, kClass1), DstFilter(1002, kOtherIp, kClass2),
                 Class(kClass1), Class(kClass2)});
  EXPECT_EQ(s.code(), StatusCode::kNotFound) << s.message();
  EXPECT_TRUE(Contains(s.message(), "u32 filter prio 1000")) << s.message();
  EXPECT_TRUE(Contains(s.message(), "htb class ca00:1")) << s.message();
  EXPECT_FALSE(Contains(s.message(), "prio 1002")) << s.message();
  EXPECT_EQ(InA("tc class show dev cnv0"), "");
  EXPECT_FALSE(Contains(InA("tc -j filter show dev cnv0"), "u32"));

  // With the root gone too: a filter on a missing parent (EINVAL "Parent
  // Qdisc doesn't exists."), a class and the root itself are all "gone".
  ASSERT_TRUE(kernel_->RemoveObjects(ifindex_, {HtbRoot()}).ok());
  s = kernel_->RemoveObjects(ifindex_,
                             {DstFilter(1002, kOtherIp, kClass2), Class(kClass2), HtbRoot()});
  EXPECT_EQ(s.code(), StatusCode::kNotFound) << s.message();
}

TEST_F(TreeKernelTest, FailedAddLeavesNothingBehind) {
  // The last filter hangs off a qdisc that does not exist.
  std::vector<plan::TcObject> objects = TwoClassTree();
  objects.push_back(DstFilter(1004, kPeerIp, kClass1, 0xCB000000));
  Status s = kernel_->AddObjects(ifindex_, objects);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.message();
  EXPECT_TRUE(Contains(s.message(), "adding u32 filter prio 1004 protocol ip on cb00:"))
      << s.message();
  EXPECT_TRUE(Contains(s.message(), "Parent Qdisc doesn't exist"))
      << "kernel's words kept: " << s.message();
  EXPECT_FALSE(Contains(s.message(), "undoing")) << s.message();

  auto root = kernel_->GetRootQdisc(ifindex_);
  ASSERT_TRUE(root.ok());
  EXPECT_TRUE(root->is_default) << root->kind;
  EXPECT_EQ(InA("tc class show dev cnv0"), "");
  EXPECT_EQ(InA("tc filter show dev cnv0"), "");
}

TEST_F(TreeKernelTest, DuplicateClassFailsAsAlreadyExistsAndRollsBack) {
  Status s = kernel_->AddObjects(
      ifindex_, {HtbRoot(), Class(kClass1), DstFilter(1000, kPeerIp, kClass1), Class(kClass1)});
  EXPECT_EQ(s.code(), StatusCode::kAlreadyExists) << s.message();
  EXPECT_TRUE(Contains(s.message(), "htb class ca00:1")) << s.message();
  EXPECT_FALSE(Contains(InA("tc qdisc show dev cnv0"), "ca00:"));
}

TEST_F(TreeKernelTest, AddingOntoAnExistingTreeRollsBackOnlyWhatThisCallMade) {
  ASSERT_TRUE(kernel_->AddObjects(ifindex_, {HtbRoot(), Class(kClass1)}).ok());
  // Second call: a new class and filter, then a class that already exists.
  Status s = kernel_->AddObjects(
      ifindex_, {Class(kClass2), DstFilter(1002, kOtherIp, kClass2), Class(kClass1)});
  EXPECT_EQ(s.code(), StatusCode::kAlreadyExists) << s.message();
  const std::string classes = InA("tc class show dev cnv0");
  EXPECT_TRUE(Contains(classes, "ca00:1 ")) << classes;
  EXPECT_FALSE(Contains(classes, "ca00:2 ")) << classes;
  EXPECT_EQ(InA("tc filter show dev cnv0"), "");
}

TEST_F(TreeKernelTest, ClassifierWithSeveralRulesIsOnePriority) {
  plan::U32Classifier f{kCa00, 1000, plan::FilterProtocol::kIp, kClass1, {}};
  f.rules.push_back(plan::U32Rule{{plan::U32Key{kPeerIp, 0xFFFFFFFF, 16}}});
  f.rules.push_back(plan::U32Rule{{plan::U32Key{kOtherIp, 0xFFFFFFFF, 16}}});
  ASSERT_TRUE(kernel_->AddObjects(ifindex_, {HtbRoot(), Class(kClass1), f}).ok());
  const std::string filters = InA("tc -j filter show dev cnv0");
  EXPECT_TRUE(Contains(filters, R"("value":"a4d0002")")) << filters;
  EXPECT_TRUE(Contains(filters, R"("value":"a4d0003")")) << filters;

  ASSERT_TRUE(PingFromA("10.77.0.2", 2));
  ASSERT_TRUE(PingFromA("10.77.0.3", 2));
  auto c = kernel_->ClassCounters(ifindex_, {kClass1});
  ASSERT_TRUE(c.ok());
  EXPECT_GE((*c)[0].packets, 4u) << "both rules lead to ca00:1";

  // One delete of the priority takes both nodes.
  ASSERT_TRUE(kernel_->RemoveObjects(ifindex_, {f}).ok());
  EXPECT_FALSE(Contains(InA("tc -j filter show dev cnv0"), "u32"));
}

TEST_F(TreeKernelTest, ClassifierFailingAtALaterRuleTakesItsEarlierRulesAlong) {
  plan::U32Classifier f{kCa00, 1000, plan::FilterProtocol::kIp, kClass1, {}};
  f.rules.push_back(plan::U32Rule{{plan::U32Key{kPeerIp, 0xFFFFFFFF, 16}}});
  // More keys than one node holds: refused after the first rule went in.
  f.rules.push_back(
      plan::U32Rule{std::vector<plan::U32Key>(200, plan::U32Key{kOtherIp, 0xFFFFFFFF, 16})});
  ASSERT_TRUE(kernel_->AddObjects(ifindex_, {HtbRoot(), Class(kClass1)}).ok());
  Status s = kernel_->AddObjects(ifindex_, {f});
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.message();
  EXPECT_TRUE(Contains(s.message(), "u32 filter prio 1000")) << s.message();
  EXPECT_EQ(InA("tc filter show dev cnv0"), "") << "the first rule's node is gone again";
  EXPECT_TRUE(Contains(InA("tc class show dev cnv0"), "ca00:1 ")) << "earlier calls' objects stay";
}

TEST_F(TreeKernelTest, IngressQdiscIsFoundAndRemoved) {
  auto none = kernel_->GetIngressQdisc(ifindex_);
  ASSERT_TRUE(none.ok()) << none.status().message();
  EXPECT_FALSE(none->has_value());

  const plan::TcObject ingress =
      plan::TreeQdisc{plan::kIngressHandle, plan::kIngressParent, plan::IngressQdisc{}};
  ASSERT_TRUE(kernel_->AddObjects(ifindex_, {ingress}).ok());
  auto found = kernel_->GetIngressQdisc(ifindex_);
  ASSERT_TRUE(found.ok());
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->kind, "ingress");
  EXPECT_EQ((*found)->handle, plan::kIngressHandle);

  ASSERT_TRUE(kernel_->RemoveObjects(ifindex_, {ingress}).ok());
  EXPECT_FALSE(kernel_->GetIngressQdisc(ifindex_)->has_value());
  EXPECT_EQ(kernel_->RemoveObjects(ifindex_, {ingress}).code(), StatusCode::kNotFound);

  // Someone else's clsact counts as the ingress side too.
  int rc = 0;
  InA("tc qdisc add dev cnv0 clsact");
  a_->Exec("tc qdisc show dev cnv0 | grep -q clsact", &rc);
  ASSERT_EQ(rc, 0);
  found = kernel_->GetIngressQdisc(ifindex_);
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->kind, "clsact");
}

TEST_F(TreeKernelTest, IngressRedirectSendsArrivingTrafficThroughTheIfbTree) {
  const int ifb = AddIfb("cnifb0");
  ASSERT_GT(ifb, 0);
  ASSERT_TRUE(kernel_->AddObjects(ifb, {HtbRoot()}).ok());

  plan::RedirectFilter redirect;
  redirect.to_device = "cnifb0";
  redirect.to_ifindex = ifb;
  const std::vector<plan::TcObject> ingress_side = {
      plan::TreeQdisc{plan::kIngressHandle, plan::kIngressParent, plan::IngressQdisc{}}, redirect};
  Status s = kernel_->AddObjects(ifindex_, ingress_side);
  ASSERT_TRUE(s.ok()) << s.message();

  const std::string filters = InA("tc -j filter show dev cnv0 ingress");
  EXPECT_TRUE(Contains(filters, R"("protocol":"all","pref":1,"kind":"u32")")) << filters;
  EXPECT_TRUE(Contains(
      filters,
      R"("kind":"mirred","mirred_action":"redirect","direction":"egress","to_dev":"cnifb0","control_action":{"type":"stolen"})"))
      << filters;
  EXPECT_TRUE(Contains(filters, R"("cookie":"6368616f736e6574")"))
      << "hex of \"chaosnet\": " << filters;

  auto before = kernel_->QdiscCounters(ifb, kCa00);
  ASSERT_TRUE(before.ok()) << before.status().message();
  // The echo replies arrive on cnv0 and take the detour through cnifb0.
  ASSERT_TRUE(PingFromA("10.77.0.2", 4)) << "redirected traffic must still be delivered";
  auto after = kernel_->QdiscCounters(ifb, kCa00);
  ASSERT_TRUE(after.ok());
  EXPECT_GE(after->packets, before->packets + 4);

  ASSERT_TRUE(kernel_->RemoveObjects(ifindex_, {ingress_side[1], ingress_side[0]}).ok());
  EXPECT_FALSE(kernel_->GetIngressQdisc(ifindex_)->has_value());
  EXPECT_EQ(InA("tc filter show dev cnv0 ingress"), "");
  // Gone filter and gone ingress qdisc: both "already gone".
  EXPECT_EQ(kernel_->RemoveObjects(ifindex_, {ingress_side[1], ingress_side[0]}).code(),
            StatusCode::kNotFound);
}

TEST_F(TreeKernelTest, RedirectWithoutTargetIfindexIsRefusedAndRolledBack) {
  plan::RedirectFilter redirect;
  redirect.to_device = "cnifb-missing";
  Status s = kernel_->AddObjects(
      ifindex_, {plan::TreeQdisc{plan::kIngressHandle, plan::kIngressParent, plan::IngressQdisc{}},
                 redirect});
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.message();
  EXPECT_TRUE(Contains(s.message(), "redirect filter prio 1 on ffff: (to cnifb-missing)"))
      << s.message();
  auto ingress = kernel_->GetIngressQdisc(ifindex_);
  ASSERT_TRUE(ingress.ok());
  EXPECT_FALSE(ingress->has_value()) << "the ingress qdisc this call made is gone again";
}

plan::TcObject NetemLeaf() {
  plan::NetemQdisc netem;
  netem.latency = 30ms;
  return plan::TreeQdisc{0x10010000, kClass1, netem};
}

TEST_F(TreeKernelTest, NetemLeafDelaysOnlyItsClass) {
  if (!KernelHasQdisc("netem")) GTEST_SKIP() << MissingQdiscSkipMessage("netem");
  Status s = kernel_->AddObjects(
      ifindex_, {HtbRoot(), Class(kClass1), NetemLeaf(), DstFilter(1000, kPeerIp, kClass1)});
  ASSERT_TRUE(s.ok()) << s.message();
  const std::string qdiscs = InA("tc -j qdisc show dev cnv0");
  EXPECT_TRUE(Contains(qdiscs, R"({"kind":"netem","handle":"1001:","parent":"ca00:1")")) << qdiscs;

  auto dumped = kernel_->DumpClasses(ifindex_);
  ASSERT_TRUE(dumped.ok());
  ASSERT_EQ(dumped->size(), 1u);
  EXPECT_EQ(dumped->front().leaf_handle, 0x10010000u);

  const std::string slow = InA("ping -n -c 3 -i 0.2 10.77.0.2 | tail -1");
  const std::string fast = InA("ping -n -c 3 -i 0.2 10.77.0.3 | tail -1");
  // "rtt min/avg/max/mdev = 30.1/30.3/..." against about a millisecond.
  auto min_rtt = [](const std::string& line) {
    const auto eq = line.find("= ");
    return eq == std::string::npos ? -1.0 : std::stod(line.substr(eq + 2));
  };
  EXPECT_GE(min_rtt(slow), 30.0) << slow;
  EXPECT_LT(min_rtt(fast), 30.0) << fast;

  // Deleting the class takes its leaf with it (after its filter).
  ASSERT_TRUE(
      kernel_->RemoveObjects(ifindex_, {DstFilter(1000, kPeerIp, kClass1), Class(kClass1)}).ok());
  EXPECT_FALSE(Contains(InA("tc qdisc show dev cnv0"), "netem"));
}

TEST_F(TreeKernelTest, MissingNetemFailsCleanlyAndRollsBackTheTree) {
  if (KernelHasQdisc("netem"))
    GTEST_SKIP() << "this kernel has netem; NetemLeafDelaysOnlyItsClass covers it";
  Status s = kernel_->AddObjects(
      ifindex_, {HtbRoot(), Class(kClass1), DstFilter(1000, kPeerIp, kClass1), NetemLeaf()});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition) << s.message();
  EXPECT_TRUE(Contains(s.message(), "adding netem qdisc 1001: under ca00:1")) << s.message();
  EXPECT_TRUE(Contains(s.message(), "sch_netem")) << s.message();
  auto root = kernel_->GetRootQdisc(ifindex_);
  ASSERT_TRUE(root.ok());
  EXPECT_TRUE(root->is_default) << root->kind;
  EXPECT_EQ(InA("tc filter show dev cnv0"), "");
}

// programs: a step changes a class and a leaf in place. What proves "in
// place": the kernel's counters, which a delete + add would start again at 0.
TEST_F(TreeKernelTest, ChangeObjectsChangesAClassRateInPlaceKeepingItsCounters) {
  ASSERT_TRUE(kernel_->AddObjects(ifindex_, TwoClassTree()).ok());
  ASSERT_TRUE(PingFromA("10.77.0.2"));
  auto before = kernel_->ClassCounters(ifindex_, {kClass1});
  ASSERT_TRUE(before.ok()) << before.status().message();
  ASSERT_GE(before->front().packets, 3u);

  plan::HtbClass slower = std::get<plan::HtbClass>(Class(kClass1));
  slower.rate_bytes_per_second = slower.ceil_bytes_per_second = 125'000;  // 1 Mbit/s
  Status s = kernel_->ChangeObjects(ifindex_, {slower});
  ASSERT_TRUE(s.ok()) << s.message();

  const std::string classes = InA("tc class show dev cnv0");
  EXPECT_TRUE(Contains(classes, "class htb ca00:1 root prio 0 rate 1Mbit ceil 1Mbit")) << classes;
  EXPECT_TRUE(Contains(classes, "class htb ca00:2 root prio 0 rate 1Gbit ceil 1Gbit")) << classes;
  auto after = kernel_->ClassCounters(ifindex_, {kClass1});
  ASSERT_TRUE(after.ok());
  EXPECT_GE(after->front().packets, before->front().packets) << "the class was re-created";
  EXPECT_TRUE(PingFromA("10.77.0.2"));
}

TEST_F(TreeKernelTest, ChangingWhatIsNotThereIsNotFoundAndOtherKindsAreRefused) {
  ASSERT_TRUE(kernel_->AddObjects(ifindex_, {HtbRoot(), Class(kClass1)}).ok());
  Status s = kernel_->ChangeObjects(ifindex_, {Class(kClass2)});
  EXPECT_EQ(s.code(), StatusCode::kNotFound) << s.message();
  EXPECT_TRUE(Contains(s.message(), "ca00:2")) << s.message();
  s = kernel_->ChangeObjects(ifindex_, {DstFilter(1000, kPeerIp, kClass1)});
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.message();
  // Nothing was added by either.
  EXPECT_EQ(InA("tc filter show dev cnv0"), "");
  EXPECT_FALSE(Contains(InA("tc class show dev cnv0"), "ca00:2"));
}

TEST_F(TreeKernelTest, NetemLeafChangesInPlaceToTheCompleteParameterSet) {
  if (!KernelHasQdisc("netem")) GTEST_SKIP() << MissingQdiscSkipMessage("netem");
  plan::TreeQdisc leaf = std::get<plan::TreeQdisc>(NetemLeaf());
  auto& netem = std::get<plan::NetemQdisc>(leaf.params);
  netem.limit = 1000;
  netem.corrupt = 5;
  netem.duplicate = 1;
  netem.duplicate_correlation = 10;
  ASSERT_TRUE(kernel_
                  ->AddObjects(ifindex_,
                               {HtbRoot(), Class(kClass1), leaf, DstFilter(1000, kPeerIp, kClass1)})
                  .ok());
  ASSERT_TRUE(PingFromA("10.77.0.2", 5));  // 5% corrupt: ICMP may still lose one; counters only
  auto before = kernel_->QdiscCounters(ifindex_, std::vector<uint32_t>{leaf.handle});
  ASSERT_TRUE(before.ok()) << before.status().message();

  // The step: delay 60 ms, nothing else. A change that sent only what tc
  // would would leave the corruption and the duplication in place.
  plan::NetemQdisc step;
  step.limit = 1000;
  step.latency = 60ms;
  leaf.params = step;
  Status s = kernel_->ChangeObjects(ifindex_, {leaf});
  ASSERT_TRUE(s.ok()) << s.message();

  const std::string qdiscs = InA("tc -j qdisc show dev cnv0");
  EXPECT_TRUE(Contains(qdiscs, R"({"kind":"netem","handle":"1001:","parent":"ca00:1")")) << qdiscs;
  EXPECT_TRUE(Contains(qdiscs, R"("delay":{"delay":0.06)")) << qdiscs;
  EXPECT_FALSE(Contains(qdiscs, "corrupt")) << qdiscs;
  EXPECT_FALSE(Contains(qdiscs, "duplicate")) << qdiscs;
  auto after = kernel_->QdiscCounters(ifindex_, std::vector<uint32_t>{leaf.handle});
  ASSERT_TRUE(after.ok());
  EXPECT_GE(after->front().packets, before->front().packets) << "the leaf was re-created";

  const std::string line = InA("ping -n -c 3 -i 0.2 10.77.0.2 | tail -1");
  const auto eq = line.find("= ");
  ASSERT_NE(eq, std::string::npos) << line;
  EXPECT_GE(std::stod(line.substr(eq + 2)), 60.0) << line;
}

}  // namespace
}  // namespace chaosnet::netlink
