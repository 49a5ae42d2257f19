// Guards (feature "guards") through a real daemon on the host kernel: htb
// rate faults (no netem needed) guarded by a tcp guard to a listener in the
// other namespace and by counter guards; what is refused, and how. The
// real-traffic halts with netem (http, drops, timing) are in the guest:
// tests/guest/guards.test.sh.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

#include "tests/api/api_fixture.h"

namespace chaosnet::testing {
namespace {

using ::testing::HasSubstr;
using namespace std::chrono_literals;

constexpr int kPort = 9093;

class GuardsTest : public ApiTest {
 protected:
  std::vector<std::string> ExtraDaemonArgs() override {
    return {"--max-ttl",
            "1h",
            "--allow-guard-target",
            net_->addr_b() + ":" + std::to_string(kPort),
            "--max-guards-per-fault",
            "3"};
  }
  void TearDown() override {
    StopListener();
    ApiTest::TearDown();
  }
  // A TCP listener in namespace b (a python process, killed to close the port).
  void StartListener() {
    std::string out;
    ASSERT_EQ(
        net_->InB("/usr/bin/python3 -c 'import socket,time\n"
                  "s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
                  "s.bind((\"" +
                      net_->addr_b() + "\", " + std::to_string(kPort) +
                      ")); s.listen(64)\nwhile True: c,_=s.accept(); c.close()' "
                      ">/dev/null 2>&1 & echo $!",
                  &out),
        0);
    listener_pid_ = std::stoi(out);
    for (int i = 0; i < 100; ++i) {
      if (net_->InA("bash -c 'exec 3<>/dev/tcp/" + net_->addr_b() + "/" + std::to_string(kPort) +
                    "' 2>/dev/null") == 0) {
        return;
      }
      std::this_thread::sleep_for(50ms);
    }
    FAIL() << "the listener did not come up";
  }
  void StopListener() {
    if (listener_pid_ > 0) Shell("kill " + std::to_string(listener_pid_) + " 2>/dev/null");
    listener_pid_ = 0;
  }
  pb::CreateFaultRequest Guarded(std::vector<std::string> checks, int interval_ms = 200) {
    pb::CreateFaultRequest r = RateRequest();
    auto* g = r.mutable_spec()->mutable_guards();
    for (const auto& c : checks) g->add_checks(c);
    g->mutable_interval()->set_nanos(interval_ms * 1'000'000);
    return r;
  }
  // Polls the fault until `done` holds (10 s at most); the last reading.
  pb::Fault WaitFor(const std::string& id, const std::function<bool(const pb::Fault&)>& done) {
    pb::Fault f;
    for (int i = 0; i < 200; ++i) {
      f = Get(id);
      if (done(f)) break;
      std::this_thread::sleep_for(50ms);
    }
    return f;
  }
  std::string Tcp() const { return "tcp:" + net_->addr_b() + ":" + std::to_string(kPort); }

  int listener_pid_ = 0;
};

TEST_F(GuardsTest, TheDaemonAnnouncesGuardsAndItsBounds) {
  EXPECT_THAT(std::vector<std::string>(info_.features().begin(), info_.features().end()),
              ::testing::Contains("guards"));
  EXPECT_EQ(info_.max_guards_per_fault(), 3u);
  EXPECT_EQ(info_.max_guards(), 256u);
  ASSERT_EQ(info_.guard_targets_size(), 1);
  EXPECT_THAT(info_.guard_targets(0), HasSubstr(net_->addr_b()));
}

TEST_F(GuardsTest, ATcpGuardPassesWhileThePortAnswersAndHaltsTheFaultWhenItCloses) {
  StartListener();
  pb::CreateFaultResponse created;
  grpc::Status s = Create(Guarded({Tcp(), "backlog<1000"}), &created);
  ASSERT_TRUE(s.ok()) << s.error_message();
  const std::string id = created.fault().id();
  ASSERT_EQ(created.fault().guards_size(), 2);
  EXPECT_EQ(created.fault().guards(0).result(), pb::GUARD_RESULT_UNSPECIFIED);

  pb::Fault f = WaitFor(id, [](const pb::Fault& f) { return f.guards(0).checks() >= 3; });
  ASSERT_EQ(f.state(), pb::FAULT_STATE_ACTIVE) << f.state_reason();
  EXPECT_EQ(f.guards(0).result(), pb::GUARD_RESULT_PASS) << f.guards(0).observed();
  EXPECT_EQ(f.guards(0).observed(), "connected");
  EXPECT_EQ(f.guards(1).result(), pb::GUARD_RESULT_PASS) << f.guards(1).observed();
  EXPECT_EQ(f.guards(1).observed(), "backlog 0 packets");
  EXPECT_TRUE(HasOwnedQdisc());

  StopListener();
  f = WaitFor(id, [](const pb::Fault& f) { return f.state() != pb::FAULT_STATE_ACTIVE; });
  EXPECT_EQ(f.state(), pb::FAULT_STATE_HALTED);
  EXPECT_THAT(f.state_reason(), HasSubstr("guard " + Tcp() + " failed: connection refused"));
  EXPECT_EQ(f.guards(0).result(), pb::GUARD_RESULT_FAIL);
  EXPECT_FALSE(HasOwnedQdisc()) << Qdiscs();
}

TEST_F(GuardsTest, RefusedGuardsSayWhyAndLeaveNothing) {
  struct Case {
    std::vector<std::string> checks;
    grpc::StatusCode code;
    std::string says;
  };
  for (const Case& c : {
           Case{{"tcp:" + net_->addr_b()}, grpc::StatusCode::INVALID_ARGUMENT, "tcp:"},
           Case{{"drops<150%"}, grpc::StatusCode::INVALID_ARGUMENT, "drops<150%"},
           Case{{"tcp:" + net_->addr_b() + ":9094"},
                grpc::StatusCode::PERMISSION_DENIED,
                "--allow-guard-target"},
           Case{{"http://" + net_->addr_b() + "/"},
                grpc::StatusCode::PERMISSION_DENIED,
                "--allow-guard-target"},
           Case{{"drops<1%", "drops<2%", "drops<3%", "drops<4%"},
                grpc::StatusCode::INVALID_ARGUMENT,
                "--max-guards-per-fault"},
       }) {
    pb::CreateFaultResponse created;
    grpc::Status s = Create(Guarded(c.checks), &created);
    EXPECT_EQ(s.error_code(), c.code) << c.says << ": " << s.error_message();
    EXPECT_THAT(s.error_message(), HasSubstr(c.says));
    EXPECT_EQ(s.error_message().find('\n'), std::string::npos) << s.error_message();
    EXPECT_FALSE(HasOwnedQdisc()) << c.says;
  }
}

}  // namespace
}  // namespace chaosnet::testing
