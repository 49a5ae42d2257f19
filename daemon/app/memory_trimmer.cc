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
    // The first trim also merges the burst's freed chunks into large free
    // ones, so the history's fresh copies are carved from them side by side
    // instead of filling small holes all over the heap.
    malloc_trim(0);
    manager_.CompactHistory();
    malloc_trim(0);
  });
}

MemoryTrimmer::~MemoryTrimmer() { manager_.Unsubscribe(subscription_); }

}  // namespace chaosnet::app
