#include "daemon/plan/u32_keys.h"

#include <algorithm>
#include <cassert>
#include <limits>
#include <map>

namespace chaosnet::plan {
namespace {

// Bits to shift a field so that it sits at byte_offset in its big-endian word
// (byte 0 of the word is the most significant).
int ShiftFor(int32_t byte_offset, int width_bits) {
  return 32 - width_bits - 8 * (byte_offset % 4);
}

int32_t WordOf(int32_t byte_offset) { return byte_offset - byte_offset % 4; }

uint32_t PrefixMask32(int bits) {
  if (bits <= 0) return 0;
  if (bits >= 32) return 0xFFFFFFFFu;
  return ~uint32_t{0} << (32 - bits);
}

}  // namespace

U32Field Field8(int32_t byte_offset, uint8_t value, uint8_t mask) {
  const int shift = ShiftFor(byte_offset, 8);
  return {static_cast<uint32_t>(value & mask) << shift, static_cast<uint32_t>(mask) << shift,
          WordOf(byte_offset)};
}

U32Field Field16(int32_t byte_offset, uint16_t value, uint16_t mask) {
  assert(byte_offset % 4 <= 2 && "a 16-bit field must not cross a word boundary");
  const int shift = ShiftFor(byte_offset, 16);
  return {static_cast<uint32_t>(value & mask) << shift, static_cast<uint32_t>(mask) << shift,
          WordOf(byte_offset)};
}

U32Field Field32(int32_t byte_offset, uint32_t value, uint32_t mask) {
  assert(byte_offset % 4 == 0);
  return {value & mask, mask, byte_offset};
}

std::vector<U32Field> PrefixFields(const model::Cidr& cidr, int32_t offset) {
  std::vector<U32Field> fields;
  const int words = (cidr.prefix_length + 31) / 32;  // IPv4: at most 1
  for (int w = 0; w < words; ++w) {
    uint32_t value = 0;
    for (int b = 0; b < 4; ++b) value = (value << 8) | cidr.address[4 * w + b];
    const uint32_t mask = PrefixMask32(cidr.prefix_length - 32 * w);
    fields.push_back(Field32(offset + 4 * w, value, mask));
  }
  return fields;
}

U32Field ProtocolField(IpFamily family, uint8_t protocol) {
  return Field8(family == IpFamily::kIpv4 ? kIpv4ProtocolOffset : kIpv6NextHeaderOffset, protocol);
}

U32Rule RuleFromFields(const std::vector<U32Field>& fields) {
  std::map<int32_t, U32Key> words;
  for (const U32Field& f : fields) {
    if (f.mask == 0) continue;
    U32Key& key = words.try_emplace(f.offset, U32Key{0, 0, f.offset}).first->second;
    // Callers never constrain the same bits twice with different values; if
    // they did, the rule could match nothing, which is a bug upstream.
    assert(((key.value ^ f.value) & key.mask & f.mask) == 0);
    key.value |= f.value;
    key.mask |= f.mask;
  }
  U32Rule rule;
  for (const auto& [offset, key] : words) rule.keys.push_back(key);
  if (rule.keys.empty()) rule.keys.push_back(U32Key{0, 0, 0});
  return rule;
}

std::vector<PortBlock> SplitPortRange(const model::PortRange& range) {
  std::vector<PortBlock> blocks;
  // 32-bit arithmetic: the block after 65535 starts at 65536.
  uint32_t first = range.first;
  const uint32_t last = range.last;
  while (first <= last) {
    // The largest power-of-two block that starts at `first` (alignment) and
    // ends within the range.
    uint32_t size = first == 0 ? 0x10000u : (first & (~first + 1));
    while (first + size - 1 > last) size >>= 1;
    blocks.push_back(
        PortBlock{static_cast<uint16_t>(first), static_cast<uint16_t>(~(size - 1) & 0xFFFFu)});
    first += size;
  }
  return blocks;
}

size_t CrossProductSize(const std::vector<std::vector<std::vector<U32Field>>>& dims) {
  size_t n = 1;
  for (const auto& alternatives : dims) {
    if (alternatives.empty()) return 0;
    if (n > std::numeric_limits<size_t>::max() / alternatives.size()) {
      return std::numeric_limits<size_t>::max();
    }
    n *= alternatives.size();
  }
  return n;
}

std::vector<U32Rule> CrossProduct(const std::vector<std::vector<std::vector<U32Field>>>& dims) {
  std::vector<std::vector<U32Field>> partial{{}};
  for (const auto& alternatives : dims) {
    std::vector<std::vector<U32Field>> next;
    next.reserve(partial.size() * alternatives.size());
    for (const auto& prefix : partial) {
      for (const auto& alternative : alternatives) {
        std::vector<U32Field> fields = prefix;
        fields.insert(fields.end(), alternative.begin(), alternative.end());
        next.push_back(std::move(fields));
      }
    }
    partial = std::move(next);
  }
  std::vector<U32Rule> rules;
  rules.reserve(partial.size());
  for (const auto& fields : partial) rules.push_back(RuleFromFields(fields));
  return rules;
}

}  // namespace chaosnet::plan
