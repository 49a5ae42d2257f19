// A fault never outlives its lease, even when the daemon is killed: a real
// chaosnetd is SIGKILLed and restarted on the same state directory, and the
// kernel (read with `tc -j`) and the API must show the lease still holding.
#include <google/protobuf/util/time_util.h>
#include <signal.h>
#include <stdlib.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <thread>

#include "tests/api/api_fixture.h"

namespace chaosnet::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

int64_t Millis(const google::protobuf::Timestamp& t) {
  return google::protobuf::util::TimeUtil::TimestampToMilliseconds(t);
}

class CrashTest : public ApiTest {
 protected:
  void SetUp() override {
    if (!IsRoot()) GTEST_SKIP() << "needs root: creates network namespaces and qdiscs";
    char tmpl[] = "/tmp/chaosnetd-crash-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    state_dir_ = tmpl;
    net_ = std::make_unique<TestNetwork>();
    ASSERT_TRUE(net_->ok()) << "could not create the test namespaces";
    Start();
  }
  void TearDown() override {
    ApiTest::TearDown();
    std::error_code ec;
    if (!state_dir_.empty()) std::filesystem::remove_all(state_dir_, ec);
  }

  void Start() {
    daemon_ = std::make_unique<DaemonProcess>(net_->ns_a(), ExtraDaemonArgs(), state_dir_);
    ASSERT_TRUE(daemon_->WaitReady()) << daemon_->ReadLog();
    stub_ = daemon_->NewStub();
  }
  void Crash() {
    stub_.reset();
    ASSERT_NE(daemon_->StopWith(SIGKILL), -1);
    daemon_.reset();
  }
  std::string CreateRate(int ttl_seconds) {
    pb::CreateFaultResponse resp;
    grpc::Status s = Create(RateRequest(1'000'000, ttl_seconds), &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    EXPECT_TRUE(HasOwnedQdisc()) << Qdiscs();
    return resp.fault().id();
  }
  std::string JournalPath() const { return state_dir_ + "/leases.journal"; }

  std::string state_dir_;
};

TEST_F(CrashTest, LeaseThatExpiredWhileDownIsRolledBackAtStart) {
  const std::string id = CreateRate(60);
  ASSERT_FALSE(id.empty());
  // Cut to 2 s only now: a short lease given at create could end, rolled back
  // by the daemon itself, before a loaded machine got to the crash.
  SetTtl(id, 2s);
  Crash();
  const auto crashed_at = Clock::now();
  EXPECT_TRUE(HasOwnedQdisc()) << "a SIGKILLed daemon cannot roll back: " << Qdiscs();

  std::this_thread::sleep_for(2500ms);  // real time must pass: the lease runs out while down
  const auto restart_at = Clock::now();
  Start();
  // Reconciliation runs before the daemon serves, so it is done by now.
  const auto clean_deadline = restart_at + 1s;
  while (HasOwnedQdisc() && Clock::now() < clean_deadline) std::this_thread::sleep_for(10ms);
  const auto clean_at = Clock::now();
  EXPECT_FALSE(HasOwnedQdisc()) << Qdiscs();
  auto ms = [](auto d) { return std::chrono::duration_cast<std::chrono::milliseconds>(d).count(); };
  std::printf("crash -> restart %lldms, restart -> clean %lldms, crash -> clean %lldms\n",
              static_cast<long long>(ms(restart_at - crashed_at)),
              static_cast<long long>(ms(clean_at - restart_at)),
              static_cast<long long>(ms(clean_at - crashed_at)));

  const std::string log = daemon_->ReadLog();
  EXPECT_NE(log.find("fault " + id + " on cn0 expired while the daemon was down"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("reconciled: 0 re-armed, 1 expired and removed, 0 lost, 0 orphans removed"),
            std::string::npos)
      << log;
  pb::Fault f = Get(id);
  EXPECT_EQ(f.state(), pb::FAULT_STATE_EXPIRED);
}

TEST_F(CrashTest, LiveLeaseIsRearmedWithItsIdAndDeadline) {
  pb::CreateFaultResponse created;
  ASSERT_TRUE(Create(RateRequest(1'000'000, 60), &created).ok());
  const pb::Fault before = created.fault();
  Crash();
  Start();

  EXPECT_TRUE(HasOwnedQdisc()) << Qdiscs();
  pb::Fault after = Get(before.id());
  EXPECT_EQ(after.id(), before.id());
  EXPECT_EQ(after.state(), pb::FAULT_STATE_ACTIVE);
  EXPECT_NEAR(Millis(after.expires_at()), Millis(before.expires_at()), 1000);
  EXPECT_NE(daemon_->ReadLog().find("reconciled: 1 re-armed"), std::string::npos)
      << daemon_->ReadLog();

  pb::RevokeFaultRequest req;
  req.set_id(before.id());
  pb::Fault revoked;
  grpc::Status s = stub_->RevokeFault(Ctx().get(), req, &revoked);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(revoked.state(), pb::FAULT_STATE_REVOKED);
  EXPECT_FALSE(HasOwnedQdisc()) << Qdiscs();
}

TEST_F(CrashTest, RearmedLeaseStillExpiresOnTime) {
  // The lease must outlive a crash and restart, however slow the machine:
  // time one first, and give the lease twice that and 2 s more.
  const auto restart_began = Clock::now();
  Crash();
  Start();
  const auto restart = Clock::now() - restart_began;
  const std::string id = CreateRate(60);
  ASSERT_FALSE(id.empty());
  SetTtl(id, 2s + std::chrono::ceil<std::chrono::seconds>(2 * restart));
  Crash();
  Start();
  ASSERT_NE(daemon_->ReadLog().find("reconciled: 1 re-armed"), std::string::npos)
      << daemon_->ReadLog();

  const pb::Fault f = AwaitState(id, pb::FAULT_STATE_EXPIRED);
  ASSERT_EQ(f.state(), pb::FAULT_STATE_EXPIRED) << f.state_reason();
  const int64_t late_ms = Millis(f.ended_at()) - Millis(f.expires_at());
  std::printf("re-armed lease ended %lldms after its deadline\n", static_cast<long long>(late_ms));
  EXPECT_GE(late_ms, 0);
  EXPECT_LE(late_ms, 1500);
  EXPECT_FALSE(HasOwnedQdisc()) << Qdiscs();
}

TEST_F(CrashTest, CorruptJournalStillStartsAndOrphanIsRemoved) {
  // A first fault, created and revoked, fills the front of the journal; the
  // live one's entries come after it.
  const std::string first = CreateRate(60);
  pb::RevokeFaultRequest req;
  req.set_id(first);
  pb::Fault revoked;
  ASSERT_TRUE(stub_->RevokeFault(Ctx().get(), req, &revoked).ok());
  const std::string live = CreateRate(60);
  ASSERT_FALSE(live.empty());
  Crash();

  // Garbage in the payload of the first entry, with five intact entries after
  // it: everything from there on is discarded, so the live fault's qdisc
  // belongs to no record. (Damage further on would keep the first fault's
  // pending record, and since both faults are the same tbf root on the same
  // device, reconciliation would re-arm the live qdisc under the first id.)
  const auto size = std::filesystem::file_size(JournalPath());
  ASSERT_GT(size, 64u);
  {
    constexpr std::streamoff kFirstPayload = 8 + 16;  // file header + entry header
    std::fstream f(JournalPath(), std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(kFirstPayload + 20);
    f.write("\xde\xad\xbe\xef garbage \xff\xff", 14);
  }
  Start();

  EXPECT_FALSE(HasOwnedQdisc()) << Qdiscs();
  const std::string log = daemon_->ReadLog();
  EXPECT_NE(log.find("lease journal corrupt"), std::string::npos) << log;
  EXPECT_NE(log.find("removed htb qdisc ca00: on cn0 (orphan)"), std::string::npos) << log;
  EXPECT_NE(log.find("1 orphans removed"), std::string::npos) << log;
  bool preserved = false;
  for (const auto& e : std::filesystem::directory_iterator(state_dir_)) {
    preserved |= e.path().filename().string().starts_with("leases.journal.corrupt.");
  }
  EXPECT_TRUE(preserved) << "the damaged journal is kept for inspection";

  // And the daemon works: the interface is free again.
  EXPECT_FALSE(CreateRate(60).empty());
}

TEST_F(CrashTest, CleanShutdownLeavesNothingRecorded) {
  ASSERT_FALSE(CreateRate(60).empty());
  stub_.reset();
  ASSERT_NE(daemon_->StopWith(SIGTERM), -1);
  daemon_.reset();
  EXPECT_FALSE(HasOwnedQdisc()) << Qdiscs();
  Start();
  const std::string log = daemon_->ReadLog();
  EXPECT_NE(log.find("0 lease(s) recorded"), std::string::npos) << log;
  EXPECT_NE(log.find("reconciled: 0 re-armed, 0 expired and removed, 0 lost, 0 orphans removed"),
            std::string::npos)
      << log;
}

// The journal is not flushed (a write that returned is in the page cache): a
// SIGKILL in the middle of a burst of creates loses no acknowledged fault and
// leaves no object that no lease accounts for.
TEST_F(CrashTest, SigkillMidBurstLosesNothingAndLeavesNothing) {
  auto count_classes = [this] {
    const std::string text = Classes();
    int n = 0;
    for (std::size_t at = 0; (at = text.find("class htb ca00:", at)) != std::string::npos; ++at)
      ++n;
    return n;
  };
  auto targeted = [this](int i) {
    pb::CreateFaultRequest r = RateRequest(1'000'000, 600);
    r.mutable_spec()->mutable_match()->set_dst_cidr("10.99." + std::to_string(i / 250) + "." +
                                                    std::to_string(i % 250 + 1) + "/32");
    return r;
  };
  // The classes a tree has besides one per fault, from a tree of one.
  pb::CreateFaultResponse first;
  ASSERT_TRUE(Create(targeted(0), &first).ok());
  const int classes_besides_faults = count_classes() - 1;

  std::mutex mu;
  std::set<std::string> acknowledged = {first.fault().id()};
  std::atomic<bool> stop = false;
  std::thread burst([&, stub = daemon_->NewStub()] {
    for (int i = 1; i < 2000 && !stop; ++i) {
      pb::CreateFaultResponse resp;
      grpc::ClientContext ctx;
      ctx.set_deadline(std::chrono::system_clock::now() + 10s);
      if (!stub->CreateFault(&ctx, targeted(i), &resp).ok()) return;  // the daemon died
      std::lock_guard lock(mu);
      acknowledged.insert(resp.fault().id());
    }
  });
  const auto until = Clock::now() + 60s;
  while (Clock::now() < until) {
    {
      std::lock_guard lock(mu);
      if (acknowledged.size() >= 25) break;
    }
    std::this_thread::sleep_for(5ms);
  }
  Crash();  // while the burst goes on
  stop = true;
  burst.join();
  ASSERT_GE(acknowledged.size(), 2u) << "the burst never got going";
  Start();

  pb::ListFaultsResponse listed;
  ASSERT_TRUE(stub_->ListFaults(Ctx().get(), pb::ListFaultsRequest(), &listed).ok());
  std::set<std::string> active;
  for (const pb::Fault& f : listed.faults()) {
    if (f.state() == pb::FAULT_STATE_ACTIVE) active.insert(f.id());
  }
  for (const std::string& id : acknowledged) {
    EXPECT_TRUE(active.count(id)) << "acknowledged fault " << id << " was lost";
  }
  // At most the create in flight when the daemon died is there unacknowledged
  // (recorded and placed, killed before it answered): its lease holds.
  EXPECT_LE(active.size(), acknowledged.size() + 1);
  EXPECT_EQ(count_classes(), static_cast<int>(active.size()) + classes_besides_faults) << Classes();
  std::printf("[crash] %zu acknowledged before SIGKILL, %zu re-armed\n", acknowledged.size(),
              active.size());

  for (const std::string& id : active) {
    pb::RevokeFaultRequest req;
    req.set_id(id);
    pb::Fault revoked;
    ASSERT_TRUE(stub_->RevokeFault(Ctx().get(), req, &revoked).ok());
  }
  EXPECT_FALSE(HasOwnedQdisc()) << Qdiscs();
}

TEST_F(CrashTest, SecondDaemonOnTheSameStateDirIsRefused) {
  DaemonProcess second(net_->ns_a(), ExtraDaemonArgs(), state_dir_);
  EXPECT_FALSE(second.WaitReady());
  EXPECT_NE(second.ReadLog().find("cannot open the lease journal"), std::string::npos)
      << second.ReadLog();
}

}  // namespace
}  // namespace chaosnet::testing
