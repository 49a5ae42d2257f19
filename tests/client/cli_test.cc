// Command line → request, for every command and flag, and the local errors that
// must stop chaosnetctl (exit 2) before it ever connects to a daemon.
#include <gmock/gmock.h>
#include <google/protobuf/text_format.h>
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <sstream>

#include "client/cli.h"
#include "client/commands.h"
#include "client/connection_settings.h"
#include "client/request_builder.h"
#include "client/subcommands.h"
#include "tests/client/parse_args.h"

namespace chaosnet::client {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

// No test may depend on the environment of whoever runs it.
class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* name : {"CHAOSNET_SERVER", "CHAOSNET_TLS_CA", "CHAOSNET_TLS_CERT",
                             "CHAOSNET_TLS_KEY", "CHAOSNET_TLS_SERVER_NAME"}) {
      unsetenv(name);
    }
  }
};

template <typename Message>
Message FromText(const std::string& text) {
  Message m;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &m)) << text;
  return m;
}

template <typename Message>
void ExpectProtoEq(const Message& actual, const std::string& expected_text) {
  Message expected = FromText<Message>(expected_text);
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(actual, expected))
      << "actual:\n"
      << actual.DebugString() << "expected:\n"
      << expected.DebugString();
}

struct CreateCase {
  std::vector<std::string> args;
  FaultKind kind;
  std::string request;  // text format
};

class CreateRequestTest : public CliTest, public ::testing::WithParamInterface<CreateCase> {};

TEST_P(CreateRequestTest, BuildsTheRequest) {
  Invocation inv = Parse(GetParam().args);
  ASSERT_EQ(inv.command, Command::kCreate);
  EXPECT_EQ(inv.create.kind, GetParam().kind);
  auto request = BuildCreateRequest(inv.create);
  ASSERT_TRUE(request.ok()) << request.status().message();
  ExpectProtoEq(*request, GetParam().request);
}

