#include "daemon/app/expiry_timer.h"

#include <spdlog/spdlog.h>

namespace chaosnet::app {

ExpiryTimer::ExpiryTimer(boost::asio::io_context& loop, core::FaultManager& manager)
    : manager_(manager), timer_(loop, [this] { OnFire(); }) {
  subscription_ = manager_.Subscribe([this](const core::FaultEvent&) { Rearm(); });
  Rearm();
}

ExpiryTimer::~ExpiryTimer() { manager_.Unsubscribe(subscription_); }

void ExpiryTimer::Rearm() { timer_.ArmFor(manager_.NextDeadline()); }

void ExpiryTimer::OnFire() {
  const auto fired_at = std::chrono::steady_clock::now();
  for (const auto& record : manager_.ExpireDue()) {
    auto lag = std::chrono::duration_cast<std::chrono::microseconds>(fired_at - record.deadline);
    spdlog::info("fault {} on {} ended: {} ({}), expiry lag {}us", record.id, record.spec.interface,
                 core::FaultStateName(record.state), record.state_reason, lag.count());
  }
  Rearm();
}

}  // namespace chaosnet::app
