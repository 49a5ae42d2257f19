// The dead man's switch through a real daemon on the host kernel (rate faults,
// which need no netem): a fault bound to a KeepAlive stream is rolled back when
// the stream ends, whichever way it ends; the stream reports a bound fault
// that ends on its own; a restart does not re-arm a bound fault. Also the
// watch stream's view of a fault's whole life, and systemd's notifications.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>

#include "tests/api/api_fixture.h"

namespace chaosnet::testing {
namespace {

using ::testing::HasSubstr;
using Clock = std::chrono::steady_clock;

class KeepAliveTest : public ApiTest {
 protected:
  // A stream with `id` bound, after the daemon confirmed the binding.
  struct Bound {
    std::unique_ptr<grpc::ClientContext> ctx = std::make_unique<grpc::ClientContext>();
    std::unique_ptr<grpc::ClientReaderWriter<pb::KeepAliveRequest, pb::KeepAliveResponse>> stream;
    pb::KeepAliveResponse first;
  };
  Bound Bind(const std::string& id) {
    Bound b;
    b.stream = stub_->KeepAlive(b.ctx.get());
    pb::KeepAliveRequest req;
    req.add_fault_ids(id);
    EXPECT_TRUE(b.stream->Write(req));
    EXPECT_TRUE(b.stream->Read(&b.first));
    return b;
  }
  std::string CreateRate(int ttl_seconds = 60) {
    pb::CreateFaultResponse created;
    grpc::Status s = Create(RateRequest(1'000'000, ttl_seconds), &created);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return created.fault().id();
  }
};

TEST_F(KeepAliveTest, BindingIsConfirmedAndClosingTheStreamRollsTheFaultBack) {
  const std::string id = CreateRate();
  Bound b = Bind(id);
  ASSERT_EQ(b.first.faults_size(), 1);
  EXPECT_EQ(b.first.faults(0).id(), id);
  EXPECT_TRUE(b.first.faults(0).keep_alive());
  EXPECT_EQ(b.first.faults(0).state(), pb::FAULT_STATE_ACTIVE);
  EXPECT_TRUE(Get(id).keep_alive());
  ASSERT_TRUE(HasOwnedQdisc());

  b.stream->WritesDone();
  pb::KeepAliveResponse ignored;
  while (b.stream->Read(&ignored)) {
  }
  EXPECT_TRUE(b.stream->Finish().ok());
  // The daemon finishes the stream after the rollback: no polling needed.
  pb::Fault f = Get(id);
  EXPECT_EQ(f.state(), pb::FAULT_STATE_REVOKED);
  EXPECT_THAT(f.state_reason(), HasSubstr("keep-alive stream was closed"));
  EXPECT_FALSE(HasOwnedQdisc()) << Qdiscs();
}

TEST_F(KeepAliveTest, ABrokenStreamRollsBackAtOnce) {
  const std::string id = CreateRate();
  Bound b = Bind(id);
  b.ctx->TryCancel();
  const auto cancelled = Clock::now();
  const pb::Fault f = AwaitState(id, pb::FAULT_STATE_REVOKED);
  const auto took = Clock::now() - cancelled;
  EXPECT_EQ(f.state(), pb::FAULT_STATE_REVOKED);
  EXPECT_THAT(f.state_reason(), HasSubstr("keep-alive stream"));
  EXPECT_FALSE(HasOwnedQdisc()) << Qdiscs();
  // The promise is "within a second"; a cancelled local stream takes milliseconds.
  EXPECT_LT(took, std::chrono::seconds(1));
  std::cout << "[ measured ] cancelled stream to rollback seen: "
            << std::chrono::duration<double, std::milli>(took).count() << " ms\n";
  b.stream->Finish();
}

TEST_F(KeepAliveTest, AnUnknownIdEndsTheStreamAndWhatItHeld) {
  const std::string id = CreateRate();
  Bound b = Bind(id);
  pb::KeepAliveRequest more;
  more.add_fault_ids("000000000000");
  b.stream->Write(more);
  pb::KeepAliveResponse ignored;
  while (b.stream->Read(&ignored)) {
  }
  grpc::Status s = b.stream->Finish();
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(s.error_message(), HasSubstr("000000000000"));
  EXPECT_EQ(Get(id).state(), pb::FAULT_STATE_REVOKED);
  EXPECT_FALSE(HasOwnedQdisc()) << Qdiscs();
}

TEST_F(KeepAliveTest, AFaultBindsToOneStreamOnlyAndEndedFaultsCannotBind) {
  const std::string id = CreateRate();
  Bound first = Bind(id);

  grpc::ClientContext ctx;
  auto second = stub_->KeepAlive(&ctx);
  pb::KeepAliveRequest req;
  req.add_fault_ids(id);
  second->Write(req);
  pb::KeepAliveResponse ignored;
  while (second->Read(&ignored)) {
  }
  grpc::Status s = second->Finish();
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(), HasSubstr("already bound"));
  // The refused second stream did not take the fault with it.
  EXPECT_EQ(Get(id).state(), pb::FAULT_STATE_ACTIVE);