INSTANTIATE_TEST_SUITE_P(
    EveryCommandAndFlag, CreateRequestTest,
    ::testing::Values(
        CreateCase{{"delay", "eth0", "3000ms"},
                   FaultKind::kDelay,
                   R"(spec { interface: "eth0" direction: DIRECTION_EGRESS
                             delay { latency { seconds: 3 } } })"},
        CreateCase{{"delay", "eth0", "100ms", "--jitter", "10ms", "--correlation", "25%",
                    "--distribution", "normal"},
                   FaultKind::kDelay,
                   R"(spec { interface: "eth0" direction: DIRECTION_EGRESS
                             delay { latency { nanos: 100000000 } jitter { nanos: 10000000 }
                                     correlation_percent: 25
                                     distribution: DELAY_DISTRIBUTION_NORMAL } })"},
        CreateCase{{"delay", "eth0", "1s", "--distribution", "pareto"},
                   FaultKind::kDelay,
                   R"(spec { interface: "eth0" direction: DIRECTION_EGRESS
                             delay { latency { seconds: 1 }
                                     distribution: DELAY_DISTRIBUTION_PARETO } })"},
        CreateCase{{"delay", "eth0", "1s", "--distribution", "paretonormal"},
                   FaultKind::kDelay,
                   R"(spec { interface: "eth0" direction: DIRECTION_EGRESS
                             delay { latency { seconds: 1 }
                                     distribution: DELAY_DISTRIBUTION_PARETONORMAL } })"},
        CreateCase{{"loss", "eth0", "5%", "--correlation", "25%"},
                   FaultKind::kLoss,
                   R"(spec { interface: "eth0" direction: DIRECTION_EGRESS
                             loss { percent: 5 correlation_percent: 25 } })"},
        CreateCase{{"duplicate", "eth0", "1%", "--correlation", "10%"},
                   FaultKind::kDuplicate,
                   R"(spec { interface: "eth0" direction: DIRECTION_EGRESS
                             duplicate { percent: 1 correlation_percent: 10 } })"},
        CreateCase{{"corrupt", "eth0", "0.1%"},
                   FaultKind::kCorrupt,
                   R"(spec { interface: "eth0" direction: DIRECTION_EGRESS
                             corrupt { percent: 0.1 } })"},
        CreateCase{
            {"reorder", "eth0", "25%", "--delay", "10ms", "--correlation", "50%", "--gap", "5"},
            FaultKind::kReorder,
            R"(spec { interface: "eth0" direction: DIRECTION_EGRESS
                             delay { latency { nanos: 10000000 } }
                             reorder { percent: 25 correlation_percent: 50 gap: 5 } })"},
        CreateCase{{"rate", "eth0", "1mbit"},
                   FaultKind::kRate,
                   R"(spec { interface: "eth0" direction: DIRECTION_EGRESS
                             rate { bits_per_second: 1000000 } })"},
        CreateCase{{"partition", "eth0"},
                   FaultKind::kPartition,
                   R"(spec { interface: "eth0" direction: DIRECTION_EGRESS partition: true })"},
        CreateCase{{"apply",
                    "eth0",
                    "--delay",
                    "100ms",
                    "--jitter",
                    "5ms",
                    "--delay-correlation",
                    "10%",
                    "--distribution",
                    "normal",
                    "--loss",
                    "1%",
                    "--loss-correlation",
                    "2%",
                    "--duplicate",
                    "3%",
                    "--duplicate-correlation",
                    "4%",
                    "--corrupt",
                    "0.5%",
                    "--corrupt-correlation",
                    "6%",
                    "--reorder",
                    "7%",
                    "--reorder-correlation",
                    "8%",
                    "--gap",
                    "9",
                    "--rate",
                    "10mbit",
                    "--partition"},
                   FaultKind::kApply,
                   R"(spec { interface: "eth0" direction: DIRECTION_EGRESS
                             delay { latency { nanos: 100000000 } jitter { nanos: 5000000 }
                                     correlation_percent: 10
                                     distribution: DELAY_DISTRIBUTION_NORMAL }
                             loss { percent: 1 correlation_percent: 2 }
                             duplicate { percent: 3 correlation_percent: 4 }
                             corrupt { percent: 0.5 correlation_percent: 6 }
                             reorder { percent: 7 correlation_percent: 8 gap: 9 }
                             rate { bits_per_second: 10000000 }
                             partition: true })"},
        CreateCase{
            {"loss",       "eth0",         "5%",          "--ttl",       "30s",     "--dst",
             "10.0.0.0/8", "--src",        "2001:db8::1", "--dport",     "80-90",   "--sport",
             "1234",       "--proto",      "udp",         "--direction", "ingress", "--netns",
             "pid:42",     "--label",      "team=db",     "--label",     "run=7",   "--limit",
             "5000",       "--request-id", "r-1",         "--dry-run"},
            FaultKind::kLoss,
            R"(spec { interface: "eth0" netns: "pid:42" direction: DIRECTION_INGRESS
                             match { dst_cidr: "10.0.0.0/8" src_cidr: "2001:db8::1"
                                     dport { first: 80 last: 90 } sport { first: 1234 }
                                     protocol: PROTOCOL_UDP }
                             loss { percent: 5 } queue_limit: 5000 }
                      ttl { seconds: 30 }
                      labels { key: "team" value: "db" } labels { key: "run" value: "7" }
                      request_id: "r-1" dry_run: true)"},
        CreateCase{
            {"rate", "veth1", "1gbit", "--direction", "both", "--proto", "tcp", "--netns", "web"},
            FaultKind::kRate,
            R"(spec { interface: "veth1" netns: "web" direction: DIRECTION_BOTH
                             match { protocol: PROTOCOL_TCP }
                             rate { bits_per_second: 1000000000 } })"},
        // fleet: one --dst stays the singular field (every daemon knows it);
        // several are the set (cidr-sets); --exempt in the daemon's own form.
        CreateCase{{"partition", "eth0", "--dst", "10.0.0.2", "--src", "10.0.0.0/8", "--src",
                    "fd00::/64", "--exempt", "10.0.0.3:tcp:7443", "--exempt", "udp:53"},
                   FaultKind::kPartition,
                   R"(spec { interface: "eth0" direction: DIRECTION_EGRESS
                             match { dst_cidr: "10.0.0.2"
                                     src_cidrs: "10.0.0.0/8" src_cidrs: "fd00::/64" }
                             partition: true
                             exemptions: "10.0.0.3/32:tcp:7443" exemptions: "udp:53" })"},
        CreateCase{{"loss", "eth0", "1%", "--dst", "10.0.0.2", "--dst", "fd00::2"},
                   FaultKind::kLoss,
                   R"(spec { interface: "eth0" direction: DIRECTION_EGRESS
                             match { dst_cidrs: "10.0.0.2/32" dst_cidrs: "fd00::2/128" }
                             loss { percent: 1 } })"},
        CreateCase{{"partition", "eth0", "--exempt", "[fd00::3]:7443"},
                   FaultKind::kPartition,
                   R"(spec { interface: "eth0" direction: DIRECTION_EGRESS partition: true
                             exemptions: "[fd00::3/128]:7443" })"},
        CreateCase{{"partition", "eth0", "--proto", "icmp", "--direction", "egress", "--netns",
                    "/proc/42/ns/net"},
                   FaultKind::kPartition,
                   R"(spec { interface: "eth0" netns: "/proc/42/ns/net"
                             direction: DIRECTION_EGRESS match { protocol: PROTOCOL_ICMP }
                             partition: true })"},
        CreateCase{{"delay", "eth0", "50ms", "--guard", "http://10.0.0.5:8080/health", "--guard",
                    "drops<5%", "--guard-interval", "500ms", "--guard-timeout", "450ms",
                    "--guard-failures", "3", "--guard-grace", "2s"},
                   FaultKind::kDelay,
                   R"(spec { interface: "eth0" direction: DIRECTION_EGRESS
                             delay { latency { nanos: 50000000 } }
                             guards { checks: "http://10.0.0.5:8080/health" checks: "drops<5%"
                                      interval { nanos: 500000000 } timeout { nanos: 450000000 }
                                      failures: 3 grace { seconds: 2 } } })"},
        CreateCase{{"loss", "eth0", "1%", "--guard", "tcp:10.0.0.5:80"},
                   FaultKind::kLoss,
                   R"(spec { interface: "eth0" direction: DIRECTION_EGRESS loss { percent: 1 }
                             guards { checks: "tcp:10.0.0.5:80" } })"}));

