#include "common/net_parse.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <sys/socket.h>

#include <ostream>
#include <string>
#include <string_view>

namespace chaosnet {
namespace {

struct CidrCase {
  const char* text;
  int family;
  int prefix;
  const char* formatted;  // FormatCidr of the result
};

class ParseCidrOk : public testing::TestWithParam<CidrCase> {};

TEST_P(ParseCidrOk, ParsesAndFormats) {
  auto c = ParseCidr(GetParam().text);
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->family, GetParam().family);
  EXPECT_EQ(c->prefix_length, GetParam().prefix);
  EXPECT_EQ(FormatCidr(*c), GetParam().formatted);
  // The formatted text parses back to the same value.
  auto again = ParseCidr(FormatCidr(*c));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *c);
}

INSTANTIATE_TEST_SUITE_P(
    Values, ParseCidrOk,
    testing::Values(CidrCase{"10.0.0.0/8", AF_INET, 8, "10.0.0.0/8"},
                    CidrCase{"192.168.1.10", AF_INET, 32, "192.168.1.10/32"},
                    CidrCase{"192.168.1.10/32", AF_INET, 32, "192.168.1.10/32"},
                    CidrCase{"0.0.0.0/0", AF_INET, 0, "0.0.0.0/0"},
                    CidrCase{"172.16.0.0/12", AF_INET, 12, "172.16.0.0/12"},
                    CidrCase{"10.1.2.128/25", AF_INET, 25, "10.1.2.128/25"},
                    CidrCase{"2001:db8::/32", AF_INET6, 32, "2001:db8::/32"},
                    CidrCase{"::1", AF_INET6, 128, "::1/128"},
                    CidrCase{"::/0", AF_INET6, 0, "::/0"},
                    CidrCase{"2001:DB8:0:0:8000::/65", AF_INET6, 65, "2001:db8:0:0:8000::/65"},
                    CidrCase{"fe80::1/128", AF_INET6, 128, "fe80::1/128"}));

TEST(ParseCidr, StoresAddressBytesInNetworkOrder) {
  auto c = ParseCidr("10.1.2.3");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->address[0], 10);
  EXPECT_EQ(c->address[1], 1);
  EXPECT_EQ(c->address[2], 2);
  EXPECT_EQ(c->address[3], 3);
  for (int i = 4; i < 16; ++i) EXPECT_EQ(c->address[i], 0) << i;
}

struct BadCidrCase {
  const char* text;
  const char* message_part;
  friend std::ostream& operator<<(std::ostream& os, const BadCidrCase& c) {
    return os << '"' << c.text << '"';
  }
};

class ParseCidrBad : public testing::TestWithParam<BadCidrCase> {};

TEST_P(ParseCidrBad, IsRefusedWithReason) {
  auto c = ParseCidr(GetParam().text);
  ASSERT_FALSE(c.ok()) << GetParam().text << " parsed as " << FormatCidr(*c);
  EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(c.status().message().find(GetParam().message_part), std::string::npos)
      << c.status().message();
}

INSTANTIATE_TEST_SUITE_P(
    Garbage, ParseCidrBad,
    testing::Values(BadCidrCase{"", "empty"}, BadCidrCase{"/8", "missing address"},
                    BadCidrCase{"10.0.0.1/8", "did you mean 10.0.0.0/8"},
                    BadCidrCase{"192.168.1.10/24", "did you mean 192.168.1.0/24"},
                    BadCidrCase{"10.1.2.129/25", "did you mean 10.1.2.128/25"},
                    BadCidrCase{"2001:db8::1/32", "did you mean 2001:db8::/32"},
                    BadCidrCase{"10.0.0.0/33", "0 to 32"}, BadCidrCase{"::/129", "0 to 128"},
                    BadCidrCase{"10.0.0.0/", "0 to 32"}, BadCidrCase{"10.0.0.0/-1", "0 to 32"},
                    BadCidrCase{"10.0.0.0/8/8", "0 to 32"}, BadCidrCase{"10.0.0.0/ 8", "0 to 32"},
                    BadCidrCase{"10.0.0", "not an IPv4 or IPv6 address"},
                    BadCidrCase{"256.0.0.1", "not an IPv4 or IPv6 address"},
                    BadCidrCase{"example.com", "not an IPv4 or IPv6 address"},
                    BadCidrCase{" 10.0.0.1", "not an IPv4 or IPv6 address"},
                    BadCidrCase{"fe80::1%eth0", "zone"}));

