#include "daemon/app/namespace_watch.h"

#include <spdlog/spdlog.h>

namespace chaosnet::app {

NamespaceWatch::NamespaceWatch(boost::asio::io_context& loop, core::FaultManager& manager,
                               std::chrono::milliseconds period)
    : manager_(manager), timer_(loop), period_(period) {
  Arm();
}

void NamespaceWatch::Arm() {
  timer_.expires_after(period_);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    for (const auto& record : manager_.EndFaultsInVanishedNamespaces()) {
      spdlog::warn("fault {} on {} lost: {}", record.id, record.spec.interface,
                   record.state_reason);
    }
    Arm();
  });
}

}  // namespace chaosnet::app