// Each case must exit 2 with one line naming what was wrong, and never connect:
// the server is a path that does not exist, so reaching it would exit 3.
struct UsageCase {
  std::vector<std::string> args;
  std::string message_part;
};

class UsageErrorTest : public CliTest, public ::testing::WithParamInterface<UsageCase> {};

TEST_P(UsageErrorTest, ExitsTwoWithOneLine) {
  auto args = GetParam().args;
  args.insert(args.begin(), {"--server", "unix:/nonexistent/chaosnetctl-test.sock"});
  std::ostringstream out, err;
  int code = Main(Argv(args), out, err);
  const std::string e = err.str();
  EXPECT_EQ(code, kExitUsage) << e;
  EXPECT_THAT(e, StartsWith("chaosnetctl: "));
  EXPECT_THAT(e, HasSubstr(GetParam().message_part));
  EXPECT_EQ(std::count(e.begin(), e.end(), '\n'), 1) << e;
  EXPECT_EQ(out.str(), "");
}

INSTANTIATE_TEST_SUITE_P(
    LocalErrors, UsageErrorTest,
    ::testing::Values(
        UsageCase{{"loss", "eth0", "150%"}, "chaosnetctl: loss: "},
        UsageCase{{"loss", "eth0", "5"}, "chaosnetctl: loss: "},
        UsageCase{{"delay", "eth0", "10"}, "chaosnetctl: delay: "},
        UsageCase{{"delay", "eth0", "10ms", "--jitter", "5"}, "chaosnetctl: jitter: "},
        UsageCase{{"delay", "eth0", "10ms", "--correlation", "125%"},
                  "chaosnetctl: delay correlation: "},
        UsageCase{{"delay", "eth0", "10ms", "--distribution", "gaussian"},
                  "distribution: unknown \"gaussian\" (use normal, pareto or paretonormal)"},
        UsageCase{{"rate", "eth0", "fast"}, "chaosnetctl: rate: "},
        UsageCase{{"loss", "eth0", "1%", "--ttl", "30"}, "chaosnetctl: ttl: "},
        UsageCase{{"loss", "eth0", "1%", "--dport", "70000"},
                  "dport: \"70000\" is not a port (1..65535)"},
        UsageCase{{"loss", "eth0", "1%", "--dport", "0"}, "dport: \"0\" is not a port"},
        UsageCase{{"loss", "eth0", "1%", "--sport", "http"}, "sport: \"http\" is not a port"},
        UsageCase{{"loss", "eth0", "1%", "--dport", "90-80"}, "dport: range 90-80 ends before"},
        UsageCase{{"loss", "eth0", "1%", "--dport", "80-"}, "dport: \"\" is not a port"},
        UsageCase{{"loss", "eth0", "1%", "--label", "team"}, "label: \"team\" is not key=value"},
        UsageCase{{"loss", "eth0", "1%", "--label", "=db"}, "label: \"=db\" is not key=value"},
        UsageCase{{"loss", "eth0", "1%", "--label", "a=1", "--label", "a=2"},
                  "label: key \"a\" given twice"},
        UsageCase{{"loss", "eth0", "1%", "--dst", "10.0.0.0/33"},
                  "dst: invalid CIDR \"10.0.0.0/33\": prefix length must be a number from 0 to 32"},
        UsageCase{{"loss", "eth0", "1%", "--src", "2001:db8::/129"}, "from 0 to 128"},
        UsageCase{
            {"loss", "eth0", "1%", "--dst", "db.internal"},
            "dst: invalid CIDR \"db.internal\": \"db.internal\" is not an IPv4 or IPv6 address"},
        UsageCase{{"loss", "eth0", "1%", "--dst", "10.0.0.1/8"},
                  "dst: invalid CIDR \"10.0.0.1/8\": host bits are set after /8 (did you mean "
                  "10.0.0.0/8"},
        UsageCase{{"loss", "eth0", "1%", "--dst", "10.0.0.2", "--dst", "10.0.0.2/32"},
                  "dst: \"10.0.0.2/32\" given twice"},
        UsageCase{{"loss", "eth0", "1%", "--dst", "10.0.0.2", "--dst", "10.0.0.300"},
                  "dst: invalid CIDR \"10.0.0.300\""},
        UsageCase{{"loss", "eth0", "1%", "--exempt", "10.0.0.2:sctp:9"},
                  "invalid --exempt \"10.0.0.2:sctp:9\": unknown protocol"},
        UsageCase{{"loss", "eth0", "1%", "--proto", "sctp"}, "proto: unknown \"sctp\""},
        UsageCase{{"loss", "eth0", "1%", "--direction", "sideways"},
                  "direction: unknown \"sideways\""},
        UsageCase{{"loss", "eth0", "1%", "--limit", "0"}, "limit: must be at least 1"},
        UsageCase{{"loss", "eth0", "1%", "--limit", "lots"}, "limit: \"lots\" is not a whole"},
        UsageCase{{"loss", "eth0", "1%", "--limit", "4294967296"}, "limit: 4294967296 is above"},
        UsageCase{{"loss", "eth0", "1%", "--netns", "pid:abc"}, "netns: \"pid:abc\""},
        UsageCase{{"reorder", "eth0", "25%", "--delay", "10ms", "--gap", "0"},
                  "gap: must be at least 1"},
        UsageCase{{"reorder", "eth0", "25%"}, "--delay"},
        UsageCase{{"apply", "eth0"}, "no fault given"},
        UsageCase{{"apply", "eth0", "--jitter", "10ms"}, "need --delay"},
        UsageCase{{"apply", "eth0", "--loss", "1%", "--gap", "3"}, "need --reorder"},
        UsageCase{{"apply", "eth0", "--duplicate-correlation", "3%", "--loss", "1%"},
                  "--duplicate-correlation needs --duplicate"},
        UsageCase{{"loss", "eth0", "5%", "--bogus"}, "--bogus"}, UsageCase{{"loss"}, "IFACE"},
        UsageCase{{}, "subcommand"},
        UsageCase{{"run", "--ttl", "5m", "--loss", "1%", "--", "sleep", "1"},
                  "run: --loss before the fault: only --ttl and --halt-kills go there"},
        UsageCase{{"run"}, "run: a fault and a command are required"},
        UsageCase{{"run", "delay", "eth0", "100ms"}, "run: put the command after --"},
        UsageCase{{"run", "delay", "eth0", "100ms", "--"}, "run: no command after --"},
        UsageCase{{"run", "--ttl", "5m", "--", "true"}, "run: no fault given before --"},
        UsageCase{{"run", "list", "--", "true"}, "run: \"list\" is not a fault"},
        UsageCase{{"run", "run", "delay", "eth0", "1ms", "--", "true"}, "not another run"},
        UsageCase{{"run", "delay", "eth0", "100ms", "--dry-run", "--", "true"},
                  "run: --dry-run applies nothing"},
        UsageCase{{"run", "delay", "eth0", "10", "--", "true"}, "chaosnetctl: delay: "},
        UsageCase{{"run", "--ttl", "0s", "delay", "eth0", "10ms", "--", "true"},
                  "chaosnetctl: ttl: "},
        UsageCase{{"run", "delay", "eth0", "10ms", "--bogus", "--", "true"}, "--bogus"},
        UsageCase{{"-o", "yaml", "list"}, "output: unknown \"yaml\" (use table or json)"},
        UsageCase{{"list", "--timeout", "soon"}, "chaosnetctl: timeout: "},
        UsageCase{{"list", "--label", "x"}, "label: \"x\" is not key=value"},
        UsageCase{{"revoke"}, "a fault ID is required"},
        UsageCase{{"revoke", "f-1", "--all"}, "either a fault ID or --all, not both"},
        UsageCase{{"revoke", "f-1", "--label", "a=b"}, "--label selects faults only with --all"},
        UsageCase{{"extend", "f-1"}, "TTL"},
        UsageCase{{"extend", "f-1", "30"}, "chaosnetctl: ttl: "}));

