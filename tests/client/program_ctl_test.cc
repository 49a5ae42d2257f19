// The real chaosnetctl against the fake daemon, which announces no features
// (a chaosnetd from before programs): a create with a program is refused
// locally, naming the feature, and never reaches the daemon, which would
// apply the fault without its program.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/client/ctl_runner.h"
#include "tests/client/fake_fault_service.h"

namespace chaosnet::client::testing {
namespace {

using ::testing::HasSubstr;

TEST(ProgramCtlTest, AnOlderDaemonGetsNoProgramItWouldIgnore) {
  FakeServer server;
  const std::vector<std::vector<std::string>> cases = {
      {"delay", "eth0", "0ms", "--ramp", "delay", "0ms..200ms", "--over", "10s"},
      {"apply", "eth0", "--steps", "1s:delay=50ms,1s:delay=100ms"},
      {"partition", "eth0", "--flap", "2s/2s"},
      {"run", "delay", "eth0", "10ms", "--flap", "1s/1s", "--", "true"},
  };
  for (auto args : cases) {
    args.insert(args.begin(), {"--server", server.address()});
    const CtlResult r = RunCtl(args, server.dir());
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_THAT(r.err, HasSubstr("does not implement the feature programs")) << r.err;
    EXPECT_EQ(server.last_create().spec().interface(), "") << "a create reached the daemon";
  }
}

}  // namespace
}  // namespace chaosnet::client::testing
