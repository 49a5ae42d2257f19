// TcMonitor against the real kernel, in two throwaway namespaces A and B
// joined by a veth pair (cnv0 in A, cnv1 in B). Changes are made with tc/ip,
// as a person editing by hand would. Events are awaited with poll() on fd()
// and a generous deadline, never with fixed sleeps. Needs root; skips otherwise.
#include "daemon/netlink/tc_monitor.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/netlink.h>
#include <netlink/socket.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <memory>
#include <sstream>

#include "daemon/netlink/htb_encoder.h"
#include "daemon/netlink/netlink_socket.h"
#include "daemon/netlink/qdisc_requests.h"
#include "tests/support/run_command.h"
#include "tests/support/test_netns.h"
#include "tests/support/veth_pair_test.h"

namespace chaosnet::netlink {
namespace {

using chaosnet::testing::EnterNetns;
using chaosnet::testing::TestNetns;

constexpr uint32_t kRoot = 0xFFFFFFFF;
constexpr uint32_t kCa00 = 0xCA000000;
constexpr uint32_t kCb00 = 0xCB000000;
constexpr auto kDeadline = std::chrono::seconds(10);

using Predicate = std::function<bool(const TcEvent&)>;

std::string Describe(const std::vector<TcEvent>& events) {
  std::ostringstream s;
  for (const auto& e : events) {
    s << "\n  " << TcEventKindName(e.kind) << " if=" << e.ifindex << " handle=" << std::hex
      << e.handle << " parent=" << e.parent << std::dec << " kind=" << e.tc_kind
      << " name=" << e.ifname << " port=" << e.sender_port;
  }
  return s.str();
}

// Reads from `m` (waiting for readability) until an event matches, or the
// deadline passes. Returns everything read, in order.
std::vector<TcEvent> ReadUntil(TcMonitor& m, const Predicate& done) {
  std::vector<TcEvent> all;
  const auto deadline = std::chrono::steady_clock::now() + kDeadline;
  while (true) {
    auto batch = m.ReadAvailable();
    EXPECT_TRUE(batch.ok()) << batch.status().message();
    if (!batch.ok()) return all;
    bool found = false;
    for (auto& e : *batch) {
      found = found || done(e);
      all.push_back(std::move(e));
    }
    if (found) return all;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return all;
    pollfd p{m.fd(), POLLIN, 0};
    poll(&p, 1, static_cast<int>(left.count()));
  }
}

const TcEvent* Find(const std::vector<TcEvent>& events, const Predicate& p) {
  for (const auto& e : events) {
    if (p(e)) return &e;
  }
  return nullptr;
}

Predicate Is(TcEventKind kind, int ifindex, uint32_t handle) {
  return [=](const TcEvent& e) {
    return e.kind == kind && e.ifindex == ifindex && e.handle == handle;
  };
}

Predicate IsLink(TcEventKind kind, int ifindex) {
  return [=](const TcEvent& e) { return e.kind == kind && e.ifindex == ifindex; };
}

class TcMonitorTest : public chaosnet::testing::VethPairTest {
 protected:
  TcMonitorTest() : VethPairTest({"cnv0", "10.78.0.1/24", "cnv1", "10.78.0.2/24"}) {}

  void SetUp() override {
    VethPairTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    cnv0_ = IfIndex(*a_, "cnv0");
    cnv1_ = IfIndex(*b_, "cnv1");
    ASSERT_GT(cnv0_, 0);
    ASSERT_GT(cnv1_, 0);
    auto m = TcMonitor::OpenInNetns(a_->path());
    ASSERT_TRUE(m.ok()) << m.status().message();
    monitor_ = std::make_unique<TcMonitor>(std::move(m).value());
  }

  static int IfIndex(const TestNetns& ns, const std::string& dev) {
    int rc = 0;
    const std::string out = ns.Exec("cat /sys/class/net/" + dev + "/ifindex", &rc);
    return rc == 0 ? std::atoi(out.c_str()) : -1;
  }

