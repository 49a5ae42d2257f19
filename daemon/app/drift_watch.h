// Drift: someone else deleted or changed what a fault owns (`tc qdisc del`
// by hand, an interface deleted, a container's veth gone). The kernel says so
// on its rtnetlink notification groups; this watch turns those notifications
// into LOST leases. The daemon's own changes carry its request socket's port
// id: a socket filter drops them in the kernel (TcMonitorOptions::
// ignored_port), and Handle skips any that get through, so only foreign
// changes count. A lost notification (ENOBUFS) re-checks every fault.
#pragma once

#include <cstdint>
#include <memory>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

#include "common/result.h"
#include "daemon/core/fault_manager.h"
#include "daemon/netlink/tc_event_parser.h"
#include "daemon/netlink/tc_monitor.h"

namespace chaosnet::app {

class DriftWatch {
 public:
  // Watches the daemon's own namespace. `own_port`: the netlink port id of the
  // socket the daemon changes the kernel through.
  static Result<std::unique_ptr<DriftWatch>> Start(boost::asio::io_context& loop,
                                                   core::FaultManager& manager, uint32_t own_port);
  ~DriftWatch();

 private:
  DriftWatch(boost::asio::io_context& loop, core::FaultManager& manager, uint32_t own_port,
             netlink::TcMonitor monitor);
  void Wait();
  void Handle(const netlink::TcEvent& event);

  core::FaultManager& manager_;
  uint32_t own_port_;
  netlink::TcMonitor monitor_;
  boost::asio::posix::stream_descriptor readable_;
};

}  // namespace chaosnet::app
