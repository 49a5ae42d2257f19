// The cost of recording a lease: LeaseJournal::Put (one write, what a
// create, extend or revoke waits for) against the floor, a bare O_APPEND
// write of the same bytes, and against what the journal cost while it flushed
// every record, a write + fdatasync.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace chaosnet::bench {

struct JournalAppendSamples {
  std::size_t entry_bytes = 0;     // one journal entry (header + record)
  std::vector<double> put;         // LeaseJournal::Put, microseconds each
  std::vector<double> bare_write;  // write of entry_bytes
  std::vector<double> bare_sync;   // write + fdatasync of entry_bytes
};

// `count` of each, in fresh files under `dir` (created if missing, emptied of
// what it wrote afterwards); throws on an I/O error.
JournalAppendSamples MeasureJournalAppend(const std::string& dir, int count);

}  // namespace chaosnet::bench
