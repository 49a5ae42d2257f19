// Who may call, proven by the transport: mTLS for remote callers (the right
// CA in, no certificate / another CA / an expired certificate / plaintext
// out), the certificate's subject and the Unix socket peer's uid as the
// caller's identity, read-only callers, per-caller limits across identities,
// and start-up refusals of bad TLS files. Remote calls go through the real
// chaosnetctl inside the daemon's namespace, whose loopback is the test's own.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "tests/api/api_fixture.h"

namespace chaosnet::testing {
namespace {

using ::testing::ContainsRegex;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kTlsPort[] = "7443";
constexpr char kPlainPort[] = "7080";

// A CA, the daemon's certificate and clients' certificates, made by the
// script the README documents.
class Certificates {
 public:
  Certificates() {
    char tmpl[] = "/tmp/chaosnet-certs-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    const std::string script = SourceDir() + "/scripts/make-certs.sh";
    ok_ = Shell(script + " ca " + dir_) == 0 &&
          Shell(script + " server " + dir_ + " chaosnetd localhost 127.0.0.1") == 0 &&
          Shell(script + " client " + dir_ + " runner-1") == 0 &&
          Shell(script + " client " + dir_ + " runner-2") == 0 &&
          Shell(script + " client " + dir_ + " admin-1") == 0 &&
          Shell(script + " client " + dir_ + " observer-1") == 0 &&
          Shell(script + " client " + dir_ + " stale --expired") == 0 &&
          Shell(script + " ca " + dir_ + "/other") == 0 &&
          Shell(script + " client " + dir_ + "/other mallory") == 0;
  }
  ~Certificates() { Shell("rm -rf '" + dir_ + "'"); }
  bool ok() const { return ok_; }
  std::string Path(const std::string& file) const { return dir_ + "/" + file; }
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
  bool ok_ = false;
};

class RemoteAccessTest : public ApiTest {
 protected:
  void SetUp() override {
    if (!IsRoot()) GTEST_SKIP() << "needs root: creates network namespaces and qdiscs";
    ASSERT_TRUE(certs_.ok()) << "scripts/make-certs.sh failed";
    audit_ = certs_.Path("audit.jsonl");
    ApiTest::SetUp();
  }
  std::vector<std::string> ExtraDaemonArgs() override {
    return {"--max-ttl",
            "1h",
            "--listen",
            std::string("127.0.0.1:") + kTlsPort,
            "--tls-cert",
            certs_.Path("chaosnetd.pem"),
            "--tls-key",
            certs_.Path("chaosnetd.key"),
            "--tls-client-ca",
            certs_.Path("ca.pem"),
            "--insecure-listen",
            std::string("127.0.0.1:") + kPlainPort,
            "--read-only",
            "cn:observer-*",
            "--read-only",
            "uid:65534",
            "--socket-group",
            "nogroup",
            "--max-faults-per-caller",
            "1",
            "--audit-log",
            audit_};
  }

  // chaosnetctl in the daemon's namespace; returns the exit code.
  int Ctl(const std::string& args, std::string* out) const {
    out->clear();
    return net_->InA(BinaryPath("chaosnetctl") + " " + args + " 2>&1", out);
  }
  // The TLS flags of a client whose certificate is `name` (in `dir`).
  std::string Tls(const std::string& name, const std::string& dir = "") const {
    const std::string d = dir.empty() ? certs_.dir() : dir;
    return std::string("--server 127.0.0.1:") + kTlsPort + " --tls-ca " + certs_.Path("ca.pem") +
           " --tls-cert " + d + "/" + name + ".pem --tls-key " + d + "/" + name + ".key";
  }
  std::string Audit() const { return ReadTextFile(audit_); }
  // Still serving, over TLS and locally.
  void ExpectServing() {
    std::string out;
    EXPECT_EQ(Ctl(Tls("runner-1") + " info", &out), 0) << out;
    pb::Info info;
    EXPECT_TRUE(stub_->GetInfo(Ctx().get(), pb::GetInfoRequest{}, &info).ok());
  }

