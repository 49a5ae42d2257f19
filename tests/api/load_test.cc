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
#include "tests/support/test_netns.h"

namespace chaosnet::testing {
namespace {

namespace pb = ::chaosnet::v1;
using ::testing::HasSubstr;
using ::testing::Not;
using Clock = std::chrono::steady_clock;

int EnvInt(const char* name, int fallback) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return fallback;
  int n = std::atoi(v);
  return n > 0 ? n : fallback;
}

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
    daemon_ = std::make_unique<DaemonProcess>(ns_->name(),
                                              std::vector<std::string>{"--max-ttl", "1h"});
    ASSERT_TRUE(daemon_->WaitReady()) << daemon_->ReadLog();
    pid_ = ListenerPid(daemon_->socket_path());
    ASSERT_GT(pid_, 0);
    ASSERT_EQ(ProcessName(pid_), "chaosnetd");
  }
  void TearDown() override {
    daemon_.reset();
    ns_.reset();
  }

  static std::string Iface(int i) { return "lt" + std::to_string(i); }

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

TEST_F(LoadTest, ConcurrentClientsCreateAndRevokeWithoutErrorsOrLeftovers) {
  const double rss_before = RssMiB(pid_);
  const int fds_before = OpenFdCount(pid_);

  // A watcher counts every lease event; the subscription is confirmed by the
  // snapshot of an anchor fault on the first interface, revoked before the run.
  auto watch_stub = daemon_->NewStub();
  std::string anchor_id;
  {
    pb::CreateFaultRequest anchor;
    anchor.mutable_spec()->set_interface(Iface(0));
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
  std::atomic<uint64_t> last_sequence{event.sequence()};
  std::atomic<int> sequence_gaps{0};
  std::thread watcher([&] {
    pb::FaultEvent e;
    uint64_t last = last_sequence.load();
    while (watch->Read(&e)) {
      if (e.sequence() != last + 1) sequence_gaps.fetch_add(1);
      last = e.sequence();
      ++seen[e.type()];
    }
    last_sequence = last;
  });

  // Each client: its own connection, connected and answering before the clock starts.
  std::vector<std::unique_ptr<pb::FaultService::Stub>> stubs;
  for (int i = 0; i < clients_; ++i) {
    auto channel = DistinctChannel(daemon_->server_address(), i);
    ASSERT_TRUE(WaitConnected(*channel, std::chrono::seconds(30)));
    stubs.push_back(pb::FaultService::NewStub(channel));
    pb::Info info;
    grpc::ClientContext ctx;
    ctx.set_deadline(In(std::chrono::seconds(30)));
    ASSERT_TRUE(stubs.back()->GetInfo(&ctx, {}, &info).ok());
  }

  std::vector<ClientResult> results(clients_);
  std::barrier start_line(clients_ + 1);
  std::vector<std::thread> threads;
  for (int i = 0; i < clients_; ++i) {
    threads.emplace_back([&, i] {
      ClientResult& r = results[i];
      auto fail = [&r](const std::string& what, const grpc::Status& s) {
        if (r.errors++ == 0) r.first_error = what + ": " + s.error_message();
      };
      start_line.arrive_and_wait();
      for (int k = 0; k < pairs_; ++k) {
        pb::CreateFaultRequest req;
        req.mutable_spec()->set_interface(Iface(i));
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
          fail("create on " + Iface(i), s);
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
  const double wall_ms = MillisSince(start);

  int errors = 0;
  std::vector<double> create_ms, revoke_ms;
  for (const auto& r : results) {
    errors += r.errors;
    create_ms.insert(create_ms.end(), r.create_ms.begin(), r.create_ms.end());
    revoke_ms.insert(revoke_ms.end(), r.revoke_ms.begin(), r.revoke_ms.end());
    EXPECT_EQ(r.errors, 0) << r.first_error;
  }
  const std::size_t ops = create_ms.size() + revoke_ms.size();

  // The daemon's view: nothing active, nothing listed.
  pb::Info info;
  {
    grpc::ClientContext ctx;
    ctx.set_deadline(In(std::chrono::seconds(30)));
    ASSERT_TRUE(watch_stub->GetInfo(&ctx, {}, &info).ok());
  }
  EXPECT_EQ(info.active_faults(), 0u);
  pb::ListFaultsResponse list;
  {
    grpc::ClientContext ctx;
    ctx.set_deadline(In(std::chrono::seconds(30)));
    ASSERT_TRUE(watch_stub->ListFaults(&ctx, {}, &list).ok());
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

  // Every create and revoke reached the watcher, in order and without a gap.
  watch_ctx.TryCancel();
  watcher.join();
  watch->Finish();
  EXPECT_EQ(sequence_gaps.load(), 0);
  EXPECT_EQ(seen[pb::EVENT_TYPE_APPLIED], clients_ * pairs_);
  EXPECT_EQ(seen[pb::EVENT_TYPE_REVOKED], clients_ * pairs_);

  stubs.clear();
  const double rss_after = RssMiB(pid_);
  std::cout << "[load] clients=" << clients_ << " pairs_per_client=" << pairs_
            << " operations=" << ops << " errors=" << errors << "\n"
            << "[load] wall_time_ms=" << wall_ms << " ops_per_s=" << (ops * 1000.0 / wall_ms)
            << "\n"
            << "[load] create_ms p50=" << Percentile(create_ms, 0.5)
            << " p99=" << Percentile(create_ms, 0.99)
            << " max=" << Percentile(create_ms, 1.0) << "\n"
            << "[load] revoke_ms p50=" << Percentile(revoke_ms, 0.5)
            << " p99=" << Percentile(revoke_ms, 0.99)
            << " max=" << Percentile(revoke_ms, 1.0) << "\n"
            << "[load] daemon_rss_mib before=" << rss_before << " after=" << rss_after
            << " peak=" << PeakRssMiB(pid_) << " fds before=" << fds_before
            << " after=" << OpenFdCount(pid_) << "\n"
            << "[load] watcher events applied=" << seen[pb::EVENT_TYPE_APPLIED]
            << " revoked=" << seen[pb::EVENT_TYPE_REVOKED] << std::endl;
  EXPECT_EQ(ops, static_cast<std::size_t>(2 * clients_ * pairs_));
  EXPECT_TRUE(ProcessAlive(pid_));
}

}  // namespace
}  // namespace chaosnet::testing
