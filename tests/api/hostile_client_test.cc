// Hostile and careless clients against a real chaosnetd in a throwaway
// namespace (ApiTest's): oversized and over-limit requests, bytes that are not
// HTTP/2 or not protobuf, thousands of connections at once, and streams that
// are never read. After each, the daemon must still be alive, within bounded
// memory, and serving a well-behaved client (GetInfo, and a real rate fault
// created on the namespaced veth and revoked). Measurements are printed with
// the prefix "[hostile]", never asserted, except generous memory bounds.
//
// Suites: HostileClientTest, and HostileClientWatchTest for unread watch
// streams. CHAOSNET_HOSTILE_CONNECTIONS overrides the 2000 concurrent
// connections, CHAOSNET_HOSTILE_ROUNDS the 2 rounds of them.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <future>
#include <iostream>
#include <map>
#include <mutex>
#include <thread>

#include <grpcpp/generic/generic_stub.h>

#include "tests/api/api_fixture.h"
#include "tests/api/process_probe.h"
#include "tests/support/test_env.h"

namespace chaosnet::testing {
namespace {

using ::testing::AnyOf;
using ::testing::HasSubstr;
using ::testing::Not;
using Clock = std::chrono::steady_clock;

constexpr int kMaxOpenStreams = 4096;        // FaultService::kMaxOpenStreams
constexpr int kMaxQueuedWatchEvents = 4096;  // WatchReactor::kMaxQueued
constexpr int kStreamsPerConnection = 128;   // the daemon's GRPC_ARG_MAX_CONCURRENT_STREAMS

std::chrono::system_clock::time_point In(std::chrono::seconds s) {
  return std::chrono::system_clock::now() + s;
}

// --- raw sockets -----------------------------------------------------------

class RawConnection {
 public:
  explicit RawConnection(const std::string& path) : fd_(ConnectUnixSocket(path)) {}
  ~RawConnection() {
    if (fd_ >= 0) ::close(fd_);
  }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool ok() const { return fd_ >= 0; }

  // False once the peer has closed (EPIPE, ECONNRESET): the rest is not sent.
  bool Send(const std::string& bytes) {
    std::size_t done = 0;
    while (done < bytes.size()) {
      ssize_t n = ::send(fd_, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
      if (n < 0) {
        if (errno == EINTR) continue;
        return false;
      }
      done += static_cast<std::size_t>(n);
    }
    return true;
  }

  // Reads (and drops) whatever the daemon sends until it closes the
  // connection; false if it is still open after `timeout`.
  bool WaitClosedByPeer(std::chrono::milliseconds timeout) {
    const auto until = Clock::now() + timeout;
    char buf[4096];
    do {
      pollfd p{fd_, POLLIN, 0};
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now());
      int r = ::poll(&p, 1, static_cast<int>(std::clamp<long>(left.count(), 0, 100)));
      if (r <= 0) continue;
      // Drain what is readable: the peer may have sent frames before closing.
      for (;;) {
        ssize_t n = ::recv(fd_, buf, sizeof(buf), MSG_DONTWAIT);
        if (n == 0) return true;
        if (n < 0) {
          if (errno == EAGAIN || errno == EINTR) break;
          return true;  // ECONNRESET
        }
      }
    } while (Clock::now() < until);
    return false;
  }

  // Without waiting: has the peer closed it?
  bool ClosedByPeerNow() { return WaitClosedByPeer(std::chrono::milliseconds(0)); }

 private:
  int fd_ = -1;
};

// Deterministic noise, so a failure can be reproduced byte for byte.
std::string Noise(std::size_t n, uint32_t seed) {
  std::string s(n, '\0');
  for (auto& c : s) {
    seed = seed * 1664525u + 1013904223u;
    c = static_cast<char>(seed >> 24);
  }
  return s;
}

const std::string kPreface("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");

std::string Frame(uint32_t length, uint8_t type, uint8_t flags, uint32_t stream,
                  const std::string& payload) {
  std::string f;
  f.push_back(static_cast<char>(length >> 16));
  f.push_back(static_cast<char>(length >> 8));
  f.push_back(static_cast<char>(length));
  f.push_back(static_cast<char>(type));
  f.push_back(static_cast<char>(flags));
  f.push_back(static_cast<char>((stream >> 24) & 0x7f));
  f.push_back(static_cast<char>(stream >> 16));
  f.push_back(static_cast<char>(stream >> 8));
  f.push_back(static_cast<char>(stream));
  return f + payload;
}

struct MalformedCase {
  std::string name;
  std::string bytes;
};

std::vector<MalformedCase> MalformedConnections() {
  const std::string settings = Frame(0, 0x4, 0, 0, "");
  // An HPACK block that is one endless integer: a COMPRESSION_ERROR.
  const std::string bad_hpack(64, '\xff');
  return {
      {"garbage instead of the preface", Noise(64 * 1024, 7)},
      {"an HTTP/1.1 request", "GET / HTTP/1.1\r\nHost: chaosnetd\r\n\r\n"},
      {"the preface, then garbage", kPreface + Noise(64 * 1024, 11)},
      {"the preface, then a 16 MiB frame header",
       kPreface + settings + Frame(0xffffff, 0x0, 0, 1, Noise(1024, 3))},
      {"the preface, then HEADERS with a broken HPACK block",
       kPreface + settings +
           Frame(static_cast<uint32_t>(bad_hpack.size()), 0x1, 0x4 | 0x1, 1, bad_hpack)},
      {"the preface, then SETTINGS on stream 3", kPreface + Frame(6, 0x4, 0, 3, Noise(6, 5))},
  };
}

// --- a generic call, for payloads that are not the method's message ---------

grpc::Status GenericUnary(const std::shared_ptr<grpc::Channel>& channel, const std::string& method,
                          const std::string& payload, std::string* response = nullptr) {
  grpc::GenericStub stub(channel);
  grpc::Slice slice(payload.data(), payload.size());
  grpc::ByteBuffer request(&slice, 1);
  grpc::ByteBuffer reply;
  grpc::ClientContext ctx;
  ctx.set_deadline(In(std::chrono::seconds(30)));
  std::promise<grpc::Status> done;
  stub.UnaryCall(&ctx, method, grpc::StubOptions(), &request, &reply,
                 [&done](grpc::Status s) { done.set_value(std::move(s)); });
  grpc::Status status = done.get_future().get();
  if (response != nullptr && status.ok()) {
    std::vector<grpc::Slice> slices;
    (void)reply.Dump(&slices);
    for (const auto& s : slices) {
      response->append(reinterpret_cast<const char*>(s.begin()), s.size());
    }
  }
  return status;
}

// --- background samplers ------------------------------------------------------

// Samples the daemon's RSS and descriptors every 50 ms while it lives.
class Sampler {
 public:
  explicit Sampler(pid_t pid) : pid_(pid), thread_([this] { Run(); }) {}
  ~Sampler() { Stop(); }
  void Stop() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }
  double max_rss_mib() const { return max_rss_.load(); }
  int max_fds() const { return max_fds_.load(); }