  Certificates certs_;
  std::string audit_;
};

TEST_F(RemoteAccessTest, AClientCertificateFromTheCaIsTheCallersIdentity) {
  std::string out;
  ASSERT_EQ(Ctl(Tls("runner-1") + " -o json rate cn0 1mbit --ttl 60s", &out), 0) << out;
  EXPECT_THAT(out, HasSubstr("\"owner\":{\"identity\":\"x509:CN=runner-1,O=chaosnet\","
                             "\"key\":\"x509:CN=runner-1,O=chaosnet\"}"));
  EXPECT_TRUE(HasOwnedQdisc());
  ASSERT_EQ(Ctl(Tls("runner-1") + " revoke --all", &out), 0) << out;
  EXPECT_FALSE(HasOwnedQdisc());
  EXPECT_THAT(Audit(), HasSubstr("\"event\":\"applied\""));
  EXPECT_THAT(Audit(), HasSubstr("\"actor\":\"x509:CN=runner-1,O=chaosnet\""));
  EXPECT_THAT(daemon_->ReadLog(), HasSubstr("serving mTLS on 127.0.0.1:7443"));
}

TEST_F(RemoteAccessTest, HandshakesWithoutAGoodCertificateAreRefused) {
  struct Case {
    const char* what;
    std::string flags;
  } cases[] = {
      {"no client certificate",
       std::string("--server 127.0.0.1:") + kTlsPort + " --tls-ca " + certs_.Path("ca.pem")},
      {"a certificate from another CA", Tls("mallory", certs_.Path("other"))},
      {"an expired certificate", Tls("stale")},
      {"plaintext to the TLS port", std::string("--server 127.0.0.1:") + kTlsPort + " --insecure"},
  };
  for (const Case& c : cases) {
    std::string out;
    EXPECT_EQ(Ctl(c.flags + " --timeout 5s rate cn0 1mbit", &out), 3) << c.what << ": " << out;
    EXPECT_FALSE(HasOwnedQdisc()) << c.what;
    EXPECT_EQ(Ctl(c.flags + " --timeout 5s list", &out), 3) << c.what << ": " << out;
  }
  ExpectServing();
  EXPECT_THAT(Audit(), Not(HasSubstr("\"event\":\"applied\"")));
}

TEST_F(RemoteAccessTest, AReadOnlyCertificateMayLookButNotTouch) {
  std::string out;
  ASSERT_EQ(Ctl(Tls("runner-1") + " rate cn0 1mbit --ttl 60s", &out), 0) << out;
  EXPECT_EQ(Ctl(Tls("observer-1") + " list", &out), 0) << out;
  EXPECT_THAT(out, HasSubstr("rate 1mbit"));
  EXPECT_EQ(Ctl(Tls("observer-1") + " info", &out), 0) << out;
  EXPECT_THAT(out, HasSubstr("you are:        x509:CN=observer-1,O=chaosnet (read-only)\n"));
  EXPECT_EQ(Ctl(Tls("runner-1") + " info", &out), 0) << out;
  EXPECT_THAT(out, HasSubstr("you are:        x509:CN=runner-1,O=chaosnet\n"));
  EXPECT_EQ(Ctl(Tls("observer-1") + " revoke --all", &out), 1) << out;
  EXPECT_THAT(out, HasSubstr("permission denied: x509:CN=observer-1,O=chaosnet is read-only "
                             "(--read-only cn:observer-*)"));
  EXPECT_EQ(Ctl(Tls("observer-1") + " rate cn0 2mbit --dst 10.9.0.1", &out), 1) << out;
  EXPECT_THAT(out, HasSubstr("not create faults"));
  // A dry run changes nothing: allowed.
  EXPECT_EQ(Ctl(Tls("observer-1") + " rate cn0 2mbit --dst 10.9.0.1 --dry-run", &out), 0) << out;
  EXPECT_TRUE(HasOwnedQdisc());  // the runner's fault is untouched
  EXPECT_THAT(Audit(), HasSubstr("\"event\":\"refused\",\"rpc\":\"RevokeAllFaults\",\"actor\":"
                                 "\"x509:CN=observer-1,O=chaosnet\""));
}

TEST_F(RemoteAccessTest, ThePlaintextListenerKnowsCallersByAddressOnly) {
  std::string out;
  const std::string plain = std::string("--server 127.0.0.1:") + kPlainPort + " --insecure";
  ASSERT_EQ(Ctl(plain + " -o json rate cn0 1mbit --ttl 60s", &out), 0) << out;
  EXPECT_THAT(out,
              HasSubstr("\"owner\":{\"identity\":\"tcp:127.0.0.1\",\"key\":\"tcp:127.0.0.1\"}"));
  EXPECT_THAT(daemon_->ReadLog(), HasSubstr("serving PLAINTEXT on 127.0.0.1:7080"));
  // TLS flags cannot reach it: the handshake fails.
  EXPECT_EQ(Ctl(std::string("--server 127.0.0.1:") + kPlainPort + " --tls-ca " +
                    certs_.Path("ca.pem") + " --timeout 5s list",
                &out),
            3)
      << out;
}

TEST_F(RemoteAccessTest, LocalCallersAreKnownByTheirUid) {
  pb::CreateFaultResponse created;
  ASSERT_TRUE(Create(RateRequest(), &created).ok());
  EXPECT_EQ(created.fault().owner().identity(), "uid:0(root)");

  // nobody (uid 65534, in the socket's group) reaches the socket; it is read-only.
  const std::string dir = daemon_->socket_path().substr(0, daemon_->socket_path().rfind('/'));
  ASSERT_EQ(::chmod(dir.c_str(), 0711), 0);
  const std::string as_nobody = "setpriv --reuid=65534 --regid=65534 --clear-groups " +
                                BinaryPath("chaosnetctl") + " --server " +
                                daemon_->server_address();
  std::string out;
  EXPECT_EQ(Shell(as_nobody + " list 2>&1", &out), 0) << out;
  EXPECT_THAT(out, HasSubstr(created.fault().id()));
  out.clear();
  EXPECT_EQ(Shell(as_nobody + " revoke " + created.fault().id() + " 2>&1", &out), 1) << out;
  EXPECT_THAT(out, HasSubstr("uid:65534(nobody) is read-only (--read-only uid:65534)"));
  EXPECT_THAT(Audit(),
              ::testing::ContainsRegex(
                  "\"rpc\":\"RevokeFault\",\"actor\":\"uid:65534\\(nobody\\)\",\"pid\":[0-9]+"));
  EXPECT_EQ(Get(created.fault().id()).state(), pb::FAULT_STATE_ACTIVE);
}

TEST_F(RemoteAccessTest, PerCallerLimitsCountEachIdentityApart) {
  pb::CreateFaultRequest first = RateRequest();
  first.mutable_spec()->mutable_match()->set_dst_cidr("10.9.0.1/32");
  pb::CreateFaultResponse created;
  ASSERT_TRUE(Create(first, &created).ok());
  pb::CreateFaultRequest second = RateRequest();
  second.mutable_spec()->mutable_match()->set_dst_cidr("10.9.0.2/32");
  grpc::Status s = Create(second, &created);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(s.error_message(), HasSubstr("uid:0(root) has 1 live faults"));
  // Another identity has its own allowance.
  std::string out;
  EXPECT_EQ(Ctl(Tls("runner-1") + " rate cn0 1mbit --dst 10.9.0.2", &out), 0) << out;
}

TEST_F(RemoteAccessTest, TheApiPortsAreProtectedFromFaults) {
  std::string out;
  ASSERT_EQ(Ctl(Tls("runner-1") + " rate cn0 1mbit --dry-run", &out), 0) << out;
  EXPECT_THAT(out, HasSubstr("match ip dport 7443 0xffff"));
  EXPECT_THAT(out, HasSubstr("match ip dport 7080 0xffff"));
}

// Bad TLS settings stop the daemon before it touches anything.
TEST(RemoteAccessStartup, BadTlsFilesStopTheDaemonWithAReason) {
  if (!IsRoot()) GTEST_SKIP() << "needs root";
  Certificates certs;
  ASSERT_TRUE(certs.ok());
  const std::string cert = certs.Path("chaosnetd.pem"), key = certs.Path("chaosnetd.key"),
                    ca = certs.Path("ca.pem");
  ASSERT_EQ(Shell("cp " + certs.Path("stale.pem") + " " + certs.Path("old-server.pem") + " && cp " +
                  certs.Path("stale.key") + " " + certs.Path("old-server.key")),
            0);
  struct Case {
    std::vector<std::string> args;
    const char* message;
  } cases[] = {
      {{"--listen", "127.0.0.1:0"}, "--listen needs --tls-cert, --tls-key and --tls-client-ca"},
      {{"--tls-cert", cert, "--tls-key", key, "--tls-client-ca", ca}, "and those need --listen"},
      {{"--listen", "127.0.0.1:0", "--tls-cert", cert, "--tls-key", certs.Path("runner-1.key"),
        "--tls-client-ca", ca},
       "is not the key of --tls-cert"},
      {{"--listen", "127.0.0.1:0", "--tls-cert", certs.Path("nope.pem"), "--tls-key", key,
        "--tls-client-ca", ca},
       "No such file or directory"},
      {{"--listen", "127.0.0.1:0", "--tls-cert", key, "--tls-key", key, "--tls-client-ca", ca},
       "no PEM certificate"},
      {{"--listen", "127.0.0.1:0", "--tls-cert", certs.Path("old-server.pem"), "--tls-key",
        certs.Path("old-server.key"), "--tls-client-ca", ca},
       "has expired"},
      {{"--listen", "localhost:7443"}, "is not an IP address"},
      {{"--read-only", "role:admin"}, "unknown kind \"role\""},
  };
  for (const Case& c : cases) {
    DaemonProcess daemon("", c.args);
    EXPECT_FALSE(daemon.WaitReady());
    EXPECT_THAT(daemon.ReadLog(), HasSubstr(c.message));
  }
}

}  // namespace
}  // namespace chaosnet::testing

