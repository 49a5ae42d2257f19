#include "daemon/netlink/tc_monitor.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <initializer_list>
#include <iterator>
#include <thread>
#include <utility>
#include <vector>

namespace chaosnet::netlink {
namespace {

// Kernel notifications are built in NLMSG_GOODSIZE (at most 8 KiB) buffers; a
// link with many VFs can exceed that, which MSG_TRUNC reveals.
constexpr size_t kReceiveBufferBytes = 64 * 1024;

std::string Errno(const char* what) { return std::string(what) + ": " + std::strerror(errno); }

// A classic BPF socket filter that drops, before they are queued, the
// notifications no reader here wants: filter chains coming and going
// (RTM_NEWCHAIN/DELCHAIN, which the kernel sends with port id 0 when a
// block's first filter comes or its qdisc goes: ParseTcEvent ignores them),
// and, when `port` is not 0, everything caused by that port's requests. Each
// notification is a datagram of its own, so its first header is the one
// that counts. An absolute load reads big-endian, hence ntohl/ntohs of the
// host-order values.
Status AttachFilter(int fd, uint32_t port) {
  std::vector<sock_filter> code{
      BPF_STMT(BPF_LD | BPF_H | BPF_ABS, offsetof(nlmsghdr, nlmsg_type)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ntohs(RTM_NEWCHAIN), 0, 0),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ntohs(RTM_DELCHAIN), 0, 0),
  };
  if (port != 0) {
    code.push_back(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(nlmsghdr, nlmsg_pid)));
    code.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ntohl(port), 0, 0));
  }
  code.push_back(BPF_STMT(BPF_RET | BPF_K, 0xFFFFFFFFu));  // keep
  code.push_back(BPF_STMT(BPF_RET | BPF_K, 0));            // drop
  const std::size_t drop = code.size() - 1;
  for (std::size_t i = 0; i < code.size(); ++i) {
    if (code[i].code == (BPF_JMP | BPF_JEQ | BPF_K)) {
      code[i].jt = static_cast<uint8_t>(drop - (i + 1));
    }
  }
  sock_fprog program{static_cast<unsigned short>(code.size()), code.data()};
  if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &program, sizeof(program)) != 0) {
    return Internal(Errno("tc monitor: SO_ATTACH_FILTER"));
  }
  return Status::Ok();
}

Status SetUp(int fd, const TcMonitorOptions& options) {
  int domain = 0;
  int protocol = 0;
  socklen_t len = sizeof(domain);
  if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) != 0) {
    return InvalidArgument(Errno("tc monitor: not a socket"));
  }
  len = sizeof(protocol);
  if (getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &protocol, &len) != 0 || domain != AF_NETLINK ||
      protocol != NETLINK_ROUTE) {
    return InvalidArgument("tc monitor: the fd is not a NETLINK_ROUTE socket");
  }

  const int flags = fcntl(fd, F_GETFL);
  if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0)
    return Internal(Errno("tc monitor: O_NONBLOCK"));
  if (fcntl(fd, F_SETFD, FD_CLOEXEC) != 0) return Internal(Errno("tc monitor: FD_CLOEXEC"));

  // FORCE passes net.core.rmem_max but needs CAP_NET_ADMIN; the plain option
  // is the fallback for an unprivileged reader (tests, --dry-run tools).
  const int rcvbuf = options.receive_buffer_bytes;
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) != 0 &&
      setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)) != 0) {
    return Internal(Errno("tc monitor: SO_RCVBUF"));
  }

  // An unbound socket (port id 0) hears no notifications at all, although
  // joining the groups succeeds (seen on 6.18; tc_monitor_test would catch
  // it). Bind for a port id unless the caller's socket already has one.
  sockaddr_nl local{};
  len = sizeof(local);
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&local), &len) != 0) {
    return Internal(Errno("tc monitor: getsockname"));
  }
  if (local.nl_pid == 0) {
    sockaddr_nl addr{};
    addr.nl_family = AF_NETLINK;
    if (bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0) {
      return Internal(Errno("tc monitor: bind"));
    }
  }

  RETURN_IF_ERROR(AttachFilter(fd, options.ignored_port));

  for (const int group : {RTNLGRP_TC, RTNLGRP_LINK}) {
    if (setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &group, sizeof(group)) != 0) {
      return Internal(Errno("tc monitor: NETLINK_ADD_MEMBERSHIP"));
    }
  }
  return Status::Ok();
}

}  // namespace

