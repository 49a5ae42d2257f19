// A node's `server`: how the coordinator reaches that node's chaosnetd, and,
// for a TCP listener, the endpoint the experiment must never cut (the plan
// lists it as a control-plane exemption on every other node).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "daemon/model/fault_spec.h"

namespace chaosnet::fleet {

struct ServerEndpoint {
  enum class Kind { kUnixSocket, kTcp };
  Kind kind = Kind::kUnixSocket;
  std::string socket_path;  // kUnixSocket: as written (the fleet file resolves relative ones)
  std::string host;         // kTcp: a name or an address, without IPv6 brackets
  uint16_t port = 0;        // kTcp
  // kTcp with an address for a host: that one address (/32 or /128). A name
  // has none here; the plan uses the node's own addresses for it.
  std::optional<model::Cidr> address;

  // The gRPC target: "unix:/run/x.sock", "db1:7443", "10.0.0.1:7443", "[fd00::1]:7443".
  std::string Target() const;
  bool operator==(const ServerEndpoint&) const = default;
};

// "unix:PATH" (also gRPC's "unix:///abs/path"), "HOST:PORT", "[IPV6]:PORT".
// HOST is a DNS name (letters, digits, '-', '_', dot-separated labels) or an
// IPv4 literal; an IPv6 literal needs brackets. PORT is 1..65535. A socket
// path fits sun_path (at most 107 bytes). INVALID_ARGUMENT, one line, with
// the accepted forms.
Result<ServerEndpoint> ParseServerEndpoint(std::string_view text);

}  // namespace chaosnet::fleet
