// Reading the certificate files: what is read for which transport, and the
// one-line local errors for a file that is missing or not what its flag needs.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "client/commands.h"
#include "client/tls_files.h"

namespace chaosnet::client {
namespace {

using ::testing::HasSubstr;

// The loader looks only at the PEM armour; gRPC parses what is inside.
constexpr char kCertificate[] =
    "-----BEGIN CERTIFICATE-----\nMIIBkzCCATmgAwIBAgIU\n-----END CERTIFICATE-----\n";
constexpr char kKey[] = "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMG\n-----END PRIVATE KEY-----\n";
constexpr char kEcKey[] =
    "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIA\n-----END EC PRIVATE KEY-----\n";

class TlsFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "chaosnetctl-tls-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  std::string Write(const std::string& name, const std::string& text) {
    std::string path = dir_ + "/" + name;
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }
  std::string Path(const std::string& name) const { return dir_ + "/" + name; }

  static Settings Tls(const std::string& ca, const std::string& cert = "",
                      const std::string& key = "") {
    Settings s;
    s.server = "10.0.0.5:7443";
    s.transport = Transport::kTls;
    s.tls = {ca, cert, key, ""};
    return s;
  }

  std::string dir_;
};

TEST_F(TlsFilesTest, ReadsNothingWithoutTls) {
  for (Transport transport : {Transport::kUnixSocket, Transport::kPlaintextTcp}) {
    Settings s = Tls(Path("missing-ca.pem"), Path("missing.pem"), Path("missing.key"));
    s.transport = transport;
    auto pem = ReadTlsFiles(s);
    ASSERT_TRUE(pem.ok()) << pem.status().message();
    EXPECT_EQ(pem->root_certs, "");
    EXPECT_EQ(pem->cert_chain, "");
    EXPECT_EQ(pem->private_key, "");
  }
}

TEST_F(TlsFilesTest, ReadsTheCaAloneWithoutAClientCertificate) {
  auto pem = ReadTlsFiles(Tls(Write("ca.pem", kCertificate)));
  ASSERT_TRUE(pem.ok()) << pem.status().message();
  EXPECT_EQ(pem->root_certs, kCertificate);
  EXPECT_EQ(pem->cert_chain, "");
  EXPECT_EQ(pem->private_key, "");
}

TEST_F(TlsFilesTest, ReadsAllThreeForMutualTls) {
  // A bundle: comments between blocks are fine, and so is an EC key.
  std::string bundle = std::string("# ours\n") + kCertificate + kCertificate;
  auto pem = ReadTlsFiles(
      Tls(Write("ca.pem", bundle), Write("runner.pem", kCertificate), Write("runner.key", kEcKey)));
  ASSERT_TRUE(pem.ok()) << pem.status().message();
  EXPECT_EQ(pem->root_certs, bundle);
  EXPECT_EQ(pem->cert_chain, kCertificate);
  EXPECT_EQ(pem->private_key, kEcKey);
}

struct BadFileCase {
  std::string broken;   // "ca", "cert" or "key": which file is replaced
  std::string content;  // written to that file; empty: the file does not exist
  std::string message;  // after "<flag> <path>" or "cannot read <flag> <path>"
};

class BadTlsFileTest : public TlsFilesTest, public ::testing::WithParamInterface<BadFileCase> {};

TEST_P(BadTlsFileTest, IsRefusedNamingTheFlagAndPath) {
  const BadFileCase& c = GetParam();
  std::string files[3] = {Write("ca.pem", kCertificate), Write("runner.pem", kCertificate),
                          Write("runner.key", kKey)};
  int broken = c.broken == "ca" ? 0 : c.broken == "cert" ? 1 : 2;
  std::string path = Path("broken-" + c.broken);
  if (!c.content.empty()) Write("broken-" + c.broken, c.content);
  files[broken] = path;
  auto pem = ReadTlsFiles(Tls(files[0], files[1], files[2]));
  ASSERT_FALSE(pem.ok());
  EXPECT_EQ(pem.status().code(), StatusCode::kInvalidArgument);
  std::string flag = "--tls-" + c.broken;
  std::string expected = c.content.empty() ? "cannot read " + flag + " " + path + c.message
                                           : flag + " " + path + c.message;
  EXPECT_EQ(pem.status().message(), expected);
}

