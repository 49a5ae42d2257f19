// chaosnetctl fleet against fake daemons: what the plan sends and prints
// for the control plane of nodes reached over TCP.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "tests/client/ctl_runner.h"
#include "tests/client/fake_fault_service.h"

namespace chaosnet::client::testing {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;

// Node a's daemon is named by host (localhost); node b's is a Unix socket,
// so b's fault must leave a's daemon alone on every address "localhost"
// resolves to, and on a's own address from the fleet file.
TEST(FleetCtlTest, AServerGivenByHostNameIsExemptedOnEveryAddressItResolvesTo) {
  FakeServer server;
  server.AnnounceFeatures({"cidr-sets", "fault-exemptions"});
  const std::string port = server.tcp_address().substr(server.tcp_address().rfind(':') + 1);
  const std::string path = server.dir() + "/fleet.toml";
  std::ofstream(path) << "[defaults]\ninterface = \"eth0\"\n"
                      << "[nodes.a]\nserver = \"localhost:" << port
                      << "\"\naddresses = [\"10.0.0.1\"]\ntls.insecure = true\n"
                      << "[nodes.b]\nserver = \"" << server.address()
                      << "\"\naddresses = [\"10.0.0.2\"]\n";
  CtlResult r = RunCtl(
      {"-o", "json", "fleet", "partition", "--fleet", path, "--shape", "one-way:b>a", "--dry-run"},
      server.dir());
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("\"127.0.0.1/32:tcp:" + port + "\""));
  EXPECT_THAT(r.out, HasSubstr("\"10.0.0.1/32:tcp:" + port + "\""));
  EXPECT_THAT(r.out, HasSubstr("\"peers\":[\"a\"]"));
  // Only b has a fault (b drops its packets to a): the daemon got the same.
  const auto spec = server.last_create().spec();
  EXPECT_TRUE(server.last_create().dry_run());
  EXPECT_THAT(spec.exemptions(), Contains("127.0.0.1/32:tcp:" + port));
  EXPECT_THAT(spec.exemptions(), Contains("10.0.0.1/32:tcp:" + port));
  EXPECT_THAT(spec.match().dst_cidrs(), Contains("10.0.0.1/32"));
}

TEST(FleetCtlTest, AServerNameThatDoesNotResolveExits3BeforeAnyCall) {
  FakeServer server;
  const std::string path = server.dir() + "/fleet.toml";
  std::ofstream(path) << "[defaults]\ninterface = \"eth0\"\n"
                      << "[nodes.a]\nserver = \"chaosnet-no-such-host.invalid:7443\"\n"
                      << "addresses = [\"10.0.0.1\"]\ntls.insecure = true\n"
                      << "[nodes.b]\nserver = \"" << server.address()
                      << "\"\naddresses = [\"10.0.0.2\"]\n";
  CtlResult r = RunCtl({"fleet", "partition", "--fleet", path, "--shape", "halves"}, server.dir());
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_THAT(r.err, HasSubstr("node a: cannot resolve chaosnet-no-such-host.invalid"));
  EXPECT_EQ(server.calls(), 0);
}

}  // namespace
}  // namespace chaosnet::client::testing
