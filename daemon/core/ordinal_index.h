// A hash index from string keys to ordinals (numbers a container gives its
// entries), in one array: open addressing, linear probing, and deletion by
// shifting the probe run back, so there are no tombstones and no allocation
// per key. It stores each key's hash, not the key: lookups ask the container
// for the key of a candidate ordinal (`KeyOf`), so keys live once, where the
// container keeps them. Used by the history of ended faults, whose node-based
// maps pinned heap pages after a burst of ends (ended_history.h).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>
#include <vector>

namespace chaosnet::core {

class OrdinalIndex {
 public:
  using KeyOf = std::function<std::string_view(uint64_t ordinal)>;

  // The ordinal stored under `key`, if any.
  std::optional<uint64_t> Find(std::string_view key, const KeyOf& key_of) const;
  // Maps `key` to `ordinal`, replacing what it mapped to.
  void Put(std::string_view key, uint64_t ordinal, const KeyOf& key_of);
  // Removes `key` if it maps to `ordinal` (a newer entry with the same key
  // stays).
  void Erase(std::string_view key, uint64_t ordinal, const KeyOf& key_of);

  std::size_t size() const { return size_; }
  // Fresh storage sized for what is stored now (see FaultManager::CompactHistory).
  void Compact();

 private:
  struct Slot {
    uint64_t hash = 0;
    uint64_t ordinal_plus_one = 0;  // 0: empty
  };
  // The slot holding `key`, or the empty slot where it would go.
  std::size_t Probe(std::string_view key, uint64_t hash, const KeyOf& key_of) const;
  void Rehash(std::size_t slots);
  std::size_t mask() const { return slots_.size() - 1; }

  // A power of two, at most three quarters full: 2,048 slots (32 KiB) for
  // the 1,024 faults of the history.
  std::vector<Slot> slots_;
  std::size_t size_ = 0;
};

}  // namespace chaosnet::core
