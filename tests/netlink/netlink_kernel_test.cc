// NetlinkKernel against the real kernel, inside two throwaway namespaces
// joined by a veth pair (cnv0 in A, cnv1 in B): interfaces, root qdiscs,
// qdisc counters, netem's parameters as the kernel reads them back, and the
// probe. (The fault-tree methods have their own test, tree_kernel_test.cc.)
// The test thread enters A, so the kernel object's socket lives there. Needs
// root; skips otherwise. The netem tests skip on kernels without netem (the
// host) and run in the guest.
#include "daemon/netlink/netlink_kernel.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

#include "daemon/netlink/probe.h"
#include "tests/netlink/kernel_in_netns_test.h"
#include "tests/netlink/tc_json.h"
#include "tests/support/kernel_features.h"
#include "tests/support/run_command.h"
#include "tests/support/test_netns.h"

namespace chaosnet::netlink {
namespace {

using namespace std::chrono_literals;
using chaosnet::testing::IsRoot;
using chaosnet::testing::KernelHasQdisc;
using chaosnet::testing::MissingQdiscSkipMessage;
using chaosnet::testing::RunCommand;
using testing::NumberAfterKey;
using testing::QdiscObject;

constexpr uint32_t kCa00Class1 = 0xCA000001;
constexpr uint32_t kLeaf = 0x10010000;

// A netem leaf under class ca00:1 of an htb root: where a fault's netem lives.
std::vector<plan::TcObject> NetemLeafTree(const plan::NetemQdisc& netem) {
  return {HtbRoot(),
          plan::HtbClass{kCa00Class1, kCa00, 125'000'000, 125'000'000, 200'000, 200'000, 0},
          plan::TreeQdisc{kLeaf, kCa00Class1, netem}};
}

class NetlinkKernelTest : public KernelInNetnsTest {
 protected:
  std::string TcJson() const { return a_->Exec("tc -j qdisc show dev cnv0"); }

  const QdiscInfo* Find(const std::vector<QdiscInfo>& qs, uint32_t handle) {
    for (const auto& q : qs) {
      if (q.handle == handle) return &q;
    }
    return nullptr;
  }
};

TEST_F(NetlinkKernelTest, UnknownInterfaceIsNotFound) {
  auto idx = kernel_->InterfaceIndex("cn-nope0");
  ASSERT_FALSE(idx.ok());
  EXPECT_EQ(idx.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(idx.status().message(), "no interface named cn-nope0");
  EXPECT_EQ(kernel_->GetRootQdisc(987654).status().code(), StatusCode::kNotFound);
}

TEST_F(NetlinkKernelTest, FreshVethHasDefaultRootAndTcHtbIsNotDefault) {
  auto root = kernel_->GetRootQdisc(ifindex_);
  ASSERT_TRUE(root.ok()) << root.status().message();
  EXPECT_TRUE(root->is_default) << root->kind;

  int rc = 0;
  a_->Exec("tc qdisc add dev cnv0 root handle 1: htb", &rc);
  ASSERT_EQ(rc, 0);
  root = kernel_->GetRootQdisc(ifindex_);
  ASSERT_TRUE(root.ok());
  EXPECT_EQ(root->kind, "htb");
  EXPECT_EQ(root->handle, 0x10000u);
  EXPECT_FALSE(root->is_default);
}

TEST_F(NetlinkKernelTest, RemoveRootBringsTheDefaultBack) {
  ASSERT_TRUE(kernel_->AddObjects(ifindex_, {HtbRoot()}).ok());
  auto root = kernel_->GetRootQdisc(ifindex_);
  ASSERT_TRUE(root.ok());
  EXPECT_EQ(root->handle, kCa00);
  EXPECT_FALSE(root->is_default);
  ASSERT_TRUE(kernel_->RemoveRoot(ifindex_, kCa00).ok());

  root = kernel_->GetRootQdisc(ifindex_);
  ASSERT_TRUE(root.ok());
  EXPECT_TRUE(root->is_default) << root->kind;
  EXPECT_EQ(TcJson().find("ca00:"), std::string::npos) << TcJson();

  Status again = kernel_->RemoveRoot(ifindex_, kCa00);
  EXPECT_EQ(again.code(), StatusCode::kNotFound) << again.message();
}

TEST_F(NetlinkKernelTest, AddingOnAForeignRootFailsAndLeavesItAlone) {
  int rc = 0;
  a_->Exec("tc qdisc add dev cnv0 root handle 1: htb", &rc);
  ASSERT_EQ(rc, 0);
  Status s = kernel_->AddObjects(ifindex_, {HtbRoot()});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kAlreadyExists) << s.message();
  EXPECT_NE(s.message().find("kernel says: "), std::string::npos)
      << "kernel text kept: " << s.message();

  const std::string json = TcJson();
  EXPECT_FALSE(QdiscObject(json, "1:").empty()) << json;
  EXPECT_NE(QdiscObject(json, "1:").find("\"kind\":\"htb\""), std::string::npos) << json;
  EXPECT_EQ(json.find("ca00:"), std::string::npos) << json;
}

TEST_F(NetlinkKernelTest, RemoveRootNeverTouchesForeignQdiscs) {
  int rc = 0;
  a_->Exec("tc qdisc add dev cnv0 root handle 1: htb", &rc);
  ASSERT_EQ(rc, 0);
  // Not our handle: refused before asking the kernel.
  Status s = kernel_->RemoveRoot(ifindex_, 0x10000);
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition) << s.message();
  // Our handle, but the root is theirs: nothing matches, theirs stays.
  s = kernel_->RemoveRoot(ifindex_, kCa00);
  EXPECT_EQ(s.code(), StatusCode::kNotFound) << s.message();
  EXPECT_FALSE(QdiscObject(TcJson(), "1:").empty()) << TcJson();
}

TEST_F(NetlinkKernelTest, QdiscCountersGrowWithTrafficOneOrSeveralAtATime) {
  const plan::TcObject ingress =
      plan::TreeQdisc{plan::kIngressHandle, plan::kIngressParent, plan::IngressQdisc{}};
  ASSERT_TRUE(kernel_->AddObjects(ifindex_, {HtbRoot(), ingress}).ok());
  auto before = kernel_->QdiscCounters(ifindex_, kCa00);
  ASSERT_TRUE(before.ok()) << before.status().message();
  int rc = 0;
  const std::string out = a_->Exec("ping -c 5 -i 0.05 -W 2 10.77.0.2", &rc);
  ASSERT_EQ(rc, 0) << out;
  // One qdisc is read with a get, several with one dump: the same numbers.
  auto after = kernel_->QdiscCounters(ifindex_, kCa00);
  ASSERT_TRUE(after.ok()) << after.status().message();
  EXPECT_GE(after->packets, before->packets + 5);
  EXPECT_GE(after->bytes, before->bytes + 5 * 84);  // 5 echo requests, 84 bytes of IP each
  auto both = kernel_->QdiscCounters(ifindex_, {plan::kIngressHandle, kCa00});
  ASSERT_TRUE(both.ok()) << both.status().message();
  ASSERT_EQ(both->size(), 2u);
  EXPECT_GE((*both)[1].packets, after->packets) << "in the order asked for";

  auto missing = kernel_->QdiscCounters(ifindex_, kLeaf);
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound) << missing.status().message();
  auto one_missing = kernel_->QdiscCounters(ifindex_, {kCa00, kLeaf});
  EXPECT_EQ(one_missing.status().code(), StatusCode::kNotFound) << one_missing.status().message();
  EXPECT_NE(one_missing.status().message().find("1001:"), std::string::npos)
      << one_missing.status().message();
}

