#include "client/fleet/fleet_file.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <string>
#include <vector>

#include "common/net_parse.h"

namespace chaosnet::fleet {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

// The README's example, without its comments.
constexpr char kExample[] = R"(# A five-node Raft group.
[defaults]
interface = "eth0"

[tls]
ca = "/etc/chaosnet/ca.pem"
cert = "certs/client.pem"
key = "certs/client.key"

[nodes.n1]
server = "10.0.0.1:7443"
addresses = ["10.0.0.1", "fd00::1"]
interface = "eth1"

[nodes.n2]
server = "[fd00::2]:7443"
addresses = ["10.0.0.2", "fd00::2"]
tls = { server-name = "n2.chaosnet.test" }

[nodes.db-3]
server = "db-3.example.org:7443"
addresses = ["10.0.0.3"]
netns = "n3"

[nodes.a4]
server = "unix:/run/chaosnetd/chaosnetd.sock"
addresses = ["10.0.0.4"]

[nodes.b5]
server = "10.0.0.5:7000"
addresses = ["fd00::5"]
[nodes.b5.tls]
insecure = true
)";

std::vector<std::string> FormatAll(const std::vector<model::Cidr>& cidrs) {
  std::vector<std::string> out;
  for (const auto& c : cidrs) out.push_back(FormatCidr(c));
  return out;
}

TEST(ParseFleetFile, ReadsTheExample) {
  auto fleet = ParseFleetFile(kExample, "lab/fleet.toml");
  ASSERT_TRUE(fleet.ok()) << fleet.status().message();
  EXPECT_EQ(fleet->source, "lab/fleet.toml");
  // The file's order, not toml++'s (alphabetical: a4, b5, db-3, n1, n2).
  EXPECT_THAT(fleet->Names(), ElementsAre("n1", "n2", "db-3", "a4", "b5"));
  const auto& nodes = fleet->nodes;

  EXPECT_EQ(nodes[0].server.Target(), "10.0.0.1:7443");
  EXPECT_THAT(FormatAll(nodes[0].addresses), ElementsAre("10.0.0.1/32", "fd00::1/128"));
  EXPECT_EQ(nodes[0].interface, "eth1");  // its own
  EXPECT_EQ(nodes[1].interface, "eth0");  // the default
  EXPECT_EQ(nodes[0].netns, "");
  EXPECT_EQ(nodes[2].netns, "n3");
  EXPECT_EQ(nodes[0].line, 10);
  EXPECT_EQ(nodes[4].line, 29);

  // [tls] for everyone, relative paths next to the file; n2 overrides one key.
  EXPECT_EQ(nodes[0].tls.ca_file, "/etc/chaosnet/ca.pem");
  EXPECT_EQ(nodes[0].tls.cert_file, "lab/certs/client.pem");
  EXPECT_EQ(nodes[0].tls.key_file, "lab/certs/client.key");
  EXPECT_EQ(nodes[0].tls.server_name, "");
  EXPECT_EQ(nodes[1].tls.server_name, "n2.chaosnet.test");
  EXPECT_EQ(nodes[1].tls.ca_file, "/etc/chaosnet/ca.pem");
  EXPECT_EQ(nodes[2].server.host, "db-3.example.org");
  EXPECT_FALSE(nodes[2].server.address.has_value());
  // A unix socket needs no TLS.
  EXPECT_EQ(nodes[3].server.kind, ServerEndpoint::Kind::kUnixSocket);
  EXPECT_EQ(nodes[3].tls, TlsSettings{});
  // insecure: plaintext, and nothing inherited from [tls] applies.
  EXPECT_TRUE(nodes[4].tls.insecure);
  EXPECT_EQ(nodes[4].tls.ca_file, "");

  EXPECT_EQ(fleet->Find("db-3"), 2u);
  EXPECT_FALSE(fleet->Find("n9").has_value());
}