 private:
  void Run() {
    std::unique_lock lock(mu_);
    while (!stop_) {
      lock.unlock();
      double rss = RssMiB(pid_);
      int fds = OpenFdCount(pid_);
      if (rss > max_rss_) max_rss_ = rss;
      if (fds > max_fds_) max_fds_ = fds;
      lock.lock();
      cv_.wait_for(lock, std::chrono::milliseconds(50), [this] { return stop_; });
    }
  }
  pid_t pid_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::atomic<double> max_rss_{0};
  std::atomic<int> max_fds_{0};
  std::thread thread_;
};

// --- the fixture ---------------------------------------------------------------

class HostileClientTest : public ApiTest {
 protected:
  static void SetUpTestSuite() { RaiseOwnFileLimit(); }

  void SetUp() override {
    ApiTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    pid_ = ListenerPid(daemon_->socket_path());
    ASSERT_GT(pid_, 0) << "no pid from SO_PEERCRED on " << daemon_->socket_path();
    ASSERT_EQ(ProcessName(pid_), "chaosnetd");
    start_rss_ = RssMiB(pid_);
    // The lowest of a few readings: the connection that found the pid may
    // not be closed on the daemon's side yet.
    start_fds_ = OpenFdCount(pid_);
    for (int i = 0; i < 10; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      start_fds_ = std::min(start_fds_, OpenFdCount(pid_));
    }
    std::cout << "[hostile] " << Name() << ": daemon pid " << pid_ << ", rss " << start_rss_
              << " MiB, " << start_fds_ << " fds at start" << std::endl;
  }

  static std::string Name() {
    return ::testing::UnitTest::GetInstance()->current_test_info()->name();
  }

  std::string LogTail() const {
    std::string log = daemon_->ReadLog();
    return log.size() > 4000 ? log.substr(log.size() - 4000) : log;
  }

  // The daemon is alive and serves a well-behaved client, on the test's
  // long-lived connection and on a brand-new one: GetInfo, then a real rate
  // fault on the namespaced veth, seen in the kernel, revoked, gone.
  void ExpectServesWellBehaved(const std::string& after) {
    SCOPED_TRACE("after " + after);
    ASSERT_TRUE(ProcessAlive(pid_)) << "chaosnetd died\n" << LogTail();
    auto fresh_channel = DistinctChannel(daemon_->server_address(), next_channel_id_++);
    auto fresh = pb::FaultService::NewStub(fresh_channel);
    for (auto* stub : {stub_.get(), fresh.get()}) {
      pb::Info info;
      grpc::ClientContext ctx;
      ctx.set_wait_for_ready(true);
      ctx.set_deadline(In(std::chrono::seconds(60)));
      grpc::Status s = stub->GetInfo(&ctx, {}, &info);
      ASSERT_TRUE(s.ok()) << s.error_message() << "\n" << LogTail();
      EXPECT_FALSE(info.version().empty());
    }
    pb::CreateFaultResponse created;
    grpc::ClientContext cctx;
    cctx.set_deadline(In(std::chrono::seconds(60)));
    grpc::Status s = fresh->CreateFault(&cctx, RateRequest(3'000'000), &created);
    ASSERT_TRUE(s.ok()) << s.error_message() << "\n" << LogTail();
    EXPECT_TRUE(HasOwnedQdisc()) << Qdiscs();
    EXPECT_THAT(Classes(), HasSubstr("rate 3Mbit"));
    pb::RevokeFaultRequest revoke;
    revoke.set_id(created.fault().id());
    pb::Fault revoked;
    grpc::ClientContext rctx;
    rctx.set_deadline(In(std::chrono::seconds(60)));
    s = stub_->RevokeFault(&rctx, revoke, &revoked);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(revoked.state(), pb::FAULT_STATE_REVOKED);
    EXPECT_THAT(Classes(), Not(HasSubstr("rate 3Mbit")));
  }

  // Nothing active in the daemon and no chaosnet tree in the kernel (besides
  // the faults the test still holds, `expected_active`).
  void ExpectNothingLeft(int expected_active = 0) {
    pb::ListFaultsResponse list;
    ASSERT_TRUE(stub_->ListFaults(Ctx().get(), {}, &list).ok());
    EXPECT_EQ(list.faults_size(), expected_active);
    if (expected_active == 0) {
      EXPECT_FALSE(HasOwnedQdisc()) << Qdiscs();
    }
  }

  // Polls until the daemon holds at most `limit` descriptors; returns the last count.
  int WaitFdsAtMost(int limit, std::chrono::seconds timeout) {
    const auto until = Clock::now() + timeout;
    int fds = OpenFdCount(pid_);
    while (fds > limit && Clock::now() < until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      fds = OpenFdCount(pid_);
    }
    return fds;
  }

  // Polls until the daemon's RSS is at most `limit_mib`; returns the last reading.
  double WaitRssAtMost(double limit_mib, std::chrono::seconds timeout) {
    const auto until = Clock::now() + timeout;
    double rss = RssMiB(pid_);
    while (rss > limit_mib && Clock::now() < until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      rss = RssMiB(pid_);
    }
    return rss;
  }