INSTANTIATE_TEST_SUITE_P(
    Files, BadTlsFileTest,
    ::testing::Values(
        BadFileCase{"ca", "", ": No such file or directory"},
        BadFileCase{"cert", "", ": No such file or directory"},
        BadFileCase{"key", "", ": No such file or directory"},
        BadFileCase{"ca", std::string("\x30\x82\x01\x93\x30\x82", 6),
                    " is not PEM (no \"-----BEGIN \" line; convert DER with openssl x509 "
                    "-inform der)"},
        BadFileCase{"key", "just text\n",
                    " is not PEM (no \"-----BEGIN \" line; convert DER with openssl pkey "
                    "-inform der)"},
        // The certificate and key swapped, a common slip.
        BadFileCase{"cert", kKey,
                    " holds no certificate (no \"-----BEGIN CERTIFICATE-----\" block)"},
        BadFileCase{"ca", kKey, " holds no certificate (no \"-----BEGIN CERTIFICATE-----\" block)"},
        BadFileCase{"key", kCertificate,
                    " holds no private key (no \"PRIVATE KEY-----\" block; is it the "
                    "certificate?)"},
        BadFileCase{"key",
                    "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIH\n"
                    "-----END ENCRYPTED PRIVATE KEY-----\n",
                    " is encrypted, and gRPC takes only a plain key (openssl pkey -in KEY -out "
                    "PLAIN-KEY)"},
        BadFileCase{"key",
                    "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n"
                    "DEK-Info: AES-256-CBC,00\n\nMIIE\n-----END RSA PRIVATE KEY-----\n",
                    " is encrypted, and gRPC takes only a plain key (openssl pkey -in KEY -out "
                    "PLAIN-KEY)"}));

TEST_F(TlsFilesTest, ADirectoryOrAnEndlessFileIsRefused) {
  auto pem = ReadTlsFiles(Tls(dir_));
  ASSERT_FALSE(pem.ok());
  EXPECT_EQ(pem.status().message(), "cannot read --tls-ca " + dir_ + ": Is a directory");

  pem = ReadTlsFiles(Tls("/dev/zero"));
  ASSERT_FALSE(pem.ok());
  EXPECT_EQ(pem.status().message(), "--tls-ca /dev/zero is over 4 MiB, too big for a PEM file");
}

// The files are read before any connection: nothing listens on 127.0.0.1:1,
// so reaching for it would exit 3, not 2.
TEST_F(TlsFilesTest, AnUnreadableFileExitsTwoBeforeConnecting) {
  unsetenv("CHAOSNET_SERVER");
  std::string missing = Path("missing-ca.pem");
  for (const char* command : {"info", "list", "watch"}) {
    std::ostringstream out, err;
    int code =
        Main({"chaosnetctl", "--server", "127.0.0.1:1", "--tls-ca", missing, command}, out, err);
    EXPECT_EQ(code, kExitUsage) << command;
    EXPECT_EQ(err.str(),
              "chaosnetctl: cannot read --tls-ca " + missing + ": No such file or directory\n");
    EXPECT_EQ(out.str(), "");
  }
  std::ostringstream out, err;
  // run makes its own client, from the same files.
  int code =
      Main({"chaosnetctl", "--server", "127.0.0.1:1", "--tls-ca", Write("ca.pem", kCertificate),
            "--tls-cert", Write("runner.pem", kCertificate), "--tls-key",
            Write("runner.key", kCertificate), "run", "delay", "eth0", "1ms", "--", "true"},
           out, err);
  EXPECT_EQ(code, kExitUsage);
  EXPECT_THAT(err.str(), HasSubstr("holds no private key"));
}

}  // namespace
}  // namespace chaosnet::client
