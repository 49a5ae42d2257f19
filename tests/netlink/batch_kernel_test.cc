// Netlink batches against the real kernel (NetlinkSocket::TransactBatch and
// the NetlinkKernel calls built on it), in throwaway namespaces: each request
// gets its own answer although the kernel goes on after a failed one, a batch
// that fails in its middle leaves nothing (what came after the failure
// included), a batch larger than one sendmsg goes in pieces, and a new tree's
// root is confirmed before the rest is sent. Read back with dumps and tc.
// Needs root; skips otherwise.
#include <gtest/gtest.h>
#include <poll.h>

#include <string>
#include <vector>

#include "daemon/netlink/htb_encoder.h"
#include "daemon/netlink/netlink_kernel.h"
#include "daemon/netlink/qdisc_requests.h"
#include "daemon/netlink/tc_monitor.h"
#include "tests/netlink/kernel_in_netns_test.h"

namespace chaosnet::netlink {
namespace {

constexpr uint32_t kCb00 = 0xCB000000;  // a qdisc that never exists
constexpr uint32_t kPeerIp = 0x0A4D0002;

plan::HtbClass ClassOf(uint32_t classid, uint32_t parent = kCa00) {
  return plan::HtbClass{classid, parent, 125'000'000, 125'000'000, 200'000, 200'000, 60'000};
}

plan::TcObject Filter(uint16_t prio, uint32_t dst, uint32_t flowid, uint32_t parent = kCa00) {
  plan::U32Classifier f{parent, prio, plan::FilterProtocol::kIp, flowid, {}};
  f.rules.push_back(plan::U32Rule{{plan::U32Key{dst, 0xFFFFFFFF, 16}}});
  return f;
}

std::size_t Count(const std::string& haystack, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = haystack.find(needle); at != std::string::npos;
       at = haystack.find(needle, at + 1)) {
    ++n;
  }
  return n;
}

class BatchKernelTest : public KernelInNetnsTest {
 protected:
  std::string InA(const std::string& command) const { return a_->Exec(command); }

  // Nothing of ours on cnv0: the default root, no class, no filter.
  void ExpectNothingLeft() {
    auto root = kernel_->GetRootQdisc(ifindex_);
    ASSERT_TRUE(root.ok()) << root.status().message();
    EXPECT_TRUE(root->is_default) << root->kind;
    auto classes = kernel_->DumpClasses(ifindex_);
    ASSERT_TRUE(classes.ok());
    EXPECT_TRUE(classes->empty()) << classes->size() << " classes left";
    EXPECT_EQ(InA("tc class show dev cnv0"), "");
    EXPECT_EQ(InA("tc filter show dev cnv0"), "");
  }