namespace chaosnet::testing {
namespace {

// The same settings from a --config file instead of flags.
class ConfigFileTest : public RemoteAccessTest {
 protected:
  std::vector<std::string> ExtraDaemonArgs() override {
    const std::string path = certs_.Path("chaosnetd.toml");
    std::ofstream(path) << "# chaosnetd settings\n"
                        << "max-ttl = \"1h\"\n"
                        << "listen = \"127.0.0.1:" << kTlsPort << "\"\n"
                        << "tls-cert = \"" << certs_.Path("chaosnetd.pem") << "\"\n"
                        << "tls-key = \"" << certs_.Path("chaosnetd.key") << "\"\n"
                        << "tls-client-ca = \"" << certs_.Path("ca.pem") << "\"\n"
                        << "read-only = [\"cn:observer-*\", \"uid:65534\"]\n"
                        << "protect = [\"tcp:22\", \"udp:53\"]\n";
    return {"--config", path};
  }
};

TEST_F(ConfigFileTest, SettingsFromTheFileTakeEffect) {
  std::string out;
  EXPECT_EQ(Ctl(Tls("runner-1") + " rate cn0 1mbit --dry-run", &out), 0) << out;
  EXPECT_THAT(out, HasSubstr("match ip dport 7443 0xffff"));
  EXPECT_THAT(out, HasSubstr("match ip protocol 17 0xff match ip dport 53 0xffff"));
  EXPECT_EQ(Ctl(Tls("observer-1") + " rate cn0 1mbit", &out), 1) << out;
  EXPECT_THAT(out, HasSubstr("(--read-only cn:observer-*)"));
  EXPECT_EQ(Ctl(Tls("runner-1") + " info", &out), 0) << out;
  EXPECT_THAT(out, HasSubstr("max ttl:        1h"));
}

TEST(ConfigFileStartup, AMistakeInTheFileStopsTheDaemon) {
  if (!IsRoot()) GTEST_SKIP() << "needs root";
  char tmpl[] = "/tmp/chaosnet-config-XXXXXX";
  const std::string dir = ::mkdtemp(tmpl);
  std::ofstream(dir + "/bad.toml") << "read-only = [\"role:admin\"]\n";
  std::ofstream(dir + "/unknown.toml") << "no-such-option = 1\n";
  {
    DaemonProcess daemon("", {"--config", dir + "/bad.toml"});
    EXPECT_FALSE(daemon.WaitReady());
    EXPECT_THAT(daemon.ReadLog(), HasSubstr("unknown kind \"role\""));
  }
  {
    DaemonProcess daemon("", {"--config", dir + "/unknown.toml"});
    EXPECT_FALSE(daemon.WaitReady());
    EXPECT_THAT(daemon.ReadLog(), HasSubstr("no-such-option"));
  }
  {
    DaemonProcess daemon("", {"--config", dir + "/missing.toml"});
    EXPECT_FALSE(daemon.WaitReady());
    EXPECT_THAT(daemon.ReadLog(), HasSubstr("missing.toml"));
  }
  Shell("rm -rf '" + dir + "'");
}

}  // namespace
}  // namespace chaosnet::testing

