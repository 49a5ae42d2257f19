#include "daemon/state/journal_format.h"

#include <algorithm>
#include <cstring>

#include "daemon/state/crc32c.h"
#include "daemon/state/lease_codec.h"

namespace chaosnet::state {
namespace {

void PutU32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out += static_cast<char>((v >> (8 * i)) & 0xFF);
}

uint32_t GetU32(std::string_view in, size_t at) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i)
    v |= static_cast<uint32_t>(static_cast<uint8_t>(in[at + i])) << (8 * i);
  return v;
}

enum class Frame { kOk, kTorn, kCorrupt };

struct FrameInfo {
  Frame frame = Frame::kOk;
  EntryType type = EntryType::kUpsert;
  uint32_t length = 0;
  std::string why;
};

bool AllZero(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c == 0; });
}

// The entry header at the start of `rest` (at least kEntryHeaderSize bytes)
// matches its own checksum.
bool HeaderIntact(std::string_view rest) { return Crc32c(rest.substr(0, 8)) == GetU32(rest, 8); }

// Classifies the entry starting at `at`. A torn write can only leave the file
// short (or, on some file systems after power loss, zero-filled); anything else
// that fails a checksum is damage.
FrameInfo CheckFrame(std::string_view file, size_t at) {
  FrameInfo info;
  const std::string_view rest = file.substr(at);
  if (rest.size() < kEntryHeaderSize) {
    info.frame = Frame::kTorn;
    info.why = "partial entry header";
    return info;
  }
  if (!HeaderIntact(rest)) {
    info.frame = AllZero(rest) ? Frame::kTorn : Frame::kCorrupt;
    info.why = AllZero(rest) ? "zero-filled tail" : "entry header checksum mismatch";
    return info;
  }
  info.length = GetU32(rest, 0);
  const auto type = static_cast<uint8_t>(rest[4]);
  if ((type != 1 && type != 2) || rest[5] != 0 || rest[6] != 0 || rest[7] != 0) {
    info.frame = Frame::kCorrupt;
    info.why = "unknown entry type " + std::to_string(type);
    return info;
  }
  info.type = static_cast<EntryType>(type);
  if (info.length > kMaxPayload) {
    info.frame = Frame::kCorrupt;
    info.why = "entry length " + std::to_string(info.length) + " exceeds the limit";
    return info;
  }
  if (rest.size() - kEntryHeaderSize < info.length) {
    info.frame = Frame::kTorn;
    info.why = "partial entry payload";
    return info;
  }
  if (Crc32c(rest.substr(kEntryHeaderSize, info.length)) != GetU32(rest, 12)) {
    info.frame = Frame::kCorrupt;
    info.why = "entry payload checksum mismatch";
  }
  return info;
}

// Intact entries from `from` on, found by sliding over damage byte by byte: the
// header checksum makes a false match vanishingly unlikely. Only counted, never
// replayed (see LoadReport::corrupt). Offsets whose header checksum fails are
// passed over before CheckFrame, whose torn-or-damaged verdict scans the rest
// of the file for zeros: at every offset of a zero-filled hole that made the
// slide quadratic (minutes at start-up for a hole of a few hundred KiB).
size_t CountIntactEntries(std::string_view file, size_t from) {
  size_t count = 0;
  size_t at = from;
  while (at + kEntryHeaderSize <= file.size()) {
    if (!HeaderIntact(file.substr(at))) {
      ++at;
      continue;
    }
    const FrameInfo f = CheckFrame(file, at);
    if (f.frame == Frame::kOk) {
      ++count;
      at += kEntryHeaderSize + f.length;
    } else {
      ++at;
    }
  }
  return count;
}

void MarkCorrupt(Replayed& r, std::string_view file, size_t at, size_t resume_from,
                 const std::string& why) {
  LoadReport& rep = r.report;
  rep.corrupt = true;
  rep.corrupt_offset = at;
  rep.bytes_discarded = file.size() - at;
  rep.entries_discarded = 1 + CountIntactEntries(file, resume_from);
  rep.errors.push_back("lease journal damaged at byte " + std::to_string(at) + ": " + why +
                       "; kept the " + std::to_string(r.valid_entries) +
                       " entries before it, discarded " + std::to_string(rep.entries_discarded) +
                       " entries (" + std::to_string(rep.bytes_discarded) + " bytes)");
}

