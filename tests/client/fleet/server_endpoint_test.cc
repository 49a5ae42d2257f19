#include "client/fleet/server_endpoint.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/socket.h>

#include <ostream>
#include <string>

#include "common/net_parse.h"

namespace chaosnet::fleet {
namespace {

using ::testing::HasSubstr;

struct TcpCase {
  const char* text;
  const char* host;
  uint16_t port;
  const char* address;  // FormatCidr of the literal, "" for a name
  const char* target;
  friend std::ostream& operator<<(std::ostream& os, const TcpCase& c) { return os << c.text; }
};

class FleetParsesTcp : public ::testing::TestWithParam<TcpCase> {};

TEST_P(FleetParsesTcp, IntoHostPortAndLiteralAddress) {
  const TcpCase& c = GetParam();
  auto endpoint = ParseServerEndpoint(c.text);
  ASSERT_TRUE(endpoint.ok()) << c.text << ": " << endpoint.status().message();
  EXPECT_EQ(endpoint->kind, ServerEndpoint::Kind::kTcp);
  EXPECT_EQ(endpoint->host, c.host);
  EXPECT_EQ(endpoint->port, c.port);
  if (*c.address == '\0') {
    EXPECT_FALSE(endpoint->address.has_value());
  } else {
    ASSERT_TRUE(endpoint->address.has_value());
    EXPECT_EQ(FormatCidr(*endpoint->address), c.address);
  }
  EXPECT_EQ(endpoint->Target(), c.target);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, FleetParsesTcp,
    ::testing::Values(TcpCase{"10.0.0.1:7443", "10.0.0.1", 7443, "10.0.0.1/32", "10.0.0.1:7443"},
                      TcpCase{"[fd00::1]:7443", "fd00::1", 7443, "fd00::1/128", "[fd00::1]:7443"},
                      TcpCase{"[::1]:1", "::1", 1, "::1/128", "[::1]:1"},
                      TcpCase{"db-1.example.org:65535", "db-1.example.org", 65535, "",
                              "db-1.example.org:65535"},
                      TcpCase{"node_3:7443", "node_3", 7443, "", "node_3:7443"},
                      TcpCase{"localhost:7070", "localhost", 7070, "", "localhost:7070"}));

TEST(FleetParseServerEndpoint, ReadsUnixSockets) {
  auto plain = ParseServerEndpoint("unix:/run/chaosnetd/chaosnetd.sock");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->kind, ServerEndpoint::Kind::kUnixSocket);
  EXPECT_EQ(plain->socket_path, "/run/chaosnetd/chaosnetd.sock");
  EXPECT_EQ(plain->Target(), "unix:/run/chaosnetd/chaosnetd.sock");
  // gRPC's URI form names the same socket.
  auto uri = ParseServerEndpoint("unix:///run/chaosnetd/chaosnetd.sock");
  ASSERT_TRUE(uri.ok());
  EXPECT_EQ(*uri, *plain);
  auto relative = ParseServerEndpoint("unix:n1.sock");
  ASSERT_TRUE(relative.ok());
  EXPECT_EQ(relative->socket_path, "n1.sock");
  // sun_path holds 107 bytes and the NUL.
  EXPECT_TRUE(ParseServerEndpoint("unix:/" + std::string(106, 'a')).ok());
}

struct BadServer {
  std::string text;
  const char* message;
  friend std::ostream& operator<<(std::ostream& os, const BadServer& c) { return os << c.message; }
};

class FleetRefusesServer : public ::testing::TestWithParam<BadServer> {};

TEST_P(FleetRefusesServer, WithTheAcceptedForms) {
  auto endpoint = ParseServerEndpoint(GetParam().text);
  ASSERT_FALSE(endpoint.ok()) << GetParam().text;
  EXPECT_THAT(endpoint.status().message(), HasSubstr(GetParam().message));
  EXPECT_THAT(endpoint.status().message(), HasSubstr("(use unix:PATH, HOST:PORT or [IPV6]:PORT)"));
  EXPECT_EQ(endpoint.status().message().find('\n'), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, FleetRefusesServer,
    ::testing::Values(BadServer{"10.0.0.1", "no port"}, BadServer{"db1", "no port"},
                      BadServer{"", "no port"}, BadServer{":7443", "no host before :PORT"},
                      BadServer{"10.0.0.1:", "the port must be a number from 1 to 65535"},
                      BadServer{"10.0.0.1:0", "the port must be a number"},
                      BadServer{"10.0.0.1:65536", "the port must be a number"},
                      BadServer{"10.0.0.1:80-90", "the port must be a number"},
                      BadServer{"10.0.0.1:+80", "the port must be a number"},
                      BadServer{"fd00::1:7443", "write an IPv6 address in brackets"},
                      BadServer{"[fd00::1:7443", "needs a closing bracket"},
                      BadServer{"[]:7443", "needs a closing bracket"},
                      BadServer{"[10.0.0.1]:7443", "in brackets is not an IPv6 address"},
                      BadServer{"[fd00::/64]:7443", "in brackets is not an IPv6 address"},
                      BadServer{"[fe80::1%eth0]:7443", "in brackets is not an IPv6 address"},
                      BadServer{"10.0.0.256:7443", "\"10.0.0.256\" is not an IPv4 address"},
                      BadServer{"1.2.3:7443", "is not an IPv4 address"},
                      BadServer{"db 1:7443", "is not a host name or address"},
                      BadServer{"db..1:7443", "is not a host name or address"},
                      BadServer{"db1.:7443", "is not a host name or address"},
                      BadServer{std::string(64, 'a') + ".org:1", "is not a host name"},
                      BadServer{"unix:", "unix: needs a socket path"},
                      BadServer{"unix://run/x.sock", "unix:// must be followed by /PATH"},
                      BadServer{"unix:/" + std::string(107, 'a'),
                                "the socket path is 108 bytes; Unix sockets allow at most 107"},
                      BadServer{std::string("unix:/a\0b", 9), "contains a NUL byte"}));

}  // namespace
}  // namespace chaosnet::fleet
