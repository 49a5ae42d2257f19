#include "daemon/netns/in_netns.h"

#include <sched.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <thread>

namespace chaosnet::netns {

Result<netlink::NetlinkSocket> OpenNetlinkSocketIn(const NetnsRef& ns) {
  std::optional<Result<netlink::NetlinkSocket>> result;
  std::thread joiner([&] {
    if (::setns(ns.fd(), CLONE_NEWNET) != 0) {
      const int err = errno;
      if (err == EPERM) {
        result.emplace(
            PermissionDenied("entering network namespace " + ns.spec() +
                             " needs CAP_SYS_ADMIN and the setns system call (under systemd: "
                             "install the drop-in systemd/netns.conf)"));
      } else {
        result.emplace(FailedPrecondition("cannot enter network namespace " + ns.spec() + ": " +
                                          std::strerror(err)));
      }
      return;
    }
    result.emplace(netlink::NetlinkSocket::Open());
  });
  joiner.join();
  return std::move(*result);
}

}  // namespace chaosnet::netns
