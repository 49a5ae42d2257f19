// The faults that ended most recently (up to ManagerConfig::ended_history),
// for get and list --include-ended, kept in one contiguous encoding: each
// record as bytes (ended_record_codec.h) in one buffer, oldest first, with a
// small index by id and by request id; a record is decoded when asked for.
// Ended records are nearly alike, so most are kept deflated against a
// keyframe, a recent record kept whole (dictionary_deflate.h): about 130
// bytes instead of 1,400 for the bench's faults.
//
// Why not the records themselves: each is a few dozen small allocations made
// while its fault was live. After a burst of ends (10,000 leases), the last
// thousand records sit scattered over heap pages the burst's other records
// left empty, and pin them: the daemon's RSS stayed ~1.45x of idle. Here the
// history is three arrays (the bytes, the entries, the index), whatever the
// number of records. Pure: no clock, no kernel. Not thread-safe, not even
// its const methods (they share one inflate stream): the manager's loop only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/core/dictionary_deflate.h"
#include "daemon/core/fault_record.h"
#include "daemon/core/ordinal_index.h"

namespace chaosnet::core {

class EndedHistory {
 public:
  explicit EndedHistory(std::size_t capacity) : capacity_(capacity) {}

  // Keeps `record` as the newest; forgets the oldest beyond the capacity.
  void Add(const FaultRecord& record);

  std::optional<FaultRecord> Find(std::string_view id) const;
  bool Contains(std::string_view id) const;
  // The id of the newest kept fault made by `request_id`.
  std::optional<std::string> IdOfRequest(std::string_view request_id) const;
  // Every kept fault, oldest first, decoded one at a time.
  void ForEach(const std::function<void(const FaultRecord&)>& visit) const;

  std::size_t size() const { return entries_.size() - head_; }
  std::size_t capacity() const { return capacity_; }
  // Bytes of the encoded records kept (not counting the dead prefix).
  std::size_t encoded_bytes() const { return bytes_.size() - dead_bytes_; }

  // Fresh storage, sized for what is kept now: the memory trimmer calls it
  // (through FaultManager::CompactHistory) before handing freed heap back.
  void Compact();

 private:
  // Where one record is in bytes_: its id, its request id, then its
  // encoding, whole or deflated against the encoding of a keyframe (an
  // earlier entry kept whole) at dictionary_offset.
  struct Entry {
    std::size_t offset = 0;
    uint32_t id_size = 0;
    uint32_t request_id_size = 0;
    uint32_t stored_size = 0;  // in bytes_
    uint32_t plain_size = 0;   // of the encoding
    std::size_t dictionary_offset = 0;
    uint32_t dictionary_size = 0;  // 0: kept whole
    // The first byte this entry needs: the keyframe's comes before its own.
    std::size_t start() const { return dictionary_size != 0 ? dictionary_offset : offset; }
  };
  struct Keyframe {
    std::size_t offset = 0;  // of its encoding in bytes_
    uint32_t size = 0;
    std::size_t used = 0;  // records deflated against it
  };

  void DropOldest();
  // Drops the dead prefix of bytes_ and entries_ once it outweighs a share
  // of what is kept, copying the rest into fresh storage.
  void ReclaimDeadPrefix(bool always);
  const Entry& EntryOf(uint64_t ordinal) const { return entries_[ordinal - first_ordinal_]; }
  std::string_view IdOf(uint64_t ordinal) const;
  std::string_view RequestIdOf(uint64_t ordinal) const;
  FaultRecord Decode(const Entry& entry) const;

  std::size_t capacity_;
  std::vector<char> bytes_;
  std::size_t dead_bytes_ = 0;  // prefix of bytes_ no entry refers to any more
  std::vector<Entry> entries_;  // by ordinal - first_ordinal_; those before head_ are dead
  std::size_t head_ = 0;
  uint64_t first_ordinal_ = 0;  // of entries_[0]
  OrdinalIndex by_id_;
  OrdinalIndex by_request_id_;
  std::optional<Keyframe> keyframe_;  // what the next record is deflated against
  mutable DictionaryDeflate deflate_;
};

}  // namespace chaosnet::core