  static void Run(const TestNetns& ns, const std::string& command) {
    int rc = 0;
    const std::string out = ns.Exec(command, &rc);
    ASSERT_EQ(rc, 0) << command << ": " << out;
  }

  // Runs `command` in A and reads until `until` matches; fails if it never does.
  std::vector<TcEvent> RunAndRead(const std::string& command, const Predicate& until) {
    Run(*a_, command);
    auto events = ReadUntil(*monitor_, until);
    EXPECT_TRUE(Find(events, until)) << "after `" << command << "` got:" << Describe(events);
    return events;
  }

  // Destroyed before the namespaces (VethPairTest's).
  int cnv0_ = 0;
  int cnv1_ = 0;
  std::unique_ptr<TcMonitor> monitor_;
};

TEST_F(TcMonitorTest, NothingHappenedReadsEmptyWithoutBlocking) {
  const auto start = std::chrono::steady_clock::now();
  auto events = monitor_->ReadAvailable();
  ASSERT_TRUE(events.ok()) << events.status().message();
  EXPECT_TRUE(events->empty()) << Describe(*events);
  // Non-blocking: a blocking read would hang here until the test timed out.
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
  pollfd p{monitor_->fd(), POLLIN, 0};
  EXPECT_EQ(poll(&p, 1, 0), 0) << "fd readable with nothing queued";
}

struct RootCase {
  const char* name;
  const char* add;
  const char* kind;
};

std::ostream& operator<<(std::ostream& os, const RootCase& c) { return os << c.name; }

class RootQdiscDeletedTest : public TcMonitorTest,
                             public ::testing::WithParamInterface<RootCase> {};

TEST_P(RootQdiscDeletedTest, DeletingTheRootByHandIsSeen) {
  const RootCase& c = GetParam();
  RunAndRead(std::string("tc qdisc add dev cnv0 root handle ca00: ") + c.add,
             Is(TcEventKind::kQdiscChanged, cnv0_, kCa00));
  auto events =
      RunAndRead("tc qdisc del dev cnv0 root", Is(TcEventKind::kQdiscDeleted, cnv0_, kCa00));
  const TcEvent* del = Find(events, Is(TcEventKind::kQdiscDeleted, cnv0_, kCa00));
  ASSERT_NE(del, nullptr);
  EXPECT_EQ(del->parent, kRoot);
  EXPECT_EQ(del->tc_kind, c.kind);
  EXPECT_NE(del->sender_port, 0u) << "a tc request should be named as the cause";
}

INSTANTIATE_TEST_SUITE_P(Kinds, RootQdiscDeletedTest,
                         ::testing::Values(RootCase{"tbf", "tbf rate 1mbit burst 32kb latency 50ms",
                                                    "tbf"},
                                           RootCase{"htb", "htb default 10", "htb"}),
                         [](const auto& info) { return std::string(info.param.name); });

TEST_F(TcMonitorTest, DeletingAClassIsSeen) {
  Run(*a_, "tc qdisc add dev cnv0 root handle ca00: htb default 10");
  RunAndRead("tc class add dev cnv0 parent ca00: classid ca00:10 htb rate 10mbit",
             Is(TcEventKind::kClassChanged, cnv0_, 0xCA000010));
  auto events = RunAndRead("tc class del dev cnv0 classid ca00:10",
                           Is(TcEventKind::kClassDeleted, cnv0_, 0xCA000010));
  const TcEvent* del = Find(events, Is(TcEventKind::kClassDeleted, cnv0_, 0xCA000010));
  ASSERT_NE(del, nullptr);
  EXPECT_EQ(del->parent, kRoot) << "htb gives a top-level class the parent TC_H_ROOT";
  EXPECT_EQ(del->tc_kind, "htb");
}

TEST_F(TcMonitorTest, DeletingAFilterIsSeen) {
  Run(*a_, "tc qdisc add dev cnv0 root handle ca00: htb default 10");
  Run(*a_, "tc class add dev cnv0 parent ca00: classid ca00:10 htb rate 10mbit");
  Run(*a_,
      "tc filter add dev cnv0 parent ca00: protocol ip prio 5 u32 match ip dst 10.78.0.2/32 flowid "
      "ca00:10");
  auto events =
      RunAndRead("tc filter del dev cnv0 parent ca00: protocol ip prio 5", [&](const TcEvent& e) {
        return e.kind == TcEventKind::kFilterDeleted && e.ifindex == cnv0_;
      });
  const TcEvent* del =
      Find(events, [](const TcEvent& e) { return e.kind == TcEventKind::kFilterDeleted; });
  ASSERT_NE(del, nullptr);
  EXPECT_EQ(del->parent, kCa00);
  EXPECT_EQ(del->priority, 5);
  EXPECT_EQ(del->protocol, 0x0800);
  EXPECT_EQ(del->tc_kind, "u32");
}

TEST_F(TcMonitorTest, ReplacingInPlaceIsAChange) {
  RunAndRead("tc qdisc add dev cnv0 root handle ca00: tbf rate 1mbit burst 32kb latency 50ms",
             Is(TcEventKind::kQdiscChanged, cnv0_, kCa00));
  auto events = RunAndRead(
      "tc qdisc replace dev cnv0 root handle ca00: tbf rate 2mbit burst 32kb latency 50ms",
      Is(TcEventKind::kQdiscChanged, cnv0_, kCa00));
  // Same handle and kind: changed in place, nothing deleted.
  EXPECT_EQ(Find(events, Is(TcEventKind::kQdiscDeleted, cnv0_, kCa00)), nullptr)
      << Describe(events);
  EXPECT_EQ(events.back().tc_kind, "tbf");
}

TEST_F(TcMonitorTest, ReplacingWithAnotherQdiscDeletesOurs) {
  RunAndRead("tc qdisc add dev cnv0 root handle ca00: tbf rate 1mbit burst 32kb latency 50ms",
             Is(TcEventKind::kQdiscChanged, cnv0_, kCa00));
  auto events = RunAndRead("tc qdisc replace dev cnv0 root handle cb00: htb default 10",
                           Is(TcEventKind::kQdiscChanged, cnv0_, kCb00));
  const TcEvent* del = Find(events, Is(TcEventKind::kQdiscDeleted, cnv0_, kCa00));
  ASSERT_NE(del, nullptr) << Describe(events);
  const TcEvent* add = Find(events, Is(TcEventKind::kQdiscChanged, cnv0_, kCb00));
  EXPECT_TRUE(add->replaced);
  EXPECT_LT(del, add) << "the old qdisc's deletion comes first";
}

TEST_F(TcMonitorTest, DeletingTheLinkIsSeen) {
  auto events = RunAndRead("ip link del cnv0", IsLink(TcEventKind::kLinkDeleted, cnv0_));
  EXPECT_EQ(Find(events, IsLink(TcEventKind::kLinkDeleted, cnv0_))->ifname, "cnv0");
}

TEST_F(TcMonitorTest, PeerDeletedInAnotherNamespaceTakesOurEndWithIt) {
  Run(*a_, "tc qdisc add dev cnv0 root handle ca00: tbf rate 1mbit burst 32kb latency 50ms");
  Run(*b_, "ip link del cnv1");
  auto events = ReadUntil(*monitor_, IsLink(TcEventKind::kLinkDeleted, cnv0_));
  const TcEvent* del = Find(events, IsLink(TcEventKind::kLinkDeleted, cnv0_));
  ASSERT_NE(del, nullptr) << Describe(events);
  EXPECT_EQ(del->ifname, "cnv0");
  // Who is named as the sender differs by kernel: 6.18 reports port 0 (the
  // kernel itself), 6.1 the port of `ip` in the other namespace. Neither is
  // the daemon's request socket, so the daemon counts it as foreign.
}

TEST_F(TcMonitorTest, RenamingTheLinkIsAChangeWithTheNewName) {
  auto events = RunAndRead(
      "ip link set cnv0 down && ip link set cnv0 name cnr0",
      [&](const TcEvent& e) { return e.kind == TcEventKind::kLinkChanged && e.ifname == "cnr0"; });
  EXPECT_EQ(Find(events, [](const TcEvent& e) { return e.ifname == "cnr0"; })->ifindex, cnv0_);
}

TEST_F(TcMonitorTest, AnotherNamespacesChangesAreNotSeen) {
  auto in_b = TcMonitor::OpenInNetns(b_->path());
  ASSERT_TRUE(in_b.ok()) << in_b.status().message();
  Run(*b_, "tc qdisc add dev cnv1 root handle ca00: tbf rate 1mbit burst 32kb latency 50ms");
  Run(*b_, "tc qdisc del dev cnv1 root");
  // Notifications are queued on every listening socket during the request
  // itself: once B's monitor has the deletion, A's would have it too.
  auto b_events = ReadUntil(*in_b, Is(TcEventKind::kQdiscDeleted, cnv1_, kCa00));
  ASSERT_TRUE(Find(b_events, Is(TcEventKind::kQdiscDeleted, cnv1_, kCa00))) << Describe(b_events);
  auto a_events = monitor_->ReadAvailable();
  ASSERT_TRUE(a_events.ok());
  EXPECT_TRUE(a_events->empty()) << Describe(*a_events);
}

// A socket pins its namespace: after `ip netns del` (or the container's last
// process exiting) the namespace and its links live on while the monitor is
// open, so no event says it went. Its veth peer goes only when the monitor
// closes; a watcher on the peer's side sees that.
TEST_F(TcMonitorTest, MonitorKeepsItsNamespaceAliveUntilClosed) {
  auto in_b = TcMonitor::OpenInNetns(b_->path());
  ASSERT_TRUE(in_b.ok()) << in_b.status().message();
  int rc = 0;
  const std::string out = chaosnet::testing::RunCommand("ip netns del " + a_->name(), &rc);
  ASSERT_EQ(rc, 0) << out;
  // Should-not-happen window: a namespace being torn down would have removed
  // cnv1 by now.
  pollfd p{in_b->fd(), POLLIN, 0};
  poll(&p, 1, 500);
  auto early = in_b->ReadAvailable();
  ASSERT_TRUE(early.ok());
  EXPECT_EQ(Find(*early, IsLink(TcEventKind::kLinkDeleted, cnv1_)), nullptr) << Describe(*early);

  monitor_.reset();  // the last reference: now the kernel dismantles A
  auto events = ReadUntil(*in_b, IsLink(TcEventKind::kLinkDeleted, cnv1_));
  EXPECT_TRUE(Find(events, IsLink(TcEventKind::kLinkDeleted, cnv1_))) << Describe(events);
}

TEST_F(TcMonitorTest, OurOwnRequestsCarryOurPortId) {
  // The daemon tells its own deletions from foreign ones by the sender port.
  Run(*a_, "tc qdisc add dev cnv0 root handle ca00: tbf rate 1mbit burst 32kb latency 50ms");
  EnterNetns enter(a_->path());
  ASSERT_TRUE(enter.ok()) << enter.error();
  auto sock = NetlinkSocket::Open();
  ASSERT_TRUE(sock.ok()) << sock.status().message();
  auto del = EncodeQdiscDelete({cnv0_, kCa00, kRoot});
  const KernelError err = sock->Transact(del);
  ASSERT_TRUE(err.ok()) << err.ext_ack;
  auto events = ReadUntil(*monitor_, Is(TcEventKind::kQdiscDeleted, cnv0_, kCa00));
  const TcEvent* e = Find(events, Is(TcEventKind::kQdiscDeleted, cnv0_, kCa00));
  ASSERT_NE(e, nullptr) << Describe(events);
  EXPECT_EQ(e->sender_port, nl_socket_get_local_port(sock->get()));
  const TcEvent* tc_add = Find(events, Is(TcEventKind::kQdiscChanged, cnv0_, kCa00));
  ASSERT_NE(tc_add, nullptr);
  EXPECT_NE(tc_add->sender_port, e->sender_port) << "tc's own socket is another port";
}

TEST_F(TcMonitorTest, OverrunIsReportedAsResyncAndTheMonitorGoesOn) {
  // The smallest buffer the kernel allows holds a couple of notifications;
  // forty link changes in one `ip -batch` overflow it.
  TcMonitorOptions small;
  small.receive_buffer_bytes = 1;
  auto m = TcMonitor::OpenInNetns(a_->path(), small);
  ASSERT_TRUE(m.ok()) << m.status().message();
  std::string batch;
  for (int i = 0; i < 40; ++i) batch += "link set cnv0 mtu " + std::to_string(1400 + i) + "\n";
  Run(*a_, "printf '" + batch + "' | ip -batch -");
  auto events = ReadUntil(*m, [](const TcEvent& e) { return e.kind == TcEventKind::kResync; });
  ASSERT_TRUE(Find(events, [](const TcEvent& e) { return e.kind == TcEventKind::kResync; }))
      << Describe(events);
  // Drained: later changes come through as usual.
  while (true) {
    auto more = m->ReadAvailable();
    ASSERT_TRUE(more.ok());
    if (more->empty()) break;
  }
  Run(*a_, "tc qdisc add dev cnv0 root handle ca00: tbf rate 1mbit burst 32kb latency 50ms");
  auto after = ReadUntil(*m, Is(TcEventKind::kQdiscChanged, cnv0_, kCa00));
  EXPECT_TRUE(Find(after, Is(TcEventKind::kQdiscChanged, cnv0_, kCa00))) << Describe(after);
}

// A batch of `classes` htb classes under a new root ca00: on cnv0, sent from
// `sock` (inside A) in one TransactBatch.
void SendClassBatch(NetlinkSocket& sock, int ifindex, int classes) {
  std::vector<NlMessage> requests;
  requests.push_back(EncodeHtbQdiscAdd({ifindex, kCa00, kRoot}, plan::HtbQdisc{}));
  for (int i = 1; i <= classes; ++i) {
    requests.push_back(
        EncodeHtbClassAdd(ifindex, plan::HtbClass{kCa00 | static_cast<uint32_t>(i), kCa00, 125'000,
                                                  125'000, 2'000, 2'000, 0}));
  }
  for (const auto& reply : sock.TransactBatch(requests)) {
    ASSERT_TRUE(reply.error.ok()) << reply.error.ext_ack;
  }
}

TEST_F(TcMonitorTest, AnOwnBatchOverrunningTheBufferIsReportedAsResync) {
  // What the daemon's monitor would get without its port filter: a batch
  // notifies far faster than the reader reads.
  TcMonitorOptions small;
  small.receive_buffer_bytes = 1;
  auto m = TcMonitor::OpenInNetns(a_->path(), small);
  ASSERT_TRUE(m.ok()) << m.status().message();
  EnterNetns enter(a_->path());
  ASSERT_TRUE(enter.ok()) << enter.error();
  auto sock = NetlinkSocket::Open();
  ASSERT_TRUE(sock.ok()) << sock.status().message();
  SendClassBatch(*sock, cnv0_, 200);
  auto events = ReadUntil(*m, [](const TcEvent& e) { return e.kind == TcEventKind::kResync; });
  EXPECT_TRUE(Find(events, [](const TcEvent& e) { return e.kind == TcEventKind::kResync; }))
      << Describe(events);
}

TEST_F(TcMonitorTest, TheIgnoredPortsBatchIsFilteredInTheKernelAndCannotOverrun) {
  EnterNetns enter(a_->path());
  ASSERT_TRUE(enter.ok()) << enter.error();
  auto sock = NetlinkSocket::Open();
  ASSERT_TRUE(sock.ok()) << sock.status().message();
  TcMonitorOptions small;
  small.receive_buffer_bytes = 1;
  small.ignored_port = nl_socket_get_local_port(sock->get());
  auto m = TcMonitor::Open(small);
  ASSERT_TRUE(m.ok()) << m.status().message();
  SendClassBatch(*sock, cnv0_, 200);
  // A change by hand afterwards: everything before it has been read once it is.
  Run(*a_, "tc class del dev cnv0 classid ca00:7");
  auto events = ReadUntil(*m, Is(TcEventKind::kClassDeleted, cnv0_, kCa00 | 7));
  ASSERT_TRUE(Find(events, Is(TcEventKind::kClassDeleted, cnv0_, kCa00 | 7))) << Describe(events);
  EXPECT_EQ(events.size(), 1u) << "none of the batch's 201 notifications, no overrun:"
                               << Describe(events);
}

TEST_F(TcMonitorTest, AdoptsASocketOpenedInsideTheNamespace) {
  int fd = -1;
  {
    EnterNetns enter(a_->path());
    ASSERT_TRUE(enter.ok()) << enter.error();
    fd = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);  // blocking, unbound: FromSocketFd fixes both
    ASSERT_GE(fd, 0);
  }
  auto m = TcMonitor::FromSocketFd(fd);
  ASSERT_TRUE(m.ok()) << m.status().message();
  EXPECT_EQ(m->fd(), fd);
  auto quiet = m->ReadAvailable();  // must not block although the fd was blocking
  ASSERT_TRUE(quiet.ok());
  EXPECT_TRUE(quiet->empty());
  Run(*a_, "tc qdisc add dev cnv0 root handle ca00: htb default 10");
  auto events = ReadUntil(*m, Is(TcEventKind::kQdiscChanged, cnv0_, kCa00));
  EXPECT_TRUE(Find(events, Is(TcEventKind::kQdiscChanged, cnv0_, kCa00))) << Describe(events);
}

TEST(TcMonitorAdoptTest, RefusesWhatIsNotARouteSocketAndClosesIt) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  close(fds[1]);
  auto m = TcMonitor::FromSocketFd(fds[0]);
  EXPECT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(fcntl(fds[0], F_GETFD), -1) << "the adopted fd must be closed on failure";

  const int udp = socket(AF_INET, SOCK_DGRAM, 0);
  ASSERT_GE(udp, 0);
  auto m2 = TcMonitor::FromSocketFd(udp);
  EXPECT_FALSE(m2.ok());
  EXPECT_EQ(m2.status().code(), StatusCode::kInvalidArgument);

  EXPECT_FALSE(TcMonitor::FromSocketFd(-1).ok());
}

TEST(TcMonitorAdoptTest, UnknownNamespaceIsNotFound) {
  auto m = TcMonitor::OpenInNetns("/run/netns/cn-test-does-not-exist-" + std::to_string(getpid()));
  EXPECT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), StatusCode::kNotFound);
}

TEST(TcMonitorMoveTest, MovedFromMonitorOwnsNothing) {
  auto m = TcMonitor::Open();
  ASSERT_TRUE(m.ok()) << m.status().message();
  const int fd = m->fd();
  TcMonitor moved(std::move(m).value());
  EXPECT_EQ(moved.fd(), fd);
  TcMonitor target = std::move(moved);
  EXPECT_EQ(moved.fd(), -1);  // NOLINT(bugprone-use-after-move): the point of the test
  EXPECT_EQ(target.fd(), fd);
  EXPECT_NE(fcntl(fd, F_GETFD), -1);
}

}  // namespace
}  // namespace chaosnet::netlink
