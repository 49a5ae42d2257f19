// The real chaosnetctl binary against an in-process fake FaultService: what it
// prints, on which stream, and with which exit code.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <fstream>

#include "tests/client/ctl_runner.h"
#include "tests/client/fake_fault_service.h"

namespace chaosnet::client::testing {
namespace {

using ::testing::ContainsRegex;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::StartsWith;

int Lines(const std::string& text) { return std::count(text.begin(), text.end(), '\n'); }

// A real CA certificate (self-signed, valid until 2126, its key thrown away):
// enough for gRPC to build a TLS channel, and trusted by nobody.
constexpr char kTestCaPem[] = R"(-----BEGIN CERTIFICATE-----
MIIBkzCCATmgAwIBAgIUbXjPHlFGIuNkJEMA/MOFJJcK6IUwCgYIKoZIzj0EAwIw
HjEcMBoGA1UEAwwTY2hhb3NuZXRjdGwgdGVzdCBDQTAgFw0yNjEyMDExODQ1NDVa
GA8yMTI2MTEwNzE4NDU0NVowHjEcMBoGA1UEAwwTY2hhb3NuZXRjdGwgdGVzdCBD
QTBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABJTlJnJJzyDKsO2T+fKXnTJqYLgd
9+C+6hMsumSkOFk0x1JZ20Q2uDVOyHk0YGSvVkhx4Qjh22VTnHN9BGmNDSajUzBR
MB0GA1UdDgQWBBQpKAcAN5SIHgvQQ4f5gMxywNahxTAfBgNVHSMEGDAWgBQpKAcA
N5SIHgvQQ4f5gMxywNahxTAPBgNVHRMBAf8EBTADAQH/MAoGCCqGSM49BAMCA0gA
MEUCIHreTKXJQrUlm0aQO03MFd7sORkLo0BM0AREbdU/TL1wAiEAgj7gU/oLee01
35PRylitl1z/nJWyswUe9sg//hdIkYQ=
-----END CERTIFICATE-----
)";

std::string WriteFile(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
  return path;
}

class ChaosnetctlTest : public ::testing::Test {
 protected:
  CtlResult Run(std::vector<std::string> args, const std::vector<std::string>& env = {}) {
    args.insert(args.begin(), {"--server", server_.address()});
    return RunCtl(args, server_.dir(), env);
  }