// Found by fuzz/cidr_fuzz: inet_pton stops at a NUL, so what followed it was
// ignored ("::ffff\0junk/128" passed as ::ffff/128) or, in the host-bits
// message, echoed raw, newline and all.
TEST(ParseCidr, RefusesNulBytesInsteadOfIgnoringWhatFollows) {
  using namespace std::string_view_literals;
  for (std::string_view text :
       {"10.0.0.1\0junk"sv, "::ffff\0junk/128"sv, "10.0.0.1\0\n/8"sv, "10.0.0.0/8\0"sv}) {
    auto c = ParseCidr(text);
    ASSERT_FALSE(c.ok()) << FormatCidr(*c);
    const std::string& m = c.status().message();
    EXPECT_NE(m.find("NUL byte"), std::string::npos) << m;
    EXPECT_EQ(m.find('\n'), std::string::npos) << m;
    EXPECT_EQ(m.find('\0'), std::string::npos) << m;
  }
}

TEST(ParseCidr, HostBitsMessageIsOneHelpfulLine) {
  auto c = ParseCidr("10.0.0.1/8");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message(),
            "invalid CIDR \"10.0.0.1/8\": host bits are set after /8 (did you mean 10.0.0.0/8, "
            "or 10.0.0.1 alone for one host?)");
}

struct PortCase {
  const char* text;
  uint16_t first;
  uint16_t last;
  const char* formatted;
};

class ParsePortRangeOk : public testing::TestWithParam<PortCase> {};

TEST_P(ParsePortRangeOk, ParsesAndFormats) {
  auto r = ParsePortRange(GetParam().text);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->first, GetParam().first);
  EXPECT_EQ(r->last, GetParam().last);
  EXPECT_EQ(FormatPortRange(*r), GetParam().formatted);
}

INSTANTIATE_TEST_SUITE_P(Values, ParsePortRangeOk,
                         testing::Values(PortCase{"80", 80, 80, "80"},
                                         PortCase{"8000-8100", 8000, 8100, "8000-8100"},
                                         PortCase{"1", 1, 1, "1"},
                                         PortCase{"65535", 65535, 65535, "65535"},
                                         PortCase{"1-65535", 1, 65535, "1-65535"},
                                         PortCase{"443-443", 443, 443, "443"}));

class ParsePortRangeBad : public testing::TestWithParam<BadCidrCase> {};

TEST_P(ParsePortRangeBad, IsRefusedWithReason) {
  auto r = ParsePortRange(GetParam().text);
  ASSERT_FALSE(r.ok()) << GetParam().text;
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  const std::string& m = r.status().message();
  EXPECT_NE(m.find(GetParam().message_part), std::string::npos) << m;
  EXPECT_NE(m.find("e.g. 80 or 8000-8100"), std::string::npos) << m;
}

INSTANTIATE_TEST_SUITE_P(
    Garbage, ParsePortRangeBad,
    testing::Values(BadCidrCase{"", "empty"}, BadCidrCase{"0", "port 0"},
                    BadCidrCase{"0-10", "port 0"}, BadCidrCase{"65536", "1 to 65535"},
                    BadCidrCase{"100000", "1 to 65535"}, BadCidrCase{"8100-8000", "ends before"},
                    BadCidrCase{"-80", "1 to 65535"}, BadCidrCase{"80-", "1 to 65535"},
                    BadCidrCase{"1-2-3", "1 to 65535"}, BadCidrCase{"http", "1 to 65535"},
                    BadCidrCase{"80 ", "1 to 65535"}, BadCidrCase{"+80", "1 to 65535"}));

}  // namespace
}  // namespace chaosnet
