// The cost of recording a lease: LeaseJournal::Put on a real disk, durable
// (one write and one fdatasync, as for a create or a revoke) and deferred to
// the next flush (one write, as for the active mark after a create), against
// the floor, a bare O_APPEND write + fdatasync of the same bytes.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace chaosnet::bench {

struct JournalAppendSamples {
  std::size_t entry_bytes = 0;    // one journal entry (header + record)
  std::vector<double> durable;    // Put, kOnReturn, microseconds each
  std::vector<double> deferred;   // Put, kWithNextSync
  std::vector<double> bare_sync;  // write + fdatasync of entry_bytes
};

// `count` of each, in fresh files under `dir` (created if missing, emptied of
// what it wrote afterwards); throws on an I/O error.
JournalAppendSamples MeasureJournalAppend(const std::string& dir, int count);

}  // namespace chaosnet::bench