TEST(ParseFleetFile, KeepsTheFileOrderWhateverTheTableSyntax) {
  // Dotted keys and an inline table define nodes too; the order is where
  // each name first appears.
  auto fleet = ParseFleetFile(R"(
nodes.zz.server = "unix:/run/zz.sock"
nodes.zz.addresses = ["10.0.0.9"]
nodes.zz.interface = "eth0"
[nodes.mm]
server = "unix:/run/mm.sock"
addresses = ["10.0.0.5"]
interface = "eth0"
[nodes.aa]
server = "unix:/run/aa.sock"
addresses = ["10.0.0.1"]
interface = "eth0"
)",
                              "f.toml");
  ASSERT_TRUE(fleet.ok()) << fleet.status().message();
  EXPECT_THAT(fleet->Names(), ElementsAre("zz", "mm", "aa"));

  auto inline_nodes = ParseFleetFile(
      "defaults = { interface = \"eth0\" }\n"
      "nodes = { b = { server = \"unix:/b\", addresses = [\"10.0.0.2\"] }, a = { server = "
      "\"unix:/a\", addresses = [\"10.0.0.1\"] } }\n",
      "f.toml");
  ASSERT_TRUE(inline_nodes.ok()) << inline_nodes.status().message();
  EXPECT_THAT(inline_nodes->Names(), ElementsAre("b", "a"));
}

TEST(ParseFleetFile, ResolvesRelativeSocketsAndTlsFilesNextToTheFile) {
  constexpr char kText[] = R"(
[tls]
ca = "ca.pem"
[nodes.a]
server = "unix:run/a.sock"
addresses = ["10.0.0.1"]
interface = "eth0"
[nodes.b]
server = "10.0.0.2:7443"
addresses = ["10.0.0.2"]
interface = "eth0"
[nodes.b.tls]
ca = "/abs/ca.pem"
)";
  auto fleet = ParseFleetFile(kText, "/etc/chaosnet/fleet.toml");
  ASSERT_TRUE(fleet.ok()) << fleet.status().message();
  EXPECT_EQ(fleet->nodes[0].server.socket_path, "/etc/chaosnet/run/a.sock");
  EXPECT_EQ(fleet->nodes[1].tls.ca_file, "/abs/ca.pem");
  // A file named without a folder: paths stay relative to where it is read.
  auto here = ParseFleetFile(kText, "fleet.toml");
  ASSERT_TRUE(here.ok());
  EXPECT_EQ(here->nodes[0].server.socket_path, "run/a.sock");
}

struct BadFile {
  const char* name;
  const char* text;
  const char* message;  // the start of the line, after "f.toml"
  friend std::ostream& operator<<(std::ostream& os, const BadFile& c) { return os << c.name; }
};

class ParseFleetFileRefuses : public ::testing::TestWithParam<BadFile> {};

