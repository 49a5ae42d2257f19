// The real chaosnetctl binary against a real chaosnetd: what a user at a shell sees.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <regex>

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
    return Shell(BinaryPath("chaosnetctl") + " --server " + daemon_->server_address() + " " +
                     args + " 2>&1",
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