TEST_F(NetlinkKernelTest, FindOwnedRootQdiscsListsOnlyOurs) {
  int rc = 0;
  a_->Exec("ip link add cnv2 type veth peer name cnv3 && tc qdisc add dev cnv2 root handle 1: htb",
           &rc);
  ASSERT_EQ(rc, 0);
  ASSERT_TRUE(kernel_->AddObjects(ifindex_, {HtbRoot()}).ok());
  auto owned = FindOwnedRootQdiscs();
  ASSERT_TRUE(owned.ok()) << owned.status().message();
  ASSERT_EQ(owned->size(), 1u);
  EXPECT_EQ((*owned)[0].interface, "cnv0");
  EXPECT_EQ((*owned)[0].ifindex, ifindex_);
  EXPECT_EQ((*owned)[0].handle, kCa00);
  EXPECT_EQ((*owned)[0].kind, "htb");
  auto via_kernel = kernel_->FindOwnedRootQdiscs();
  ASSERT_TRUE(via_kernel.ok());
  EXPECT_EQ(via_kernel->size(), 1u);
}

// ---- netem: runs where the kernel has it (the qemu guest) -------------------

class NetemKernelTest : public NetlinkKernelTest {
 protected:
  void SetUp() override {
    if (!IsRoot()) GTEST_SKIP() << "needs root to create network namespaces";
    if (!KernelHasQdisc("netem")) GTEST_SKIP() << MissingQdiscSkipMessage("netem");
    NetlinkKernelTest::SetUp();
  }
};

plan::NetemQdisc EveryNetemParameter() {
  plan::NetemQdisc n;
  n.limit = 12345;
  n.latency = 100ms;
  n.jitter = 10ms;
  n.delay_correlation = 25;
  n.distribution = model::DelayDistribution::kNormal;
  n.loss = 1.5;
  n.loss_correlation = 10;
  n.duplicate = 2;
  n.duplicate_correlation = 5;
  n.corrupt = 0.5;
  n.corrupt_correlation = 1;
  n.reorder = 10;
  n.reorder_correlation = 3;
  n.gap = 4;
  return n;
}

