#include "daemon/plan/u32_keys.h"

#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <vector>

#include "common/net_parse.h"
#include "tests/support/plan_printers.h"

namespace chaosnet::plan {

namespace {

// ---- field placement: where tc's pack_key8/16/32 put the same fields -------

struct FieldCase {
  const char* name;
  U32Field field;
  U32Key expected;
};

class FieldPlacement : public testing::TestWithParam<FieldCase> {};

TEST_P(FieldPlacement, SitsInItsWordLikeTcPutsIt) {
  EXPECT_EQ(GetParam().field, GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    Fields, FieldPlacement,
    testing::Values(
        // tc: match ip protocol 6 0xff -> 00060000/00ff0000 at 8
        FieldCase{"Ipv4Protocol", ProtocolField(IpFamily::kIpv4, 6), {0x00060000, 0x00FF0000, 8}},
        // tc: match ip6 protocol 58 0xff -> 00003a00/0000ff00 at 4
        FieldCase{"Ipv6NextHeader", ProtocolField(IpFamily::kIpv6, 58), {0x3A00, 0xFF00, 4}},
        // tc: match ip sport 53 0xffff -> 00350000/ffff0000 at 20
        FieldCase{"Ipv4Sport", Field16(kIpv4SportOffset, 53), {0x00350000, 0xFFFF0000, 20}},
        // tc: match ip dport 80 0xffff -> 00000050/0000ffff at 20
        FieldCase{"Ipv4Dport", Field16(kIpv4DportOffset, 80), {0x50, 0xFFFF, 20}},
        FieldCase{"Ipv6Dport", Field16(kIpv6DportOffset, 8080), {0x1F90, 0xFFFF, 40}},
        // tc: match u8 133 0xff at 40 -> 85000000/ff000000 at 40
        FieldCase{"Icmpv6Type", Field8(kIcmpv6TypeOffset, 133), {0x85000000, 0xFF000000, 40}},
        FieldCase{"ValueIsMasked", Field16(kIpv4DportOffset, 0x1234, 0xFF00), {0x1200, 0xFF00, 20}},
        FieldCase{"Word", Field32(16, 0x0A000001, 0xFFFFFF00), {0x0A000000, 0xFFFFFF00, 16}}),
    [](const auto& info) { return std::string(info.param.name); });

struct PrefixCase {
  const char* cidr;
  int32_t offset;
  std::vector<U32Key> expected;
};

class PrefixFieldsTable : public testing::TestWithParam<PrefixCase> {};

TEST_P(PrefixFieldsTable, OneKeyPerWordTheTcWay) {
  EXPECT_EQ(PrefixFields(Cidr(GetParam().cidr), GetParam().offset), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    Prefixes, PrefixFieldsTable,
    testing::Values(
        // tc: match ip dst 10.0.0.0/24 -> 0a000000/ffffff00 at 16
        PrefixCase{"10.0.0.0/24", 16, {{0x0A000000, 0xFFFFFF00, 16}}},
        PrefixCase{"192.168.1.5", 12, {{0xC0A80105, 0xFFFFFFFF, 12}}},
        PrefixCase{"172.16.0.0/12", 12, {{0xAC100000, 0xFFF00000, 12}}},
        PrefixCase{"0.0.0.0/0", 16, {}}, PrefixCase{"::/0", 24, {}},
        // tc: match ip6 src 2001:db8::/33 -> 20010db8/ffffffff at 8, 0/80000000 at 12
        PrefixCase{"2001:db8::/33", 8, {{0x20010DB8, 0xFFFFFFFF, 8}, {0, 0x80000000, 12}}},
        PrefixCase{"2001:db8::/32", 24, {{0x20010DB8, 0xFFFFFFFF, 24}}},
        // tc: match ip6 dst 2001:db8:aaaa:bbbb:cccc:dddd:eeee:ff00/120
        PrefixCase{"2001:db8:aaaa:bbbb:cccc:dddd:eeee:ff00/120",
                   24,
                   {{0x20010DB8, 0xFFFFFFFF, 24},
                    {0xAAAABBBB, 0xFFFFFFFF, 28},
                    {0xCCCCDDDD, 0xFFFFFFFF, 32},
                    {0xEEEEFF00, 0xFFFFFF00, 36}}}));

TEST(RuleFromFields, SportAndDportShareOneWordLikeTc) {
  // tc: match ip sport 1000 0xfff8 match ip dport 80 0xffff -> 03e80050/fff8ffff at 20
  const U32Rule rule =
      RuleFromFields({Field16(kIpv4SportOffset, 1000, 0xFFF8), Field16(kIpv4DportOffset, 80)});
  EXPECT_EQ(rule.keys, (std::vector<U32Key>{{0x03E80050, 0xFFF8FFFF, 20}}));
}

TEST(RuleFromFields, KeysSortedByOffsetAndEmptyMasksDropped) {
  const U32Rule rule =
      RuleFromFields({Field16(kIpv4DportOffset, 80), Field32(16, 0, 0),  // /0: no constraint
                      ProtocolField(IpFamily::kIpv4, 6)});
  EXPECT_EQ(rule.keys, (std::vector<U32Key>{{0x00060000, 0x00FF0000, 8}, {0x50, 0xFFFF, 20}}));
}

TEST(RuleFromFields, NoConstraintIsMatchAllKey) {
  EXPECT_EQ(RuleFromFields({}).keys, (std::vector<U32Key>{{0, 0, 0}}));
  EXPECT_EQ(RuleFromFields({Field32(12, 0, 0)}).keys, (std::vector<U32Key>{{0, 0, 0}}));
}

// ---- port ranges as prefix blocks ----------------------------------------------

struct SplitCase {
  uint16_t first, last;
  std::vector<PortBlock> expected;
};

class SplitPortRangeTable : public testing::TestWithParam<SplitCase> {};

TEST_P(SplitPortRangeTable, MinimalAlignedBlocks) {
  EXPECT_EQ(SplitPortRange({GetParam().first, GetParam().last}), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    Ranges, SplitPortRangeTable,
    testing::Values(
        SplitCase{80, 80, {{80, 0xFFFF}}},
        SplitCase{1000,
                  2000,
                  {{1000, 0xFFF8},
                   {1008, 0xFFF0},
                   {1024, 0xFE00},
                   {1536, 0xFF00},
                   {1792, 0xFF80},
                   {1920, 0xFFC0},
                   {1984, 0xFFF0},
                   {2000, 0xFFFF}}},
        SplitCase{8000, 8100, {{8000, 0xFFC0}, {8064, 0xFFE0}, {8096, 0xFFFC}, {8100, 0xFFFF}}},
        SplitCase{1024, 2047, {{1024, 0xFC00}}},                  // one aligned block
        SplitCase{1023, 1024, {{1023, 0xFFFF}, {1024, 0xFFFF}}},  // straddles a boundary
        SplitCase{133, 137, {{133, 0xFFFF}, {134, 0xFFFE}, {136, 0xFFFE}}},
        SplitCase{0, 65535, {{0, 0x0000}}}, SplitCase{32768, 65535, {{32768, 0x8000}}},
        SplitCase{65535, 65535, {{65535, 0xFFFF}}}));

// Exhaustive property over many ranges: the blocks cover exactly [first,last],
// do not overlap, and are as few as possible (no two neighbours could merge).
TEST(SplitPortRange, CoversExactlyAndMinimallyForManyRanges) {
  for (uint32_t first = 1; first < 70000; first += 997) {
    for (uint32_t last : {first, first + 1, first + 255, first + 4000, 65535u}) {
      if (first > 65535 || last > 65535 || last < first) continue;
      const auto blocks =
          SplitPortRange({static_cast<uint16_t>(first), static_cast<uint16_t>(last)});
      uint32_t next = first;
      uint32_t previous_size = 0;
      for (const PortBlock& b : blocks) {
        ASSERT_EQ(b.value, next) << first << "-" << last;
        const uint32_t size = (~uint32_t{b.mask} & 0xFFFF) + 1;
        ASSERT_EQ(b.value & ~b.mask & 0xFFFF, 0) << "block not aligned";
        // Minimal: no two neighbours of one size that form an aligned block
        // of twice the size (they would be one rule instead of two).
        if (size == previous_size) {
          EXPECT_NE((next - size) % (2 * size), 0u) << first << "-" << last << " at " << next;
        }
        previous_size = size;
        next += size;
      }
      EXPECT_EQ(next, last + 1) << first << "-" << last;
      EXPECT_LE(blocks.size(), 30u);
    }
  }
  EXPECT_EQ(SplitPortRange({1, 65535}).size(), 16u);
  EXPECT_EQ(SplitPortRange({1, 65534}).size(), 30u);
}

TEST(CrossProduct, OrWithinAndAcross) {
  const std::vector<std::vector<std::vector<U32Field>>> dims = {
      {{ProtocolField(IpFamily::kIpv4, 6)}, {ProtocolField(IpFamily::kIpv4, 17)}},
      {{Field16(kIpv4DportOffset, 80)}, {Field16(kIpv4DportOffset, 443)}}};
  EXPECT_EQ(CrossProductSize(dims), 4u);
  const auto rules = CrossProduct(dims);
  ASSERT_EQ(rules.size(), 4u);
  EXPECT_EQ(rules[0].keys, (std::vector<U32Key>{{0x00060000, 0x00FF0000, 8}, {80, 0xFFFF, 20}}));
  EXPECT_EQ(rules[3].keys, (std::vector<U32Key>{{0x00110000, 0x00FF0000, 8}, {443, 0xFFFF, 20}}));
  EXPECT_EQ(CrossProductSize({}), 1u);
  EXPECT_EQ(CrossProduct({}).size(), 1u);
  EXPECT_EQ(CrossProductSize({{}}), 0u);
}

}  // namespace
}  // namespace chaosnet::plan
