// chaosnetctl fleet ...: the grammar (client/fleet_cli.cc) and the checks
// that need no daemon: a bad file, shape or flag exits 2 before any node is
// called; a node that cannot be reached exits 3.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "client/commands.h"
#include "client/fleet/fleet_file.h"
#include "client/fleet_command.h"
#include "tests/client/parse_args.h"

namespace chaosnet::client {
namespace {

using ::testing::HasSubstr;

Outcome ParseError(const std::vector<std::string>& args) {
  std::ostringstream out;
  auto parsed = ParseCommandLine(Argv(args), out);
  if (auto* outcome = std::get_if<Outcome>(&parsed)) return *outcome;
  ADD_FAILURE() << "parsed, expected an error";
  return {};
}

TEST(FleetCliTest, PartitionTakesTheFleetTheShapeAndTheExperimentFlags) {
  Invocation inv =
      Parse({"-o", "json", "fleet", "partition", "--fleet", "f.toml", "--shape", "random-halves",
             "--shape-seed", "42", "--ttl", "30s", "--label", "team=db", "--dry-run", "--hold"});
  EXPECT_EQ(inv.command, Command::kFleetApply);
  EXPECT_EQ(inv.create.kind, FaultKind::kPartition);
  EXPECT_TRUE(inv.create.partition);
  EXPECT_EQ(inv.fleet.fleet_file, "f.toml");
  EXPECT_EQ(inv.fleet.shape, "random-halves");
  EXPECT_EQ(inv.fleet.shape_seed, "42");
  EXPECT_EQ(inv.create.ttl, "30s");
  EXPECT_EQ(inv.create.labels, std::vector<std::string>{"team=db"});
  EXPECT_TRUE(inv.create.dry_run);
  EXPECT_TRUE(inv.fleet.hold);
  EXPECT_EQ(inv.global.output, "json");
}

TEST(FleetCliTest, TtlDefaultsToFiveMinutes) {
  Invocation inv = Parse({"fleet", "partition", "--fleet", "f.toml", "--shape", "halves"});
  EXPECT_EQ(inv.create.ttl, "5m");
}

TEST(FleetCliTest, DelayAndLossTakeTheirValueAndBetween) {
  Invocation delay = Parse({"fleet", "delay", "--fleet", "f.toml", "--between", "n1,n2|n3", "100ms",
                            "--jitter", "10ms", "--dport", "5432"});
  EXPECT_EQ(delay.command, Command::kFleetApply);
  EXPECT_EQ(delay.create.kind, FaultKind::kDelay);
  EXPECT_EQ(delay.create.delay, "100ms");
  EXPECT_EQ(delay.create.jitter, "10ms");
  EXPECT_EQ(delay.create.dport, "5432");
  EXPECT_EQ(delay.fleet.between, "n1,n2|n3");
  EXPECT_FALSE(delay.create.partition);

  Invocation loss = Parse({"fleet", "loss", "--fleet", "f.toml", "--shape", "halves", "5%"});
  EXPECT_EQ(loss.create.kind, FaultKind::kLoss);
  EXPECT_EQ(loss.create.loss, "5%");

  Invocation apply = Parse({"fleet", "apply", "--fleet", "f.toml", "--shape", "halves", "--delay",
                            "50ms", "--loss", "1%"});
  EXPECT_EQ(apply.create.kind, FaultKind::kApply);
  EXPECT_EQ(apply.create.delay, "50ms");
  EXPECT_EQ(apply.create.loss, "1%");
}

TEST(FleetCliTest, StatusAndHealTakeAnOptionalExperiment) {
  Invocation status = Parse({"fleet", "status", "--fleet", "f.toml"});
  EXPECT_EQ(status.command, Command::kFleetStatus);
  Invocation heal =
      Parse({"fleet", "heal", "--fleet", "f.toml", "--experiment", "0123456789abcdef"});
  EXPECT_EQ(heal.command, Command::kFleetHeal);
  EXPECT_EQ(heal.fleet.experiment, "0123456789abcdef");
}

TEST(FleetCliTest, RefusesMissingOrContradictoryTargets) {
  EXPECT_THAT(ParseError({"fleet", "partition", "--fleet", "f.toml"}).message,
              HasSubstr("--shape is required"));
  EXPECT_THAT(ParseError({"fleet", "delay", "--fleet", "f.toml", "--shape", "halves", "--between",
                          "a|b", "10ms"})
                  .message,
              HasSubstr("not both"));
  // partition has no --between: a cut between named groups is groups:.
  EXPECT_EQ(ParseError({"fleet", "partition", "--fleet", "f.toml", "--between", "a|b"}).exit_code,
            kExitUsage);
  EXPECT_EQ(ParseError({"fleet", "partition", "--shape", "halves"}).exit_code, kExitUsage);
  EXPECT_EQ(ParseError({"fleet"}).exit_code, kExitUsage);
}

TEST(FleetCliTest, RunHoldsAFleetExperimentWhileTheCommandRuns) {
  Invocation inv = Parse({"run", "--ttl", "30s", "fleet", "partition", "--fleet", "f.toml",
                          "--shape", "halves", "--", "sleep", "3"});
  EXPECT_EQ(inv.command, Command::kFleetApply);
  EXPECT_TRUE(inv.create.partition);
  EXPECT_EQ(inv.create.ttl, "30s");
  EXPECT_EQ(inv.fleet.shape, "halves");
  EXPECT_EQ(inv.run.command, (std::vector<std::string>{"sleep", "3"}));

  Invocation delay = Parse({"-o", "json", "run", "fleet", "delay", "--fleet", "f.toml", "--between",
                            "a|b", "100ms", "--", "./check", "--fast"});
  EXPECT_EQ(delay.command, Command::kFleetApply);
  EXPECT_EQ(delay.create.delay, "100ms");
  EXPECT_EQ(delay.create.ttl, "5m");
  EXPECT_EQ(delay.global.output, "json");
  EXPECT_EQ(delay.run.command, (std::vector<std::string>{"./check", "--fast"}));
}

TEST(FleetCliTest, RunRefusesWhatCannotHoldOrHalt) {
  const std::vector<std::string> partition = {"fleet",  "partition", "--fleet",
                                              "f.toml", "--shape",   "halves"};
  auto run = [&](std::vector<std::string> before, std::vector<std::string> after) {
    std::vector<std::string> args = {"run"};
    args.insert(args.end(), before.begin(), before.end());
    args.insert(args.end(), partition.begin(), partition.end());
    args.insert(args.end(), after.begin(), after.end());
    args.insert(args.end(), {"--", "true"});
    return ParseError(args);
  };
  Outcome halt = run({"--halt-kills"}, {});
  EXPECT_EQ(halt.exit_code, kExitUsage);
  EXPECT_THAT(halt.message, HasSubstr("fleet faults take no --guard"));
  EXPECT_THAT(run({}, {"--hold"}).message, HasSubstr("--hold is implied"));
  EXPECT_THAT(run({}, {"--dry-run"}).message, HasSubstr("nothing to hold"));
  EXPECT_THAT(ParseError({"run", "fleet", "status", "--fleet", "f.toml", "--", "true"}).message,
              HasSubstr("is not a fault"));
}

class FleetCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/fleet-cli-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    dir_ = dir;
  }
  void TearDown() override { std::system(("rm -rf " + dir_).c_str()); }

