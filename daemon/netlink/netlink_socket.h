// One NETLINK_ROUTE socket (RAII over libnl's nl_sock) and the one function
// that sends any request and collects the kernel's answer. Extended acks are
// on, so errors come with the kernel's own text. Not thread-safe: one owner.
#pragma once

#include <functional>
#include <memory>

#include "common/result.h"
#include "daemon/netlink/netlink_errors.h"
#include "daemon/netlink/nl_message.h"

struct nl_sock;
struct nlmsghdr;

namespace chaosnet::netlink {

class NetlinkSocket {
 public:
  // Connects in the calling thread's current network namespace.
  static Result<NetlinkSocket> Open();

  // Sends `request` (filling seq and port id) and reads until the kernel's
  // ACK, error or end of dump. Every data message of the answer (a dump's
  // entries, a GET's reply) goes to `on_reply` if given.
  using ReplyHandler = std::function<void(const nlmsghdr*)>;
  KernelError Transact(NlMessage& request, const ReplyHandler& on_reply = nullptr);

  nl_sock* get() const { return sock_.get(); }

 private:
  struct Free {
    void operator()(nl_sock* s) const;
  };
  explicit NetlinkSocket(nl_sock* s) : sock_(s) {}
  std::unique_ptr<nl_sock, Free> sock_;
};

}  // namespace chaosnet::netlink
