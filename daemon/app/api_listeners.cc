#include "daemon/app/api_listeners.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "daemon/app/metrics_server.h"

namespace chaosnet::app {
namespace {

std::string Errno(int err) { return std::strerror(err); }

}  // namespace

Result<state::UniqueFd> BindUnixListener(const std::string& path, int backlog) {
  sockaddr_un addr{};
  if (path.size() >= sizeof(addr.sun_path)) {
    return InvalidArgument("socket path is too long (max " +
                           std::to_string(sizeof(addr.sun_path) - 1) + " bytes): " + path);
  }
  state::UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return Unavailable("cannot make a Unix socket: " + Errno(errno));
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.c_str(), path.size());
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    return Unavailable("cannot bind unix:" + path + ": " + Errno(errno));
  }
  if (::listen(fd.get(), backlog) != 0) {
    return Unavailable("cannot listen on unix:" + path + ": " + Errno(errno));
  }
  return fd;
}

std::string TcpListener::Address() const {
  return (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" +
         std::to_string(port);
}

Result<TcpListener> BindTcpListener(const std::string& listen, const std::string& flag,
                                    int backlog) {
  auto parsed = ParseListenAddress(listen);
  if (!parsed.ok()) return InvalidArgument(flag + ": " + parsed.status().message());
  const auto& [host, port] = *parsed;
  sockaddr_storage storage{};
  socklen_t length = 0;
  int family = AF_INET;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&storage);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&storage);
  if (::inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    length = sizeof(*v4);
  } else if (::inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
    family = AF_INET6;
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    length = sizeof(*v6);
  } else {
    return InvalidArgument(flag + ": \"" + host + "\" is not an IP address");
  }
  TcpListener listener;
  listener.host = host;
  listener.fd = state::UniqueFd(::socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!listener.fd.valid()) return Unavailable(flag + ": cannot make a socket: " + Errno(errno));
  const int one = 1;
  ::setsockopt(listener.fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (family == AF_INET6) {
    ::setsockopt(listener.fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
  }
  if (::bind(listener.fd.get(), reinterpret_cast<sockaddr*>(&storage), length) != 0) {
    return Unavailable(flag + " " + listen + ": " + Errno(errno));
  }
  if (::listen(listener.fd.get(), backlog) != 0) {
    return Unavailable(flag + " " + listen + ": cannot listen: " + Errno(errno));
  }
  sockaddr_storage bound{};
  socklen_t bound_length = sizeof(bound);
  ::getsockname(listener.fd.get(), reinterpret_cast<sockaddr*>(&bound), &bound_length);
  listener.port = ntohs(family == AF_INET ? reinterpret_cast<sockaddr_in*>(&bound)->sin_port
                                          : reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port);
  return listener;
}

Result<core::LocalCredentials> PeerCredentials(int fd) {
  ucred cred{};
  socklen_t length = sizeof(cred);
  if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &length) != 0) {
    return Unavailable("SO_PEERCRED: " + Errno(errno));
  }
  core::LocalCredentials out;
  out.uid = cred.uid;
  out.gid = cred.gid;
  out.pid = cred.pid;
  // Supplementary groups, for group: rules; none when the kernel cannot say.
  std::vector<gid_t> groups(64);
  socklen_t groups_length = groups.size() * sizeof(gid_t);
  int rc = ::getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups.data(), &groups_length);
  if (rc != 0 && errno == ERANGE) {
    groups.resize(groups_length / sizeof(gid_t));
    rc = ::getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups.data(), &groups_length);
  }
  if (rc == 0) {
    groups.resize(groups_length / sizeof(gid_t));
    out.groups.assign(groups.begin(), groups.end());
  }
  return out;
}

}  // namespace chaosnet::app
