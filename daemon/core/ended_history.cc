#include "daemon/core/ended_history.h"

#include <algorithm>
#include <cstring>

#include "daemon/core/ended_record_codec.h"

namespace chaosnet::core {
namespace {

// The dead prefix is reclaimed once it is a quarter of what is kept: the
// buffer then stays within 1.25x of the records' size (its pages are
// resident), at the cost of copying the kept bytes once per quarter turn.
constexpr std::size_t kReclaimShare = 4;
constexpr std::size_t kReclaimMinBytes = 16 * 1024;
constexpr std::size_t kReclaimMinEntries = 64;
// A new keyframe after this many records, so that the records stay like the
// one they are deflated against (and a keyframe's bytes are not held for long
// by the group that needs it); and whenever deflating saves less than half.
constexpr std::size_t kKeyframeEvery = 64;

}  // namespace

std::string_view EndedHistory::IdOf(uint64_t ordinal) const {
  const Entry& e = EntryOf(ordinal);
  return {bytes_.data() + e.offset, e.id_size};
}

std::string_view EndedHistory::RequestIdOf(uint64_t ordinal) const {
  const Entry& e = EntryOf(ordinal);
  return {bytes_.data() + e.offset + e.id_size, e.request_id_size};
}

void EndedHistory::Add(const FaultRecord& record) {
  if (capacity_ == 0) return;
  const std::string plain = EncodeEndedRecord(record);
  Entry entry;
  entry.offset = bytes_.size();
  entry.id_size = static_cast<uint32_t>(record.id.size());
  entry.request_id_size = static_cast<uint32_t>(record.request_id.size());
  entry.plain_size = static_cast<uint32_t>(plain.size());
  std::string deflated;
  if (keyframe_ && keyframe_->offset >= dead_bytes_ && keyframe_->used < kKeyframeEvery) {
    deflated = deflate_.Compress({bytes_.data() + keyframe_->offset, keyframe_->size}, plain);
    if (deflated.size() * 2 <= plain.size()) {
      entry.dictionary_offset = keyframe_->offset;
      entry.dictionary_size = keyframe_->size;
      ++keyframe_->used;
    } else {
      deflated.clear();
    }
  }
  const std::string& stored = entry.dictionary_size != 0 ? deflated : plain;
  entry.stored_size = static_cast<uint32_t>(stored.size());
  if (entry.dictionary_size == 0) {
    keyframe_ = Keyframe{entry.offset + entry.id_size + entry.request_id_size, entry.plain_size};
  }
  bytes_.insert(bytes_.end(), record.id.begin(), record.id.end());
  bytes_.insert(bytes_.end(), record.request_id.begin(), record.request_id.end());
  bytes_.insert(bytes_.end(), stored.begin(), stored.end());
  const uint64_t ordinal = first_ordinal_ + entries_.size();
  entries_.push_back(entry);
  by_id_.Put(record.id, ordinal, [this](uint64_t o) { return IdOf(o); });
  if (!record.request_id.empty()) {
    by_request_id_.Put(record.request_id, ordinal, [this](uint64_t o) { return RequestIdOf(o); });
  }
  while (size() > capacity_) DropOldest();
  ReclaimDeadPrefix(/*always=*/false);
}

void EndedHistory::DropOldest() {
  const uint64_t ordinal = first_ordinal_ + head_;
  const Entry& e = entries_[head_];
  // Two faults never share an id, but a restart may bring back a record of
  // one that is kept already: only the newest is indexed.
  by_id_.Erase(IdOf(ordinal), ordinal, [this](uint64_t o) { return IdOf(o); });
  if (e.request_id_size != 0) {
    by_request_id_.Erase(RequestIdOf(ordinal), ordinal,
                         [this](uint64_t o) { return RequestIdOf(o); });
  }
  ++head_;
  dead_bytes_ = size() > 0 ? entries_[head_].start() : bytes_.size();
}

void EndedHistory::ReclaimDeadPrefix(bool always) {
  const std::size_t kept = bytes_.size() - dead_bytes_;
  const bool bytes_due = dead_bytes_ >= kReclaimMinBytes && dead_bytes_ * kReclaimShare >= kept;
  const bool entries_due = head_ >= kReclaimMinEntries && head_ * kReclaimShare >= size();
  if (!always && !bytes_due && !entries_due) return;
  // Copies into fresh storage rather than moving in place, so that the
  // buffer stays sized to what is kept (a burst of large records leaves no
  // oversized buffer behind); the old one is freed whole.
  std::vector<char> bytes;
  bytes.reserve(kept + kept / kReclaimShare + kReclaimMinBytes);
  bytes.insert(bytes.end(), bytes_.begin() + static_cast<std::ptrdiff_t>(dead_bytes_),
               bytes_.end());
  std::vector<Entry> entries;
  entries.reserve(size() + size() / kReclaimShare);
  entries.insert(entries.end(), entries_.begin() + static_cast<std::ptrdiff_t>(head_),
                 entries_.end());
  for (Entry& e : entries) {
    e.offset -= dead_bytes_;
    if (e.dictionary_size != 0) e.dictionary_offset -= dead_bytes_;
  }
  if (keyframe_ && keyframe_->offset >= dead_bytes_) {
    keyframe_->offset -= dead_bytes_;
  } else {
    keyframe_.reset();
  }
  bytes_.swap(bytes);
  entries_.swap(entries);
  first_ordinal_ += head_;
  head_ = 0;
  dead_bytes_ = 0;
}

FaultRecord EndedHistory::Decode(const Entry& e) const {
  const std::string_view stored(bytes_.data() + e.offset + e.id_size + e.request_id_size,
                                e.stored_size);
  Result<FaultRecord> record = InvalidArgument("");
  if (e.dictionary_size == 0) {
    record = DecodeEndedRecord(stored);
  } else {
    auto plain = deflate_.Expand({bytes_.data() + e.dictionary_offset, e.dictionary_size}, stored,
                                 e.plain_size);
    record = plain.ok() ? DecodeEndedRecord(*plain) : Result<FaultRecord>(plain.status());
  }
  // The bytes were written by EncodeEndedRecord a moment ago, in this
  // process: a failure is a bug in the codec, which its tests pin down.
  if (!record.ok()) {
    FaultRecord broken;
    broken.id = std::string(bytes_.data() + e.offset, e.id_size);
    broken.state = FaultState::kFailed;
    broken.state_reason = "the daemon cannot read its own history: " + record.status().message();
    return broken;
  }
  return std::move(*record);
}

std::optional<FaultRecord> EndedHistory::Find(std::string_view id) const {
  const auto ordinal = by_id_.Find(id, [this](uint64_t o) { return IdOf(o); });
  if (!ordinal) return std::nullopt;
  return Decode(EntryOf(*ordinal));
}

bool EndedHistory::Contains(std::string_view id) const {
  return by_id_.Find(id, [this](uint64_t o) { return IdOf(o); }).has_value();
}

std::optional<std::string> EndedHistory::IdOfRequest(std::string_view request_id) const {
  if (request_id.empty()) return std::nullopt;
  const auto ordinal =
      by_request_id_.Find(request_id, [this](uint64_t o) { return RequestIdOf(o); });
  if (!ordinal) return std::nullopt;
  return std::string(IdOf(*ordinal));
}

void EndedHistory::ForEach(const std::function<void(const FaultRecord&)>& visit) const {
  for (std::size_t i = head_; i < entries_.size(); ++i) visit(Decode(entries_[i]));
}

void EndedHistory::Compact() {
  ReclaimDeadPrefix(/*always=*/true);
  by_id_.Compact();
  by_request_id_.Compact();
}

}  // namespace chaosnet::core
