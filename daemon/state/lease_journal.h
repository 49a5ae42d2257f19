// The lease store: an append-only journal of checksummed entries in the
// daemon's state directory, compacted into a snapshot when it grows. A Put or
// Remove has been written (write(2) returned) when it returns, so the daemon
// records a lease before it touches the kernel and can roll it back after its
// own death, however it dies: a written page is in the page cache, which a
// SIGKILL, an abort or an OOM kill of the daemon leaves intact. Nothing is
// fsync'd: what the journal describes (qdiscs, filters, IFB devices) does not
// survive a reboot either, and the default state directory is on /run, which
// is empty after one (daemon/state/README.md, "Why no fsync").
//
// Files in the directory:
//   lock                    flock()ed while open: one daemon per state dir
//   leases.journal          the journal (format: journal_format.h, README.md)
//   leases.journal.tmp      a snapshot being written; removed if found at open
//   leases.journal.corrupt.N  a damaged journal set aside at open, for inspection
//
// Not thread-safe: the daemon's event loop is its only user.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/result.h"
#include "daemon/state/journal_format.h"
#include "daemon/state/stored_lease.h"
#include "daemon/state/unique_fd.h"

namespace chaosnet::state {

struct JournalOptions {
  // Compaction runs after an append once the journal holds more than
  // max(min_entries, 2 x live leases) entries or more than max(min_bytes,
  // 2 x the size of a snapshot of the live set) bytes: amortised O(1) per
  // append whatever the number of live leases. The floor is high enough that
  // 10,000 leases ending one after another cost a compaction or two, not
  // dozens (each one stalls the event loop for a few tens of milliseconds);
  // replaying 16,384 small entries at start-up takes milliseconds.
  std::size_t compact_min_entries = 16384;
  uint64_t compact_min_bytes = 4u << 20;
  // Past the limits above the journal only *wants* compaction (see
  // WantsCompaction); an append compacts by itself once the journal is this
  // many times over them. 1: appends always compact at the limit.
  std::size_t forced_compaction_factor = 1;
};

struct JournalStats {
  std::size_t entries_in_file = 0;
  uint64_t bytes_in_file = 0;
  std::size_t compactions = 0;
  Status last_compaction;  // an append that succeeded stays successful even if this failed
};

class LeaseJournal {
 public:
  // Creates the directory and journal when missing, replays the journal and
  // repairs it: a torn tail is truncated away; a damaged journal is kept as
  // leases.journal.corrupt.N (a hard link) and its good prefix rewritten. What
  // happened is in report(). Fails with FAILED_PRECONDITION when another
  // process holds the directory or the journal is of a newer format;
  // UNAVAILABLE on I/O errors.
  static Result<LeaseJournal> Open(const std::string& dir, JournalOptions options = {});

  LeaseJournal(LeaseJournal&&) noexcept = default;
  LeaseJournal& operator=(LeaseJournal&&) noexcept = default;

  // Records (or replaces) the lease. On failure nothing changed, in memory or
  // on disk as far as a later Open can tell.
  Status Put(const StoredLease& lease);
  // Records (or replaces) every lease with ONE write: a batch of faults costs
  // one system call, not one per fault. All or nothing as far as this
  // journal's memory goes; a death half-way through the write leaves a prefix
  // of whole entries and at most one torn one, each of which the daemon treats
  // as it treats a single Put cut short.
  Status PutMany(const std::vector<StoredLease>& leases);
  // Forgets the lease. NOT_FOUND when it is not recorded.
  Status Remove(const std::string& id);
  // Forgets every recorded lease of `ids` with one write; ids not recorded
  // are skipped (nothing to forget).
  Status RemoveMany(const std::vector<std::string>& ids);
  // Rewrites the journal as a snapshot of the live set (temp file renamed
  // over it, so a death half-way leaves the old journal whole). Runs by itself as the journal
  // grows, or earlier, when the owner finds a quiet moment (WantsCompaction).
  Status Compact();
  // Over the compaction limits, but below the point where appends compact by
  // themselves: the owner should call Compact when it can afford the pause.
  bool WantsCompaction() const { return OverLimits(1); }

  // Every recorded lease, ordered by id.
  std::vector<StoredLease> Live() const;
  const StoredLease* Find(const std::string& id) const;
  std::size_t size() const { return live_.size(); }

  const LoadReport& report() const { return report_; }
  const JournalStats& stats() const { return stats_; }
  const std::string& path() const { return path_; }

 private:
  LeaseJournal() = default;
  // `entries`: how many journal entries `bytes` holds.
  Status Append(const std::string& bytes, std::size_t entries = 1);
  // The UPSERT entry of `lease`, or INVALID_ARGUMENT when it is too large.
  static Result<std::string> EncodeChecked(const StoredLease& lease);
  void Remember(const StoredLease& lease, std::string entry);
  Status Rewrite();
  void MaybeCompact();
  bool OverLimits(std::size_t factor) const;

  struct Slot {
    StoredLease lease;
    std::string entry;  // its UPSERT entry, as a snapshot writes it: encoded once
  };

  std::string dir_;
  std::string path_;
  JournalOptions options_;
  UniqueFd lock_fd_;
  UniqueFd fd_;                 // journal, O_APPEND
  bool needs_rewrite_ = false;  // an append failed half-way: rewrite before the next one
  std::map<std::string, Slot> live_;
  uint64_t live_bytes_ = 0;  // sum of the sizes of Slot::entry
  LoadReport report_;
  JournalStats stats_;
};

}  // namespace chaosnet::state