  pid_t pid_ = -1;
  double start_rss_ = 0;
  int start_fds_ = 0;
  int next_channel_id_ = 1'000'000;
};

// --- a. oversized and over-limit requests ----------------------------------------

TEST_F(HostileClientTest, OversizedAndOverLimitRequestsAreRefusedAndReachNothing) {
  auto labelled = [this](int count, std::size_t key_bytes, std::size_t value_bytes) {
    auto req = RateRequest();
    for (int i = 0; i < count; ++i) {
      std::string key = std::to_string(i) + "-";
      key.resize(std::max(key.size(), key_bytes), 'k');
      (*req.mutable_labels())[key] = std::string(value_bytes, 'v');
    }
    return req;
  };

  // Above the 4 MiB message limit: refused by gRPC before any handler runs,
  // again and again on the same connection, which stays usable.
  auto huge = labelled(1, 8, 5 << 20);
  for (int i = 0; i < 20; ++i) {
    pb::CreateFaultResponse resp;
    grpc::Status s = Create(huge, &resp);
    ASSERT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << s.error_message();
  }
  {
    pb::GetFaultRequest get;
    get.set_id(std::string(5 << 20, 'a'));
    pb::Fault f;
    EXPECT_EQ(stub_->GetFault(Ctx().get(), get, &f).error_code(),
              grpc::StatusCode::RESOURCE_EXHAUSTED);
  }
  std::cout << "[hostile] after 21 requests of 5 MiB: rss " << RssMiB(pid_) << " MiB (peak "
            << PeakRssMiB(pid_) << ")" << std::endl;

  struct Case {
    const char* name;
    pb::CreateFaultRequest request;
    const char* message_part;
  };
  auto long_request_id = RateRequest();
  long_request_id.set_request_id(std::string(129, 'r'));
  std::vector<Case> over_limits = {
      {"65 labels", labelled(65, 8, 8), "labels"},
      {"5000 labels", labelled(5000, 8, 8), "labels"},
      {"a 129-byte key", labelled(1, 129, 8), "labels"},
      {"a 1025-byte value", labelled(1, 8, 1025), "labels"},
      {"a 129-byte request id", long_request_id, "request_id"},
  };
  for (const auto& c : over_limits) {
    SCOPED_TRACE(c.name);
    pb::CreateFaultResponse resp;
    grpc::Status s = Create(c.request, &resp);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << s.error_message();
    EXPECT_THAT(s.error_message(), HasSubstr(c.message_part));
  }
  // Over-long ids elsewhere are refused too, not a crash.
  for (const char* rpc : {"get", "revoke"}) {
    SCOPED_TRACE(rpc);
    pb::Fault f;
    grpc::Status s;
    if (std::string(rpc) == "get") {
      pb::GetFaultRequest get;
      get.set_id(std::string(200 * 1024, 'b'));
      s = stub_->GetFault(Ctx().get(), get, &f);
    } else {
      pb::RevokeFaultRequest revoke;
      revoke.set_id(std::string(200 * 1024, 'b'));
      s = stub_->RevokeFault(Ctx().get(), revoke, &f);
    }
    EXPECT_FALSE(s.ok());
    EXPECT_NE(s.error_code(), grpc::StatusCode::UNAVAILABLE) << s.error_message();
  }
  ExpectNothingLeft();

  // Exactly at every limit is accepted, and kept whole.
  auto at_limits = labelled(64, 128, 1024);
  at_limits.set_request_id(std::string(128, 'r'));
  pb::CreateFaultResponse created;
  grpc::Status s = Create(at_limits, &created);
  ASSERT_TRUE(s.ok()) << s.error_message();
  pb::Fault got = Get(created.fault().id());
  EXPECT_EQ(got.labels_size(), 64);
  EXPECT_EQ(got.request_id().size(), 128u);
  pb::RevokeFaultRequest revoke;
  revoke.set_id(created.fault().id());
  pb::Fault revoked;
  ASSERT_TRUE(stub_->RevokeFault(Ctx().get(), revoke, &revoked).ok());
  ExpectNothingLeft();

  ExpectServesWellBehaved("oversized and over-limit requests");
  ExpectNothingLeft();
  const double rss = RssMiB(pid_);
  std::cout << "[hostile] oversized: rss start " << start_rss_ << " MiB, end " << rss
            << " MiB, peak " << PeakRssMiB(pid_) << " MiB" << std::endl;
  EXPECT_LT(rss, start_rss_ + 64);
}

// --- b. bytes that are not HTTP/2, or not protobuf ------------------------------------

TEST_F(HostileClientTest, MalformedConnectionsAreDroppedAndTheDaemonKeepsServing) {
  for (const auto& c : MalformedConnections()) {
    SCOPED_TRACE(c.name);
    RawConnection conn(daemon_->socket_path());
    ASSERT_TRUE(conn.ok());
    conn.Send(c.bytes);  // may stop early: the daemon may close as soon as it sees the error
    // A protocol error ends the connection (RFC 9113 section 5.4.1); generous
    // timeout, it takes milliseconds.
    EXPECT_TRUE(conn.WaitClosedByPeer(std::chrono::seconds(30)))
        << "the daemon kept a connection open after " << c.name;
    ExpectServesWellBehaved(c.name);
  }

  // Many of them, one after another: no descriptor or memory is left behind.
  const auto cases = MalformedConnections();
  const int fds_before = OpenFdCount(pid_);
  int closed = 0;
  const int rounds = 300;
  for (int i = 0; i < rounds; ++i) {
    RawConnection conn(daemon_->socket_path());
    ASSERT_TRUE(conn.ok());
    conn.Send(cases[i % cases.size()].bytes);
    closed += conn.WaitClosedByPeer(std::chrono::seconds(30)) ? 1 : 0;
  }
  EXPECT_EQ(closed, rounds);
  const int fds_after = WaitFdsAtMost(fds_before + 4, std::chrono::seconds(30));
  EXPECT_LE(fds_after, fds_before + 4) << "descriptors leak on malformed connections";
  std::cout << "[hostile] " << rounds << " malformed connections: " << closed
            << " closed by the daemon; fds " << fds_before << " -> " << fds_after << ", rss "
            << RssMiB(pid_) << " MiB" << std::endl;

  // Connections that say nothing, or only half the preface, held open while
  // a well-behaved client is served.
  {
    std::vector<std::unique_ptr<RawConnection>> silent;
    for (int i = 0; i < 200; ++i) {
      silent.push_back(std::make_unique<RawConnection>(daemon_->socket_path()));
      ASSERT_TRUE(silent.back()->ok());
      if (i % 2 == 1) silent.back()->Send(kPreface.substr(0, 10));
    }
    ExpectServesWellBehaved("200 silent and half-preface connections");
    int dropped = 0;
    for (auto& c : silent) dropped += c->ClosedByPeerNow() ? 1 : 0;
    std::cout << "[hostile] 200 silent/half-preface connections: " << dropped
              << " already dropped by the daemon, fds " << OpenFdCount(pid_) << std::endl;
  }
  WaitFdsAtMost(fds_before + 4, std::chrono::seconds(30));

  // Well-formed gRPC whose payload is not the method's message.
  auto channel = daemon_->channel();
  const std::string create = "/chaosnet.v1.FaultService/CreateFault";
  std::string valid;
  ASSERT_TRUE(RateRequest().SerializeToString(&valid));
  struct Payload {
    const char* name;
    std::string method;
    std::string bytes;
  };
  const std::vector<Payload> payloads = {
      {"an overlong varint tag", create, std::string(10, '\xff') + "\x01"},
      {"wire type 7", create, "\x0f"},
      {"a length past the end", create,
       std::string("\x0a\x64"
                   "abc",
                   5)},
      {"a truncated valid request", create, valid.substr(0, valid.size() / 2)},
      {"invalid UTF-8 in a string", create, std::string("\x0a\x04\x0a\x02\xff\xfe", 6)},
      {"noise", create, Noise(4096, 23)},
      {"noise to GetInfo", "/chaosnet.v1.FaultService/GetInfo", Noise(512, 29)},
      {"wire type 7 to GetInfo", "/chaosnet.v1.FaultService/GetInfo", "\x0f"},
  };
  // gRPC 1.51's callback API (which the daemon's service uses) answers a
  // request it cannot parse with UNIMPLEMENTED and an empty message
  // (grpcpp/impl/codegen/server_callback_handlers.h, "if deserialization or
  // reactor creator failed"); INTERNAL or INVALID_ARGUMENT would be clearer,
  // and any of them is a clean refusal.
  for (const auto& p : payloads) {
    SCOPED_TRACE(p.name);
    grpc::Status s = GenericUnary(channel, p.method, p.bytes);
    EXPECT_FALSE(s.ok());
    EXPECT_THAT(s.error_code(),
                AnyOf(grpc::StatusCode::INTERNAL, grpc::StatusCode::INVALID_ARGUMENT,
                      grpc::StatusCode::UNIMPLEMENTED))
        << "message: " << s.error_message();
  }
  std::cout << "[hostile] an unparsable request is answered with code "
            << GenericUnary(channel, create, "\x0f").error_code() << std::endl;
  // Parses, but as nonsense: the spec field (a message) sent as a varint is
  // an unknown field to protobuf, so the request has no spec.
  {
    grpc::Status s = GenericUnary(channel, create, std::string("\x08\x01\x12\x02\x08\x3c", 6));
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << s.error_message();
  }
  EXPECT_EQ(GenericUnary(channel, "/chaosnet.v1.FaultService/NoSuchMethod", "").error_code(),
            grpc::StatusCode::UNIMPLEMENTED);
  // The same generic path with a valid request works: the refusals above are
  // about the bytes.
  std::string reply;
  grpc::Status s = GenericUnary(channel, create, valid, &reply);
  ASSERT_TRUE(s.ok()) << s.error_message();
  pb::CreateFaultResponse created;
  ASSERT_TRUE(created.ParseFromString(reply));
  pb::RevokeFaultRequest revoke;
  revoke.set_id(created.fault().id());
  pb::Fault revoked;
  ASSERT_TRUE(stub_->RevokeFault(Ctx().get(), revoke, &revoked).ok());

  ExpectServesWellBehaved("malformed protobuf payloads");
  ExpectNothingLeft();
  const double rss = RssMiB(pid_);
  std::cout << "[hostile] malformed: rss start " << start_rss_ << " MiB, end " << rss
            << " MiB, peak " << PeakRssMiB(pid_) << " MiB" << std::endl;
  EXPECT_LT(rss, start_rss_ + 64);
}

// --- c. thousands of concurrent clients ------------------------------------------------

// Unary GetInfo calls in flight on one completion queue; the destructor
// cancels and drains whatever is left, also when an assertion ended the test.
class AsyncInfoCalls {
 public:
  explicit AsyncInfoCalls(std::size_t n) : calls_(n) {}
  ~AsyncInfoCalls() {
    for (std::size_t i = 0; i < calls_.size(); ++i) {
      if (calls_[i].rpc && !calls_[i].done) calls_[i].ctx.TryCancel();
    }
    while (pending_ > 0) Next();
    cq_.Shutdown();
    void* tag;
    bool ok;
    while (cq_.Next(&tag, &ok)) {
    }
  }
  void Start(std::size_t i, pb::FaultService::Stub& stub, std::chrono::seconds deadline) {
    Call& c = calls_[i];
    c.ctx.set_wait_for_ready(true);
    c.ctx.set_deadline(In(deadline));
    c.rpc = stub.AsyncGetInfo(&c.ctx, {}, &cq_);
    c.rpc->Finish(&c.info, &c.status, reinterpret_cast<void*>(i));
    ++pending_;
  }
  // Waits for one completion; returns its index.
  std::size_t Next() {
    void* tag = nullptr;
    bool ok = false;
    if (!cq_.Next(&tag, &ok)) return calls_.size();
    const auto i = reinterpret_cast<std::size_t>(tag);
    calls_[i].done = true;
    --pending_;
    return i;
  }
  std::size_t pending() const { return pending_; }
  const grpc::Status& status(std::size_t i) const { return calls_[i].status; }

