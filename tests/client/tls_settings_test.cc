// The TLS flags and variables → Settings: which transport a command line
// chooses, and the combinations refused locally (exit 2) before any file is
// read or any connection made.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <sstream>

#include "client/cli.h"
#include "client/commands.h"
#include "client/connection_settings.h"
#include "tests/client/parse_args.h"

namespace chaosnet::client {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr const char* kVariables[] = {"CHAOSNET_SERVER", "CHAOSNET_TLS_CA", "CHAOSNET_TLS_CERT",
                                      "CHAOSNET_TLS_KEY", "CHAOSNET_TLS_SERVER_NAME"};

// No test may depend on the environment of whoever runs it.
class TlsSettingsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* name : kVariables) unsetenv(name);
  }
  void TearDown() override { SetUp(); }
};

Settings SettingsOf(const std::vector<std::string>& args) {
  auto settings = BuildSettings(Parse(args).global);
  if (!settings.ok()) {
    ADD_FAILURE() << "refused: " << settings.status().message();
    return {};
  }
  return *settings;
}

void ExpectTls(const Settings& s, const TlsSettings& expected) {
  EXPECT_EQ(s.tls.ca_file, expected.ca_file);
  EXPECT_EQ(s.tls.cert_file, expected.cert_file);
  EXPECT_EQ(s.tls.key_file, expected.key_file);
  EXPECT_EQ(s.tls.server_name, expected.server_name);
}

struct AcceptedCase {
  std::vector<std::string> args;
  Transport transport;
  TlsSettings tls;  // what a TLS transport keeps; empty for the others
};

class AcceptedTlsTest : public TlsSettingsTest,
                        public ::testing::WithParamInterface<AcceptedCase> {};

TEST_P(AcceptedTlsTest, ChoosesTheTransport) {
  Settings s = SettingsOf(GetParam().args);
  EXPECT_EQ(s.transport, GetParam().transport);
  ExpectTls(s, GetParam().tls);
}

INSTANTIATE_TEST_SUITE_P(
    Combinations, AcceptedTlsTest,
    ::testing::Values(
        AcceptedCase{{"list"}, Transport::kUnixSocket, {}},
        // A local socket needs no TLS; whatever is given for it is ignored,
        // even a contradiction, since the variables may be set shell-wide.
        AcceptedCase{{"--server", "unix:/x.sock", "--tls-ca", "ca.pem", "--tls-cert", "c.pem",
                      "--tls-key", "k.pem", "--tls-server-name", "n", "list"},
                     Transport::kUnixSocket,
                     {}},
        AcceptedCase{
            {"--server", "unix:/x.sock", "--insecure", "list"}, Transport::kUnixSocket, {}},
        AcceptedCase{{"--server", "unix:/x.sock", "--insecure", "--tls-cert", "c.pem", "list"},
                     Transport::kUnixSocket,
                     {}},
        AcceptedCase{{"--server", "10.0.0.5:7443", "--tls-ca", "ca.pem", "list"},
                     Transport::kTls,
                     {"ca.pem", "", "", ""}},
        AcceptedCase{{"--server", "10.0.0.5:7443", "--tls-ca", "ca.pem", "--tls-cert", "c.pem",
                      "--tls-key", "k.pem", "list"},
                     Transport::kTls,
                     {"ca.pem", "c.pem", "k.pem", ""}},
        AcceptedCase{{"--server", "[::1]:7443", "--tls-ca", "ca.pem", "--tls-server-name",
                      "chaosnetd.internal", "info"},
                     Transport::kTls,
                     {"ca.pem", "", "", "chaosnetd.internal"}},
        AcceptedCase{{"--server=db1:7443", "--tls-ca=ca.pem", "--tls-cert=c.pem", "--tls-key=k.pem",
                      "--tls-server-name=db1.internal", "list"},
                     Transport::kTls,
                     {"ca.pem", "c.pem", "k.pem", "db1.internal"}},
        AcceptedCase{
            {"--server", "10.0.0.5:7070", "--insecure", "list"}, Transport::kPlaintextTcp, {}},
        // Global flags may follow the subcommand, the TLS ones too.
        AcceptedCase{{"list", "--server", "10.0.0.5:7443", "--tls-ca", "ca.pem", "--tls-cert",
                      "c.pem", "--tls-key", "k.pem", "--tls-server-name", "n"},
                     Transport::kTls,
                     {"ca.pem", "c.pem", "k.pem", "n"}},
        AcceptedCase{{"delay", "eth0", "10ms", "--server", "h:1", "--insecure"},
                     Transport::kPlaintextTcp,
                     {}}));

