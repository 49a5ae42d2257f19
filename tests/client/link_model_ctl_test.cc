// The real chaosnetctl against the fake daemon, which announces no features
// (an older chaosnetd): every link-model option is refused locally, naming
// its feature, and no create reaches the daemon; `profiles` says the daemon
// predates them.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/client/ctl_runner.h"
#include "tests/client/fake_fault_service.h"

namespace chaosnet::client::testing {
namespace {

using ::testing::HasSubstr;

class LinkModelCtlTest : public ::testing::Test {
 protected:
  CtlResult Run(std::vector<std::string> args) {
    args.insert(args.begin(), {"--server", server_.address()});
    return RunCtl(args, server_.dir());
  }
  FakeServer server_;
};

TEST_F(LinkModelCtlTest, AnOlderDaemonGetsNoLinkModelItWouldIgnore) {
  struct Case {
    std::vector<std::string> args;
    const char* feature;
  } cases[] = {
      {{"loss", "eth0", "gemodel 1% 10%"}, "loss-models"},
      {{"loss", "eth0", "5%", "--ecn"}, "ecn"},
      {{"delay", "eth0", "10ms", "--slot", "1ms,5ms"}, "slot"},
      {{"apply", "eth0", "--link-rate", "1mbit"}, "link-rate"},
      {{"delay", "eth0", "10ms", "--jitter", "5ms", "--in-order"}, "in-order"},
      {{"jam", "eth0"}, "jam"},
      {{"apply", "eth0", "--profile", "lte"}, "profiles"},
      {{"run", "jam", "eth0", "--", "true"}, "jam"},
  };
  for (const auto& c : cases) {
    const CtlResult r = Run(c.args);
    EXPECT_EQ(r.exit_code, 2) << c.args[0] << ": " << r.err;
    EXPECT_THAT(r.err, HasSubstr(std::string("does not implement the feature ") + c.feature))
        << r.err;
    EXPECT_EQ(server_.last_create().spec().interface(), "") << "a create reached the daemon";
  }
}

TEST_F(LinkModelCtlTest, ProfilesFromADaemonWithoutThemIsOneLine) {
  const CtlResult r = Run({"profiles"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_THAT(r.err, HasSubstr("has no link profiles (it predates them): upgrade chaosnetd"));
}

}  // namespace
}  // namespace chaosnet::client::testing
