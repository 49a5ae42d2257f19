#include "daemon/app/namespace_kernels.h"

#include "daemon/netns/in_netns.h"

namespace chaosnet::app {

Result<core::NamespaceKernel> NamespaceKernels::Acquire(const std::string& netns) {
  if (netns.empty()) return core::NamespaceKernel{&own_, ""};
  ASSIGN_OR_RETURN(auto ref, netns::NetnsRef::Open(netns));
  if (ref.IsCallersNamespace()) return core::NamespaceKernel{&own_, ""};
  const std::string key = ref.IdentityKey();
  auto it = open_.find(key);
  if (it == open_.end()) {
    ASSIGN_OR_RETURN(auto sock, netns::OpenNetlinkSocketIn(ref));
    ASSIGN_OR_RETURN(auto kernel, netlink::NetlinkKernel::Adopt(std::move(sock)));
    it = open_.emplace(key, Open{std::move(ref), std::move(kernel), 0}).first;
  }
  ++it->second.users;
  return core::NamespaceKernel{it->second.kernel.get(), key};
}

void NamespaceKernels::Release(const std::string& key) {
  auto it = open_.find(key);
  if (it == open_.end()) return;
  if (--it->second.users <= 0) open_.erase(it);
}

bool NamespaceKernels::StillNamed(const std::string& key) {
  if (key.empty()) return true;
  auto it = open_.find(key);
  return it != open_.end() && it->second.ref.StillNamesSameNamespace();
}

}  // namespace chaosnet::app
