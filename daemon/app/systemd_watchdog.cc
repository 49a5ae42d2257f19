#include "daemon/app/systemd_watchdog.h"

#include <systemd/sd-daemon.h>

#include <spdlog/spdlog.h>

namespace chaosnet::app {

SystemdWatchdog::SystemdWatchdog(boost::asio::io_context& loop) : timer_(loop) {
  uint64_t usec = 0;
  if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0) return;
  // Twice per period, as sd_watchdog_enabled(3) advises, so one late tick
  // on a loaded machine does not cost a restart.
  interval_ = std::chrono::microseconds(usec / 2);
  spdlog::info("systemd watchdog: pinging every {} ms from the event loop",
               std::chrono::duration_cast<std::chrono::milliseconds>(interval_).count());
  Ping();
}

void SystemdWatchdog::Ping() {
  sd_notify(0, "WATCHDOG=1");
  timer_.expires_after(interval_);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) Ping();
  });
}

}  // namespace chaosnet::app