TEST_F(CliTest, RunSplitsTheFaultFromTheCommandItHolds) {
  Invocation inv = Parse({"--server", "unix:/x.sock", "run", "--ttl", "5m", "delay", "eth0",
                          "100ms", "--dst", "10.0.0.1", "--", "sh", "-c", "exit 3", "--ttl", "--"});
  EXPECT_EQ(inv.command, Command::kRun);
  EXPECT_EQ(inv.global.server, "unix:/x.sock");
  EXPECT_EQ(inv.create.kind, FaultKind::kDelay);
  EXPECT_EQ(inv.create.interface, "eth0");
  EXPECT_EQ(inv.create.delay, "100ms");
  EXPECT_EQ(inv.create.dst, std::vector<std::string>{"10.0.0.1"});
  EXPECT_EQ(inv.create.ttl, "5m");
  // The command's own flags, even ones chaosnetctl knows, stay the command's.
  EXPECT_EQ(inv.run.command, (std::vector<std::string>{"sh", "-c", "exit 3", "--ttl", "--"}));

  inv = Parse({"run", "partition", "eth1", "--ttl=30s", "--dport", "443", "--", "true"});
  EXPECT_EQ(inv.command, Command::kRun);
  EXPECT_TRUE(inv.create.partition);
  EXPECT_EQ(inv.create.ttl, "30s");
  EXPECT_EQ(inv.run.command, std::vector<std::string>{"true"});

  inv = Parse({"run", "--ttl=1m", "apply", "eth1", "--loss", "1%", "--", "true"});
  EXPECT_EQ(inv.create.ttl, "1m");
  EXPECT_EQ(inv.create.loss, "1%");
  EXPECT_FALSE(inv.run.halt_kills);

  inv = Parse({"run", "--halt-kills", "--ttl", "1m", "delay", "eth1", "9ms", "--guard",
               "tcp:10.0.0.5:80", "--", "true"});
  EXPECT_TRUE(inv.run.halt_kills);
  EXPECT_EQ(inv.create.ttl, "1m");
  EXPECT_EQ(inv.create.guards, std::vector<std::string>{"tcp:10.0.0.5:80"});
}