TEST_P(ParseFleetFileRefuses, WithFileLineKeyInOneLine) {
  auto fleet = ParseFleetFile(GetParam().text, "f.toml");
  ASSERT_FALSE(fleet.ok()) << GetParam().name;
  EXPECT_EQ(fleet.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(fleet.status().message(), StartsWith(std::string("f.toml") + GetParam().message));
  EXPECT_EQ(fleet.status().message().find('\n'), std::string::npos);
}

// A good node to build bad files around.
#define NODE_A "[nodes.a]\nserver = \"unix:/a\"\naddresses = [\"10.0.0.1\"]\ninterface = \"eth0\"\n"

INSTANTIATE_TEST_SUITE_P(
    Cases, ParseFleetFileRefuses,
    ::testing::Values(
        BadFile{"SyntaxError", "[nodes.a]\nserver = \"unterminated\n",
                ":2: invalid TOML at column"},
        BadFile{"DuplicateKey", NODE_A "interface = \"eth1\"\n", ":5: invalid TOML at column"},
        BadFile{"NoNodes", "[defaults]\ninterface = \"eth0\"\n",
                ": nodes: no nodes: describe each one in a [nodes.NAME] table"},
        BadFile{"EmptyFile", "", ": nodes: no nodes"},
        BadFile{"NodesNotATable", "nodes = 3\n",
                ":1: nodes: expected a table ([nodes]), found an integer"},
        BadFile{"UnknownTopLevelKey", NODE_A "[node.b]\n",
                ":5: node: unknown key (the top level takes defaults, tls, nodes)"},
        BadFile{"UnknownNodeKey", "[nodes.a]\nserver = \"unix:/a\"\nadresses = [\"10.0.0.1\"]\n",
                ":3: nodes.a.adresses: unknown key (nodes.a takes server, addresses, interface, "
                "netns, tls)"},
        BadFile{"UnknownDefaultsKey", "[defaults]\nserver = \"x\"\n" NODE_A,
                ":2: defaults.server: unknown key (defaults takes interface, netns)"},
        BadFile{"UnknownTlsKey", "[tls]\ncafile = \"x\"\n" NODE_A,
                ":2: tls.cafile: unknown key (tls takes ca, cert, key, server-name, insecure)"},
        BadFile{"UnknownNodeTlsKey", NODE_A "[nodes.a.tls]\nkey_file = \"k\"\n",
                ":6: nodes.a.tls.key_file: unknown key"},
        BadFile{"BadNodeName", "[nodes.\"n 1\"]\nserver = \"unix:/a\"\n",
                ":1: nodes.\"n 1\": node name \"n 1\" may only use letters, digits, '-' and '_'"},
        BadFile{"NodeNameWithComma", "[nodes.\"a,b\"]\n", ":1: nodes.\"a,b\": node name"},
        BadFile{"NodeNameWithColon", "[nodes.\"a:b\"]\n", ":1: nodes.\"a:b\": node name"},
        BadFile{"NodeNameStartsWithDash", "[nodes.-a]\n",
                ":1: nodes.-a: node name \"-a\" must start with a letter or digit"},
        BadFile{"NodeNotATable", "[nodes]\na = \"10.0.0.1\"\n",
                ":2: nodes.a: expected a table ([nodes.a]), found a string"},
        BadFile{"NoServer", "[nodes.a]\naddresses = [\"10.0.0.1\"]\n",
                ":1: nodes.a: no server: give its chaosnetd"},
        BadFile{"ServerNotAString", "[nodes.a]\nserver = 7443\n",
                ":2: nodes.a.server: expected a string, found an integer"},
        BadFile{"EmptyServer", "[nodes.a]\nserver = \"\"\n", ":2: nodes.a.server: is empty"},
        BadFile{"BadServer", "[nodes.a]\nserver = \"10.0.0.1\"\n",
                ":2: nodes.a.server: \"10.0.0.1\": no port"},
        BadFile{"BadServerV6", "[nodes.a]\nserver = \"fd00::1:7443\"\n",
                ":2: nodes.a.server: \"fd00::1:7443\": write an IPv6 address in brackets"},
        BadFile{"NoAddresses", "[nodes.a]\nserver = \"unix:/a\"\n",
                ":1: nodes.a: no addresses: list the addresses other nodes reach it by"},
        BadFile{"AddressesNotAnArray",
                "[nodes.a]\nserver = \"unix:/a\"\naddresses = \"10.0.0.1\"\n",
                ":3: nodes.a.addresses: expected an array of strings, e.g. [\"10.0.0.1\"], found "
                "a string"},
        BadFile{"AddressesEmpty", "[nodes.a]\nserver = \"unix:/a\"\naddresses = []\n",
                ":3: nodes.a.addresses: is empty; give at least one address"},
        BadFile{"AddressNotAString", "[nodes.a]\nserver = \"unix:/a\"\naddresses = [\n 1 ]\n",
                ":4: nodes.a.addresses: expected an address string, found an integer"},
        BadFile{"BadAddress",
                "[nodes.a]\nserver = \"unix:/a\"\naddresses = [\"10.0.0.1\",\n \"10.0.0.300\"]\n",
                ":4: nodes.a.addresses: invalid CIDR \"10.0.0.300\""},
        BadFile{"AddressWithPrefix",
                "[nodes.a]\nserver = \"unix:/a\"\naddresses = [\"10.0.0.0/24\"]\n",
                ":3: nodes.a.addresses: \"10.0.0.0/24\" is a prefix"},
        BadFile{"AddressTwice",
                "[nodes.a]\nserver = \"unix:/a\"\naddresses = [\"fd00::1\", \"fd00:0::1\"]\n",
                ":3: nodes.a.addresses: \"fd00:0::1\" is listed twice"},
        BadFile{"AddressInTwoNodes",
                NODE_A "[nodes.b]\nserver = \"unix:/b\"\naddresses = "
                       "[\"10.0.0.1\"]\ninterface = \"eth0\"\n",
                ":5: nodes.b.addresses: 10.0.0.1/32 is also an address of a"},
        BadFile{"NoInterface", "[nodes.a]\nserver = \"unix:/a\"\naddresses = [\"10.0.0.1\"]\n",
                ":1: nodes.a: no interface: set interface here or in [defaults]"},
        BadFile{"BadInterface",
                "[nodes.a]\nserver = \"unix:/a\"\naddresses = [\"10.0.0.1\"]\n"
                "interface = \"eth0/1\"\n",
                ":4: nodes.a.interface: \"eth0/1\" contains '/'"},
        BadFile{"BadDefaultInterface",
                "[defaults]\ninterface = \"a-very-long-interface\"\n[nodes.a]\nserver = "
                "\"unix:/a\"\naddresses = [\"10.0.0.1\"]\n",
                ":2: defaults.interface: \"a-very-long-interface\" is 21 bytes long"},
        BadFile{"NetnsNotAString", NODE_A "netns = 3\n",
                ":5: nodes.a.netns: expected a string, found an integer"},
        BadFile{"SamePlace",
                NODE_A "[nodes.b]\nserver = \"unix:///a\"\naddresses = "
                       "[\"10.0.0.2\"]\ninterface = \"eth0\"\n",
                ":5: nodes.b: same server, netns and interface as a"},
        BadFile{"TcpWithoutCa",
                "[nodes.a]\nserver = \"10.0.0.1:7443\"\naddresses = [\"10.0.0.1\"]\n"
                "interface = \"eth0\"\n",
                ":1: nodes.a: the server is TCP: set tls.ca ([tls] or [nodes.a.tls]), or "
                "tls.insecure = true"},
        BadFile{"CertWithoutKey",
                "[tls]\nca = \"ca.pem\"\ncert = \"c.pem\"\n[nodes.a]\nserver = "
                "\"10.0.0.1:7443\"\naddresses = [\"10.0.0.1\"]\ninterface = \"eth0\"\n",
                ":3: nodes.a.tls: cert and key go together"},
        BadFile{"InsecureWithCa", "[tls]\ninsecure = true\nserver-name = \"x\"\n" NODE_A,
                ":3: tls: insecure = true (plaintext) cannot be combined with ca, cert, key or "
                "server-name in one table"},
        BadFile{"NodeInsecureWithCert", NODE_A "tls = { cert = \"c\", insecure = true }\n",
                ":5: nodes.a.tls: insecure = true (plaintext) cannot be combined"},
        BadFile{"InsecureNotABool", "[tls]\ninsecure = \"yes\"\n" NODE_A,
                ":2: tls.insecure: expected true or false, found a string"},
        BadFile{"TlsNotATable", "tls = \"x\"\n" NODE_A,
                ":1: tls: expected a table ([tls]), found a string"},
        BadFile{"NulInString", "[defaults]\ninterface = \"eth\\u00000\"\n" NODE_A,
                ":2: defaults.interface: contains a NUL character"}),
    [](const ::testing::TestParamInfo<BadFile>& info) { return std::string(info.param.name); });

TEST(ParseFleetFile, IgnoresTlsForUnixSocketsLikeTheCli) {
  // A CLI user keeps CHAOSNET_TLS_* exported; a fleet keeps [tls] for its TCP
  // nodes. Neither applies to a local socket, so neither is checked there.
  auto fleet = ParseFleetFile("[tls]\ncert = \"c.pem\"\n" NODE_A, "f.toml");
  ASSERT_TRUE(fleet.ok()) << fleet.status().message();
  EXPECT_EQ(fleet->nodes[0].tls, TlsSettings{});
}

TEST(ParseFleetFile, TheNearestTlsTableDecides) {
  constexpr char kText[] = R"(
[defaults]
interface = "eth0"
[tls]
insecure = true
[nodes.plain]
server = "10.0.0.1:7000"
addresses = ["10.0.0.1"]
[nodes.secure]
server = "10.0.0.2:7443"
addresses = ["10.0.0.2"]
tls = { ca = "/ca.pem" }
[nodes.off]
server = "10.0.0.3:7443"
addresses = ["10.0.0.3"]
tls = { insecure = false }
)";
  // "off" turns plaintext off but has no CA from anywhere.
  auto refused = ParseFleetFile(kText, "f.toml");
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(refused.status().message(), StartsWith("f.toml:13: nodes.off: the server is TCP"));

  std::string text = kText;
  text.replace(text.find("insecure = false"), 16, "insecure = false, ca = \"/off.pem\"");
  auto fleet = ParseFleetFile(text, "f.toml");
  ASSERT_TRUE(fleet.ok()) << fleet.status().message();
  EXPECT_TRUE(fleet->nodes[0].tls.insecure);
  EXPECT_FALSE(fleet->nodes[1].tls.insecure);  // its own keys mean TLS
  EXPECT_EQ(fleet->nodes[1].tls.ca_file, "/ca.pem");
  EXPECT_FALSE(fleet->nodes[2].tls.insecure);
  EXPECT_EQ(fleet->nodes[2].tls.ca_file, "/off.pem");
}

