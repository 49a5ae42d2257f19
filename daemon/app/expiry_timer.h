// The Asio adapter over the lease table: one timer, always armed for the
// earliest deadline, re-armed whenever a lease event may have moved it.
#pragma once

#include <boost/asio/io_context.hpp>

#include "daemon/app/deadline_timer.h"
#include "daemon/core/fault_manager.h"

namespace chaosnet::app {

class ExpiryTimer {
 public:
  ExpiryTimer(boost::asio::io_context& loop, core::FaultManager& manager);
  ~ExpiryTimer();

  void Rearm();

 private:
  void OnFire();

  core::FaultManager& manager_;
  DeadlineTimer timer_;
  int subscription_ = 0;
};

}  // namespace chaosnet::app