TEST_F(CliTest, RunHelpExplainsTheShape) {
  std::ostringstream out;
  auto parsed = ParseCommandLine(Argv({"run", "--help"}), out);
  ASSERT_TRUE(std::holds_alternative<Outcome>(parsed));
  EXPECT_EQ(std::get<Outcome>(parsed).exit_code, kExitOk);
  EXPECT_THAT(out.str(),
              HasSubstr("chaosnetctl run [--ttl TTL] [--halt-kills] <fault> IFACE ... -- CMD"));
}

TEST_F(CliTest, ServerAddressIsValidatedLocally) {
  for (const char* bad :
       {"unix:", "localhost", "localhost:http", ":7070", "::1:7070", "host:70000"}) {
    std::ostringstream out, err;
    EXPECT_EQ(Main(Argv({"--server", bad, "list"}), out, err), kExitUsage) << bad;
    EXPECT_THAT(err.str(), StartsWith("chaosnetctl: server: ")) << bad;
  }
  for (const char* good : {"unix:/run/x.sock", "unix:///run/x.sock", "localhost:7070",
                           "10.0.0.1:7070", "[::1]:7070"}) {
    EXPECT_TRUE(ParseServerAddress(good).ok()) << good;
  }
}

TEST_F(CliTest, GlobalDefaultsAndEnvironment) {
  Invocation inv = Parse({"list"});
  auto s = BuildSettings(inv.global);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->server, "unix:/run/chaosnetd/chaosnetd.sock");
  EXPECT_EQ(s->output, OutputFormat::kTable);
  EXPECT_EQ(s->timeout, std::chrono::seconds(10));

  setenv("CHAOSNET_SERVER", "unix:/tmp/from-env.sock", 1);
  EXPECT_EQ(Parse({"list"}).global.server, "unix:/tmp/from-env.sock");
  // The flag wins over the environment.
  EXPECT_EQ(Parse({"--server", "h:1", "list"}).global.server, "h:1");
}

