// A real daemon in a throwaway namespace pair, and a stub talking to it.
#pragma once

#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "tests/api/daemon_process.h"
#include "tests/api/test_network.h"
#include "tests/support/poll.h"

namespace chaosnet::testing {

namespace pb = ::chaosnet::v1;

// How long a fault's lease was when last set: expires_at - created_at.
inline double LeaseSeconds(const pb::Fault& f) {
  return static_cast<double>(f.expires_at().seconds() - f.created_at().seconds()) +
         (f.expires_at().nanos() - f.created_at().nanos()) / 1e9;
}

// A whole file (an audit log); "" when it cannot be read.
inline std::string ReadTextFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class ApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!IsRoot()) GTEST_SKIP() << "needs root: creates network namespaces and qdiscs";
    net_ = std::make_unique<TestNetwork>();
    ASSERT_TRUE(net_->ok()) << "could not create the test namespaces";
    daemon_ = std::make_unique<DaemonProcess>(net_->ns_a(), ExtraDaemonArgs());
    ASSERT_TRUE(daemon_->WaitReady()) << daemon_->ReadLog();
    stub_ = daemon_->NewStub();
    pb::GetInfoRequest req;
    grpc::ClientContext ctx;
    ASSERT_TRUE(stub_->GetInfo(&ctx, req, &info_).ok());
  }
  void TearDown() override {
    stub_.reset();
    daemon_.reset();
    net_.reset();
  }
  virtual std::vector<std::string> ExtraDaemonArgs() { return {"--max-ttl", "1h"}; }

  bool KernelHas(const std::string& capability) const {
    for (const auto& c : info_.capabilities()) {
      if (c.name() == capability) return c.available();
    }
    return false;
  }

  static std::unique_ptr<grpc::ClientContext> Ctx() {
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    return ctx;
  }

  pb::CreateFaultRequest RateRequest(uint64_t bps = 1'000'000, int ttl_seconds = 60) const {
    pb::CreateFaultRequest r;
    r.mutable_spec()->set_interface(net_->iface_a());
    r.mutable_spec()->mutable_rate()->set_bits_per_second(bps);
    r.mutable_ttl()->set_seconds(ttl_seconds);
    return r;
  }
  pb::CreateFaultRequest DelayRequest(int ms, int ttl_seconds = 60) const {
    pb::CreateFaultRequest r;
    r.mutable_spec()->set_interface(net_->iface_a());
    *r.mutable_spec()->mutable_delay()->mutable_latency() =
        google::protobuf::util::TimeUtil::MillisecondsToDuration(ms);
    r.mutable_ttl()->set_seconds(ttl_seconds);
    return r;
  }

  grpc::Status Create(const pb::CreateFaultRequest& req, pb::CreateFaultResponse* resp) {
    return stub_->CreateFault(Ctx().get(), req, resp);
  }
  pb::Fault Get(const std::string& id) {
    pb::GetFaultRequest req;
    req.set_id(id);
    pb::Fault f;
    grpc::Status s = stub_->GetFault(Ctx().get(), req, &f);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return f;
  }
  // Polls the fault every 5 ms until it is in `state`, or has ended in
  // another (then waiting longer cannot help), or `timeout` has passed; the
  // caller checks the fault returned. The bound is wide for a loaded machine.
  pb::Fault AwaitState(const std::string& id, pb::FaultState state,
                       std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
    return PollUntil([&] { return Get(id); },
                     [&](const pb::Fault& f) {
                       // An empty id: Get failed (and said so); no point asking again.
                       return f.state() == state || f.state() != pb::FAULT_STATE_ACTIVE ||
                              f.id().empty();
                     },
                     timeout);
  }
  // Sets the fault's lease to end `ttl` from now (ExtendFault may shorten it).
  pb::Fault SetTtl(const std::string& id, std::chrono::seconds ttl) {
    pb::ExtendFaultRequest req;
    req.set_id(id);
    req.mutable_ttl()->set_seconds(ttl.count());
    pb::Fault f;
    grpc::Status s = stub_->ExtendFault(Ctx().get(), req, &f);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return f;
  }
  // What the kernel shows on the faulted interface, read by `tc` itself.
  std::string Qdiscs() const { return TcQdiscJson(net_->ns_a(), net_->iface_a()); }
  // `tc class show` (iproute2 6.1 prints htb classes as text even with -j).
  std::string Classes() const {
    std::string out;
    net_->InA("tc class show dev " + net_->iface_a(), &out);
    return out;
  }
  bool HasOwnedQdisc() const { return Qdiscs().find("\"handle\":\"ca00:\"") != std::string::npos; }

  std::unique_ptr<TestNetwork> net_;
  std::unique_ptr<DaemonProcess> daemon_;
  std::unique_ptr<pb::FaultService::Stub> stub_;
  pb::Info info_;
};

}  // namespace chaosnet::testing