  FakeServer server_;
};

TEST_F(ChaosnetctlTest, CreatePrintsIdAndExpiry) {
  CtlResult r = Run({"delay", "eth0", "3000ms", "--ttl", "30s"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_THAT(r.out, MatchesRegex("fault f-1234 applied: delay 3s on eth0, expires "
                                  "[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8} \\(in 30s\\)\n"));
  auto request = server_.last_create();
  EXPECT_EQ(request.spec().delay().latency().seconds(), 3);
  EXPECT_EQ(request.ttl().seconds(), 30);
}

TEST_F(ChaosnetctlTest, CreateJsonIsTheRecordWithProtoFieldNames) {
  CtlResult r = Run({"-o", "json", "loss", "eth0", "5%", "--label", "team=db"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Lines(r.out), 1);
  EXPECT_THAT(r.out, StartsWith("{\"id\":\"f-1234\""));
  EXPECT_THAT(r.out, HasSubstr("\"expires_at\""));
  EXPECT_THAT(r.out, HasSubstr("\"loss\":{\"percent\":5}"));
  EXPECT_EQ(server_.last_create().labels().at("team"), "db");
}

TEST_F(ChaosnetctlTest, DryRunPrintsThePlan) {
  CtlResult r = Run({"delay", "eth0", "3s", "--dry-run"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "dry run, nothing was applied: delay 3s on eth0 would add:\n"
            "  qdisc add dev eth0 root handle ca00: netem delay 3s limit 1000\n");
  EXPECT_TRUE(server_.last_create().dry_run());
}

TEST_F(ChaosnetctlTest, ServerErrorIsOneLineWithTheCodeAndExitsOne) {
  CtlResult r = Run({"loss", "invalid0", "50%"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "chaosnetctl: invalid argument: loss: 150% is above 100%\n");

  r = Run({"loss", "missing0", "50%"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "chaosnetctl: not found: interface missing0 not found\n");
}

TEST_F(ChaosnetctlTest, LocalParseErrorsNeverReachTheServer) {
  for (std::vector<std::string> args : {std::vector<std::string>{"loss", "eth0", "150%"},
                                        {"delay", "eth0", "10"},
                                        {"loss", "eth0", "1%", "--dport", "70000"},
                                        {"loss", "eth0", "1%", "--label", "x"},
                                        {"delay", "eth0", "10ms", "--distribution", "gaussian"},
                                        {"loss", "eth0", "1%", "--what"},
                                        {"run", "--ttl", "5m", "--", "true"}}) {
    CtlResult r = Run(args);
    EXPECT_EQ(r.exit_code, 2) << args[0] << " " << r.err;
    EXPECT_THAT(r.err, StartsWith("chaosnetctl: "));
    EXPECT_EQ(Lines(r.err), 1) << r.err;
  }
  EXPECT_EQ(server_.calls(), 0);
}

// The fake announces no features: a daemon from before guards.
TEST_F(ChaosnetctlTest, AGuardIsRefusedByADaemonThatDoesNotAnnounceGuards) {
  for (std::vector<std::string> args :
       {std::vector<std::string>{"delay", "eth0", "50ms", "--guard", "tcp:10.0.0.5:80"},
        {"run", "--halt-kills", "loss", "eth0", "1%", "--guard", "drops<5%", "--", "true"}}) {
    CtlResult r = Run(args);
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_THAT(r.err, HasSubstr("does not implement the feature guards"));
    EXPECT_EQ(Lines(r.err), 1) << r.err;
  }
  CtlResult r = Run({"delay", "eth0", "50ms", "--guard-interval", "1s"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--guard-* options need at least one --guard"));
  EXPECT_EQ(server_.last_create().spec().has_guards(), false);
}

// The fake announces no feature: it is a daemon from before the fleet. A set
// of addresses or an exemption would be dropped by it unseen and a wider fault
// applied, so chaosnetctl refuses locally (exit 2) naming the feature; one
// --dst is the singular field every daemon knows and goes through.
TEST_F(ChaosnetctlTest, FleetFieldsAreRefusedForADaemonWithoutTheFeature) {
  CtlResult r = Run({"partition", "eth0", "--dst", "10.0.0.2", "--dst", "10.0.0.3"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_THAT(r.err, HasSubstr("does not implement the feature cidr-sets"));
  EXPECT_EQ(Lines(r.err), 1) << r.err;
  r = Run({"partition", "eth0", "--dst", "10.0.0.2", "--exempt", "10.0.0.3:tcp:7443"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_THAT(r.err, HasSubstr("does not implement the feature fault-exemptions"));
  EXPECT_FALSE(server_.last_create().has_spec()) << "no create reached the daemon";

  r = Run({"partition", "eth0", "--dst", "10.0.0.2"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(server_.last_create().spec().match().dst_cidr(), "10.0.0.2");
}

TEST_F(ChaosnetctlTest, GetAndNotFound) {
  CtlResult r = Run({"get", "f-1234"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, ContainsRegex("^id: +f-1234\n"));
  EXPECT_THAT(r.out, ContainsRegex("\nfault: +delay 3s\n"));
  EXPECT_THAT(r.out, ContainsRegex("\ncounters: +42 packets, 0 bytes, 3 drops"));

  r = Run({"get", "nope"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "chaosnetctl: not found: no fault with id nope\n");
}

TEST_F(ChaosnetctlTest, ListTableAndJson) {
  CtlResult r = Run({"list"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Lines(r.out), 3);
  EXPECT_THAT(r.out,
              MatchesRegex("ID +IFACE +FAULT +STATE +EXPIRES IN +COUNTERS +OWNER\n"
                           "f-1234 +eth0 +delay 3s +active +(30|29)s +42/3 +uid:0\\(root\\)\n"
                           "f-5678 +veth1 +loss 5% +active +(10m|9m59s) +42/3 +uid:0\\(root\\)\n"));

  r = Run({"list", "-o", "json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Lines(r.out), 1);
  EXPECT_THAT(r.out, StartsWith("[{\"id\":\"f-1234\""));
  EXPECT_THAT(r.out, HasSubstr("},{\"id\":\"f-5678\""));
}

TEST_F(ChaosnetctlTest, ExtendRevokeRevokeAll) {
  CtlResult r = Run({"extend", "f-1234", "2m"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, ContainsRegex("^fault f-1234 extended: delay 3s on eth0, expires .* "
                                   "\\(in (2m|1m59s)\\)\n$"));

  r = Run({"revoke", "f-1234"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "fault f-1234 revoked: delay 3s on eth0, revoked\n");

  r = Run({"revoke", "--all"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "fault f-1234 revoked: delay 3s on eth0, revoked\n");
}

TEST_F(ChaosnetctlTest, RevokeAllSaysWhatItCouldNotRevokeAndWhy) {
  CtlResult r = Run({"revoke", "--all", "--label", "owned-by=uid:0(root)"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out,
            "fault f-1234 revoked: delay 3s on eth0, revoked\n"
            "fault f-5678 not revoked: delay 3s on eth0, owner uid:0(root)\n");
  EXPECT_EQ(r.err, "chaosnetctl: 1 of 2 faults not revoked: not yours\n");

  // JSON keeps its shape (the revoked faults); the refusal is on stderr.
  r = Run({"-o", "json", "revoke", "--all", "--label", "owned-by=uid:0(root)"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.out, StartsWith("[{\"id\":\"f-1234\""));
  EXPECT_EQ(r.err, "chaosnetctl: 1 of 2 faults not revoked: not yours\n");
}

TEST_F(ChaosnetctlTest, Info) {
  CtlResult r = Run({"info"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("version:        9.9.9-fake\n"));
  EXPECT_THAT(r.out, HasSubstr("  netem  MISSING  load sch_netem\n"));
}

TEST_F(ChaosnetctlTest, WatchPrintsEventLinesUntilTheStreamEnds) {
  CtlResult r = Run({"watch", "--initial"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "2026-11-23T20:14:05Z SNAPSHOT f-1234 delay 3s on eth0\n"
            "2026-11-23T20:14:05Z APPLIED f-1234 delay 3s on eth0\n");

  r = Run({"watch", "-o", "json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Lines(r.out), 1);
  EXPECT_THAT(r.out, StartsWith("{\"type\":\"EVENT_TYPE_APPLIED\""));
}

TEST_F(ChaosnetctlTest, WatchExitsZeroOnSigint) {
  server_.HoldWatch(true);
  CtlProcess watch({"--server", server_.address(), "watch"}, {}, server_.dir());
  ASSERT_TRUE(watch.WaitForOutput("APPLIED f-1234", std::chrono::seconds(10)));
  watch.Signal(SIGINT);
  CtlResult r = watch.Wait();
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
}

TEST_F(ChaosnetctlTest, ServerFromEnvironment) {
  CtlResult r = RunCtl({"info"}, server_.dir(), {"CHAOSNET_SERVER=" + server_.address()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("9.9.9-fake"));
}

TEST_F(ChaosnetctlTest, UnreachableDaemonExitsThreeWithAHint) {
  std::string nowhere = "unix:" + server_.dir() + "/nobody-listens.sock";
  for (std::vector<std::string> args :
       {std::vector<std::string>{"list"}, {"delay", "eth0", "10ms"}, {"watch"}, {"info"}}) {
    args.insert(args.begin(), {"--server", nowhere});
    CtlResult r = RunCtl(args, server_.dir());
    EXPECT_EQ(r.exit_code, 3) << args[2] << ": " << r.err;
    EXPECT_THAT(r.err, StartsWith("chaosnetctl: cannot reach chaosnetd at " + nowhere));
    EXPECT_THAT(r.err, HasSubstr("is chaosnetd running? check --server"));
    EXPECT_EQ(Lines(r.err), 1) << r.err;
    EXPECT_EQ(r.out, "");
  }
}

TEST_F(ChaosnetctlTest, InsecureReachesAPlaintextTcpListener) {
  CtlResult r = RunCtl({"--server", server_.tcp_address(), "--insecure", "info"}, server_.dir());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("9.9.9-fake"));
}

TEST_F(ChaosnetctlTest, TcpServerWithoutTlsOrInsecureNeverConnects) {
  CtlResult r = RunCtl({"--server", server_.tcp_address(), "info"}, server_.dir());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "chaosnetctl: --server " + server_.tcp_address() +
                       " is a TCP address: give --tls-ca (and --tls-cert/--tls-key) for the "
                       "daemon's mTLS listener, or --insecure for a plaintext one\n");
  EXPECT_EQ(server_.calls(), 0);
}

TEST_F(ChaosnetctlTest, MissingCertificateFileIsALocalError) {
  std::string missing = server_.dir() + "/missing-ca.pem";
  CtlResult r =
      RunCtl({"--server", server_.tcp_address(), "--tls-ca", missing, "info"}, server_.dir());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "chaosnetctl: cannot read --tls-ca " + missing + ": No such file or directory\n");
  EXPECT_EQ(server_.calls(), 0);
}

// The fake's TCP port speaks plaintext, so a TLS client's handshake fails
// there as it would against a daemon it cannot verify. gRPC's own log lines
// must not reach stderr: the error stays one line.
TEST_F(ChaosnetctlTest, FailedTlsHandshakeIsOneLineWithACertificateHint) {
  std::string ca = WriteFile(server_.dir() + "/ca.pem", kTestCaPem);
  for (const auto& [args, env] :
       {std::pair<std::vector<std::string>, std::vector<std::string>>{
            {"--server", server_.tcp_address(), "--tls-ca", ca, "info"}, {}},
        {{"info"}, {"CHAOSNET_SERVER=" + server_.tcp_address(), "CHAOSNET_TLS_CA=" + ca}}}) {
    CtlResult r = RunCtl(args, server_.dir(), env);
    EXPECT_EQ(r.exit_code, 3) << r.err;
    EXPECT_THAT(r.err,
                StartsWith("chaosnetctl: cannot reach chaosnetd at " + server_.tcp_address()));
    EXPECT_THAT(r.err, HasSubstr("; or the TLS handshake failed: check --tls-ca and "
                                 "--tls-cert/--tls-key"));
    EXPECT_EQ(Lines(r.err), 1) << r.err;
    EXPECT_EQ(r.out, "");
  }
  EXPECT_EQ(server_.calls(), 0);
}

TEST_F(ChaosnetctlTest, TlsEnvironmentIsIgnoredForAUnixSocket) {
  CtlResult r = RunCtl({"info"}, server_.dir(),
                       {"CHAOSNET_SERVER=" + server_.address(), "CHAOSNET_TLS_CA=/nonexistent",
                        "CHAOSNET_TLS_CERT=/nonexistent", "CHAOSNET_TLS_KEY=/nonexistent",
                        "CHAOSNET_TLS_SERVER_NAME=elsewhere"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("9.9.9-fake"));
}

}  // namespace
}  // namespace chaosnet::client::testing
