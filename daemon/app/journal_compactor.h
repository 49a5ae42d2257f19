// Compacts the lease journal at quiet moments. A compaction rewrites and
// flushes a snapshot of every live lease, which stalls the event loop for tens
// of milliseconds with thousands of leases; done from inside a burst of
// expiries, it would make them late. So the journal only asks for it, and this
// runs it when no deadline is near (the journal still compacts by itself if
// it grows far past its limits without a quiet moment).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "daemon/core/fault_manager.h"
#include "daemon/state/lease_journal.h"

namespace chaosnet::app {

class JournalCompactor {
 public:
  JournalCompactor(boost::asio::io_context& loop, state::LeaseJournal& journal,
                   core::FaultManager& manager);

 private:
  void Check();

  state::LeaseJournal& journal_;
  core::FaultManager& manager_;
  boost::asio::steady_timer timer_;
};

}  // namespace chaosnet::app