TcMonitor::TcMonitor(int fd, const TcMonitorOptions& options)
    : fd_(fd), options_(options), buffer_(kReceiveBufferBytes) {}

TcMonitor::TcMonitor(TcMonitor&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      options_(other.options_),
      buffer_(std::move(other.buffer_)) {}

TcMonitor& TcMonitor::operator=(TcMonitor&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    options_ = other.options_;
    buffer_ = std::move(other.buffer_);
  }
  return *this;
}

TcMonitor::~TcMonitor() {
  if (fd_ >= 0) close(fd_);
}

Result<TcMonitor> TcMonitor::Open(const TcMonitorOptions& options) {
  const int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE);
  if (fd < 0) return Unavailable(Errno("tc monitor: cannot open a NETLINK_ROUTE socket"));
  return FromSocketFd(fd, options);
}

Result<TcMonitor> TcMonitor::OpenInNetns(const std::string& netns_path,
                                         const TcMonitorOptions& options) {
  const int ns = open(netns_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (ns < 0) return NotFound(Errno(("tc monitor: network namespace " + netns_path).c_str()));
  // setns() moves only the calling thread; a throwaway thread keeps the
  // caller's namespace untouched. The socket belongs to the namespace it was
  // created in, whoever reads it later.
  int fd = -1;
  std::string error;
  std::thread([&] {
    if (setns(ns, CLONE_NEWNET) != 0) {
      error = Errno(("setns " + netns_path).c_str());
      return;
    }
    fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE);
    if (fd < 0) error = Errno("socket");
  }).join();
  close(ns);
  if (fd < 0) return Unavailable("tc monitor: " + error);
  return FromSocketFd(fd, options);
}

Result<TcMonitor> TcMonitor::FromSocketFd(int fd, const TcMonitorOptions& options) {
  if (fd < 0) return InvalidArgument("tc monitor: invalid fd");
  TcMonitor monitor(fd, options);  // owns the fd from here on, also on error
  RETURN_IF_ERROR(SetUp(fd, options));
  return monitor;
}

Result<std::vector<TcEvent>> TcMonitor::ReadAvailable() {
  std::vector<TcEvent> events;
  bool resync_reported = false;
  auto resync = [&] {
    if (resync_reported) return;
    resync_reported = true;
    TcEvent e;
    e.kind = TcEventKind::kResync;
    events.push_back(std::move(e));
  };

  for (int datagrams = 0; datagrams < options_.max_datagrams_per_read; ++datagrams) {
    sockaddr_nl peer{};
    iovec iov{buffer_.data(), buffer_.size()};
    msghdr msg{};
    msg.msg_name = &peer;
    msg.msg_namelen = sizeof(peer);
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    const ssize_t n = recvmsg(fd_, &msg, MSG_DONTWAIT);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      // The kernel dropped notifications for lack of room; the error is
      // reported once and the socket goes on with what came after.
      if (errno == ENOBUFS) {
        resync();
        continue;
      }
      return Unavailable(Errno("tc monitor: receive failed"));
    }
    if (n == 0) break;
    if (msg.msg_flags & MSG_TRUNC) {
      resync();
      continue;
    }
    // Only the kernel speaks on these groups; anything else is not ours to trust.
    if (peer.nl_pid != 0) continue;

    int remaining = static_cast<int>(n);
    for (auto* h = reinterpret_cast<nlmsghdr*>(buffer_.data()); NLMSG_OK(h, remaining);
         h = NLMSG_NEXT(h, remaining)) {
      if (h->nlmsg_type == NLMSG_OVERRUN) {
        resync();
        continue;
      }
      auto parsed = ParseTcEvent(h);
      if (!parsed.ok()) {
        resync();
        continue;
      }
      if (parsed->has_value()) events.push_back(std::move(**parsed));
    }
  }
  return events;
}

}  // namespace chaosnet::netlink