// Refused through Main, as the user sees it: exit 2, one line naming the
// flags, nothing on stdout. None of these may connect: 127.0.0.1:1 refuses
// connections, which would exit 3.
struct RefusedCase {
  std::vector<std::string> args;
  std::string message;  // without "chaosnetctl: " and the newline
};

class RefusedTlsTest : public TlsSettingsTest, public ::testing::WithParamInterface<RefusedCase> {};

TEST_P(RefusedTlsTest, ExitsTwoWithOneLine) {
  std::ostringstream out, err;
  int code = Main(Argv(GetParam().args), out, err);
  EXPECT_EQ(code, kExitUsage) << err.str();
  EXPECT_EQ(err.str(), "chaosnetctl: " + GetParam().message + "\n");
  EXPECT_EQ(out.str(), "");
}

constexpr char kNeedsCa[] =
    " --tls-ca, the CA bundle that signed the daemon's certificate (it is always verified)";
constexpr char kContradiction[] =
    " (flags or their CHAOSNET_TLS_* variables): drop --insecure to use TLS, or the TLS "
    "settings for a plaintext connection";

INSTANTIATE_TEST_SUITE_P(
    Combinations, RefusedTlsTest,
    ::testing::Values(
        RefusedCase{{"--server", "10.0.0.5:7443", "list"},
                    "--server 10.0.0.5:7443 is a TCP address: give --tls-ca (and "
                    "--tls-cert/--tls-key) for the daemon's mTLS listener, or --insecure for a "
                    "plaintext one"},
        RefusedCase{
            {"--server", "127.0.0.1:1", "--tls-ca", "ca.pem", "--tls-cert", "c.pem", "info"},
            "--tls-cert needs --tls-key, the private key of that certificate"},
        RefusedCase{{"--server", "127.0.0.1:1", "--tls-ca", "ca.pem", "--tls-key", "k.pem", "info"},
                    "--tls-key needs --tls-cert, the certificate of that key"},
        RefusedCase{{"--server", "127.0.0.1:1", "--tls-cert", "c.pem", "info"},
                    "--tls-cert needs --tls-key, the private key of that certificate"},
        RefusedCase{
            {"--server", "127.0.0.1:1", "--tls-cert", "c.pem", "--tls-key", "k.pem", "info"},
            std::string("--tls-cert and --tls-key need") + kNeedsCa},
        RefusedCase{{"--server", "127.0.0.1:1", "--tls-server-name", "n", "info"},
                    std::string("--tls-server-name needs") + kNeedsCa},
        RefusedCase{{"--server", "127.0.0.1:1", "--insecure", "--tls-ca", "ca.pem", "info"},
                    std::string("--insecure contradicts --tls-ca") + kContradiction},
        RefusedCase{
            {"--server", "127.0.0.1:1", "--insecure", "--tls-cert", "c.pem", "--tls-key", "k.pem",
             "info"},
            std::string("--insecure contradicts --tls-cert and --tls-key") + kContradiction},
        RefusedCase{{"--server", "127.0.0.1:1", "--insecure", "--tls-server-name", "n", "info"},
                    std::string("--insecure contradicts --tls-server-name") + kContradiction},
        RefusedCase{{"--server", "127.0.0.1:1", "--insecure", "--tls-ca", "ca.pem", "--tls-cert",
                     "c.pem", "--tls-key", "k.pem", "--tls-server-name", "n", "info"},
                    std::string("--insecure contradicts --tls-ca, --tls-cert, --tls-key and "
                                "--tls-server-name") +
                        kContradiction},
        // After the subcommand, and in run, the same rules apply.
        RefusedCase{{"info", "--server", "127.0.0.1:1", "--tls-ca", "ca.pem", "--insecure"},
                    std::string("--insecure contradicts --tls-ca") + kContradiction},
        RefusedCase{{"--server", "127.0.0.1:1", "run", "delay", "eth0", "1ms", "--tls-key", "k.pem",
                     "--", "true"},
                    "--tls-key needs --tls-cert, the certificate of that key"},
        RefusedCase{{"--server", "127.0.0.1:1", "--tls-cert=c.pem", "run", "delay", "eth0", "1ms",
                     "--", "true"},
                    "--tls-cert needs --tls-key, the private key of that certificate"}));

