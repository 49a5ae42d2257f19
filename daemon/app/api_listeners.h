// The API's listening sockets. The daemon binds them itself, before it
// touches the kernel, so that a port in use stops it early and a TCP port
// given as 0 is known (and protected from faults) before any tree is built;
// and it accepts on them itself, which is how a Unix socket caller's kernel
// credentials are read before the connection is handed to gRPC.
#pragma once

#include <cstdint>
#include <string>

#include "common/result.h"
#include "daemon/core/caller.h"
#include "daemon/state/unique_fd.h"

namespace chaosnet::app {

// A listening Unix stream socket at `path` (which must not exist).
Result<state::UniqueFd> BindUnixListener(const std::string& path, int backlog);

struct TcpListener {
  state::UniqueFd fd;
  std::string host;             // as given
  uint16_t port = 0;            // as bound (a requested 0 resolved)
  std::string Address() const;  // "127.0.0.1:7443", "[::1]:7443"
};

// "HOST:PORT" / "[V6]:PORT", HOST an IP address; `flag` names the option in
// errors.
Result<TcpListener> BindTcpListener(const std::string& listen, const std::string& flag,
                                    int backlog);

// SO_PEERCRED and SO_PEERGROUPS of a connected Unix socket (no user name).
Result<core::LocalCredentials> PeerCredentials(int fd);

}  // namespace chaosnet::app
