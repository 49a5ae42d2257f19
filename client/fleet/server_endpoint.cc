#include "client/fleet/server_endpoint.h"

#include <sys/socket.h>
#include <sys/un.h>

#include <string>

#include "common/net_parse.h"
#include "common/units.h"

namespace chaosnet::fleet {
namespace {

constexpr char kForms[] = " (use unix:PATH, HOST:PORT or [IPV6]:PORT)";
// sun_path holds the path and its terminating NUL.
constexpr size_t kMaxSocketPathBytes = sizeof(sockaddr_un::sun_path) - 1;
constexpr size_t kMaxHostNameBytes = 253;
constexpr size_t kMaxLabelBytes = 63;

Status ServerError(std::string_view text, const std::string& why) {
  return InvalidArgument(units::QuoteInput(text) + ": " + why + kForms);
}

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

bool IsDigitsAndDots(std::string_view host) {
  return host.find_first_not_of("0123456789.") == std::string_view::npos;
}

// RFC 1123 names, plus '_' (container runtimes hand those out).
bool IsHostName(std::string_view host) {
  if (host.empty() || host.size() > kMaxHostNameBytes) return false;
  size_t label = 0;
  for (char c : host) {
    if (c == '.') {
      if (label == 0) return false;
      label = 0;
    } else if (IsNameChar(c) && ++label <= kMaxLabelBytes) {
      continue;
    } else {
      return false;
    }
  }
  return label != 0;
}

Result<ServerEndpoint> ParseUnix(std::string_view text) {
  std::string_view path = text.substr(5);
  // gRPC's URI form: unix:///abs/path. unix://host/... names an authority,
  // which gRPC refuses for unix sockets.
  if (path.starts_with("//")) {
    path.remove_prefix(2);
    if (!path.starts_with("/")) return ServerError(text, "unix:// must be followed by /PATH");
  }
  if (path.empty()) return ServerError(text, "unix: needs a socket path");
  if (path.find('\0') != std::string_view::npos) {
    return ServerError(text, "the socket path contains a NUL byte");
  }
  if (path.size() > kMaxSocketPathBytes) {
    return ServerError(text, "the socket path is " + std::to_string(path.size()) +
                                 " bytes; Unix sockets allow at most " +
                                 std::to_string(kMaxSocketPathBytes));
  }
  ServerEndpoint endpoint;
  endpoint.kind = ServerEndpoint::Kind::kUnixSocket;
  endpoint.socket_path = std::string(path);
  return endpoint;
}

Result<ServerEndpoint> ParseTcp(std::string_view text) {
  const size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) return ServerError(text, "no port");
  std::string_view host = text.substr(0, colon);
  const std::string_view port_text = text.substr(colon + 1);

  ServerEndpoint endpoint;
  endpoint.kind = ServerEndpoint::Kind::kTcp;
  if (host.starts_with("[")) {
    if (!host.ends_with("]") || host.size() < 3) {
      return ServerError(text, "an IPv6 address needs a closing bracket before :PORT");
    }
    host = host.substr(1, host.size() - 2);
    auto address = ParseCidr(host);
    if (host.find('/') != std::string_view::npos || !address.ok() || address->family != AF_INET6) {
      return ServerError(text, units::QuoteInput(host) + " in brackets is not an IPv6 address");
    }
    endpoint.address = *address;
  } else if (host.find(':') != std::string_view::npos) {
    return ServerError(text, "write an IPv6 address in brackets, e.g. [fd00::1]:7443");
  } else if (host.empty()) {
    return ServerError(text, "no host before :PORT");
  } else if (IsDigitsAndDots(host)) {
    auto address = ParseCidr(host);
    if (!address.ok())
      return ServerError(text, units::QuoteInput(host) + " is not an IPv4 address");
    endpoint.address = *address;
  } else if (!IsHostName(host)) {
    return ServerError(text, units::QuoteInput(host) + " is not a host name or address");
  }
  endpoint.host = std::string(host);

  auto port = ParsePortRange(port_text);
  if (port_text.find('-') != std::string_view::npos || !port.ok()) {
    return ServerError(text, "the port must be a number from 1 to 65535");
  }
  endpoint.port = port->first;
  return endpoint;
}

}  // namespace

std::string ServerEndpoint::Target() const {
  if (kind == Kind::kUnixSocket) return "unix:" + socket_path;
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

Result<ServerEndpoint> ParseServerEndpoint(std::string_view text) {
  if (text.starts_with("unix:")) return ParseUnix(text);
  return ParseTcp(text);
}

}  // namespace chaosnet::fleet
