#include "daemon/app/journal_compactor.h"

#include <chrono>

#include <spdlog/spdlog.h>

namespace chaosnet::app {
namespace {

using namespace std::chrono_literals;
constexpr auto kCheckEvery = 250ms;
// No deadline closer than this: a compaction of 10,000 leases takes tens of
// milliseconds on a slow disk.
constexpr auto kQuietFor = 500ms;

}  // namespace

JournalCompactor::JournalCompactor(boost::asio::io_context& loop, state::LeaseJournal& journal,
                                   core::FaultManager& manager)
    : journal_(journal), manager_(manager), timer_(loop) {
  Check();
}

void JournalCompactor::Check() {
  if (journal_.WantsCompaction()) {
    auto next = manager_.NextDeadline();
    if (!next || *next - std::chrono::steady_clock::now() > kQuietFor) {
      const auto start = std::chrono::steady_clock::now();
      Status s = journal_.Compact();
      const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::steady_clock::now() - start)
                          .count();
      if (s.ok()) {
        spdlog::debug("lease journal compacted: {} lease(s), {} ms", journal_.size(), ms);
      } else {
        spdlog::warn("lease journal compaction failed (the journal stays as it was): {}",
                     s.message());
      }
    }
  }
  timer_.expires_after(kCheckEvery);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) Check();
  });
}

}  // namespace chaosnet::app
