// The "entries" form of journal_fuzz's input, shared with journal_seed (which
// turns the committed text seeds into raw journal files): one entry per line,
// its first byte the type ('U' upsert, 'R' remove, any other byte that raw
// type byte) and the rest its payload; empty lines are skipped. Each entry is
// framed by EncodeEntry with correct checksums, behind a valid file header, so
// that fuzzing reaches the records behind the checksums.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/state/journal_format.h"

namespace chaosnet::fuzz {

struct FramedEntry {
  uint8_t type = 0;
  std::string_view payload;
  size_t offset = 0;  // where its frame starts in the file
  size_t end = 0;     // where the next one starts
};

struct FramedJournal {
  std::string file;
  std::vector<FramedEntry> entries;
};

inline FramedJournal FrameLines(std::string_view text) {
  FramedJournal j;
  j.file = state::EncodeFileHeader();
  while (!text.empty()) {
    const size_t eol = text.find('\n');
    const std::string_view line = text.substr(0, eol);
    text = eol == std::string_view::npos ? std::string_view() : text.substr(eol + 1);
    if (line.empty()) continue;
    FramedEntry e;
    e.type = line[0] == 'U' ? 1 : line[0] == 'R' ? 2 : static_cast<uint8_t>(line[0]);
    e.payload = line.substr(1);
    e.offset = j.file.size();
    j.file += state::EncodeEntry(static_cast<state::EntryType>(e.type), e.payload);
    e.end = j.file.size();
    j.entries.push_back(e);
  }
  return j;
}

}  // namespace chaosnet::fuzz
