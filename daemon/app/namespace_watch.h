// Notices network namespaces that went away under live faults. The daemon's
// own socket keeps such a namespace alive, so no netlink event ever says it
// is gone; what changes is its name (`ip netns del`, the container's process
// exiting). A one-second check of the names of namespaces in use ends those
// faults as LOST, which closes the socket and lets the namespace go.
#pragma once

#include <chrono>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "daemon/core/fault_manager.h"

namespace chaosnet::app {

class NamespaceWatch {
 public:
  NamespaceWatch(boost::asio::io_context& loop, core::FaultManager& manager,
                 std::chrono::milliseconds period = std::chrono::seconds(1));

 private:
  void Arm();

  core::FaultManager& manager_;
  boost::asio::steady_timer timer_;
  std::chrono::milliseconds period_;
};

}  // namespace chaosnet::app
