// One Asio timer armed for an earliest deadline that moves (the lease table's,
// the programs' next step): re-arming for the same instant is free, so
// thousands of events in a batch re-arm it once. `on_fire` runs on the loop
// when the deadline passes; the owner then asks for the next one and re-arms.
#pragma once

#include <functional>
#include <optional>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "daemon/core/clock.h"

namespace chaosnet::app {

class DeadlineTimer {
 public:
  DeadlineTimer(boost::asio::io_context& loop, std::function<void()> on_fire)
      : timer_(loop), on_fire_(std::move(on_fire)) {}

  // Armed for `next`, or disarmed when there is none.
  void ArmFor(std::optional<core::SteadyTime> next) {
    if (next == armed_for_) return;
    armed_for_ = next;
    if (!next) {
      timer_.cancel();
      return;
    }
    timer_.expires_at(*next);
    timer_.async_wait([this](const boost::system::error_code& ec) {
      if (ec == boost::asio::error::operation_aborted) return;
      armed_for_.reset();
      on_fire_();
    });
  }

 private:
  boost::asio::steady_timer timer_;
  std::function<void()> on_fire_;
  std::optional<core::SteadyTime> armed_for_;
};

}  // namespace chaosnet::app
