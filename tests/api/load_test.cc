// LOAD TEST: N concurrent clients, each with its own connection and thread,
// create and revoke rate faults on a veth of their own, through one real
// daemon in a throwaway namespace. Asserts correctness only (no errors,
// nothing left in the kernel or in the daemon, every event seen by a watcher);
// throughput, latencies and memory are printed with the prefix "[load]",
// never asserted.
//
// CHAOSNET_LOAD_CLIENTS and CHAOSNET_LOAD_PAIRS override N (16) and the
// create+revoke pairs per client (50) for a longer run by hand.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <barrier>
#include <cstdlib>
#include <iostream>
#include <map>
#include <mutex>
#include <thread>

#include "tests/api/daemon_process.h"
#include "tests/api/process_probe.h"
#include "tests/api/test_network.h"
#include "tests/support/run_command.h"
#include "tests/support/test_env.h"
#include "tests/support/test_netns.h"

namespace chaosnet::testing {
namespace {

namespace pb = ::chaosnet::v1;
using ::testing::HasSubstr;
using ::testing::Not;
using Clock = std::chrono::steady_clock;

std::chrono::system_clock::time_point In(std::chrono::seconds s) {
  return std::chrono::system_clock::now() + s;
}

class LoadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!IsRoot()) GTEST_SKIP() << "needs root: creates network namespaces and qdiscs";
    RaiseOwnFileLimit();
    clients_ = EnvInt("CHAOSNET_LOAD_CLIENTS", 16);
    pairs_ = EnvInt("CHAOSNET_LOAD_PAIRS", 50);
    std::string error;
    ns_ = TestNetns::Create(&error);
    ASSERT_NE(ns_, nullptr) << error;
    // One veth pair per client, both ends in the daemon's namespace: each
    // client faults its own interface, so no two creates collide.
    for (int i = 0; i < clients_; ++i) {
      ASSERT_TRUE(ns_->AddVeth(Iface(i), "", nullptr, "lp" + std::to_string(i), "", &error))
          << error;
    }
    daemon_ =
        std::make_unique<DaemonProcess>(ns_->name(), std::vector<std::string>{"--max-ttl", "1h"});
    ASSERT_TRUE(daemon_->WaitReady()) << daemon_->ReadLog();
    pid_ = ListenerPid(daemon_->socket_path());
    ASSERT_GT(pid_, 0);
    ASSERT_EQ(ProcessName(pid_), "chaosnetd");
  }
  void TearDown() override {
    daemon_.reset();
    ns_.reset();
  }

  void ExpectNothingLeft();

 public:
  static std::string Iface(int i) { return "lt" + std::to_string(i); }

 protected:
  // Every qdisc in the namespace, and every link, as tc and ip print them.
  std::string AllQdiscs() const { return ns_->Exec("tc -j qdisc show"); }
  std::string AllLinks() const { return ns_->Exec("ip -o link show"); }

  std::unique_ptr<TestNetns> ns_;
  std::unique_ptr<DaemonProcess> daemon_;
  pid_t pid_ = -1;
  int clients_ = 16;
  int pairs_ = 50;
};

struct ClientResult {
  std::vector<double> create_ms, revoke_ms;
  int errors = 0;
  std::string first_error;
};

struct LoadRun {
  int clients = 0;
  int pairs = 0;
  std::size_t operations = 0;
  int errors = 0;
  std::string first_error;
  double wall_ms = 0;
  std::vector<double> create_ms, revoke_ms;
  // The watcher's view: every create and revoke, in order, and how it ended.
  int applied_seen = 0;
  int revoked_seen = 0;
  int sequence_gaps = 0;
  bool watcher_ended_early = false;  // before the test cancelled it
  grpc::Status watcher_status;
  double rss_before = 0, rss_after = 0, rss_peak = 0;
  int fds_before = 0, fds_after = 0;
};

