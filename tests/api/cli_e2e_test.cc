// The real chaosnetctl binary against a real chaosnetd: what a user at a shell sees.
#include <gmock/gmock.h>
#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <regex>
#include <thread>

#include "tests/api/api_fixture.h"

namespace chaosnet::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class CliE2eTest : public ApiTest {
 protected:
  // Runs chaosnetctl against the test daemon; returns the exit code.
  int Ctl(const std::string& args, std::string* out) {
    out->clear();
    return Shell(
        BinaryPath("chaosnetctl") + " --server " + daemon_->server_address() + " " + args + " 2>&1",
        out);
  }
  static std::string FirstId(const std::string& text) {
    std::smatch m;
    std::regex id("\\b([0-9a-f]{12})\\b");
    return std::regex_search(text, m, id) ? m[1].str() : "";
  }
};

TEST_F(CliE2eTest, RateFaultFromCreateToRevoke) {
  std::string out;
  ASSERT_EQ(Ctl("rate cn0 1mbit --ttl 30s --label team=sre", &out), 0) << out;
  const std::string id = FirstId(out);
  ASSERT_FALSE(id.empty()) << out;
  EXPECT_THAT(out, HasSubstr("expires"));
  EXPECT_TRUE(HasOwnedQdisc());

  ASSERT_EQ(Ctl("list", &out), 0) << out;
  EXPECT_THAT(out, HasSubstr(id));
  EXPECT_THAT(out, HasSubstr("cn0"));

  ASSERT_EQ(Ctl("-o json get " + id, &out), 0) << out;
  EXPECT_THAT(out, HasSubstr("\"id\":\"" + id + "\""));
  EXPECT_THAT(out, HasSubstr("\"bits_per_second\""));
  EXPECT_THAT(out, HasSubstr("\"team\":\"sre\""));

  ASSERT_EQ(Ctl("extend " + id + " 10m", &out), 0) << out;
  ASSERT_EQ(Ctl("revoke " + id, &out), 0) << out;
  EXPECT_FALSE(HasOwnedQdisc()) << Qdiscs();
}

TEST_F(CliE2eTest, RevokeAllEndsEverything) {
  std::string out;
  ASSERT_EQ(Ctl("rate cn0 2mbit --ttl 30s", &out), 0) << out;
  ASSERT_EQ(Ctl("revoke --all", &out), 0) << out;
  EXPECT_FALSE(HasOwnedQdisc());
}

TEST_F(CliE2eTest, DryRunPrintsThePlanAndAppliesNothing) {
  std::string out;
  ASSERT_EQ(Ctl("rate cn0 1mbit --dry-run", &out), 0) << out;
  EXPECT_THAT(out, HasSubstr("qdisc add dev cn0 root handle ca00: htb"));
  EXPECT_THAT(out, HasSubstr("class add dev cn0 parent ca00: handle ca00:1 htb rate 1mbit"));
  EXPECT_FALSE(HasOwnedQdisc());
}

TEST_F(CliE2eTest, BadInputIsOneLineAndNonZero) {
  std::string out;
  EXPECT_EQ(Ctl("loss cn0 150%", &out), 2) << out;
  EXPECT_THAT(out, HasSubstr("150"));
  EXPECT_EQ(Ctl("delay cn0 10", &out), 2) << out;
  EXPECT_EQ(Ctl("rate cn0 fast", &out), 2) << out;
  EXPECT_EQ(Ctl("rate nosuch0 1mbit", &out), 1) << out;
  EXPECT_THAT(out, HasSubstr("nosuch0"));
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 1) << out;
  EXPECT_EQ(Ctl("rate cn0 1mbit --ttl 48h", &out), 1) << out;
  EXPECT_THAT(out, HasSubstr("maximum"));
  EXPECT_FALSE(HasOwnedQdisc());
}

