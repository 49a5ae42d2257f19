// Watches one network namespace for changes to tc objects and links: a
// NETLINK_ROUTE socket of its own (not the request socket, whose replies must
// not interleave with notifications) joined to RTNLGRP_TC and RTNLGRP_LINK.
//
// The socket is non-blocking. The daemon's event loop waits for fd() to become
// readable (Boost.Asio posix::stream_descriptor::async_wait) and then calls
// ReadAvailable(), which never blocks. Move-only; closes the socket on scope exit.
//
// Overruns are reported, not hidden: the socket does NOT set NETLINK_NO_ENOBUFS,
// so when the kernel had to drop notifications the next read fails with
// ENOBUFS, and ReadAvailable returns a kResync event. The reader must then
// re-verify what it owns by dumping, since any event may have been lost. A
// large receive buffer makes that rare.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/result.h"
#include "daemon/netlink/tc_event_parser.h"

namespace chaosnet::netlink {

struct TcMonitorOptions {
  // SO_RCVBUFFORCE (with CAP_NET_ADMIN), else SO_RCVBUF, which the kernel caps
  // at net.core.rmem_max. Tests shrink it to provoke an overrun.
  int receive_buffer_bytes = 1 << 20;
  // Datagrams read per ReadAvailable at most, so that a flood of changes
  // cannot starve the event loop; the rest stays queued and fd() stays
  // readable.
  int max_datagrams_per_read = 256;
  // Notifications caused by requests from this netlink port id (the daemon's
  // own request socket; 0: none) are dropped by the kernel before they are
  // queued, by a socket filter on nlmsg_pid: the daemon's own changes then
  // neither wake the reader nor take room in the buffer, so a large batch of
  // them cannot overrun it. The kernel stamps a tc notification with the
  // requester's port id (rtnl_notify; see TcEvent::sender_port). Filter
  // chain notifications, which the parser ignores, are always dropped so.
  uint32_t ignored_port = 0;
};

class TcMonitor {
 public:
  // A socket in the calling thread's current network namespace.
  static Result<TcMonitor> Open(const TcMonitorOptions& options = {});

  // A socket in the namespace at `netns_path` (/run/netns/NAME,
  // /proc/PID/ns/net), opened on a short-lived thread that enters it; the
  // socket stays bound to that namespace for its life. Note that an open
  // socket keeps its namespace alive after the last process in it exits.
  static Result<TcMonitor> OpenInNetns(const std::string& netns_path,
                                       const TcMonitorOptions& options = {});

  // Adopts `fd`, an AF_NETLINK/NETLINK_ROUTE socket the caller created (e.g.
  // on a thread that had setns()'d into a container's namespace), and sets it
  // up as Open does: groups, buffer, non-blocking, bound. Takes ownership of
  // the fd also when it fails (the fd is closed then).
  static Result<TcMonitor> FromSocketFd(int fd, const TcMonitorOptions& options = {});

  TcMonitor(TcMonitor&& other) noexcept;
  TcMonitor& operator=(TcMonitor&& other) noexcept;
  TcMonitor(const TcMonitor&) = delete;
  TcMonitor& operator=(const TcMonitor&) = delete;
  ~TcMonitor();

  int fd() const { return fd_; }

  // Everything queued now, in the kernel's order, without blocking; empty when
  // nothing happened. Messages the parser ignores are dropped. A kResync event
  // (at most one per call, at the point where the loss was noticed) means
  // notifications were lost: an overrun (ENOBUFS), a truncated datagram or an
  // unreadable message. UNAVAILABLE on any other socket error.
  Result<std::vector<TcEvent>> ReadAvailable();

 private:
  TcMonitor(int fd, const TcMonitorOptions& options);

  int fd_ = -1;
  TcMonitorOptions options_;
  std::vector<unsigned char> buffer_;
};

}  // namespace chaosnet::netlink