namespace chaosnet::testing {
namespace {

// Renewed TLS files take effect without a restart.
class TlsReloadTest : public RemoteAccessTest {
 protected:
  std::vector<std::string> ExtraDaemonArgs() override {
    // The daemon reads a copy of the CA bundle that the test then rewrites.
    Shell("cp " + certs_.Path("ca.pem") + " " + certs_.Path("clients-ca.pem"));
    return {"--listen",        std::string("127.0.0.1:") + kTlsPort,
            "--tls-cert",      certs_.Path("chaosnetd.pem"),
            "--tls-key",       certs_.Path("chaosnetd.key"),
            "--tls-client-ca", certs_.Path("clients-ca.pem"),
            "--tls-reload",    "1s"};
  }
};

TEST_F(TlsReloadTest, ACaAddedToTheBundleIsTrustedWithoutARestart) {
  std::string out;
  const std::string mallory = Tls("mallory", certs_.Path("other"));
  ASSERT_EQ(Ctl(mallory + " --timeout 5s info", &out), 3) << out;
  ASSERT_EQ(Shell("cat " + certs_.Path("other/ca.pem") + " >> " + certs_.Path("clients-ca.pem")),
            0);
  // The daemon looks at the files every second; give it ample time.
  int rc = -1;
  for (int i = 0; i < 60 && rc != 0; ++i) {
    rc = Ctl(mallory + " --timeout 5s info", &out);
    if (rc != 0) std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  EXPECT_EQ(rc, 0) << out;
  EXPECT_THAT(out, HasSubstr("you are:        x509:CN=mallory,O=chaosnet\n"));
  // The first CA's clients are still trusted.
  EXPECT_EQ(Ctl(Tls("runner-1") + " info", &out), 0) << out;
}

}  // namespace
}  // namespace chaosnet::testing

namespace chaosnet::testing {
namespace {

// A fault belongs to the certificate that made it (or, over plaintext, to the
// address): another certificate may not extend it, an --admin one may; any
// writer may revoke it, and the end says who did.
class CertificateOwnershipTest : public RemoteAccessTest {
 protected:
  std::vector<std::string> ExtraDaemonArgs() override {
    std::vector<std::string> args = {"--listen",          std::string("127.0.0.1:") + kTlsPort,
                                     "--tls-cert",        certs_.Path("chaosnetd.pem"),
                                     "--tls-key",         certs_.Path("chaosnetd.key"),
                                     "--tls-client-ca",   certs_.Path("ca.pem"),
                                     "--insecure-listen", std::string("127.0.0.1:") + kPlainPort,
                                     "--admin",           "cn:admin-*",
                                     "--audit-log",       audit_};
    args.insert(args.end(), revoke_others_.begin(), revoke_others_.end());
    return args;
  }
  // Creates a rate fault on its own destination as `flags`' caller; its id.
  std::string CreateAs(const std::string& flags, const std::string& dst) {
    std::string out;
    EXPECT_EQ(Ctl(flags + " -o json rate cn0 1mbit --ttl 60s --dst " + dst, &out), 0) << out;
    const auto at = out.find("\"id\":\"");
    return at == std::string::npos ? "" : out.substr(at + 6, 12);
  }
  std::string Plain() const {
    return std::string("--server 127.0.0.1:") + kPlainPort + " --insecure";
  }

