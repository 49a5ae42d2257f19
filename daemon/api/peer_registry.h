// The kernel's credentials of every Unix socket connection the daemon hands to
// gRPC, by file descriptor. gRPC names such a connection's peer "fd:N", which
// is how a call finds who made it. Written by the accepting loop, read by
// gRPC's threads at the start of each call, while the call holds its
// connection (and so its descriptor) open: an entry is only ever replaced by
// a newer connection on the same number, never read stale.
#pragma once

#include <mutex>
#include <optional>
#include <unordered_map>

#include "daemon/core/caller.h"

namespace chaosnet::api {

class PeerRegistry {
 public:
  void Register(int fd, core::LocalCredentials credentials);
  std::optional<core::LocalCredentials> Find(int fd) const;

 private:
  mutable std::mutex mu_;
  std::unordered_map<int, core::LocalCredentials> by_fd_;
};

}  // namespace chaosnet::api
