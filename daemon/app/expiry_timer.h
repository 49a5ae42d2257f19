// The Asio adapter over the lease table: one timer, always armed for the
// earliest deadline, re-armed whenever a lease event may have moved it.
#pragma once

#include <optional>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

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
  boost::asio::steady_timer timer_;
  std::optional<core::SteadyTime> armed_for_;
  int subscription_ = 0;
};

}  // namespace chaosnet::app
