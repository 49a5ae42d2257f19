// Which kernel view a fault acts through: the daemon's own network namespace,
// or another one named by FaultSpec::netns (a container's). The daemon's
// implementation (app/) opens one netlink socket per namespace in use and
// keeps it until no fault needs it; core tests map names to fake kernels.
#pragma once

#include <string>

#include "common/result.h"
#include "daemon/kernel/kernel.h"

namespace chaosnet::core {

struct NamespaceKernel {
  kernel::Kernel* kernel = nullptr;  // owned by the provider; valid until Release
  // Identifies the namespace itself, whatever spelling named it (a name and
  // "pid:N" of a process inside it give the same key). "" for the daemon's own.
  std::string key;
};

class KernelProvider {
 public:
  virtual ~KernelProvider() = default;

  // The kernel of the namespace `netns` names ("" = the daemon's own). Opens
  // it on first use; every successful Acquire is paired with one Release.
  // NOT_FOUND / INVALID_ARGUMENT / PERMISSION_DENIED with a message when the
  // namespace cannot be used.
  virtual Result<NamespaceKernel> Acquire(const std::string& netns) = 0;
  virtual void Release(const std::string& key) = 0;

  // False once the name that opened namespace `key` no longer refers to it:
  // `ip netns del`, the container's process exited, the path was unmounted.
  // The daemon's open socket keeps such a namespace alive, so its faults must
  // end (and the socket close) for the namespace to go away.
  virtual bool StillNamed(const std::string& key) = 0;
};

// The daemon's own namespace only: other namespaces are refused. Used by core
// tests and by tools that never leave their namespace.
class SingleKernelProvider : public KernelProvider {
 public:
  explicit SingleKernelProvider(kernel::Kernel& kernel) : kernel_(kernel) {}
  Result<NamespaceKernel> Acquire(const std::string& netns) override {
    if (!netns.empty()) {
      return FailedPrecondition("network namespace " + netns +
                                ": this daemon acts in its own namespace only");
    }
    return NamespaceKernel{&kernel_, ""};
  }
  void Release(const std::string&) override {}
  bool StillNamed(const std::string&) override { return true; }

 private:
  kernel::Kernel& kernel_;
};

}  // namespace chaosnet::core
