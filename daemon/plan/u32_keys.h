// Building blocks of u32 rules: header fields as (word, value, mask), the
// header offsets chaosnet matches on, and port ranges as prefix blocks.
//
// u32 compares whole 32-bit words at offsets that are multiples of 4, so a
// field narrower than a word is a value and a mask shifted into its place in
// the word, and fields that share a word (sport and dport; IPv4's TTL,
// protocol and checksum) must be merged into ONE key: two keys at the same
// offset would each be checked, which works, but costs a comparison per key
// and is not what `tc filter show` prints for the same match. tc's own parser
// (f_u32.c, pack_key) merges them the same way.
//
// Offsets are from the start of the network header (u32's default base):
//
//   IPv4 (no options: IHL must be 5)          IPv6 (no extension headers)
//   byte 9      protocol                      byte 6       next header
//   12..15      source address                8..23        source address
//   16..19      destination address           24..39       destination address
//   20..21      source port                   40..41       source port
//   22..23      destination port              42..43       destination port
//                                             40           ICMPv6 type
//
// The port offsets are fixed, exactly as tc's `match ip dport` assumes: an
// IPv4 packet with options, or an IPv6 packet with an extension header before
// TCP/UDP, has other bytes there and is (mis)classified by them. Such packets
// are rare on the paths faults are injected on; following the header chain
// would need u32's hash-table "link"/"nexthdr" machinery, which costs a
// classifier per fault and is not worth it here.
#pragma once

#include <cstdint>
#include <vector>

#include "daemon/model/fault_spec.h"
#include "daemon/plan/tc_objects.h"

namespace chaosnet::plan {

enum class IpFamily { kIpv4, kIpv6 };

inline constexpr int32_t kIpv4ProtocolOffset = 9;
inline constexpr int32_t kIpv4SrcOffset = 12;
inline constexpr int32_t kIpv4DstOffset = 16;
inline constexpr int32_t kIpv4SportOffset = 20;
inline constexpr int32_t kIpv4DportOffset = 22;

inline constexpr int32_t kIpv6NextHeaderOffset = 6;
inline constexpr int32_t kIpv6SrcOffset = 8;
inline constexpr int32_t kIpv6DstOffset = 24;
inline constexpr int32_t kIpv6SportOffset = 40;
inline constexpr int32_t kIpv6DportOffset = 42;
inline constexpr int32_t kIcmpv6TypeOffset = 40;

inline constexpr uint8_t kIpProtoIcmp = 1;
inline constexpr uint8_t kIpProtoTcp = 6;
inline constexpr uint8_t kIpProtoUdp = 17;
inline constexpr uint8_t kIpProtoIcmpv6 = 58;

// A field of a packet header placed in its 32-bit word: value and mask are
// already shifted to the field's position. offset is the word's (multiple of 4).
using U32Field = U32Key;

// An 8- or 16-bit field at any byte offset (a 16-bit one must not cross a
// word boundary), or a whole word at an offset that is a multiple of 4.
U32Field Field8(int32_t byte_offset, uint8_t value, uint8_t mask = 0xFF);
U32Field Field16(int32_t byte_offset, uint16_t value, uint16_t mask = 0xFFFF);
U32Field Field32(int32_t byte_offset, uint32_t value, uint32_t mask = 0xFFFFFFFF);

// The fields of an address prefix at `offset` (one word for IPv4, up to four
// for IPv6); words the prefix does not reach are left out. /0 gives none.
std::vector<U32Field> PrefixFields(const model::Cidr& cidr, int32_t offset);

// The protocol (IPv4) / next header (IPv6) field.
U32Field ProtocolField(IpFamily family, uint8_t protocol);

// All fields ANDed into one rule: fields sharing a word are merged into one
// key, words with an empty mask are dropped, keys come out sorted by offset.
// A rule with no constraint at all becomes the key {0, 0, 0}
// ("match u32 0 0 at 0"): u32 wants at least one key per node.
U32Rule RuleFromFields(const std::vector<U32Field>& fields);

// A block of ports sharing their high bits: the ports p with
// (p & mask) == value.
struct PortBlock {
  uint16_t value = 0;
  uint16_t mask = 0;
  bool operator==(const PortBlock&) const = default;
};

// [first, last] as the fewest prefix-aligned blocks, lowest first. E.g.
// 1000-2000 is 1000/fff8 1008/fff0 1024/fe00 1536/ff00 1792/ff80 1920/ffc0
// 1984/fff0 2000/ffff. Any range needs at most 30 blocks (1-65535: 16).
std::vector<PortBlock> SplitPortRange(const model::PortRange& range);

// Alternatives ORed, then ANDed across dimensions: a rule for every way of
// picking one alternative (a list of fields) per dimension. A dimension with
// no alternative makes no rules. The caller bounds the product first.
std::vector<U32Rule> CrossProduct(const std::vector<std::vector<std::vector<U32Field>>>& dims);

// How many rules CrossProduct would make, saturating at SIZE_MAX.
size_t CrossProductSize(const std::vector<std::vector<std::vector<U32Field>>>& dims);

}  // namespace chaosnet::plan