TEST_F(CliTest, GlobalFlagsMayFollowTheSubcommand) {
  Invocation inv =
      Parse({"list", "-o", "json", "--server", "host:7070", "--timeout", "2s", "--insecure"});
  auto s = BuildSettings(inv.global);
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->server, "host:7070");
  EXPECT_EQ(s->output, OutputFormat::kJson);
  EXPECT_EQ(s->timeout, std::chrono::seconds(2));
}

TEST_F(CliTest, List) {
  Invocation inv = Parse({"list", "--interface", "eth0", "--label", "team=db", "--all"});
  ASSERT_EQ(inv.command, Command::kList);
  auto request = BuildListRequest(inv.list);
  ASSERT_TRUE(request.ok());
  ExpectProtoEq(*request, R"(interface: "eth0" label_selector { key: "team" value: "db" }
                             include_ended: true)");
  auto plain = BuildListRequest(Parse({"list"}).list);
  ASSERT_TRUE(plain.ok());
  ExpectProtoEq(*plain, "");
  ExpectProtoEq(*BuildListRequest(Parse({"list", "--mine"}).list), "mine: true");
}

TEST_F(CliTest, GetExtendRevoke) {
  Invocation get = Parse({"get", "f-1"});
  ASSERT_EQ(get.command, Command::kGet);
  ExpectProtoEq(*BuildGetRequest(get.lease), R"(id: "f-1")");

  Invocation extend = Parse({"extend", "f-1", "45s"});
  ASSERT_EQ(extend.command, Command::kExtend);
  ExpectProtoEq(*BuildExtendRequest(extend.lease), R"(id: "f-1" ttl { seconds: 45 })");

  Invocation revoke = Parse({"revoke", "f-1"});
  ASSERT_EQ(revoke.command, Command::kRevoke);
  ExpectProtoEq(*BuildRevokeRequest(revoke.lease), R"(id: "f-1")");

  Invocation all = Parse({"revoke", "--all", "--label", "team=db"});
  ASSERT_EQ(all.command, Command::kRevokeAll);
  ExpectProtoEq(*BuildRevokeAllRequest(all.lease), R"(label_selector { key: "team" value: "db" })");
  ExpectProtoEq(*BuildRevokeAllRequest(Parse({"revoke", "--all"}).lease), "");
}

