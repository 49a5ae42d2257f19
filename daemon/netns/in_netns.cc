#include "daemon/netns/in_netns.h"

#include <sched.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <thread>

namespace chaosnet::netns {

Status RunIn(const NetnsRef& ns, const std::function<void()>& work) {
  Status joined = Status::Ok();
  std::thread joiner([&] {
    if (::setns(ns.fd(), CLONE_NEWNET) != 0) {
      const int err = errno;
      if (err == EPERM) {
        joined = PermissionDenied("entering network namespace " + ns.spec() +
                                  " needs CAP_SYS_ADMIN and the setns system call (under systemd: "
                                  "install the drop-in systemd/netns.conf)");
      } else {
        joined = FailedPrecondition("cannot enter network namespace " + ns.spec() + ": " +
                                    std::strerror(err));
      }
      return;
    }
    work();
  });
  joiner.join();
  return joined;
}

Result<netlink::NetlinkSocket> OpenNetlinkSocketIn(const NetnsRef& ns) {
  std::optional<Result<netlink::NetlinkSocket>> result;
  RETURN_IF_ERROR(RunIn(ns, [&] { result.emplace(netlink::NetlinkSocket::Open()); }));
  return std::move(*result);
}

}  // namespace chaosnet::netns