  // Many classes, each with a filter: more requests and bytes than one piece.
  static std::vector<plan::TcObject> LargeTree(int faults) {
    std::vector<plan::TcObject> objects{HtbRoot()};
    for (int i = 1; i <= faults; ++i) {
      objects.emplace_back(ClassOf(kCa00 | static_cast<uint32_t>(i)));
      objects.push_back(Filter(static_cast<uint16_t>(1000 + i), 0x0A500000u + i,
                               kCa00 | static_cast<uint32_t>(i)));
    }
    return objects;
  }
};

TEST_F(BatchKernelTest, EveryRequestGetsItsOwnAnswerAndTheKernelGoesOnPastAFailure) {
  auto sock = NetlinkSocket::Open();
  ASSERT_TRUE(sock.ok()) << sock.status().message();
  std::vector<NlMessage> requests;
  requests.push_back(EncodeHtbQdiscAdd({ifindex_, kCa00, plan::kRootParent}, plan::HtbQdisc{}));
  requests.push_back(EncodeHtbClassAdd(ifindex_, ClassOf(kCa00 | 1)));
  requests.push_back(EncodeHtbClassAdd(ifindex_, ClassOf(kCb00 | 1, kCb00)));  // no such qdisc
  requests.push_back(EncodeHtbClassAdd(ifindex_, ClassOf(kCa00 | 2)));
  requests.push_back(EncodeHtbClassAdd(ifindex_, ClassOf(kCa00 | 1)));          // exists
  requests.push_back(EncodeQdiscDelete({ifindex_, kCb00, plan::kRootParent}));  // not there
  const auto replies = sock->TransactBatch(requests);
  ASSERT_EQ(replies.size(), 6u);
  for (const auto& r : replies) {
    EXPECT_EQ(r.state, NetlinkSocket::BatchReply::State::kAnswered);
  }
  EXPECT_TRUE(replies[0].error.ok()) << replies[0].error.ext_ack;
  EXPECT_TRUE(replies[1].error.ok()) << replies[1].error.ext_ack;
  EXPECT_FALSE(replies[2].error.ok());
  EXPECT_TRUE(replies[3].error.ok()) << "the kernel went on after the failure";
  EXPECT_EQ(replies[4].error.error, EEXIST) << replies[4].error.ext_ack;
  EXPECT_FALSE(replies[5].error.ok());
  const std::string classes = InA("tc class show dev cnv0");
  EXPECT_NE(classes.find("ca00:1 "), std::string::npos) << classes;
  EXPECT_NE(classes.find("ca00:2 "), std::string::npos) << classes;
}

TEST_F(BatchKernelTest, AFailureInTheMiddleLeavesNothingNotEvenWhatTheKernelDidAfterIt) {
  const std::vector<plan::TcObject> objects{HtbRoot(),
                                            ClassOf(kCa00 | 1),
                                            Filter(1000, kPeerIp, kCa00 | 1),
                                            ClassOf(kCa00 | 1),  // exists by then
                                            ClassOf(kCa00 | 2),
                                            Filter(1002, kPeerIp + 1, kCa00 | 2)};
  Status s = kernel_->AddObjects(ifindex_, objects, 1);
  EXPECT_EQ(s.code(), StatusCode::kAlreadyExists) << s.message();
  EXPECT_NE(s.message().find("adding htb class ca00:1 (ifindex"), std::string::npos) << s.message();
  EXPECT_EQ(s.message().find("undoing"), std::string::npos) << s.message();
  ExpectNothingLeft();
}

TEST_F(BatchKernelTest, AClassThatFailsTakesItsFilterAlongAndTheErrorNamesTheClass) {
  ASSERT_TRUE(kernel_->AddObjects(ifindex_, {HtbRoot(), ClassOf(kCa00 | 1)}, 1).ok());
  // The class hangs off a qdisc that does not exist; its filter comes after.
  Status s =
      kernel_->AddObjects(ifindex_, {ClassOf(kCa00 | 5, kCb00), Filter(1010, kPeerIp, kCa00 | 5)});
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("htb class ca00:5"), std::string::npos) << s.message();
  EXPECT_EQ(InA("tc filter show dev cnv0"), "");
  const std::string classes = InA("tc class show dev cnv0");
  EXPECT_NE(classes.find("ca00:1 "), std::string::npos) << "the earlier call's class stays";
  EXPECT_EQ(classes.find("ca00:5"), std::string::npos) << classes;
}

TEST_F(BatchKernelTest, ALargeBatchGoesInPiecesAndComesOutWhole) {
  // 1,201 objects: ten and more pieces of at most 128 requests and 64 KiB.
  const auto objects = LargeTree(600);
  ASSERT_TRUE(kernel_->AddObjects(ifindex_, objects, 1).ok());
  auto classes = kernel_->DumpClasses(ifindex_);
  ASSERT_TRUE(classes.ok());
  EXPECT_EQ(classes->size(), 600u);
  EXPECT_EQ(Count(InA("tc -j filter show dev cnv0"), "\"flowid\""), 600u);
  // Filters first, then classes: one RemoveObjects.
  std::vector<plan::TcObject> removal;
  for (std::size_t i = 2; i < objects.size(); i += 2) removal.push_back(objects[i]);
  for (std::size_t i = 1; i < objects.size(); i += 2) removal.push_back(objects[i]);
  Status removed = kernel_->RemoveObjects(ifindex_, removal);
  ASSERT_TRUE(removed.ok()) << removed.message();
  classes = kernel_->DumpClasses(ifindex_);
  ASSERT_TRUE(classes.ok());
  EXPECT_TRUE(classes->empty());
  EXPECT_EQ(InA("tc filter show dev cnv0"), "");
  ASSERT_TRUE(kernel_->RemoveObjects(ifindex_, {HtbRoot()}).ok());
}

TEST_F(BatchKernelTest, ALargeBatchFailingInItsLastPieceTakesBackEveryPiece) {
  auto objects = LargeTree(500);
  objects.emplace_back(ClassOf(kCa00 | 7));  // exists by then
  Status s = kernel_->AddObjects(ifindex_, objects, 1);
  EXPECT_EQ(s.code(), StatusCode::kAlreadyExists) << s.message();
  EXPECT_NE(s.message().find("htb class ca00:7 "), std::string::npos) << s.message();
  ExpectNothingLeft();
}

TEST_F(BatchKernelTest, ChangesGoInOneBatchAndTheFirstFailureIsTheAnswer) {
  ASSERT_TRUE(
      kernel_->AddObjects(ifindex_, {HtbRoot(), ClassOf(kCa00 | 1), ClassOf(kCa00 | 2)}, 1).ok());
  plan::HtbClass one = ClassOf(kCa00 | 1);
  one.rate_bytes_per_second = one.ceil_bytes_per_second = 1'000'000;
  plan::HtbClass two = ClassOf(kCa00 | 2);
  two.rate_bytes_per_second = two.ceil_bytes_per_second = 2'000'000;
  Status s = kernel_->ChangeObjects(ifindex_, {one, ClassOf(kCa00 | 9), two});
  EXPECT_EQ(s.code(), StatusCode::kNotFound) << s.message();
  EXPECT_NE(s.message().find("ca00:9"), std::string::npos) << s.message();
  // Not all or nothing: both others took their new rates.
  const std::string classes = InA("tc class show dev cnv0");
  EXPECT_NE(classes.find("rate 8Mbit"), std::string::npos) << classes;
  EXPECT_NE(classes.find("rate 16Mbit"), std::string::npos) << classes;
}

TEST_F(BatchKernelTest, RemoveEachAnswersForEachGroupOfOneBatch) {
  ASSERT_TRUE(kernel_
                  ->AddObjects(ifindex_,
                               {HtbRoot(), ClassOf(kCa00 | 1), Filter(1000, kPeerIp, kCa00 | 1),
                                ClassOf(kCa00 | 2), Filter(1002, kPeerIp + 1, kCa00 | 2)},
                               1)
                  .ok());
  const auto statuses = kernel_->RemoveEach(
      ifindex_, {{Filter(1000, kPeerIp, kCa00 | 1), ClassOf(kCa00 | 1)},
                 {Filter(1004, kPeerIp, kCa00 | 3), ClassOf(kCa00 | 3)},  // never there
                 {Filter(1002, kPeerIp + 1, kCa00 | 2), ClassOf(kCa00 | 2)}});
  ASSERT_EQ(statuses.size(), 3u);
  EXPECT_TRUE(statuses[0].ok()) << statuses[0].message();
  EXPECT_EQ(statuses[1].code(), StatusCode::kNotFound) << statuses[1].message();
  EXPECT_NE(statuses[1].message().find("htb class ca00:3"), std::string::npos);
  EXPECT_TRUE(statuses[2].ok()) << statuses[2].message();
  EXPECT_EQ(InA("tc class show dev cnv0"), "");
  EXPECT_EQ(InA("tc filter show dev cnv0"), "");
}

// Whether the monitor saw class `classid` created: reads until the change
// `marker_command` makes to link cnv0 (by hand, after the batch) shows that
// everything before it has been read.
bool SawClassCreated(TcMonitor& monitor, const chaosnet::testing::TestNetns& ns,
                     const std::string& marker_command, uint32_t classid, int cnv0) {
  ns.Exec(marker_command);
  bool seen = false;
  for (int round = 0; round < 200; ++round) {
    auto events = monitor.ReadAvailable();
    if (!events.ok()) return seen;
    for (const auto& e : *events) {
      if (e.kind == TcEventKind::kClassChanged && e.handle == classid) seen = true;
      if (e.kind == TcEventKind::kLinkChanged && e.ifindex == cnv0) return seen;
    }
    pollfd p{monitor.fd(), POLLIN, 0};
    poll(&p, 1, 100);
  }
  return seen;
}

TEST_F(BatchKernelTest, ANewRootIsConfirmedBeforeTheRestIsSent) {
  auto monitor = TcMonitor::Open();
  ASSERT_TRUE(monitor.ok()) << monitor.status().message();
  // The root goes in, its protection filter fails (no such parent); the
  // class, which would succeed, is never sent.
  Status s = kernel_->AddObjects(
      ifindex_, {HtbRoot(), Filter(1, kPeerIp, kCa00, kCb00), ClassOf(kCa00 | 1)}, 2);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("u32 filter prio 1 "), std::string::npos) << s.message();
  ExpectNothingLeft();
  EXPECT_FALSE(SawClassCreated(*monitor, *a_, "ip link set cnv0 mtu 1400", kCa00 | 1, ifindex_));
  // Sent together, the kernel would have created the class (and the undo
  // taken it away again): what the first stage prevents.
  s = kernel_->AddObjects(ifindex_,
                          {HtbRoot(), Filter(1, kPeerIp, kCa00, kCb00), ClassOf(kCa00 | 1)}, 0);
  ASSERT_FALSE(s.ok());
  ExpectNothingLeft();
  EXPECT_TRUE(SawClassCreated(*monitor, *a_, "ip link set cnv0 mtu 1450", kCa00 | 1, ifindex_));
}

}  // namespace
}  // namespace chaosnet::netlink