TEST_F(CliTest, WatchAndInfo) {
  Invocation watch = Parse({"watch", "--initial"});
  ASSERT_EQ(watch.command, Command::kWatch);
  EXPECT_TRUE(BuildWatchRequest(watch.watch).send_initial());
  EXPECT_FALSE(BuildWatchRequest(Parse({"watch"}).watch).send_initial());
  ExpectProtoEq(BuildWatchRequest(Parse({"watch", "--mine", "--initial"}).watch),
                "send_initial: true mine: true");
  EXPECT_EQ(Parse({"info"}).command, Command::kInfo);
}

TEST_F(CliTest, HelpExitsZeroOnStdout) {
  std::ostringstream out, err;
  EXPECT_EQ(Main(Argv({"--help"}), out, err), 0);
  EXPECT_THAT(out.str(), HasSubstr("delay"));
  EXPECT_EQ(err.str(), "");
  std::ostringstream out2, err2;
  EXPECT_EQ(Main(Argv({"loss", "--help"}), out2, err2), 0);
  EXPECT_THAT(out2.str(), HasSubstr("--correlation"));
}

// Only the named subcommand gets its options (subcommands.h): the others must
// still be listed, and each one's own --help must still show its options.
TEST_F(CliTest, HelpListsEverySubcommandAndEachShowsItsOptions) {
  std::ostringstream top, err;
  ASSERT_EQ(Main(Argv({"--help"}), top, err), 0);
  for (const Subcommand& sub : Subcommands()) {
    EXPECT_THAT(top.str(), HasSubstr(std::string(sub.name) + " ")) << sub.name;
    EXPECT_THAT(top.str(), HasSubstr(sub.description)) << sub.name;
  }
  const std::pair<const char*, const char*> kOwnOption[] = {
      {"delay", "--jitter"},  {"rate", "RATE"},       {"partition", "--dst"},
      {"apply", "--from"},    {"jam", "--ttl"},       {"list", "--mine"},
      {"get", "ID"},          {"extend", "TTL"},      {"revoke", "--all"},
      {"watch", "--initial"}, {"fleet", "partition"}, {"run", "--halt-kills"}};
  for (const auto& [name, option] : kOwnOption) {
    std::ostringstream out, err2;
    ASSERT_EQ(Main(Argv({name, "--help"}), out, err2), 0) << name;
    EXPECT_THAT(out.str(), HasSubstr(option)) << name;
  }
}

// The global flags and the subcommand's own may come in either order, and a
// subcommand's option is unknown before its name (as before issue 19).
TEST_F(CliTest, OptionsFindTheirSubcommandWhereverTheyStand) {
  EXPECT_EQ(Parse({"--server", "unix:/x", "-o", "json", "list", "--mine"}).global.output, "json");
  EXPECT_TRUE(Parse({"--timeout=3s", "list", "--mine", "--insecure"}).list.mine);
  std::ostringstream out;
  EXPECT_TRUE(std::holds_alternative<Outcome>(ParseCommandLine(Argv({"--mine", "list"}), out)));
  EXPECT_TRUE(std::holds_alternative<Outcome>(ParseCommandLine(Argv({"list", "delay"}), out)));
}

TEST_F(CliTest, ValuesAreReturnedAsTyped) {
  // The daemon parses CIDRs again; the client must not rewrite them.
  EXPECT_EQ(*ParseCidr("dst", "10.1.2.3"), "10.1.2.3");
  EXPECT_EQ(*ParseCidr("dst", "fd00::/8"), "fd00::/8");
  auto single = ParsePortRange("dport", "5432");
  ASSERT_TRUE(single.ok());
  EXPECT_EQ(single->first(), 5432u);
  EXPECT_EQ(single->last(), 0u);  // 0 = same as first, per the proto
  auto labels = ParseLabels({"a=b=c", "empty="});
  ASSERT_TRUE(labels.ok());
  EXPECT_EQ(labels->at("a"), "b=c");
  EXPECT_EQ(labels->at("empty"), "");
}

}  // namespace
}  // namespace chaosnet::client