// Runs `clients` x `pairs` create+revoke pairs, each client on its own
// connection and thread, with a watcher reading every event meanwhile.
void RunLoad(DaemonProcess& daemon, pid_t pid, int clients, int pairs, LoadRun* out) {
  out->clients = clients;
  out->pairs = pairs;
  out->rss_before = RssMiB(pid);
  out->fds_before = OpenFdCount(pid);

  // The watcher's subscription is confirmed by the snapshot of an anchor
  // fault on the first interface, revoked before the run.
  auto watch_stub = daemon.NewStub();
  std::string anchor_id;
  {
    pb::CreateFaultRequest anchor;
    anchor.mutable_spec()->set_interface(LoadTest::Iface(0));
    anchor.mutable_spec()->mutable_rate()->set_bits_per_second(1'000'000);
    anchor.mutable_ttl()->set_seconds(60);
    pb::CreateFaultResponse created;
    grpc::ClientContext ctx;
    ctx.set_deadline(In(std::chrono::seconds(30)));
    ASSERT_TRUE(watch_stub->CreateFault(&ctx, anchor, &created).ok());
    anchor_id = created.fault().id();
  }
  grpc::ClientContext watch_ctx;
  pb::WatchRequest watch_req;
  watch_req.set_send_initial(true);
  auto watch = watch_stub->Watch(&watch_ctx, watch_req);
  pb::FaultEvent event;
  ASSERT_TRUE(watch->Read(&event));
  ASSERT_EQ(event.type(), pb::EVENT_TYPE_SNAPSHOT);
  {
    pb::RevokeFaultRequest revoke;
    revoke.set_id(anchor_id);
    pb::Fault f;
    grpc::ClientContext ctx;
    ctx.set_deadline(In(std::chrono::seconds(30)));
    ASSERT_TRUE(watch_stub->RevokeFault(&ctx, revoke, &f).ok());
    ASSERT_TRUE(watch->Read(&event));
    ASSERT_EQ(event.type(), pb::EVENT_TYPE_REVOKED);
  }
  std::map<pb::EventType, int> seen;
  std::atomic<bool> cancelling{false};
  std::atomic<bool> ended_early{false};
  std::atomic<int> events_seen{0};
  int gaps = 0;
  grpc::Status watch_status;
  std::thread watcher([&, last = event.sequence()]() mutable {
    pb::FaultEvent e;
    while (watch->Read(&e)) {
      if (e.sequence() != last + 1) ++gaps;
      last = e.sequence();
      ++seen[e.type()];
      events_seen.fetch_add(1);
    }
    ended_early = !cancelling.load();
    watch_status = watch->Finish();
  });
  struct WatcherGuard {
    grpc::ClientContext& ctx;
    std::atomic<bool>& cancelling;
    std::thread& t;
    ~WatcherGuard() {
      cancelling = true;
      ctx.TryCancel();
      if (t.joinable()) t.join();
    }
  } guard{watch_ctx, cancelling, watcher};

  // Each client: its own connection, connected and answering before the clock starts.
  std::vector<std::unique_ptr<pb::FaultService::Stub>> stubs;
  for (int i = 0; i < clients; ++i) {
    auto channel = DistinctChannel(daemon.server_address(), i);
    ASSERT_TRUE(WaitConnected(*channel, std::chrono::seconds(30)));
    stubs.push_back(pb::FaultService::NewStub(channel));
    pb::Info info;
    grpc::ClientContext ctx;
    ctx.set_deadline(In(std::chrono::seconds(30)));
    ASSERT_TRUE(stubs.back()->GetInfo(&ctx, {}, &info).ok());
  }

  std::vector<ClientResult> results(clients);
  std::barrier start_line(clients + 1);
  std::vector<std::thread> threads;
  for (int i = 0; i < clients; ++i) {
    threads.emplace_back([&, i] {
      ClientResult& r = results[i];
      auto fail = [&r](const std::string& what, const grpc::Status& s) {
        if (r.errors++ == 0) r.first_error = what + ": " + s.error_message();
      };
      start_line.arrive_and_wait();
      for (int k = 0; k < pairs; ++k) {
        pb::CreateFaultRequest req;
        req.mutable_spec()->set_interface(LoadTest::Iface(i));
        req.mutable_spec()->mutable_rate()->set_bits_per_second(1'000'000 + 1000 * k);
        req.mutable_ttl()->set_seconds(60);
        (*req.mutable_labels())["load-test"] = std::to_string(i);
        pb::CreateFaultResponse created;
        grpc::ClientContext cctx;
        cctx.set_deadline(In(std::chrono::seconds(60)));
        auto t0 = Clock::now();
        grpc::Status s = stubs[i]->CreateFault(&cctx, req, &created);
        r.create_ms.push_back(MillisSince(t0));
        if (!s.ok()) {
          fail("create on " + LoadTest::Iface(i), s);
          continue;
        }
        pb::RevokeFaultRequest revoke;
        revoke.set_id(created.fault().id());
        pb::Fault revoked;
        grpc::ClientContext rctx;
        rctx.set_deadline(In(std::chrono::seconds(60)));
        t0 = Clock::now();
        s = stubs[i]->RevokeFault(&rctx, revoke, &revoked);
        r.revoke_ms.push_back(MillisSince(t0));
        if (!s.ok()) {
          fail("revoke of " + created.fault().id(), s);
        } else if (revoked.state() != pb::FAULT_STATE_REVOKED) {
          fail("revoke of " + created.fault().id() + " left state " +
                   pb::FaultState_Name(revoked.state()),
               grpc::Status::OK);
        }
      }
    });
  }
  start_line.arrive_and_wait();
  const auto start = Clock::now();
  for (auto& t : threads) t.join();
  out->wall_ms = MillisSince(start);

  for (const auto& r : results) {
    out->errors += r.errors;
    if (out->first_error.empty()) out->first_error = r.first_error;
    out->create_ms.insert(out->create_ms.end(), r.create_ms.begin(), r.create_ms.end());
    out->revoke_ms.insert(out->revoke_ms.end(), r.revoke_ms.begin(), r.revoke_ms.end());
  }
  out->operations = out->create_ms.size() + out->revoke_ms.size();

  // Let the watcher catch up (generous: a minute), then end it.
  const int expected_events = 2 * clients * pairs;
  for (int i = 0; i < 6000 && !ended_early.load() && events_seen.load() < expected_events; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  cancelling = true;
  watch_ctx.TryCancel();
  watcher.join();
  out->applied_seen = seen[pb::EVENT_TYPE_APPLIED];
  out->revoked_seen = seen[pb::EVENT_TYPE_REVOKED];
  out->sequence_gaps = gaps;
  out->watcher_ended_early = ended_early.load();
  out->watcher_status = watch_status;

  stubs.clear();
  // The clients' connections close on the daemon's side a moment later.
  out->fds_after = OpenFdCount(pid);
  for (int i = 0; i < 200 && out->fds_after > out->fds_before + 1; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    out->fds_after = OpenFdCount(pid);
  }
  out->rss_after = RssMiB(pid);
  out->rss_peak = PeakRssMiB(pid);
}

void Print(const LoadRun& r) {
  std::cout << "[load] clients=" << r.clients << " pairs_per_client=" << r.pairs
            << " operations=" << r.operations << " errors=" << r.errors << "\n"
            << "[load] wall_time_ms=" << r.wall_ms
            << " ops_per_s=" << (r.operations * 1000.0 / r.wall_ms) << "\n"
            << "[load] create_ms p50=" << Percentile(r.create_ms, 0.5)
            << " p99=" << Percentile(r.create_ms, 0.99) << " max=" << Percentile(r.create_ms, 1.0)
            << "\n"
            << "[load] revoke_ms p50=" << Percentile(r.revoke_ms, 0.5)
            << " p99=" << Percentile(r.revoke_ms, 0.99) << " max=" << Percentile(r.revoke_ms, 1.0)
            << "\n"
            << "[load] daemon_rss_mib before=" << r.rss_before << " after=" << r.rss_after
            << " peak=" << r.rss_peak << " fds before=" << r.fds_before << " after=" << r.fds_after
            << "\n"
            << "[load] watcher events applied=" << r.applied_seen << " revoked=" << r.revoked_seen
            << " gaps=" << r.sequence_gaps << " ended "
            << (r.watcher_ended_early ? "BY ITSELF: " : "when cancelled: ")
            << r.watcher_status.error_code() << " " << r.watcher_status.error_message()
            << std::endl;
}

void LoadTest::ExpectNothingLeft() {
  auto stub = daemon_->NewStub();
  pb::Info info;
  {
    grpc::ClientContext ctx;
    ctx.set_deadline(In(std::chrono::seconds(30)));
    ASSERT_TRUE(stub->GetInfo(&ctx, {}, &info).ok());
  }
  EXPECT_EQ(info.active_faults(), 0u);
  pb::ListFaultsResponse list;
  {
    grpc::ClientContext ctx;
    ctx.set_deadline(In(std::chrono::seconds(30)));
    ASSERT_TRUE(stub->ListFaults(&ctx, {}, &list).ok());
  }
  EXPECT_EQ(list.faults_size(), 0);
  // The kernel's view, read by tc and ip: no chaosnet root on any veth, no IFB.
  const std::string qdiscs = AllQdiscs();
  EXPECT_THAT(qdiscs, Not(HasSubstr("\"handle\":\"ca"))) << qdiscs;
  EXPECT_THAT(qdiscs, Not(HasSubstr("\"kind\":\"htb\""))) << qdiscs;
  for (int i = 0; i < clients_; ++i) {
    const std::string one = TcQdiscJson(ns_->name(), Iface(i));
    EXPECT_THAT(one, Not(HasSubstr("ca00:"))) << Iface(i) << ": " << one;
  }
  EXPECT_THAT(AllLinks(), Not(HasSubstr("cnifb")));
  EXPECT_TRUE(ProcessAlive(pid_));
}

TEST_F(LoadTest, ConcurrentClientsCreateAndRevokeWithoutErrorsOrLeftovers) {
  LoadRun r;
  RunLoad(*daemon_, pid_, clients_, pairs_, &r);
  if (HasFatalFailure()) return;
  Print(r);
  EXPECT_EQ(r.errors, 0) << r.first_error;
  EXPECT_EQ(r.operations, static_cast<std::size_t>(2 * clients_ * pairs_));
  ExpectNothingLeft();
  // Every create and revoke reached the watcher, in order and without a gap.
  EXPECT_FALSE(r.watcher_ended_early) << r.watcher_status.error_message();
  EXPECT_EQ(r.sequence_gaps, 0);
  EXPECT_EQ(r.applied_seen, clients_ * pairs_);
  EXPECT_EQ(r.revoked_seen, clients_ * pairs_);
}

// A watcher that reads as fast as it can must not be cut while the same
// clients run longer: more events in all than a watch stream may queue
// (4096), so a daemon that sends slower than it queues cuts it.
TEST_F(LoadTest, AWatcherThatReadsKeepsUpWithConcurrentClients) {
  const int pairs = std::max(pairs_, 4096 / clients_ + 100);
  LoadRun r;
  RunLoad(*daemon_, pid_, clients_, pairs, &r);
  if (HasFatalFailure()) return;
  Print(r);
  EXPECT_EQ(r.errors, 0) << r.first_error;
  ExpectNothingLeft();
  EXPECT_FALSE(r.watcher_ended_early)
      << "a watcher that reads continuously was cut after " << r.applied_seen + r.revoked_seen
      << " of " << 2 * clients_ * pairs << " events: " << r.watcher_status.error_code() << " "
      << r.watcher_status.error_message();
  EXPECT_EQ(r.sequence_gaps, 0);
  EXPECT_EQ(r.applied_seen, clients_ * pairs);
  EXPECT_EQ(r.revoked_seen, clients_ * pairs);
}

}  // namespace
}  // namespace chaosnet::testing