  std::vector<std::string> revoke_others_;
};

TEST_F(CertificateOwnershipTest, OnlyTheOwnerOrAnAdminMayExtendAndAnyWriterMayRevoke) {
  const std::string id = CreateAs(Tls("runner-1"), "10.9.0.1");
  ASSERT_EQ(id.size(), 12u);
  std::string out;
  EXPECT_EQ(Ctl(Tls("runner-2") + " extend " + id + " 50m", &out), 1) << out;
  EXPECT_THAT(
      out, HasSubstr("permission denied: x509:CN=runner-2,O=chaosnet may not extend fault " + id +
                     ": it belongs to x509:CN=runner-1,O=chaosnet, and only its owner "
                     "or an admin may (--admin PATTERN would allow it)"));
  EXPECT_NEAR(LeaseSeconds(Get(id)), 60, 1) << "the owner's lease is untouched";
  EXPECT_EQ(Ctl(Tls("runner-1") + " extend " + id + " 2m", &out), 0) << out;
  EXPECT_EQ(Ctl(Tls("admin-1") + " extend " + id + " 3m", &out), 0) << out;
  EXPECT_EQ(Ctl(Tls("admin-1") + " info", &out), 0) << out;
  EXPECT_THAT(out, HasSubstr("you are:        x509:CN=admin-1,O=chaosnet (admin)\n"));

  // get and list show the owner; --mine is the caller's own.
  EXPECT_EQ(Ctl(Tls("runner-2") + " get " + id, &out), 0) << out;
  EXPECT_THAT(out, ContainsRegex("\nowner: +x509:CN=runner-1,O=chaosnet\n"));
  const std::string theirs = CreateAs(Tls("runner-2"), "10.9.0.2");
  EXPECT_EQ(Ctl(Tls("runner-2") + " list", &out), 0) << out;
  EXPECT_THAT(out, HasSubstr(id));
  EXPECT_THAT(out, HasSubstr("x509:CN=runner-1,O=chaosnet\n"));
  EXPECT_EQ(Ctl(Tls("runner-2") + " list --mine", &out), 0) << out;
  EXPECT_THAT(out, HasSubstr(theirs));
  EXPECT_THAT(out, Not(HasSubstr(id)));

  // Revoking is the emergency stop: another certificate may, and is named.
  EXPECT_EQ(Ctl(Tls("runner-2") + " revoke " + id, &out), 0) << out;
  EXPECT_EQ(Get(id).state_reason(),
            "revoked by x509:CN=runner-2,O=chaosnet, owner x509:CN=runner-1,O=chaosnet");
  EXPECT_THAT(Audit(), HasSubstr("\"event\":\"refused\",\"rpc\":\"ExtendFault\",\"actor\":"
                                 "\"x509:CN=runner-2,O=chaosnet\""));
  EXPECT_THAT(Audit(),
              HasSubstr("\"fault\":\"" + id + "\",\"owner\":\"x509:CN=runner-1,O=chaosnet\""));
  EXPECT_THAT(Audit(), HasSubstr("\"event\":\"revoked\",\"fault\":\"" + id +
                                 "\",\"actor\":\"x509:CN=runner-2,O=chaosnet\",\"owner\":"
                                 "\"x509:CN=runner-1,O=chaosnet\""));
}

TEST_F(CertificateOwnershipTest, APlaintextCallerOwnsWhatItMadeByItsAddress) {
  const std::string plain = CreateAs(Plain(), "10.9.0.3");
  const std::string runners = CreateAs(Tls("runner-1"), "10.9.0.4");
  std::string out;
  EXPECT_EQ(Ctl(Plain() + " extend " + plain + " 2m", &out), 0) << out;
  EXPECT_EQ(Ctl(Plain() + " extend " + runners + " 2m", &out), 1) << out;
  EXPECT_THAT(out, HasSubstr("tcp:127.0.0.1 may not extend fault " + runners +
                             ": it belongs to x509:CN=runner-1,O=chaosnet"));
  EXPECT_EQ(Ctl(Tls("runner-1") + " extend " + plain + " 2m", &out), 1) << out;
  EXPECT_THAT(out, HasSubstr("it belongs to tcp:127.0.0.1"));
  // Local root is an admin, whoever owns the fault.
  pb::ExtendFaultRequest extend;
  extend.set_id(plain);
  extend.mutable_ttl()->set_seconds(240);
  pb::Fault extended;
  EXPECT_TRUE(stub_->ExtendFault(Ctx().get(), extend, &extended).ok());
  EXPECT_EQ(extended.owner().key(), "tcp:127.0.0.1");
}

class CertificateRevokeOthersOwnerTest : public CertificateOwnershipTest {
 protected:
  void SetUp() override {
    revoke_others_ = {"--revoke-others", "owner"};
    CertificateOwnershipTest::SetUp();
  }
};

TEST_F(CertificateRevokeOthersOwnerTest, OnlyTheOwnerOrAnAdminMayRevoke) {
  const std::string id = CreateAs(Tls("runner-1"), "10.9.0.1");
  const std::string theirs = CreateAs(Tls("runner-2"), "10.9.0.2");
  std::string out;
  EXPECT_EQ(Ctl(Tls("runner-2") + " revoke " + id, &out), 1) << out;
  EXPECT_THAT(out, HasSubstr("x509:CN=runner-2,O=chaosnet may not revoke fault " + id +
                             ": it belongs to x509:CN=runner-1,O=chaosnet"));
  EXPECT_THAT(out, HasSubstr("--revoke-others any would allow it"));
  EXPECT_EQ(Get(id).state(), pb::FAULT_STATE_ACTIVE);

  // revoke --all ends what the caller may end and says what it left.
  EXPECT_EQ(Ctl(Tls("runner-2") + " revoke --all", &out), 1) << out;
  EXPECT_THAT(out, HasSubstr("fault " + theirs + " revoked"));
  EXPECT_THAT(out, ContainsRegex("fault " + id +
                                 " not revoked: rate 1mbit on cn0 \\(dst [^)]*\\), "
                                 "owner x509:CN=runner-1,O=chaosnet\n"));
  EXPECT_THAT(out, HasSubstr("chaosnetctl: 1 of 2 faults not revoked: x509:CN=runner-2,O=chaosnet "
                             "may not revoke fault " +
                             id));
  EXPECT_EQ(Get(id).state(), pb::FAULT_STATE_ACTIVE);
  EXPECT_EQ(Get(theirs).state(), pb::FAULT_STATE_REVOKED);
  EXPECT_THAT(Audit(), HasSubstr("\"rpc\":\"RevokeAllFaults\",\"actor\":\"x509:CN=runner-2,"
                                 "O=chaosnet\",\"address\":\"127.0.0.1\",\"code\":"
                                 "\"PERMISSION_DENIED\""));

  EXPECT_EQ(Ctl(Tls("admin-1") + " revoke " + id, &out), 0) << out;
  EXPECT_EQ(Get(id).state_reason(),
            "revoked by x509:CN=admin-1,O=chaosnet, owner x509:CN=runner-1,O=chaosnet");
}

}  // namespace
}  // namespace chaosnet::testing