class TempFile {
 public:
  explicit TempFile(const std::string& text) {
    char name[] = "/tmp/chaosnet-fleet-XXXXXX";
    const int fd = mkstemp(name);
    EXPECT_GE(fd, 0);
    close(fd);
    path_ = name;
    std::ofstream(path_) << text;
  }
  ~TempFile() { std::filesystem::remove(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(LoadFleetFile, ReadsAFileAndNamesItInErrors) {
  TempFile good(kExample);
  auto fleet = LoadFleetFile(good.path());
  ASSERT_TRUE(fleet.ok()) << fleet.status().message();
  EXPECT_EQ(fleet->nodes.size(), 5u);
  EXPECT_EQ(fleet->source, good.path());

  TempFile bad("[nodes.a]\nserver = 1\n");
  auto refused = LoadFleetFile(bad.path());
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(refused.status().message(), StartsWith(bad.path() + ":2: nodes.a.server: "));

  auto missing = LoadFleetFile("/nonexistent/fleet.toml");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(missing.status().message(),
              HasSubstr("cannot read fleet file /nonexistent/fleet.toml"));

  auto folder = LoadFleetFile("/tmp");
  ASSERT_FALSE(folder.ok());
  EXPECT_THAT(folder.status().message(), HasSubstr("not a regular file"));

  TempFile huge(std::string((1 << 20) + 1, '#'));
  auto too_big = LoadFleetFile(huge.path());
  ASSERT_FALSE(too_big.ok());
  EXPECT_THAT(too_big.status().message(), HasSubstr("larger than 1 MiB"));
}

}  // namespace
}  // namespace chaosnet::fleet