  first.ctx->TryCancel();
  first.stream->Finish();
  ASSERT_EQ(AwaitState(id, pb::FAULT_STATE_REVOKED).state(), pb::FAULT_STATE_REVOKED);

  grpc::ClientContext late_ctx;
  auto late = stub_->KeepAlive(&late_ctx);
  late->Write(req);
  while (late->Read(&ignored)) {
  }
  EXPECT_EQ(late->Finish().error_code(), grpc::StatusCode::FAILED_PRECONDITION);
}

TEST_F(KeepAliveTest, AnEmptyBindingIsInvalid) {
  grpc::ClientContext ctx;
  auto stream = stub_->KeepAlive(&ctx);
  stream->Write(pb::KeepAliveRequest{});
  pb::KeepAliveResponse ignored;
  while (stream->Read(&ignored)) {
  }
  EXPECT_EQ(stream->Finish().error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(KeepAliveTest, TheStreamReportsABoundFaultThatExpires) {
  const std::string id = CreateRate();
  Bound b = Bind(id);
  // Cut to 1 s once bound: a 1 s lease given at create could end before a
  // loaded machine had bound it.
  SetTtl(id, std::chrono::seconds(1));
  pb::KeepAliveResponse update;
  ASSERT_TRUE(b.stream->Read(&update));  // arrives at the expiry, about 1 s later
  ASSERT_EQ(update.faults_size(), 1);
  EXPECT_EQ(update.faults(0).id(), id);
  EXPECT_EQ(update.faults(0).state(), pb::FAULT_STATE_EXPIRED);
  b.stream->WritesDone();
  while (b.stream->Read(&update)) {
  }
  EXPECT_TRUE(b.stream->Finish().ok());
  EXPECT_EQ(Get(id).state(), pb::FAULT_STATE_EXPIRED);
}

TEST_F(KeepAliveTest, SeveralFaultsOnOneStreamAllEndWithIt) {
  const std::string a = CreateRate();
  pb::CreateFaultRequest targeted = RateRequest(2'000'000);
  targeted.mutable_spec()->set_interface(net_->iface_a());
  // A second, targeted fault beside the whole-interface one.
  targeted.mutable_spec()->mutable_match()->set_dst_cidr("10.1.2.3/32");
  pb::CreateFaultResponse created;
  ASSERT_TRUE(Create(targeted, &created).ok());
  const std::string b_id = created.fault().id();

  grpc::ClientContext ctx;
  auto stream = stub_->KeepAlive(&ctx);
  pb::KeepAliveRequest req;
  req.add_fault_ids(a);
  pb::KeepAliveResponse resp;
  ASSERT_TRUE(stream->Write(req) && stream->Read(&resp));
  req.clear_fault_ids();
  req.add_fault_ids(b_id);
  req.add_fault_ids(a);  // naming one again on the same stream is harmless
  ASSERT_TRUE(stream->Write(req) && stream->Read(&resp));
  EXPECT_EQ(resp.faults_size(), 2);
  ctx.TryCancel();
  stream->Finish();
  EXPECT_EQ(AwaitState(a, pb::FAULT_STATE_REVOKED).state(), pb::FAULT_STATE_REVOKED);
  EXPECT_EQ(AwaitState(b_id, pb::FAULT_STATE_REVOKED).state(), pb::FAULT_STATE_REVOKED);
  EXPECT_FALSE(HasOwnedQdisc()) << Qdiscs();
}

TEST_F(KeepAliveTest, ABoundFaultIsNotRearmedAfterADaemonCrash) {
  // A state dir that outlives the first daemon.
  char tmpl[] = "/tmp/chaosnet-keepalive-XXXXXX";
  const std::string state_dir = ::mkdtemp(tmpl);
  daemon_ = std::make_unique<DaemonProcess>(net_->ns_a(), ExtraDaemonArgs(), state_dir);
  ASSERT_TRUE(daemon_->WaitReady()) << daemon_->ReadLog();
  stub_ = daemon_->NewStub();
  const std::string bound_id = CreateRate();
  pb::CreateFaultRequest other = RateRequest(2'000'000);
  other.mutable_spec()->mutable_match()->set_dst_cidr("10.1.2.3/32");
  pb::CreateFaultResponse unbound;
  ASSERT_TRUE(Create(other, &unbound).ok());
  Bound b = Bind(bound_id);

  daemon_->StopWith(SIGKILL);
  b.stream->Finish();
  ASSERT_TRUE(HasOwnedQdisc());  // the crash left the tree behind

  daemon_ = std::make_unique<DaemonProcess>(net_->ns_a(), ExtraDaemonArgs(), state_dir);
  ASSERT_TRUE(daemon_->WaitReady()) << daemon_->ReadLog();
  stub_ = daemon_->NewStub();
  pb::Fault f = Get(bound_id);
  EXPECT_EQ(f.state(), pb::FAULT_STATE_REVOKED);
  EXPECT_THAT(f.state_reason(), HasSubstr("keep-alive stream ended when the previous daemon"));
  // The unbound one was re-armed as usual; only its class is left.
  EXPECT_EQ(Get(unbound.fault().id()).state(), pb::FAULT_STATE_ACTIVE);
  EXPECT_THAT(Classes(), Not(HasSubstr("rate 1Mbit")));
  daemon_.reset();
  std::system(("rm -rf '" + state_dir + "'").c_str());
}

// Every event of a fault's life, in order, including the ones the daemon
// produces on its own (expiry) and the kernel causes (a hand deletion).
TEST_F(KeepAliveTest, WatchSeesExpiryAndLossInOrderWithTheOtherEvents) {
  const std::string first = CreateRate();
  grpc::ClientContext watch_ctx;
  pb::WatchRequest watch_req;
  watch_req.set_send_initial(true);
  auto reader = stub_->Watch(&watch_ctx, watch_req);
  pb::FaultEvent event;
  // The snapshot proves the subscription is in place before anything happens.
  ASSERT_TRUE(reader->Read(&event));
  ASSERT_EQ(event.type(), pb::EVENT_TYPE_SNAPSHOT);
  ASSERT_EQ(event.fault().id(), first);

  pb::RevokeFaultRequest revoke;
  revoke.set_id(first);
  pb::Fault f;
  ASSERT_TRUE(stub_->RevokeFault(Ctx().get(), revoke, &f).ok());
  const std::string expiring = CreateRate(/*ttl_seconds=*/1);
  ASSERT_EQ(AwaitState(expiring, pb::FAULT_STATE_EXPIRED).state(), pb::FAULT_STATE_EXPIRED);
  const std::string lost = CreateRate();
  ASSERT_EQ(net_->InA("tc qdisc del dev " + net_->iface_a() + " root"), 0);
  ASSERT_EQ(AwaitState(lost, pb::FAULT_STATE_LOST).state(), pb::FAULT_STATE_LOST);

  std::vector<std::pair<pb::EventType, std::string>> seen;
  uint64_t last_sequence = 0;
  while (seen.size() < 5 && reader->Read(&event)) {
    EXPECT_GT(event.sequence(), last_sequence);
    last_sequence = event.sequence();
    seen.emplace_back(event.type(), event.fault().id());
  }
  EXPECT_EQ(seen,
            (std::vector<std::pair<pb::EventType, std::string>>{{pb::EVENT_TYPE_REVOKED, first},
                                                                {pb::EVENT_TYPE_APPLIED, expiring},
                                                                {pb::EVENT_TYPE_EXPIRED, expiring},
                                                                {pb::EVENT_TYPE_APPLIED, lost},
                                                                {pb::EVENT_TYPE_LOST, lost}}));
  watch_ctx.TryCancel();
  reader->Finish();
}

// systemd's notify protocol, received the way systemd receives it.
TEST_F(KeepAliveTest, SystemdGetsReadyThenWatchdogPingsFromTheLoopThenStopping) {
  stub_.reset();
  daemon_.reset();  // this test starts its own, with systemd's environment
  char tmpl[] = "/tmp/chaosnet-notify-XXXXXX";
  const std::string dir = ::mkdtemp(tmpl);
  const std::string path = dir + "/notify";
  int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(fd, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path.c_str());
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  timeval timeout{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));

  // The child inherits these; the test's own environment is restored at once.
  ::setenv("NOTIFY_SOCKET", path.c_str(), 1);
  ::setenv("WATCHDOG_USEC", "200000", 1);
  auto daemon = std::make_unique<DaemonProcess>(net_->ns_a(), ExtraDaemonArgs());
  ::unsetenv("NOTIFY_SOCKET");
  ::unsetenv("WATCHDOG_USEC");

  auto next = [&]() -> std::string {
    char buf[256];
    ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
    return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : "";
  };
  std::string message = next();
  // Pings may start before READY; READY must come, then pings keep coming.
  while (message == "WATCHDOG=1") message = next();
  EXPECT_EQ(message, "READY=1") << daemon->ReadLog();
  int pings = 0;
  auto start = Clock::now();
  while (pings < 5 && Clock::now() - start < std::chrono::seconds(10)) {
    if (next() == "WATCHDOG=1") ++pings;
  }
  EXPECT_EQ(pings, 5) << "a 200 ms watchdog wants a ping every 100 ms";
  EXPECT_THAT(daemon->ReadLog(), HasSubstr("systemd watchdog: pinging every 100 ms"));

  EXPECT_EQ(daemon->StopWith(SIGTERM), 0);
  bool stopping = false;
  for (int i = 0; i < 20 && !stopping; ++i) stopping = next() == "STOPPING=1";
  EXPECT_TRUE(stopping);
  ::close(fd);
  std::system(("rm -rf '" + dir + "'").c_str());
}

}  // namespace
}  // namespace chaosnet::testing