TEST_F(TlsSettingsTest, VariablesFillTheFlags) {
  setenv("CHAOSNET_SERVER", "10.0.0.5:7443", 1);
  setenv("CHAOSNET_TLS_CA", "/etc/chaosnet/ca.pem", 1);
  setenv("CHAOSNET_TLS_CERT", "/etc/chaosnet/runner.pem", 1);
  setenv("CHAOSNET_TLS_KEY", "/etc/chaosnet/runner.key", 1);
  setenv("CHAOSNET_TLS_SERVER_NAME", "chaosnetd.internal", 1);
  Settings s = SettingsOf({"list"});
  EXPECT_EQ(s.transport, Transport::kTls);
  ExpectTls(s, {"/etc/chaosnet/ca.pem", "/etc/chaosnet/runner.pem", "/etc/chaosnet/runner.key",
                "chaosnetd.internal"});

  // A flag wins over its variable.
  s = SettingsOf({"--tls-ca", "mine.pem", "list", "--tls-server-name", "db1"});
  ExpectTls(s, {"mine.pem", "/etc/chaosnet/runner.pem", "/etc/chaosnet/runner.key", "db1"});

  // Exported for remote daemons, they do not stop a local one.
  s = SettingsOf({"--server", "unix:/x.sock", "list"});
  EXPECT_EQ(s.transport, Transport::kUnixSocket);
  ExpectTls(s, {});
}

TEST_F(TlsSettingsTest, InsecureRefusesTlsVariablesUnlessEmptied) {
  setenv("CHAOSNET_TLS_CA", "/etc/chaosnet/ca.pem", 1);
  auto refused = BuildSettings(Parse({"--server", "h:1", "--insecure", "list"}).global);
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(refused.status().message(),
              StartsWith("--insecure contradicts --tls-ca (flags or their CHAOSNET_TLS_* "
                         "variables)"));
  // An empty variable counts as unset, which is how one shell command opts out.
  setenv("CHAOSNET_TLS_CA", "", 1);
  EXPECT_EQ(SettingsOf({"--server", "h:1", "--insecure", "list"}).transport,
            Transport::kPlaintextTcp);
}

TEST_F(TlsSettingsTest, RunFindsItsFaultAfterTheTlsFlags) {
  Invocation inv = Parse({"--server",
                          "10.0.0.5:7443",
                          "--tls-ca",
                          "ca.pem",
                          "--tls-cert",
                          "c.pem",
                          "--tls-key",
                          "k.pem",
                          "--tls-server-name",
                          "n",
                          "run",
                          "--ttl",
                          "5m",
                          "delay",
                          "eth0",
                          "100ms",
                          "--",
                          "./load-test",
                          "--tls-ca",
                          "theirs.pem"});
  EXPECT_EQ(inv.command, Command::kRun);
  EXPECT_EQ(inv.create.delay, "100ms");
  EXPECT_EQ(inv.create.ttl, "5m");
  // The command's own flags stay the command's.
  EXPECT_EQ(inv.run.command, (std::vector<std::string>{"./load-test", "--tls-ca", "theirs.pem"}));
  auto s = BuildSettings(inv.global);
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->transport, Transport::kTls);
  ExpectTls(*s, {"ca.pem", "c.pem", "k.pem", "n"});

  inv = Parse({"--insecure", "--server=h:1", "run", "loss", "eth0", "1%", "--", "true"});
  EXPECT_EQ(inv.command, Command::kRun);
  EXPECT_TRUE(inv.global.insecure);
  EXPECT_EQ(inv.create.loss, "1%");
  EXPECT_EQ(BuildSettings(inv.global)->transport, Transport::kPlaintextTcp);

  // After the fault, before --, they are global flags too.
  inv = Parse({"--server", "h:1", "run", "partition", "eth0", "--tls-ca", "ca.pem", "--", "true"});
  EXPECT_EQ(inv.command, Command::kRun);
  EXPECT_EQ(inv.global.tls_ca, "ca.pem");
  EXPECT_EQ(inv.run.command, std::vector<std::string>{"true"});
}

TEST_F(TlsSettingsTest, HelpNamesTheFlagsAndVariables) {
  std::ostringstream out, err;
  EXPECT_EQ(Main(Argv({"--help"}), out, err), 0);
  for (const char* text :
       {"--tls-ca FILE", "CHAOSNET_TLS_CA", "--tls-cert FILE", "CHAOSNET_TLS_CERT",
        "--tls-key FILE", "CHAOSNET_TLS_KEY", "--tls-server-name NAME", "CHAOSNET_TLS_SERVER_NAME",
        "--insecure", "--insecure-listen", "TCP needs --tls-ca or --insecure"}) {
    EXPECT_THAT(out.str(), HasSubstr(text));
  }
}

}  // namespace
}  // namespace chaosnet::client
