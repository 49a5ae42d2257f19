// Fuzzes ReplayJournal (daemon/state/journal_format.h), the parser that reads
// the lease journal back after a crash, whatever the file holds. The first
// byte picks how the rest is read:
//   even: the rest is the journal file as is (damage of any shape);
//   odd:  the next two bytes pick a cut and a bit to flip, the rest is a list
//         of entries (journal_lines.h) framed with correct checksums; the
//         replay of that file, of the file cut short at the chosen byte, and
//         of the file with the chosen bit flipped must each match a model
//         written from the format's description (README.md of daemon/state).
// On every input: only a newer format fails, as FAILED_PRECONDITION; the
// report accounts for every byte (a clean end, or a torn tail or damage that
// starts where the good prefix ends); every message is one printable line (the
// daemon logs them); the good prefix, which the daemon rewrites as the
// journal, replays clean to the same leases; and so does a snapshot of those
// leases, which is what compaction writes.
#include <map>
#include <optional>
#include <string>

#include "daemon/state/journal_format.h"
#include "daemon/state/lease_codec.h"
#include "fuzz/fuzz_check.h"
#include "fuzz/journal_lines.h"

using namespace chaosnet;

namespace {

using Live = std::map<std::string, state::StoredLease>;

std::string Snapshot(const Live& live) {
  std::string file = state::EncodeFileHeader();
  for (const auto& [id, lease] : live) file += state::EncodeUpsert(lease);
  return file;
}

void CheckCleanReplayOf(const std::string& file, const Live& live, const char* what) {
  auto again = state::ReplayJournal(file);
  fuzz::Check(
      again.ok() && again->report.clean() && again->header_valid && again->valid_end == file.size(),
      what, again.ok() ? "" : again.status().message());
  fuzz::Check(again->live == live, what, file);
}

// What holds for any replay of any bytes.
void CheckReplay(std::string_view file, const Result<state::Replayed>& result) {
  if (!result.ok()) {
    fuzz::Check(result.status().code() == StatusCode::kFailedPrecondition,
                "only a newer format stops the replay", result.status().message());
    fuzz::CheckOneLine(result.status().message(), "ReplayJournal failed");
    return;
  }
  const state::Replayed& r = *result;
  const state::LoadReport& rep = r.report;
  fuzz::Check(rep.file_bytes == file.size() && r.valid_end <= file.size(),
              "the good prefix lies within the file");
  fuzz::Check(rep.entries_replayed == r.valid_entries && rep.live_leases == r.live.size(),
              "the report counts what was replayed");
  fuzz::Check(r.header_valid ? r.valid_end >= state::kFileHeaderSize
                             : r.valid_end == 0 && r.live.empty() && r.valid_entries == 0,
              "entries are replayed only behind a valid header");
  for (const auto& [id, lease] : r.live) {
    fuzz::Check(!id.empty() && id == lease.id, "leases are kept under their own id", id);
  }
  fuzz::Check(!(rep.torn_tail && rep.corrupt), "a file ends torn or damaged, not both");
  if (rep.torn_tail) {
    fuzz::Check(rep.torn_offset == r.valid_end && rep.torn_bytes == file.size() - r.valid_end,
                "a torn tail starts where the good prefix ends and runs to the end");
    fuzz::Check(rep.warnings.size() == 1 && rep.errors.empty(), "a torn tail is one warning");
  } else if (rep.corrupt) {
    fuzz::Check(rep.corrupt_offset == r.valid_end &&
                    rep.bytes_discarded == file.size() - r.valid_end && rep.entries_discarded >= 1,
                "damage starts where the good prefix ends; it and all after it are discarded");
    fuzz::Check(rep.errors.size() == 1 && rep.warnings.empty(), "damage is one error");
  } else {
    fuzz::Check(r.valid_end == file.size() && rep.clean(), "a file without damage is all good");
  }
  for (const auto& m : rep.warnings) fuzz::CheckOneLine(m, "a warning");
  for (const auto& m : rep.errors) fuzz::CheckOneLine(m, "an error");

  if (r.header_valid) {
    CheckCleanReplayOf(std::string(file.substr(0, r.valid_end)), r.live,
                       "the good prefix replays clean to the same leases");
  }
  CheckCleanReplayOf(Snapshot(r.live), r.live, "a snapshot replays clean to the same leases");
}

// What the replay of a framed journal must give, from the format's rules.
struct Expected {
  bool newer = false;  // the replay fails: a record of a newer format
  Live live;
  size_t entries = 0;
  size_t valid_end = 0;
  enum { kClean, kTorn, kCorrupt } end = kClean;
};

bool AllZero(std::string_view s) { return s.find_first_not_of('\0') == std::string_view::npos; }

// `file` is j.file cut to its first bytes, or with a bit flipped at `flip`.
Expected Model(const fuzz::FramedJournal& j, std::string_view file, std::optional<size_t> flip) {
  Expected want;
  if (file.size() < state::kFileHeaderSize) {
    want.end = file.empty() ? Expected::kClean : Expected::kTorn;  // a header cut short
    return want;
  }
  want.valid_end = state::kFileHeaderSize;
  for (const fuzz::FramedEntry& e : j.entries) {
    if (e.offset >= file.size()) break;
    const std::string_view frame = file.substr(e.offset, e.end - e.offset);
    const bool damaged = flip && *flip >= e.offset && *flip < e.end;
    // The header (length, type, padding) has its own checksum: 12 bytes.
    const bool header_damaged = damaged && *flip < e.offset + 12;
    if (frame.size() < state::kEntryHeaderSize) {
      want.end = Expected::kTorn;
    } else if (header_damaged) {
      // Only a tail of zeros (what some file systems leave) reads as torn.
      want.end = AllZero(file.substr(e.offset)) ? Expected::kTorn : Expected::kCorrupt;
    } else if (e.type != 1 && e.type != 2) {
      want.end = Expected::kCorrupt;
    } else if (e.payload.size() > state::kMaxPayload) {
      want.end = Expected::kCorrupt;
    } else if (e.offset + frame.size() < e.end) {
      want.end = Expected::kTorn;
    } else if (damaged) {
      want.end = Expected::kCorrupt;  // the payload checksum, or the payload
    } else if (e.type == 1) {
      auto lease = state::DecodeLease(e.payload);
      if (!lease.ok()) {
        want.newer = lease.status().code() == StatusCode::kFailedPrecondition;
        want.end = Expected::kCorrupt;
      } else {
        want.live.insert_or_assign(lease->id, *lease);
      }
    } else {
      auto id = state::DecodeRemoval(e.payload);
      if (!id.ok()) {
        want.newer = id.status().code() == StatusCode::kFailedPrecondition;
        want.end = Expected::kCorrupt;
      } else {
        want.live.erase(*id);
      }
    }
    if (want.newer || want.end != Expected::kClean) break;
    ++want.entries;
    want.valid_end = e.end;
  }
  return want;
}

void CheckAgainstModel(const fuzz::FramedJournal& j, std::string_view file,
                       std::optional<size_t> flip, const char* what) {
  const Expected want = Model(j, file, flip);
  auto got = state::ReplayJournal(file);
  CheckReplay(file, got);
  if (want.newer) {
    fuzz::Check(!got.ok(), what, "a newer record must stop the replay");
    return;
  }
  fuzz::Check(got.ok(), what, got.ok() ? "" : got.status().message());
  fuzz::Check(got->valid_end == want.valid_end && got->valid_entries == want.entries, what,
              "the good prefix is not the model's");
  fuzz::Check(got->report.torn_tail == (want.end == Expected::kTorn) &&
                  got->report.corrupt == (want.end == Expected::kCorrupt),
              what, "the end of the file is not classified as the model says");
  fuzz::Check(got->live == want.live, what, "the leases are not the model's");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  if ((data[0] & 1) == 0) {
    const std::string_view file = fuzz::AsText(data + 1, size - 1);
    CheckReplay(file, state::ReplayJournal(file));
    return 0;
  }
  const uint8_t cut_at = size > 1 ? data[1] : 255;
  const uint8_t flip_at = size > 2 ? data[2] : 0;
  const size_t skip = size < 3 ? size : 3;
  const fuzz::FramedJournal j = fuzz::FrameLines(fuzz::AsText(data + skip, size - skip));

  CheckAgainstModel(j, j.file, std::nullopt, "a framed journal replays as the model says");

  const size_t cut = j.file.size() * cut_at / 255;
  CheckAgainstModel(j, std::string_view(j.file).substr(0, cut), std::nullopt,
                    "a journal cut short replays as the model says");

  std::string flipped = j.file;
  const size_t flip =
      state::kFileHeaderSize + (flipped.size() - state::kFileHeaderSize) * flip_at / 256;
  if (flip < flipped.size()) {
    flipped[flip] = static_cast<char>(flipped[flip] ^ (1 << (flip_at % 8)));
    CheckAgainstModel(j, flipped, flip, "a journal with a flipped bit replays as the model says");
  }
  return 0;
}