  std::string Write(const std::string& text) {
    std::string path = dir_ + "/fleet.toml";
    std::ofstream(path) << text;
    return path;
  }
  int Run(const std::vector<std::string>& args) {
    out_.str("");
    err_.str("");
    return Main(Argv(args), out_, err_);
  }

  std::string dir_;
  std::ostringstream out_, err_;
};

constexpr char kTwoAbsentNodes[] = R"(
[defaults]
interface = "eth0"
[nodes.a]
server = "unix:/nonexistent/chaosnet-fleet-a.sock"
addresses = ["10.0.0.1"]
[nodes.b]
server = "unix:/nonexistent/chaosnet-fleet-b.sock"
addresses = ["10.0.0.2"]
)";

TEST_F(FleetCommandTest, ABadFileExits2NamingTheLine) {
  std::string path = Write("[nodes.a]\nserver = 7\n");
  EXPECT_EQ(Run({"fleet", "status", "--fleet", path}), kExitUsage);
  EXPECT_THAT(err_.str(), HasSubstr("fleet.toml:2: nodes.a.server"));
}

TEST_F(FleetCommandTest, AShapeTheFleetCannotTakeExits2BeforeAnyCall) {
  std::string path = Write(kTwoAbsentNodes);
  EXPECT_EQ(Run({"fleet", "partition", "--fleet", path, "--shape", "bridge"}), kExitUsage);
  EXPECT_THAT(err_.str(), HasSubstr("bridge"));
  EXPECT_EQ(Run({"fleet", "delay", "--fleet", path, "--shape", "halves", "soon"}), kExitUsage);
  EXPECT_EQ(Run({"fleet", "heal", "--fleet", path, "--experiment", "XYZ"}), kExitUsage);
}

TEST_F(FleetCommandTest, UnreachableNodesExit3AndPrintTheShapeAndExperiment) {
  std::string path = Write(kTwoAbsentNodes);
  EXPECT_EQ(Run({"--timeout", "2s", "fleet", "partition", "--fleet", path, "--shape",
                 "random-halves", "--shape-seed", "7"}),
            kExitUnreachable);
  EXPECT_THAT(out_.str(), HasSubstr("seed 7"));
  EXPECT_THAT(out_.str(), HasSubstr("experiment "));
  EXPECT_THAT(err_.str(), HasSubstr("node a: cannot reach"));
  EXPECT_EQ(Run({"--timeout", "2s", "fleet", "heal", "--fleet", path}), kExitUnreachable);
  EXPECT_THAT(err_.str(), HasSubstr("deadline"));
}

TEST_F(FleetCommandTest, NodeSettingsFollowTheFleetFilesServerAndTls) {
  auto fleet = fleet::ParseFleetFile(R"(
[defaults]
interface = "eth0"
[tls]
ca = "/etc/ca.pem"
cert = "/etc/c.pem"
key = "/etc/k.pem"
[nodes.a]
server = "10.0.0.1:7443"
addresses = ["10.0.0.1"]
[nodes.b]
server = "unix:/run/b.sock"
addresses = ["10.0.0.2"]
[nodes.c]
server = "10.0.0.3:7000"
addresses = ["10.0.0.3"]
tls.insecure = true
)",
                                     "fleet.toml");
  ASSERT_TRUE(fleet.ok()) << fleet.status().message();
  Settings global;
  global.timeout = std::chrono::seconds(3);
  auto a = NodeSettings(fleet->nodes[0], global);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->server, "10.0.0.1:7443");
  EXPECT_EQ(a->transport, Transport::kTls);
  EXPECT_EQ(a->tls.ca_file, "/etc/ca.pem");
  EXPECT_EQ(a->tls.cert_file, "/etc/c.pem");
  EXPECT_EQ(a->timeout, std::chrono::seconds(3));
  auto b = NodeSettings(fleet->nodes[1], global);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->transport, Transport::kUnixSocket);
  EXPECT_EQ(b->server, "unix:/run/b.sock");
  auto c = NodeSettings(fleet->nodes[2], global);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->transport, Transport::kPlaintextTcp);
}

}  // namespace
}  // namespace chaosnet::client
