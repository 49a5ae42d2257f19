// The bytes of the lease journal, and replaying them, without any file I/O:
// lease_journal.h reads the file and hands the bytes here. Layout (all
// integers little-endian; README.md has the full description):
//
//   file    := header entry*
//   header  := "CNLJ" u32 version(=1)                                 8 bytes
//   entry   := u32 len | u8 type | u8[3] 0 | u32 hcrc | u32 pcrc | payload[len]
//              hcrc = CRC32C(first 8 bytes), pcrc = CRC32C(payload)
//   type    := 1 UPSERT (payload: a lease record, lease_codec.h)
//            | 2 REMOVE (payload: {"v":1,"id":...})
//
// The header has its own checksum so that a damaged length field is told apart
// from a write that was cut short: only the latter is a harmless torn tail.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "daemon/state/stored_lease.h"

namespace chaosnet::state {

inline constexpr char kJournalMagic[4] = {'C', 'N', 'L', 'J'};
inline constexpr uint32_t kJournalVersion = 1;
inline constexpr size_t kFileHeaderSize = 8;
inline constexpr size_t kEntryHeaderSize = 16;
// A lease record is a few hundred bytes; anything near this is damage.
inline constexpr uint32_t kMaxPayload = 1u << 20;

enum class EntryType : uint8_t { kUpsert = 1, kRemove = 2 };

std::string EncodeFileHeader();
std::string EncodeEntry(EntryType type, std::string_view payload);
std::string EncodeUpsert(const StoredLease& lease);
std::string EncodeRemove(const std::string& id);

// What loading found. Never fatal by itself: the caller keeps what was good.
struct LoadReport {
  uint64_t file_bytes = 0;
  std::size_t entries_replayed = 0;  // entries applied, in order
  std::size_t live_leases = 0;

  // The last entry was cut short (crash during append): dropped, a warning.
  bool torn_tail = false;
  uint64_t torn_offset = 0;  // where the partial entry started
  uint64_t torn_bytes = 0;

  // A damaged entry before the end: it and everything after it are dropped,
  // because replaying around a hole could resurrect a removed lease or revive
  // an old version of a changed one. The prefix is a state that really existed.
  bool corrupt = false;
  uint64_t corrupt_offset = 0;        // where the damaged entry starts
  std::size_t entries_discarded = 0;  // the damaged one plus the intact ones after it
  uint64_t bytes_discarded = 0;
  std::string preserved_as;  // the damaged file was kept here for inspection

  std::vector<std::string> warnings;  // torn tail, leftovers cleaned up
  std::vector<std::string> errors;    // corruption: data was lost

  bool clean() const { return warnings.empty() && errors.empty(); }
};

struct Replayed {
  std::map<std::string, StoredLease> live;  // by id
  uint64_t valid_end = 0;                   // bytes [0, valid_end) are the good prefix
  std::size_t valid_entries = 0;
  bool header_valid = false;  // false: empty or damaged header; rewrite it
  LoadReport report;
};

// Replays a whole journal file. Fails only for a journal (or a record) of a
// newer version, which an older daemon must not rewrite; every kind of damage
// is reported in Replayed::report instead.
Result<Replayed> ReplayJournal(std::string_view file);

}  // namespace chaosnet::state
