// systemd's watchdog, pinged from the event loop: a loop that hangs (a stuck
// netlink call, a deadlock) stops the pings, and systemd restarts the daemon,
// whose start-up then rolls back what the hung run left. Does nothing unless
// the unit sets WatchdogSec.
#pragma once

#include <chrono>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

namespace chaosnet::app {

class SystemdWatchdog {
 public:
  explicit SystemdWatchdog(boost::asio::io_context& loop);

  bool enabled() const { return interval_.count() > 0; }
  std::chrono::microseconds interval() const { return interval_; }

 private:
  void Ping();

  boost::asio::steady_timer timer_;
  std::chrono::microseconds interval_{0};
};

}  // namespace chaosnet::app