TEST_F(CliE2eTest, UnreachableDaemonExitsThree) {
  std::string out;
  int rc = Shell(BinaryPath("chaosnetctl") + " --server unix:/nonexistent/chaosnetd.sock list 2>&1",
                 &out);
  EXPECT_EQ(rc, 3) << out;
  EXPECT_THAT(out, Not(HasSubstr("\n\n")));
}

TEST_F(CliE2eTest, InfoShowsVersionAndKernelCapabilities) {
  std::string out;
  ASSERT_EQ(Ctl("info", &out), 0) << out;
  EXPECT_THAT(out, HasSubstr("netem"));
  EXPECT_THAT(out, HasSubstr("tbf"));
}

}  // namespace
}  // namespace chaosnet::testing

namespace chaosnet::testing {
namespace {

// chaosnetctl run: a fault held exactly while a command runs.
class CliRunTest : public CliE2eTest {
 protected:
  void SetUp() override {
    CliE2eTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    char tmpl[] = "/tmp/chaosnet-run-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
  }
  void TearDown() override {
    // A child a killed chaosnetctl left behind.
    if (!dir_.empty()) {
      Shell("pkill -KILL -f '" + dir_ + "/marker' ; rm -rf '" + dir_ + "'");
    }
    CliE2eTest::TearDown();
  }
  std::string CtlCommand() const {
    return BinaryPath("chaosnetctl") + " --server " + daemon_->server_address();
  }
  // Starts `chaosnetctl run ... -- <command>` in the background; returns its pid.
  int StartRun(const std::string& run_args) {
    std::string out;
    Shell(CtlCommand() + " run " + run_args + " >" + dir_ + "/out 2>&1 & echo $!", &out);
    return std::atoi(out.c_str());
  }
  std::string Output() const {
    std::string out;
    Shell("cat " + dir_ + "/out", &out);
    return out;
  }
  // Polls until `text` appears in the background run's output.
  bool WaitForOutput(const std::string& text) {
    for (int i = 0; i < 400; ++i) {
      if (Output().find(text) != std::string::npos) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    return false;
  }
  static double Seconds(const google::protobuf::Timestamp& from,
                        const google::protobuf::Timestamp& to) {
    return google::protobuf::util::TimeUtil::DurationToNanoseconds(to - from) / 1e9;
  }
  std::string dir_;
};

TEST_F(CliRunTest, HoldsTheFaultExactlyWhileTheCommandRunsAndPassesItsStatus) {
  std::string out;
  // The command sees its fault in the kernel, sleeps 2 s, and fails with 7.
  const std::string command = "sh -c 'ip netns exec " + net_->ns_a() +
                              " tc qdisc show dev cn0 | grep -c \"htb ca00:\"; sleep 2; exit 7'";
  int rc = Ctl("run --ttl 60s rate cn0 1mbit -- " + command, &out);
  EXPECT_EQ(rc, 7) << out;
  EXPECT_THAT(out, HasSubstr("\n1\n")) << "the command did not see the fault: " << out;
  const std::string id = FirstId(out);
  ASSERT_FALSE(id.empty()) << out;
  EXPECT_THAT(out, HasSubstr("fault " + id + " applied: rate 1mbit"));
  EXPECT_THAT(out, HasSubstr("fault " + id + " rolled back after"));
  EXPECT_FALSE(HasOwnedQdisc()) << Qdiscs();

  pb::Fault f = Get(id);
  EXPECT_EQ(f.state(), pb::FAULT_STATE_REVOKED);
  EXPECT_THAT(f.state_reason(), HasSubstr("keep-alive stream was closed"));
  const double held = Seconds(f.created_at(), f.ended_at());
  std::cout << "[ measured ] run -- sleep 2 held the fault for " << held << " s\n";
  EXPECT_GE(held, 2.0);
  EXPECT_LT(held, 3.5);  // sleep 2 plus spawning and a rollback on a loaded machine
}

TEST_F(CliRunTest, KillingTheClientRollsTheFaultBackWithinASecond) {
  int pid = StartRun(
      "--ttl 60s rate cn0 1mbit -- sh -c 'echo started; while :; do sleep 0.2; "
      "done' " +
      dir_ + "/marker");
  ASSERT_GT(pid, 0);
  ASSERT_TRUE(WaitForOutput("started")) << Output();
  const std::string id = FirstId(Output());
  ASSERT_FALSE(id.empty()) << Output();
  ASSERT_EQ(Get(id).state(), pb::FAULT_STATE_ACTIVE);

  const auto killed = std::chrono::steady_clock::now();
  ASSERT_EQ(::kill(pid, SIGKILL), 0);
  const pb::Fault f = AwaitState(id, pb::FAULT_STATE_REVOKED);
  const auto took = std::chrono::steady_clock::now() - killed;
  std::cout << "[ measured ] SIGKILL of chaosnetctl run to rollback seen: "
            << std::chrono::duration<double, std::milli>(took).count() << " ms\n";
  EXPECT_EQ(f.state(), pb::FAULT_STATE_REVOKED);
  EXPECT_THAT(f.state_reason(), HasSubstr("keep-alive stream"));
  EXPECT_LT(took, std::chrono::seconds(1));
  EXPECT_FALSE(HasOwnedQdisc()) << Qdiscs();
}

TEST_F(CliRunTest, SigtermToTheClientReachesTheCommandAndRollsBack) {
  int pid = StartRun(
      "rate cn0 1mbit -- sh -c 'trap \"echo got-term; exit 9\" TERM; "
      "echo started; while :; do sleep 0.05; done' " +
      dir_ + "/marker");
  ASSERT_GT(pid, 0);
  ASSERT_TRUE(WaitForOutput("started")) << Output();
  const std::string id = FirstId(Output());
  ASSERT_EQ(::kill(pid, SIGTERM), 0);
  ASSERT_TRUE(WaitForOutput("rolled back")) << Output();
  EXPECT_THAT(Output(), HasSubstr("got-term"));
  EXPECT_EQ(Get(id).state(), pb::FAULT_STATE_REVOKED);
  EXPECT_FALSE(HasOwnedQdisc()) << Qdiscs();
}

TEST_F(CliRunTest, ACommandThatCannotRunExits127AndLeavesNothing) {
  std::string out;
  EXPECT_EQ(Ctl("run rate cn0 1mbit -- /nonexistent/chaosnet-test-cmd", &out), 127) << out;
  EXPECT_THAT(out, HasSubstr("chaosnetctl: cannot run /nonexistent/chaosnet-test-cmd: No such "
                             "file or directory"));
  const std::string id = FirstId(out);
  ASSERT_FALSE(id.empty()) << out;
  EXPECT_EQ(Get(id).state(), pb::FAULT_STATE_REVOKED);
  EXPECT_FALSE(HasOwnedQdisc()) << Qdiscs();
}

TEST_F(CliRunTest, AFaultTheDaemonRefusesRunsNothing) {
  std::string out;
  EXPECT_EQ(Ctl("run rate nosuch0 1mbit -- touch " + dir_ + "/ran", &out), 1) << out;
  EXPECT_THAT(out, HasSubstr("chaosnetctl: not found: no interface named nosuch0"));
  EXPECT_NE(Shell("test -e " + dir_ + "/ran"), 0) << "the command ran without its fault";
}

TEST_F(CliRunTest, AFaultThatExpiresFirstIsReported) {
  std::string out;
  EXPECT_EQ(Ctl("run --ttl 1s rate cn0 1mbit -- sleep 2", &out), 0) << out;
  EXPECT_THAT(out, HasSubstr("ended before the command did: expired"));
  EXPECT_FALSE(HasOwnedQdisc()) << Qdiscs();
}

}  // namespace
}  // namespace chaosnet::testing
