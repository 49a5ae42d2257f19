#include "daemon/core/ordinal_index.h"

#include <algorithm>
#include <bit>
#include <utility>

namespace chaosnet::core {
namespace {

constexpr std::size_t kMinSlots = 16;

uint64_t HashOf(std::string_view key) { return std::hash<std::string_view>{}(key); }

}  // namespace

std::size_t OrdinalIndex::Probe(std::string_view key, uint64_t hash, const KeyOf& key_of) const {
  std::size_t i = hash & mask();
  while (slots_[i].ordinal_plus_one != 0) {
    const Slot& s = slots_[i];
    if (s.hash == hash && key_of(s.ordinal_plus_one - 1) == key) return i;
    i = (i + 1) & mask();
  }
  return i;
}

std::optional<uint64_t> OrdinalIndex::Find(std::string_view key, const KeyOf& key_of) const {
  if (size_ == 0) return std::nullopt;
  const Slot& s = slots_[Probe(key, HashOf(key), key_of)];
  if (s.ordinal_plus_one == 0) return std::nullopt;
  return s.ordinal_plus_one - 1;
}

void OrdinalIndex::Put(std::string_view key, uint64_t ordinal, const KeyOf& key_of) {
  if ((size_ + 1) * 4 > slots_.size() * 3) Rehash(std::max(kMinSlots, slots_.size() * 2));
  const uint64_t hash = HashOf(key);
  Slot& s = slots_[Probe(key, hash, key_of)];
  if (s.ordinal_plus_one == 0) ++size_;
  s = {hash, ordinal + 1};
}

void OrdinalIndex::Erase(std::string_view key, uint64_t ordinal, const KeyOf& key_of) {
  if (size_ == 0) return;
  std::size_t hole = Probe(key, HashOf(key), key_of);
  if (slots_[hole].ordinal_plus_one != ordinal + 1) return;
  // Backward shift: every later slot of the run whose home is not between
  // the hole and itself moves into the hole, so that probes still reach it.
  for (std::size_t next = (hole + 1) & mask(); slots_[next].ordinal_plus_one != 0;
       next = (next + 1) & mask()) {
    const std::size_t home = slots_[next].hash & mask();
    const bool home_after_hole = ((next - home) & mask()) < ((next - hole) & mask());
    if (home_after_hole) continue;
    slots_[hole] = slots_[next];
    hole = next;
  }
  slots_[hole] = Slot{};
  --size_;
}

void OrdinalIndex::Rehash(std::size_t slots) {
  std::vector<Slot> old = std::exchange(slots_, std::vector<Slot>(slots));
  for (const Slot& s : old) {
    if (s.ordinal_plus_one == 0) continue;
    std::size_t i = s.hash & mask();
    while (slots_[i].ordinal_plus_one != 0) i = (i + 1) & mask();
    slots_[i] = s;
  }
}

void OrdinalIndex::Compact() { Rehash(std::max(kMinSlots, std::bit_ceil(size_ * 4 / 3 + 1))); }

}  // namespace chaosnet::core