TEST_F(NetemKernelTest, NetemLeafRoundTripsExactly) {
  const plan::NetemQdisc n = EveryNetemParameter();
  Status s = kernel_->AddObjects(ifindex_, NetemLeafTree(n));
  ASSERT_TRUE(s.ok()) << s.message();

  auto qdiscs = kernel_->DumpQdiscs(ifindex_);
  ASSERT_TRUE(qdiscs.ok());
  const QdiscInfo* q = Find(*qdiscs, kLeaf);
  ASSERT_NE(q, nullptr);
  EXPECT_EQ(q->parent, kCa00Class1);
  ASSERT_TRUE(q->netem.has_value());
  plan::NetemQdisc expected = n;
  expected.distribution = model::DelayDistribution::kUniform;  // the kernel never dumps the table
  EXPECT_EQ(*q->netem, expected);

  const std::string obj = QdiscObject(TcJson(), "1001:");
  ASSERT_FALSE(obj.empty()) << TcJson();
  EXPECT_EQ(NumberAfterKey(obj, "limit"), 12345.0) << obj;
  auto delay = NumberAfterKey(obj, "delay", "delay");
  auto jitter = NumberAfterKey(obj, "jitter");
  ASSERT_TRUE(delay && jitter) << obj;
  EXPECT_NEAR(*delay, 0.100, 1e-9) << obj;
  EXPECT_NEAR(*jitter, 0.010, 1e-9) << obj;
  auto loss = NumberAfterKey(obj, "loss", "loss-random");
  ASSERT_TRUE(loss) << obj;
  // tc prints either percent or a fraction depending on version.
  EXPECT_TRUE(std::fabs(*loss - 1.5) < 1e-6 || std::fabs(*loss - 0.015) < 1e-8) << obj;
}

TEST_F(NetemKernelTest, DelayBeyond32BitTicksReachesTheKernel) {
  plan::NetemQdisc n;
  n.latency = 300s;  // tc 6.1 refuses this; LATENCY64 carries it
  ASSERT_TRUE(kernel_->AddObjects(ifindex_, NetemLeafTree(n)).ok());
  auto qdiscs = kernel_->DumpQdiscs(ifindex_);
  ASSERT_TRUE(qdiscs.ok());
  const QdiscInfo* q = Find(*qdiscs, kLeaf);
  ASSERT_NE(q, nullptr);
  ASSERT_TRUE(q->netem.has_value());
  EXPECT_EQ(q->netem->latency, 300s);
}

// The link models (issue 18): what we send is what the kernel keeps, read
// back by our parser and seen by tc.
TEST_F(NetemKernelTest, LinkModelsRoundTripAndTcSeesThem) {
  plan::NetemQdisc n;
  n.latency = 10ms;
  n.loss_model = model::GilbertElliottLoss{1, 10, 70, 0.1};
  n.ecn = true;
  model::SlotFault slot;
  slot.min_delay = 800us;
  slot.max_delay = 10ms;
  slot.max_packets = 8;
  slot.max_bytes = 64000;
  n.slot = slot;
  n.rate = {125'000, 24, 0, 0};
  ASSERT_TRUE(kernel_->AddObjects(ifindex_, NetemLeafTree(n)).ok());
  auto qdiscs = kernel_->DumpQdiscs(ifindex_);
  ASSERT_TRUE(qdiscs.ok());
  const QdiscInfo* q = Find(*qdiscs, kLeaf);
  ASSERT_NE(q, nullptr);
  ASSERT_TRUE(q->netem.has_value());
  EXPECT_EQ(*q->netem, n);

  const std::string obj = QdiscObject(TcJson(), "1001:");
  ASSERT_FALSE(obj.empty()) << TcJson();
  EXPECT_NE(obj.find("gemodel"), std::string::npos) << obj;
  EXPECT_NE(obj.find("\"ecn\""), std::string::npos) << obj;
  EXPECT_NE(obj.find("\"slot\""), std::string::npos) << obj;
  EXPECT_EQ(NumberAfterKey(obj, "packets", "slot"), 8.0) << obj;
}

// ---- probe ------------------------------------------------------------------

TEST(ProbeTest, FindsWhatTheKernelHasWithoutTouchingOurNamespace) {
  if (!IsRoot()) GTEST_SKIP() << "needs root to unshare a network namespace";
  const auto caps = ProbeKernel();
  EXPECT_EQ(caps.netem, KernelHasQdisc("netem"));
  EXPECT_EQ(caps.tbf, KernelHasQdisc("tbf"));
  EXPECT_EQ(caps.htb, KernelHasQdisc("htb"));
  // Both kernels we test on (host 6.18, guest 6.1) have these.
  EXPECT_TRUE(caps.u32);
  EXPECT_TRUE(caps.ifb);
  EXPECT_TRUE(caps.mirred);
  ASSERT_FALSE(caps.notes.empty());
  for (const auto& n : caps.notes) std::printf("  probe: %s\n", n.c_str());
  EXPECT_NE(caps.notes[0].find("throwaway network namespace"), std::string::npos) << caps.notes[0];
  // The probe's ifb and filters lived in its own namespace, never in ours.
  int rc = 0;
  RunCommand("ip link show cnprobe0", &rc);
  EXPECT_NE(rc, 0) << "the probe's ifb leaked into our namespace";
  EXPECT_EQ(RunCommand("tc qdisc show dev lo").find("ingress"), std::string::npos);
}

}  // namespace
}  // namespace chaosnet::netlink
