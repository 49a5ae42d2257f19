// Gives memory back to the system once a burst of ended faults is over. The
// allocator keeps freed heap for reuse, so a daemon that held 10,000 leases
// would otherwise stay at its peak size long after they ended. Trimming runs
// one second after the last end, so it never lands inside a burst of expiries;
// the end of API streams (thousands of watchers gone) asks for the same.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "daemon/core/fault_manager.h"

namespace chaosnet::app {

class MemoryTrimmer {
 public:
  MemoryTrimmer(boost::asio::io_context& loop, core::FaultManager& manager);
  ~MemoryTrimmer();

  // Loop thread: trim one second from now unless asked again before then.
  void Soon();

 private:
  core::FaultManager& manager_;
  boost::asio::steady_timer timer_;
  int subscription_ = 0;
};

}  // namespace chaosnet::app
