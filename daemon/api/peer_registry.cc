#include "daemon/api/peer_registry.h"

namespace chaosnet::api {

void PeerRegistry::Register(int fd, core::LocalCredentials credentials) {
  std::lock_guard lock(mu_);
  by_fd_.insert_or_assign(fd, std::move(credentials));
}

std::optional<core::LocalCredentials> PeerRegistry::Find(int fd) const {
  std::lock_guard lock(mu_);
  auto it = by_fd_.find(fd);
  if (it == by_fd_.end()) return std::nullopt;
  return it->second;
}

}  // namespace chaosnet::api
