#include "daemon/app/memory_trimmer.h"

#include <malloc.h>

#include <chrono>

namespace chaosnet::app {

MemoryTrimmer::MemoryTrimmer(boost::asio::io_context& loop, core::FaultManager& manager)
    : manager_(manager), timer_(loop) {
  subscription_ = manager_.Subscribe([this](const core::FaultEvent& event) {
    if (event.type == core::EventType::kApplied || event.type == core::EventType::kExtended) {
      return;
    }
    Soon();
  });
}

void MemoryTrimmer::Soon() {
  timer_.expires_after(std::chrono::seconds(1));  // cancels a pending wait: debounced
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    manager_.CompactHistory();
    malloc_trim(0);
  });
}

MemoryTrimmer::~MemoryTrimmer() { manager_.Unsubscribe(subscription_); }

}  // namespace chaosnet::app
