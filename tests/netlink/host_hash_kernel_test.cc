// The shared host classifier (plan/host_hash.h) in a real kernel: the steps
// an InterfaceTree plans, applied with NetlinkKernel in throwaway namespaces
// (cnv0 10.77.0.1 / fd77::1 in A; cnv1 in B with .2, .3 and fd77::2), then
// exercised with ping and read back with tc. Needs root; skips otherwise.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "common/net_parse.h"
#include "daemon/netlink/netlink_kernel.h"
#include "daemon/plan/compiler.h"
#include "daemon/plan/host_hash.h"
#include "daemon/plan/interface_tree.h"
#include "tests/netlink/kernel_in_netns_test.h"

namespace chaosnet::netlink {
namespace {

using namespace std::chrono_literals;

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// A rate fault (htb only: the host kernel has no netem) to one address.
model::FaultSpec RateTo(const std::string& dst) {
  model::FaultSpec s;
  s.interface = "cnv0";
  s.rate = model::RateFault{1'000'000'000};
  auto cidr = ParseCidr(dst);
  EXPECT_TRUE(cidr.ok()) << dst;
  if (cidr.ok()) s.match.dst = *cidr;
  return s;
}

class HostHashKernelTest : public KernelInNetnsTest {
 protected:
  void SetUp() override {
    KernelInNetnsTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    int rc = 0;
    std::string out = b_->Exec(
        "ip addr add 10.77.0.3/24 dev cnv1 && ip -6 addr add fd77::2/64 dev cnv1 nodad", &rc);
    ASSERT_EQ(rc, 0) << out;
    out = a_->Exec("ip -6 addr add fd77::1/64 dev cnv0 nodad", &rc);
    ASSERT_EQ(rc, 0) << out;
  }

  // Plans, applies and records a fault, as FaultTrees does.
  plan::FaultObjects Place(const std::string& id, const model::FaultSpec& spec) {
    auto objects = tree_.PlanFault(id, spec);
    EXPECT_TRUE(objects.ok()) << id << ": " << objects.status().message();
    if (!objects.ok()) return {};
    Status s = kernel_->AddObjects(ifindex_, tree_.AddSteps(*objects));
    EXPECT_TRUE(s.ok()) << id << ": " << s.message();
    if (s.ok()) tree_.Insert(id, spec, *objects);
    return *objects;
  }

  Status Revoke(const std::string& id) {
    const auto steps = tree_.RemoveSteps(id);
    tree_.Erase(id);
    return kernel_->RemoveObjects(ifindex_, steps);
  }

  uint64_t Packets(uint32_t classid) {
    auto c = kernel_->ClassCounters(ifindex_, {classid});
    EXPECT_TRUE(c.ok()) << c.status().message();
    return c.ok() ? c->front().packets : 0;
  }

  bool PingFromA(const std::string& ip, int count = 3) const {
    int rc = 0;
    a_->Exec("ping -n -q -c " + std::to_string(count) + " -i 0.2 -W 2 " + ip, &rc);
    return rc == 0;
  }

  plan::InterfaceTree tree_{plan::DefaultProtectedRules(), "cnv0"};
};

TEST_F(HostHashKernelTest, HostFaultsClassifyTheirTrafficAndTcSeesTheHashTable) {
  const plan::FaultObjects to2 = Place("to2", RateTo("10.77.0.2"));
  const plan::FaultObjects to3 = Place("to3", RateTo("10.77.0.3"));
  const plan::FaultObjects to9 = Place("to9", RateTo("10.77.0.9"));
  ASSERT_EQ(to2.nodes.size(), 1u);
  ASSERT_EQ(to3.nodes.size(), 1u);

  const std::string filters = a_->Exec("tc -j filter show dev cnv0");
  EXPECT_TRUE(Contains(filters, R"("pref":65280,"kind":"u32")")) << filters;
  EXPECT_TRUE(Contains(filters, R"("fh":"4:","ht_divisor":256)")) << filters;
  // Level 1 (4:) links bucket 2 to level 2 (102:), whose bucket 0 (the
  // third byte) holds the fault's node.
  EXPECT_TRUE(Contains(filters, R"("fh":"4:2:1","order":1,"key_ht":"4","bkt":"2")")) << filters;
  EXPECT_TRUE(Contains(filters, R"("fh":"4:3:1","order":1,"key_ht":"4","bkt":"3")")) << filters;
  EXPECT_TRUE(Contains(filters, R"("fh":"102:","ht_divisor":256)")) << filters;
  EXPECT_TRUE(Contains(filters, R"("fh":"102::1","order":1,"key_ht":"102","bkt":"0")")) << filters;
  EXPECT_TRUE(Contains(filters, R"("fh":"103::1")")) << filters;
  EXPECT_TRUE(Contains(filters, R"("link":"4:")")) << filters;
  EXPECT_TRUE(Contains(filters, R"("link":"102:")")) << filters;
  // tc's text shows the hashkeys the links were made with.
  const std::string text = a_->Exec("tc filter show dev cnv0 prio 65280");
  EXPECT_TRUE(Contains(text, "hash mask 000000ff at 16")) << text;
  EXPECT_TRUE(Contains(text, "hash mask 0000ff00 at 16")) << text;

  const uint64_t before2 = Packets(to2.cls.classid);
  const uint64_t before3 = Packets(to3.cls.classid);
  ASSERT_TRUE(PingFromA("10.77.0.2", 5));
  EXPECT_GE(Packets(to2.cls.classid), before2 + 5);
  EXPECT_EQ(Packets(to3.cls.classid), before3);
  ASSERT_TRUE(PingFromA("10.77.0.3", 3));
  EXPECT_GE(Packets(to3.cls.classid), before3 + 3);
  EXPECT_EQ(Packets(to9.cls.classid), 0u);

  // Revoking one deletes its node by handle; the others keep classifying.
  Status s = Revoke("to2");
  ASSERT_TRUE(s.ok()) << s.message();
  const std::string after = a_->Exec("tc -j filter show dev cnv0");
  EXPECT_FALSE(Contains(after, R"("fh":"102::1")")) << after;
  EXPECT_TRUE(Contains(after, R"("fh":"103::1")")) << after;
  EXPECT_TRUE(Contains(after, R"("fh":"4:2:1")")) << "the level-2 table and its link stay";
  EXPECT_TRUE(PingFromA("10.77.0.2", 2)) << "unclassified now: sent direct";
  const uint64_t mid3 = Packets(to3.cls.classid);
  ASSERT_TRUE(PingFromA("10.77.0.3", 3));
  EXPECT_GE(Packets(to3.cls.classid), mid3 + 3);

  // A new fault at the freed address takes the freed node id again.
  const plan::FaultObjects again = Place("to2-again", RateTo("10.77.0.2"));
  ASSERT_EQ(again.nodes.size(), 1u);
  EXPECT_EQ(again.nodes[0].handle, to2.nodes[0].handle);
  const uint64_t before_again = Packets(again.cls.classid);
  ASSERT_TRUE(PingFromA("10.77.0.2", 3));
  EXPECT_GE(Packets(again.cls.classid), before_again + 3);
}

TEST_F(HostHashKernelTest, ABucketWithManyNodesFindsTheRightOneAndIpv6Hashes) {
  // 300 faults sharing the peer's buckets (addresses ending in .0.2), then
  // the peer itself last: its node is the bucket's 301st.
  for (int i = 0; i < 300; ++i) {
    Place("other" + std::to_string(i),
          RateTo(std::to_string(20 + i / 200) + "." + std::to_string(i % 200) + ".0.2"));
  }
  const plan::FaultObjects peer = Place("peer", RateTo("10.77.0.2"));
  ASSERT_EQ(peer.nodes.size(), 1u);
  EXPECT_EQ(plan::U32HandleNode(peer.nodes[0].handle), 301u);
  const plan::FaultObjects v6 = Place("peer6", RateTo("fd77::2"));
  ASSERT_EQ(v6.nodes.size(), 1u);

  ASSERT_TRUE(PingFromA("10.77.0.2", 3));
  EXPECT_GE(Packets(peer.cls.classid), 3u);
  ASSERT_TRUE(PingFromA("fd77::2", 3));
  EXPECT_GE(Packets(v6.cls.classid), 3u);
  const std::string text = a_->Exec("tc filter show dev cnv0 prio 65281");
  EXPECT_TRUE(Contains(text, "hash mask 000000ff at 36")) << text;
  EXPECT_TRUE(Contains(text, "hash mask 0000ff00 at 36")) << text;

  // Everything goes, node by node, then the root with the last fault.
  for (int i = 0; i < 300; ++i) {
    Status s = Revoke("other" + std::to_string(i));
    ASSERT_TRUE(s.ok()) << i << ": " << s.message();
  }
  ASSERT_TRUE(Revoke("peer").ok());
  ASSERT_TRUE(Revoke("peer6").ok());
  EXPECT_TRUE(tree_.empty());
  EXPECT_EQ(a_->Exec("tc filter show dev cnv0"), "");
  // A new tree makes the tables again (they went with the old root).
  const plan::FaultObjects fresh = Place("fresh", RateTo("10.77.0.3"));
  ASSERT_TRUE(PingFromA("10.77.0.3", 2));
  EXPECT_GE(Packets(fresh.cls.classid), 2u);
}

TEST_F(HostHashKernelTest, AFailedNodeRollsBackAndLeavesTheOthersWorking) {
  const plan::FaultObjects to2 = Place("to2", RateTo("10.77.0.2"));
  // A node at a handle that is taken: the class made before it goes again.
  plan::U32Node clash = to2.nodes[0];
  clash.flowid = 0xCA000077;
  const plan::HtbClass cls{0xCA000077, plan::kTreeRootHandle, 1'000'000, 1'000'000, 20'000, 20'000,
                           1514};
  Status s = kernel_->AddObjects(ifindex_, {cls, clash});
  ASSERT_FALSE(s.ok());
  auto gone = kernel_->ClassCounters(ifindex_, {0xCA000077});
  EXPECT_EQ(gone.status().code(), StatusCode::kNotFound);
  const uint64_t before = Packets(to2.cls.classid);
  ASSERT_TRUE(PingFromA("10.77.0.2", 2));
  EXPECT_GE(Packets(to2.cls.classid), before + 2);

  // Deleting a node that is not there is "already gone".
  plan::U32Node missing = to2.nodes[0];
  missing.handle = plan::U32Handle(plan::kHostLevel2BaseIpv4 + 2, 0, 0x123);
  Status r = kernel_->RemoveObjects(ifindex_, {missing});
  EXPECT_EQ(r.code(), StatusCode::kNotFound) << r.message();
}

}  // namespace
}  // namespace chaosnet::netlink