void MarkTorn(Replayed& r, std::string_view file, size_t at, const std::string& why) {
  LoadReport& rep = r.report;
  rep.torn_tail = true;
  rep.torn_offset = at;
  rep.torn_bytes = file.size() - at;
  rep.warnings.push_back("lease journal ends in an incomplete entry at byte " + std::to_string(at) +
                         " (" + why + ", " + std::to_string(rep.torn_bytes) +
                         " bytes, a write cut short by a crash); dropped it");
}

}  // namespace

std::string EncodeFileHeader() {
  std::string out(kJournalMagic, sizeof kJournalMagic);
  PutU32(out, kJournalVersion);
  return out;
}

std::string EncodeEntry(EntryType type, std::string_view payload) {
  std::string out;
  out.reserve(kEntryHeaderSize + payload.size());
  PutU32(out, static_cast<uint32_t>(payload.size()));
  out += static_cast<char>(type);
  out.append(3, '\0');
  PutU32(out, Crc32c(out));
  PutU32(out, Crc32c(payload));
  out.append(payload);
  return out;
}

std::string EncodeUpsert(const StoredLease& lease) {
  return EncodeEntry(EntryType::kUpsert, EncodeLease(lease));
}

std::string EncodeRemove(const std::string& id) {
  return EncodeEntry(EntryType::kRemove, EncodeRemoval(id));
}

Result<Replayed> ReplayJournal(std::string_view file) {
  Replayed r;
  r.report.file_bytes = file.size();
  if (file.empty()) return r;

  const std::string header = EncodeFileHeader();
  if (file.size() < kFileHeaderSize) {
    if (header.compare(0, file.size(), file) == 0) {
      MarkTorn(r, file, 0, "partial file header");
    } else {
      MarkCorrupt(r, file, 0, file.size(), "not a chaosnet lease journal (bad magic)");
    }
    return r;
  }
  if (file.substr(0, 4) != std::string_view(kJournalMagic, 4)) {
    MarkCorrupt(r, file, 0, kFileHeaderSize, "not a chaosnet lease journal (bad magic)");
    return r;
  }
  const uint32_t version = GetU32(file, 4);
  if (version > kJournalVersion) {
    return FailedPrecondition("lease journal has format version " + std::to_string(version) +
                              ", newer than this chaosnetd understands (" +
                              std::to_string(kJournalVersion) + "); upgrade chaosnetd");
  }
  if (version != kJournalVersion) {
    MarkCorrupt(r, file, 0, kFileHeaderSize, "invalid journal version " + std::to_string(version));
    return r;
  }
  r.header_valid = true;

  size_t at = kFileHeaderSize;
  r.valid_end = at;
  while (at < file.size()) {
    const FrameInfo f = CheckFrame(file, at);
    if (f.frame == Frame::kTorn) {
      MarkTorn(r, file, at, f.why);
      break;
    }
    if (f.frame == Frame::kCorrupt) {
      MarkCorrupt(r, file, at, at + 1, f.why);
      break;
    }
    const std::string_view payload = file.substr(at + kEntryHeaderSize, f.length);
    const size_t next = at + kEntryHeaderSize + f.length;
    if (f.type == EntryType::kUpsert) {
      auto lease = DecodeLease(payload);
      if (!lease.ok()) {
        if (lease.status().code() == StatusCode::kFailedPrecondition) return lease.status();
        MarkCorrupt(r, file, at, next, "checksum ok but " + lease.status().message());
        break;
      }
      std::string id = lease->id;
      r.live.insert_or_assign(std::move(id), std::move(*lease));
    } else {
      auto id = DecodeRemoval(payload);
      if (!id.ok()) {
        if (id.status().code() == StatusCode::kFailedPrecondition) return id.status();
        MarkCorrupt(r, file, at, next, "checksum ok but " + id.status().message());
        break;
      }
      r.live.erase(*id);
    }
    ++r.valid_entries;
    at = next;
    r.valid_end = at;
  }
  r.report.entries_replayed = r.valid_entries;
  r.report.live_leases = r.live.size();
  return r;
}

}  // namespace chaosnet::state
