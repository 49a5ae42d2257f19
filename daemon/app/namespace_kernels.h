// core::KernelProvider for the daemon: its own namespace through the kernel it
// opened at start, and every other namespace a fault names through a netlink
// socket created inside that namespace (a socket stays bound to the namespace
// it was made in). Namespaces are keyed by identity (device and inode of the
// nsfs file), so two spellings of one namespace share one socket; a socket
// closes when the last fault in its namespace ends.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "daemon/core/kernel_provider.h"
#include "daemon/netlink/netlink_kernel.h"
#include "daemon/netns/netns_ref.h"

namespace chaosnet::app {

class NamespaceKernels : public core::KernelProvider {
 public:
  explicit NamespaceKernels(netlink::NetlinkKernel& own) : own_(own) {}

  Result<core::NamespaceKernel> Acquire(const std::string& netns) override;
  void Release(const std::string& key) override;
  bool StillNamed(const std::string& key) override;

 private:
  struct Open {
    netns::NetnsRef ref;
    std::unique_ptr<netlink::NetlinkKernel> kernel;
    int users = 0;
  };
  netlink::NetlinkKernel& own_;
  std::map<std::string, Open> open_;
};

}  // namespace chaosnet::app