 private:
  struct Call {
    grpc::ClientContext ctx;
    pb::Info info;
    grpc::Status status;
    std::unique_ptr<grpc::ClientAsyncResponseReader<pb::Info>> rpc;
    bool done = false;
  };
  grpc::CompletionQueue cq_;
  std::vector<Call> calls_;
  std::size_t pending_ = 0;
};

TEST_F(HostileClientTest, ThousandsOfConcurrentConnectionsAreAllServed) {
  const int n = EnvInt("CHAOSNET_HOSTILE_CONNECTIONS", 2000);
  // Twice: what one storm of connections leaves behind must not add up.
  const int rounds = EnvInt("CHAOSNET_HOSTILE_ROUNDS", 2);
  // Beside them, connections that never speak HTTP/2 (silent, or half a
  // preface): the daemon's keep-alive ping (10 s, 10 s to answer) drops them.
  const auto silent_opened = Clock::now();
  std::vector<std::unique_ptr<RawConnection>> silent;
  for (int i = 0; i < 100; ++i) {
    silent.push_back(std::make_unique<RawConnection>(daemon_->socket_path()));
    ASSERT_TRUE(silent.back()->ok());
    if (i % 2 == 1) silent.back()->Send(kPreface.substr(0, 10));
  }
  Sampler sampler(pid_);
  std::vector<double> rss_after_round;
  for (int round = 1; round <= rounds; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    std::vector<std::shared_ptr<grpc::Channel>> channels;
    std::vector<std::unique_ptr<pb::FaultService::Stub>> stubs;
    for (int i = 0; i < n; ++i) {
      channels.push_back(DistinctChannel(daemon_->server_address(), round * 100'000 + i));
      stubs.push_back(pb::FaultService::NewStub(channels.back()));
    }

    // Every client connects and calls at once.
    int ok_first = 0;
    std::string first_error;
    const auto start = Clock::now();
    {
      AsyncInfoCalls calls(n);
      for (int i = 0; i < n; ++i) calls.Start(i, *stubs[i], std::chrono::seconds(90));
      while (calls.pending() > 0) {
        std::size_t i = calls.Next();
        if (calls.status(i).ok()) {
          ++ok_first;
        } else if (first_error.empty()) {
          first_error =
              std::to_string(calls.status(i).error_code()) + " " + calls.status(i).error_message();
        }
      }
    }
    const double first_ms = MillisSince(start);
    int ready = 0;
    for (auto& c : channels) ready += c->GetState(false) == GRPC_CHANNEL_READY ? 1 : 0;
    const int fds_during = OpenFdCount(pid_);
    const double rss_during = RssMiB(pid_);
    int silent_open = 0;
    for (auto& c : silent) silent_open += c->ClosedByPeerNow() ? 0 : 1;

    // The same connections, all still open, call again.
    int ok_second = 0;
    const auto start2 = Clock::now();
    {
      AsyncInfoCalls calls(n);
      for (int i = 0; i < n; ++i) calls.Start(i, *stubs[i], std::chrono::seconds(90));
      while (calls.pending() > 0) ok_second += calls.status(calls.Next()).ok() ? 1 : 0;
    }
    const double second_ms = MillisSince(start2);
    ExpectServesWellBehaved(std::to_string(n) + " connections open");
    const int fds_after_calls = OpenFdCount(pid_);

    std::cout << "[hostile] connections round " << round << ": " << n << " clients, " << ok_first
              << " GetInfo ok in " << first_ms << " ms (connect + call), " << ok_second << " ok in "
              << second_ms << " ms on the open connections; channels ready " << ready << "\n"
              << "[hostile] connections round " << round << ": daemon fds start " << start_fds_
              << ", with clients " << fds_during << " (connections reached ~"
              << fds_during - start_fds_ << ", of them " << silent_open
              << " silent ones not dropped yet), rss " << rss_during << " MiB, threads "
              << ProcStatusField(pid_, "Threads") << std::endl;
    EXPECT_EQ(ok_first, n) << "first failure: " << first_error;
    EXPECT_EQ(ok_second, n);
    EXPECT_EQ(ready, n);
    // (A descriptor or two of the daemon's own may come and go meanwhile.)
    EXPECT_GE(fds_after_calls - start_fds_, n - 2) << "the connections were not all held open";

    // Close them all: the daemon's descriptors come back.
    // (Silent connections still open keep their descriptors; they are checked below.)
    int silent_left = 0;
    for (auto& c : silent) silent_left += c->ClosedByPeerNow() ? 0 : 1;
    const auto closing = Clock::now();
    stubs.clear();
    channels.clear();
    const double channels_destroyed_ms = MillisSince(closing);
    const int fds_closed = WaitFdsAtMost(start_fds_ + 8 + silent_left, std::chrono::seconds(60));
    const double close_ms = MillisSince(closing);
    EXPECT_LE(fds_closed, start_fds_ + 8 + silent_left);
    ExpectServesWellBehaved("closing " + std::to_string(n) + " connections");
    // The daemon trims its heap a second after a fault ends (the one above).
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    rss_after_round.push_back(RssMiB(pid_));
    std::cout << "[hostile] connections round " << round << " closed (channels destroyed in "
              << channels_destroyed_ms << " ms, daemon descriptors back in " << close_ms
              << " ms): daemon fds " << fds_closed << ", rss " << rss_after_round.back() << " MiB"
              << std::endl;
  }
  const double rounds_ms = MillisSince(silent_opened);
  int silent_dropped = 0;
  for (auto& c : silent) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        silent_opened + std::chrono::seconds(60) - Clock::now());
    silent_dropped += c->WaitClosedByPeer(std::max(left, std::chrono::milliseconds(0))) ? 1 : 0;
  }
  std::cout << "[hostile] connections: " << silent_dropped
            << " of 100 silent/half-preface connections dropped by the daemon (rounds took "
            << rounds_ms << " ms, all dropped " << MillisSince(silent_opened)
            << " ms after they were opened)" << std::endl;
  EXPECT_EQ(silent_dropped, 100) << "connections that never speak HTTP/2 are kept forever";
  silent.clear();
  EXPECT_LE(WaitFdsAtMost(start_fds_ + 8, std::chrono::seconds(30)), start_fds_ + 8);

  sampler.Stop();
  std::cout << "[hostile] connections: daemon rss start " << start_rss_ << " MiB, max sampled "
            << sampler.max_rss_mib() << " MiB, after the last round " << rss_after_round.back()
            << " MiB" << std::endl;
  EXPECT_LT(rss_after_round.back(), start_rss_ + 64);
  EXPECT_LT(sampler.max_rss_mib(), 512) << "memory per connection is out of bounds";
}

// --- d. streams that are never read ---------------------------------------------------------

// A sync Watch stream the test does not read until the end; cancelled and
// finished by the destructor if the test ends early.
struct StalledWatch {
  std::unique_ptr<grpc::ClientContext> ctx = std::make_unique<grpc::ClientContext>();
  std::unique_ptr<grpc::ClientReader<pb::FaultEvent>> reader;
  bool finished = false;
  ~StalledWatch() {
    if (reader && !finished) {
      ctx->TryCancel();
      reader->Finish();
    }
  }
};

// What a flood of events did, with the stalled streams still open.
struct Flood {
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  std::vector<std::unique_ptr<StalledWatch>> stalled;
  int generated = 0;
  int generate_errors = 0;
  std::string generate_error;
  int watched = 0;
  int gaps = 0;
  grpc::StatusCode watcher_end = grpc::StatusCode::OK;
  int info_ok = 0;
  int info_failed = 0;
  std::vector<double> info_ms;
  double flood_ms = 0;
  double rss_streams_open = 0;
  double rss_after = 0;
  double max_rss = 0;
  bool aborted = false;  // stopped early: the daemon's RSS passed the cap
};

// Summary of reading the stalled streams at last.
struct Drained {
  int cut = 0;  // ended with RESOURCE_EXHAUSTED "not being read"
  int buffered_max = 0;
  long buffered_total = 0;
  std::string codes;
};

class HostileClientWatchTest : public HostileClientTest {
 protected:
  // Opens connections x per_connection Watch streams that are never read
  // (small receive window, no BDP probing to grow it), then has two clients
  // create and revoke targeted rate faults until target_events events were
  // sent, while a well-behaved watcher reads everything and a prober calls
  // GetInfo every 100 ms. Stops early once the daemon's RSS passes
  // abort_above_mib, so that a daemon without a bound cannot take the machine.
  void FloodStalledWatchers(int connections, int per_connection, int target_events,
                            double abort_above_mib, Flood* out) {
    // A fault held throughout (targeted, so whole-interface faults still fit):
    // the well-behaved watcher's snapshot of it proves its subscription.
    auto anchor_req = RateRequest(5'000'000, 600);
    anchor_req.mutable_spec()->mutable_match()->set_dst_cidr("10.200.0.1/32");
    pb::CreateFaultResponse anchor;
    ASSERT_TRUE(Create(anchor_req, &anchor).ok());

    auto watch_stub = pb::FaultService::NewStub(DistinctChannel(daemon_->server_address(), 500));
    grpc::ClientContext watch_ctx;
    pb::WatchRequest with_snapshot;
    with_snapshot.set_send_initial(true);
    auto watch = watch_stub->Watch(&watch_ctx, with_snapshot);
    pb::FaultEvent first;
    ASSERT_TRUE(watch->Read(&first));
    ASSERT_EQ(first.type(), pb::EVENT_TYPE_SNAPSHOT);
    std::atomic<int> watched{0}, gaps{0};
    std::thread watcher([&] {
      pb::FaultEvent e;
      uint64_t last = first.sequence();
      while (watch->Read(&e)) {
        if (last != 0 && e.sequence() != last + 1) gaps.fetch_add(1);
        last = e.sequence();
        watched.fetch_add(1);
      }
    });
    struct WatcherGuard {
      grpc::ClientContext& ctx;
      std::thread& t;
      ~WatcherGuard() {
        ctx.TryCancel();
        if (t.joinable()) t.join();
      }
    } watcher_guard{watch_ctx, watcher};

    grpc::ChannelArguments small_window;
    small_window.SetInt(GRPC_ARG_HTTP2_STREAM_LOOKAHEAD_BYTES, 1024);
    small_window.SetInt(GRPC_ARG_HTTP2_BDP_PROBE, 0);
    std::vector<std::unique_ptr<pb::FaultService::Stub>> stalled_stubs;
    for (int c = 0; c < connections; ++c) {
      out->channels.push_back(DistinctChannel(daemon_->server_address(), 600 + c, small_window));
      stalled_stubs.push_back(pb::FaultService::NewStub(out->channels.back()));
    }
    for (int i = 0; i < connections * per_connection; ++i) {
      auto w = std::make_unique<StalledWatch>();
      w->reader = stalled_stubs[i % connections]->Watch(w->ctx.get(), {});
      out->stalled.push_back(std::move(w));
    }
    out->rss_streams_open = RssMiB(pid_);

    std::atomic<bool> stop{false};
    std::atomic<int> info_ok{0}, info_failed{0};
    std::vector<double> info_ms;
    std::thread prober([&] {
      auto stub = pb::FaultService::NewStub(DistinctChannel(daemon_->server_address(), 700));
      while (!stop) {
        pb::Info info;
        grpc::ClientContext ctx;
        ctx.set_deadline(In(std::chrono::seconds(30)));
        auto t0 = Clock::now();
        if (stub->GetInfo(&ctx, {}, &info).ok()) {
          ++info_ok;
          info_ms.push_back(MillisSince(t0));
        } else {
          ++info_failed;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
    });
    struct StopGuard {
      std::atomic<bool>& stop;
      std::thread& t;
      ~StopGuard() {
        stop = true;
        if (t.joinable()) t.join();
      }
    } prober_guard{stop, prober};

    Sampler sampler(pid_);
    std::atomic<int> generated{0}, generate_errors{0};
    std::atomic<bool> aborted{false};
    std::mutex error_mu;
    const auto start = Clock::now();
    std::vector<std::thread> generators;
    for (int g = 0; g < 2; ++g) {
      generators.emplace_back([&, g] {
        auto stub = pb::FaultService::NewStub(DistinctChannel(daemon_->server_address(), 800 + g));
        auto req = RateRequest(1'000'000 + g, 600);
        req.mutable_spec()->mutable_match()->set_dst_cidr("10.201." + std::to_string(g) + ".1/32");
        while (generated.load() < target_events && generate_errors.load() < 10) {
          if (sampler.max_rss_mib() > abort_above_mib) {
            aborted = true;
            break;
          }
          pb::CreateFaultResponse created;
          grpc::ClientContext cctx;
          cctx.set_deadline(In(std::chrono::seconds(60)));
          grpc::Status s = stub->CreateFault(&cctx, req, &created);
          if (s.ok()) {
            pb::RevokeFaultRequest revoke;
            revoke.set_id(created.fault().id());
            pb::Fault revoked;
            grpc::ClientContext rctx;
            rctx.set_deadline(In(std::chrono::seconds(60)));
            s = stub->RevokeFault(&rctx, revoke, &revoked);
            generated.fetch_add(s.ok() ? 2 : 1);
          }
          if (!s.ok()) {
            generate_errors.fetch_add(1);
            std::lock_guard lock(error_mu);
            out->generate_error = s.error_message();
          }
        }
      });
    }
    for (auto& t : generators) t.join();
    out->flood_ms = MillisSince(start);
    // The well-behaved watcher gets every event (generous: a minute).
    for (int i = 0; i < 6000 && watched.load() < generated.load(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    out->rss_after = RssMiB(pid_);
    ExpectServesWellBehaved(std::to_string(connections * per_connection) +
                            " stalled watchers and " + std::to_string(generated.load()) +
                            " events");
    stop = true;
    prober.join();
    watch_ctx.TryCancel();
    watcher.join();
    out->watcher_end = watch->Finish().error_code();
    sampler.Stop();

    out->generated = generated.load();
    out->generate_errors = generate_errors.load();
    out->watched = watched.load();
    out->gaps = gaps.load();
    out->info_ok = info_ok.load();
    out->info_failed = info_failed.load();
    out->info_ms = std::move(info_ms);
    out->max_rss = sampler.max_rss_mib();
    out->aborted = aborted.load();
  }

  // Reads every stalled stream to its end. One still open a minute later was
  // not cut: it is cancelled, so that the test ends and counts it.
  static Drained DrainStalled(Flood& flood) {
    std::atomic<bool> drained{false};
    std::mutex mu;
    std::condition_variable cv;
    std::thread canceller([&] {
      std::unique_lock lock(mu);
      if (!cv.wait_for(lock, std::chrono::seconds(60), [&] { return drained.load(); })) {
        for (auto& w : flood.stalled) w->ctx->TryCancel();
      }
    });
    Drained d;
    std::map<int, int> codes;
    for (auto& w : flood.stalled) {
      pb::FaultEvent e;
      int n = 0;
      while (w->reader->Read(&e)) ++n;
      grpc::Status s = w->reader->Finish();
      w->finished = true;
      ++codes[s.error_code()];
      if (s.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED &&
          s.error_message().find("not being read") != std::string::npos) {
        ++d.cut;
      }
      d.buffered_max = std::max(d.buffered_max, n);
      d.buffered_total += n;
    }
    {
      std::lock_guard lock(mu);
      drained = true;
    }
    cv.notify_all();
    canceller.join();
    for (auto [code, count] : codes) {
      d.codes += " " + std::to_string(code) + ":" + std::to_string(count);
    }
    return d;
  }

  void Print(const std::string& what, const Flood& f) {
    std::cout << "[hostile] " << what << ": " << f.stalled.size() << " stalled watchers on "
              << f.channels.size() << " connections; " << f.generated << " events in " << f.flood_ms
              << " ms (" << f.generated * 1000.0 / f.flood_ms << "/s)"
              << (f.aborted ? ", flood STOPPED EARLY: daemon rss passed the cap" : "")
              << "; the reading watcher saw " << f.watched << ", gaps " << f.gaps << "\n"
              << "[hostile] " << what << ": GetInfo during the flood " << f.info_ok << " ok, "
              << f.info_failed << " failed, p50 " << Percentile(f.info_ms, 0.5) << " ms, max "
              << Percentile(f.info_ms, 1.0) << " ms\n"
              << "[hostile] " << what << ": daemon rss start " << start_rss_
              << " MiB, streams open " << f.rss_streams_open << ", after the flood " << f.rss_after
              << ", max sampled " << f.max_rss << " MiB (~"
              << (f.max_rss - f.rss_streams_open) * 1024.0 /
                     std::max<double>(1.0, static_cast<double>(f.stalled.size()) *
                                               std::min(f.generated, kMaxQueuedWatchEvents))
              << " KiB per queued event)" << std::endl;
  }

  // Once the stalled streams are gone, so is their memory; the daemon trims
  // its heap a second after a fault ends (the well-behaved client's).
  void ExpectMemoryComesBack(const std::string& what) {
    ExpectServesWellBehaved(what);
    const double rss = WaitRssAtMost(start_rss_ + 64, std::chrono::seconds(15));
    std::cout << "[hostile] " << what << ": daemon rss " << rss << " MiB" << std::endl;
    EXPECT_LT(rss, start_rss_ + 64) << "memory of finished watch streams is kept";
  }
};

// Unread streams are cut at their queue bound, while a reading watcher and
// GetInfo carry on. Few of them, so that the daemon's memory stays moderate
// whatever a queued event costs.
TEST_F(HostileClientWatchTest, WatchersThatNeverReadAreCutWhileOthersAreServed) {
  // Each stalled stream must be sent more than its queue bound plus the few
  // events a 1 KiB window lets through (the margin covers a 64 KiB one).
  Flood f;
  FloodStalledWatchers(/*connections=*/2, /*per_connection=*/16, kMaxQueuedWatchEvents + 400,
                       /*abort_above_mib=*/1024, &f);
  if (HasFatalFailure()) return;
  Print("stalled watchers cut", f);
  EXPECT_FALSE(f.aborted);
  EXPECT_EQ(f.generate_errors, 0) << f.generate_error;
  EXPECT_GE(f.generated, kMaxQueuedWatchEvents + 400);
  EXPECT_GE(f.watched, f.generated);
  EXPECT_EQ(f.gaps, 0) << "the reading watcher missed events";
  EXPECT_EQ(f.watcher_end, grpc::StatusCode::CANCELLED) << "the reading watcher was cut";
  EXPECT_EQ(f.info_failed, 0);
  EXPECT_GT(f.info_ok, 0);

  Drained d = DrainStalled(f);
  std::cout << "[hostile] stalled watchers cut: " << d.cut << " of " << f.stalled.size()
            << " cut with RESOURCE_EXHAUSTED; status codes" << d.codes
            << "; events that reached each before, max " << d.buffered_max << ", mean "
            << d.buffered_total / static_cast<long>(f.stalled.size()) << std::endl;
  EXPECT_EQ(d.cut, static_cast<int>(f.stalled.size())) << "status codes:" << d.codes;

  f.stalled.clear();
  f.channels.clear();
  ExpectMemoryComesBack("stalled watchers drained");
  ExpectNothingLeft(/*expected_active=*/1);
}

// Hundreds of unread streams must not take the daemon's memory with them:
// its RSS stays under 256 MiB while they are flooded until each is cut.
// (The flood stops at that bound, so a daemon without one fails fast
// instead of growing by gigabytes.)
TEST_F(HostileClientWatchTest, ManyWatchersThatNeverReadKeepTheDaemonWithinBoundedMemory) {
  constexpr double kBoundMiB = 256;
  Flood f;
  FloodStalledWatchers(/*connections=*/3, /*per_connection=*/100, kMaxQueuedWatchEvents + 400,
                       /*abort_above_mib=*/kBoundMiB, &f);
  if (HasFatalFailure()) return;
  Print("stalled watchers memory", f);
  EXPECT_LT(f.max_rss, kBoundMiB)
      << "300 unread watch streams took the daemon past " << kBoundMiB << " MiB after only "
      << f.generated << " events: every stream keeps its own copy of every event it has not "
      << "sent (up to 4096), and a cut stream keeps its queue until its client reads";
  EXPECT_EQ(f.generate_errors, 0) << f.generate_error;
  EXPECT_EQ(f.gaps, 0);
  EXPECT_EQ(f.watcher_end, grpc::StatusCode::CANCELLED);
  EXPECT_EQ(f.info_failed, 0);
  if (!f.aborted) {
    Drained d = DrainStalled(f);
    std::cout << "[hostile] stalled watchers memory: " << d.cut << " of " << f.stalled.size()
              << " cut; status codes" << d.codes << std::endl;
    EXPECT_EQ(d.cut, static_cast<int>(f.stalled.size())) << "status codes:" << d.codes;
  }
  // Cancelled (or drained) and closed, they give their memory back.
  f.stalled.clear();
  f.channels.clear();
  ExpectMemoryComesBack("stalled watchers closed");
  ExpectNothingLeft(/*expected_active=*/1);
}
// Async Watch streams that are only started and finished, to fill the
// daemon's stream limit; the destructor cancels and drains them.
class AsyncWatches {
 public:
  ~AsyncWatches() {
    for (auto& w : watches_) {
      if (!w->finished) w->ctx.TryCancel();
    }
    while (pending_ > 0) Next();
    cq_.Shutdown();
    void* tag;
    bool ok;
    while (cq_.Next(&tag, &ok)) {
    }
  }
  void Start(pb::FaultService::Stub& stub) {
    auto w = std::make_unique<Watch>();
    const std::size_t i = watches_.size();
    w->reader = stub.PrepareAsyncWatch(&w->ctx, {}, &cq_);
    w->reader->StartCall(Tag(i, false));
    w->reader->Finish(&w->status, Tag(i, true));
    pending_ += 2;
    watches_.push_back(std::move(w));
  }
  // One completion; returns the index of a stream that finished, or -1.
  long Next(std::chrono::seconds timeout = std::chrono::seconds(120)) {
    void* tag = nullptr;
    bool ok = false;
    auto r = cq_.AsyncNext(&tag, &ok, In(timeout));
    if (r != grpc::CompletionQueue::GOT_EVENT) return -2;
    --pending_;
    const auto v = reinterpret_cast<std::uintptr_t>(tag);
    if ((v & 1) == 0) return -1;
    watches_[v >> 1]->finished = true;
    return static_cast<long>(v >> 1);
  }
  void CancelAll() {
    for (auto& w : watches_) w->ctx.TryCancel();
  }
  std::size_t size() const { return watches_.size(); }
  std::size_t pending() const { return pending_; }
  const grpc::Status& status(std::size_t i) const { return watches_[i]->status; }

 private:
  struct Watch {
    grpc::ClientContext ctx;
    std::unique_ptr<grpc::ClientAsyncReader<pb::FaultEvent>> reader;
    grpc::Status status;
    bool finished = false;
  };
  static void* Tag(std::size_t i, bool finish) {
    return reinterpret_cast<void*>((i << 1) | (finish ? 1 : 0));
  }
  grpc::CompletionQueue cq_;
  std::vector<std::unique_ptr<Watch>> watches_;
  std::size_t pending_ = 0;
};

TEST_F(HostileClientTest, StreamsBeyondTheDaemonLimitAreRefused) {
  constexpr int kPerConnection = 120;  // under the 128 concurrent streams per connection
  constexpr int kExcess = 200;
  constexpr int kConnections =
      (kMaxOpenStreams + kExcess + kPerConnection - 1) / kPerConnection;  // 36
  static_assert(kPerConnection < kStreamsPerConnection);
  constexpr int kTotal = kConnections * kPerConnection;
  constexpr int kRefusedExpected = kTotal - kMaxOpenStreams;

  // A live (targeted) fault: an admitted watcher with send_initial gets its snapshot.
  auto anchor_req = RateRequest(5'000'000, 600);
  anchor_req.mutable_spec()->mutable_match()->set_dst_cidr("10.200.0.1/32");
  pb::CreateFaultResponse anchor;
  ASSERT_TRUE(Create(anchor_req, &anchor).ok());
  auto admitted = [this](pb::FaultService::Stub& stub) -> grpc::StatusCode {
    grpc::ClientContext ctx;
    ctx.set_deadline(In(std::chrono::seconds(30)));
    pb::WatchRequest req;
    req.set_send_initial(true);
    auto reader = stub.Watch(&ctx, req);
    pb::FaultEvent e;
    if (reader->Read(&e)) {
      ctx.TryCancel();
      reader->Finish();
      return grpc::StatusCode::OK;
    }
    return reader->Finish().error_code();
  };

  std::vector<std::shared_ptr<grpc::Channel>> channels;
  std::vector<std::unique_ptr<pb::FaultService::Stub>> stubs;
  for (int c = 0; c < kConnections; ++c) {
    channels.push_back(DistinctChannel(daemon_->server_address(), 900 + c));
    ASSERT_TRUE(WaitConnected(*channels.back(), std::chrono::seconds(30)));
    stubs.push_back(pb::FaultService::NewStub(channels.back()));
  }
  const auto start = Clock::now();
  AsyncWatches watches;
  for (int i = 0; i < kTotal; ++i) watches.Start(*stubs[i % kConnections]);
  // The refused ones finish at once; the admitted stay open. Wait for the
  // starts and the refusals; a missing one times out the wait (2 minutes).
  int refused = 0, other_finished = 0, started = 0;
  std::string other_status;
  while (started < kTotal || refused + other_finished < kRefusedExpected) {
    long i = watches.Next();
    ASSERT_NE(i, -2) << "timed out: " << started << " started, " << refused << " refused";
    if (i == -1) {
      ++started;
      continue;
    }
    const auto& s = watches.status(static_cast<std::size_t>(i));
    if (s.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED) {
      ++refused;
      EXPECT_THAT(s.error_message(), HasSubstr("4096"));
    } else {
      ++other_finished;
      other_status = std::to_string(s.error_code()) + " " + s.error_message();
    }
  }
  const double open_ms = MillisSince(start);
  const double rss_full = RssMiB(pid_);
  EXPECT_EQ(refused, kRefusedExpected);
  EXPECT_EQ(other_finished, 0) << other_status;

  // Full: one more watch and a keep-alive are refused too, on a new connection.
  auto extra = pb::FaultService::NewStub(DistinctChannel(daemon_->server_address(), 999));
  EXPECT_EQ(admitted(*extra), grpc::StatusCode::RESOURCE_EXHAUSTED);
  {
    grpc::ClientContext ctx;
    ctx.set_deadline(In(std::chrono::seconds(30)));
    auto keep_alive = extra->KeepAlive(&ctx);
    pb::KeepAliveResponse ignored;
    while (keep_alive->Read(&ignored)) {
    }
    EXPECT_EQ(keep_alive->Finish().error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  }
  // Unary calls do not count against the limit.
  ExpectServesWellBehaved(std::to_string(kMaxOpenStreams) + " open streams");

  // Closing them frees the slots (the count drops as each stream is done).
  watches.CancelAll();
  while (watches.pending() > 0) ASSERT_NE(watches.Next(), -2);
  grpc::StatusCode code = grpc::StatusCode::RESOURCE_EXHAUSTED;
  for (int i = 0; i < 300 && code != grpc::StatusCode::OK; ++i) {
    code = admitted(*extra);
    if (code != grpc::StatusCode::OK) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(code, grpc::StatusCode::OK) << "stream slots were not given back";
  std::cout << "[hostile] stream limit: " << kTotal << " watch streams on " << kConnections
            << " connections opened in " << open_ms << " ms: " << kTotal - refused << " admitted, "
            << refused << " refused with RESOURCE_EXHAUSTED (expected " << kRefusedExpected
            << "); daemon rss start " << start_rss_ << " MiB, full " << rss_full << " MiB, after "
            << RssMiB(pid_) << " MiB" << std::endl;

  pb::RevokeFaultRequest revoke;
  revoke.set_id(anchor.fault().id());
  pb::Fault revoked;
  ASSERT_TRUE(stub_->RevokeFault(Ctx().get(), revoke, &revoked).ok());
  ExpectNothingLeft();
}

}  // namespace
}  // namespace chaosnet::testing
