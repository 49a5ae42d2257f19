#include "common/units.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <limits>
#include <ostream>
#include <string>

namespace chaosnet::units {
namespace {

using std::chrono::nanoseconds;

// ---- ParseDuration ----------------------------------------------------------

struct DurationCase {
  const char* text;
  int64_t nanos;
};

class ParseDurationOk : public testing::TestWithParam<DurationCase> {};

TEST_P(ParseDurationOk, Parses) {
  auto d = ParseDuration(GetParam().text);
  ASSERT_TRUE(d.ok()) << d.status().message();
  EXPECT_EQ(d->count(), GetParam().nanos);
}

INSTANTIATE_TEST_SUITE_P(
    Units, ParseDurationOk,
    testing::Values(DurationCase{"3000ms", 3'000'000'000}, DurationCase{"1.5s", 1'500'000'000},
                    DurationCase{"250us", 250'000}, DurationCase{"2m", 120'000'000'000},
                    DurationCase{"1h", 3'600'000'000'000}, DurationCase{"100ns", 100},
                    DurationCase{"1ns", 1}, DurationCase{"0.5ms", 500'000},
                    DurationCase{"0.001us", 1}, DurationCase{"007ms", 7'000'000},
                    DurationCase{"10sec", 10'000'000'000}, DurationCase{"10msec", 10'000'000},
                    DurationCase{"10usecs", 10'000}, DurationCase{"1.250s", 1'250'000'000},
                    DurationCase{".5s", 500'000'000},
                    DurationCase{"2562047h", 2562047LL * 3'600'000'000'000},
                    DurationCase{"9223372036854775807ns", std::numeric_limits<int64_t>::max()}));

struct BadCase {
  const char* text;
  const char* message_part;  // the error must say this
  friend std::ostream& operator<<(std::ostream& os, const BadCase& c) {
    return os << '"' << c.text << '"';
  }
};

class ParseDurationBad : public testing::TestWithParam<BadCase> {};

TEST_P(ParseDurationBad, IsRefusedWithReason) {
  auto d = ParseDuration(GetParam().text);
  ASSERT_FALSE(d.ok()) << GetParam().text << " parsed as " << d->count();
  EXPECT_EQ(d.status().code(), StatusCode::kInvalidArgument);
  const std::string& m = d.status().message();
  EXPECT_NE(m.find(GetParam().message_part), std::string::npos) << m;
  EXPECT_NE(m.find("e.g. 100ms"), std::string::npos) << "no example in: " << m;
  EXPECT_EQ(m.find('\n'), std::string::npos) << "not one line: " << m;
}

INSTANTIATE_TEST_SUITE_P(
    Garbage, ParseDurationBad,
    testing::Values(BadCase{"", "empty"}, BadCase{"ms", "missing number"},
                    BadCase{"10", "missing unit"}, BadCase{"-5ms", "greater than 0"},
                    BadCase{"0ms", "greater than 0"}, BadCase{"0.0s", "greater than 0"},
                    BadCase{"1e999s", "unknown unit \"e999s\""},
                    BadCase{"10 parsecs", "unknown unit"}, BadCase{"10parsecs", "unknown unit"},
                    BadCase{"1.2.3s", "malformed"}, BadCase{"nan s", "missing number"},
                    BadCase{"inf ms", "missing number"}, BadCase{"1.s", "malformed"},
                    BadCase{".s", "malformed"}, BadCase{"10MS", "unknown unit"},
                    BadCase{" 10ms", "missing number"}, BadCase{"10ms ", "unknown unit"},
                    BadCase{"+5ms", "missing number"}, BadCase{"0x10ms", "unknown unit"},
                    BadCase{"1.5ns", "finer than a nanosecond"}, BadCase{"2562048h", "too large"},
                    BadCase{"9223372036854775808ns", "too large"},
                    BadCase{"99999999999999999999999999999h", "too large"}));

TEST(ParseDuration, MissingUnitMessageIsExact) {
  auto d = ParseDuration("10");
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().message(),
            "invalid duration \"10\": missing unit (use us, ms, s, m or h, e.g. 100ms)");
}

// ---- ParsePercent -----------------------------------------------------------

struct PercentCase {
  const char* text;
  double value;
};

class ParsePercentOk : public testing::TestWithParam<PercentCase> {};

TEST_P(ParsePercentOk, Parses) {
  auto p = ParsePercent(GetParam().text);
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_DOUBLE_EQ(*p, GetParam().value);
}

INSTANTIATE_TEST_SUITE_P(Values, ParsePercentOk,
                         testing::Values(PercentCase{"5%", 5}, PercentCase{"0.1%", 0.1},
                                         PercentCase{"100%", 100}, PercentCase{"0%", 0},
                                         PercentCase{"100.0%", 100}, PercentCase{"33.333%", 33.333},
                                         PercentCase{"0.0001%", 0.0001}));

class ParsePercentBad : public testing::TestWithParam<BadCase> {};

TEST_P(ParsePercentBad, IsRefusedWithReason) {
  auto p = ParsePercent(GetParam().text);
  ASSERT_FALSE(p.ok()) << GetParam().text << " parsed as " << *p;
  EXPECT_EQ(p.status().code(), StatusCode::kInvalidArgument);
  const std::string& m = p.status().message();
  EXPECT_NE(m.find(GetParam().message_part), std::string::npos) << m;
  EXPECT_NE(m.find("e.g. 5%"), std::string::npos) << m;
}

INSTANTIATE_TEST_SUITE_P(
    Garbage, ParsePercentBad,
    testing::Values(BadCase{"150%", "above 100%"}, BadCase{"100.001%", "above 100%"},
                    BadCase{"-1%", "below 0%"}, BadCase{"5", "missing % sign"},
                    BadCase{"abc%", "missing number"}, BadCase{"", "empty"},
                    BadCase{"%", "missing number"}, BadCase{"5%%", "unexpected"},
                    BadCase{"5 %", "unexpected"}, BadCase{"nan%", "missing number"},
                    BadCase{"inf%", "missing number"}, BadCase{"1e2%", "unexpected"},
                    BadCase{"1.%", "malformed"}, BadCase{"5,5%", "unexpected"}));

// ---- ParseRate --------------------------------------------------------------

struct RateCase {
  const char* text;
  uint64_t bits;
};

class ParseRateOk : public testing::TestWithParam<RateCase> {};

TEST_P(ParseRateOk, Parses) {
  auto r = ParseRate(GetParam().text);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(*r, GetParam().bits);
}

constexpr uint64_t kKi = 1024;

INSTANTIATE_TEST_SUITE_P(
    TcUnits, ParseRateOk,
    testing::Values(RateCase{"1500bit", 1500}, RateCase{"1kbit", 1'000},
                    RateCase{"1mbit", 1'000'000}, RateCase{"10gbit", 10'000'000'000},
                    RateCase{"2tbit", 2'000'000'000'000},
                    // tc's "bps" family is bytes per second.
                    RateCase{"1bps", 8}, RateCase{"1kbps", 8'000}, RateCase{"1mbps", 8'000'000},
                    RateCase{"1gbps", 8'000'000'000}, RateCase{"1tbps", 8'000'000'000'000},
                    RateCase{"1kibit", kKi}, RateCase{"1mibit", kKi* kKi},
                    RateCase{"1gibit", kKi* kKi* kKi}, RateCase{"1tibit", kKi* kKi* kKi* kKi},
                    RateCase{"1kibps", 8 * kKi}, RateCase{"1mibps", 8 * kKi* kKi},
                    RateCase{"1gibps", 8 * kKi* kKi* kKi},
                    RateCase{"1tibps", 8 * kKi* kKi* kKi* kKi}, RateCase{"1MBit", 1'000'000},
                    RateCase{"1KBPS", 8'000}, RateCase{"1.5mbit", 1'500'000},
                    RateCase{"0.5bit", 1},  // rounds to the nearest bit, like tc
                    RateCase{"18446744073709551615bit", std::numeric_limits<uint64_t>::max()}));

class ParseRateBad : public testing::TestWithParam<BadCase> {};

TEST_P(ParseRateBad, IsRefusedWithReason) {
  auto r = ParseRate(GetParam().text);
  ASSERT_FALSE(r.ok()) << GetParam().text << " parsed as " << *r;
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  const std::string& m = r.status().message();
  EXPECT_NE(m.find(GetParam().message_part), std::string::npos) << m;
  EXPECT_NE(m.find("e.g. 10mbit"), std::string::npos) << m;
}

INSTANTIATE_TEST_SUITE_P(
    Garbage, ParseRateBad,
    testing::Values(BadCase{"", "empty"}, BadCase{"100", "missing unit"},
                    BadCase{"0mbit", "at least 1bit"}, BadCase{"0.1bit", "at least 1bit"},
                    BadCase{"-1mbit", "greater than 0"}, BadCase{"mbit", "missing number"},
                    BadCase{"1 mbit", "unknown unit"}, BadCase{"1mbits", "unknown unit"},
                    BadCase{"1xbit", "unknown unit"},
                    BadCase{"18446744073709551616bit", "too large"},
                    BadCase{"20000000tbit", "too large"}));

// 3 * 8 * 2^40: the IEC byte units multiply by 8 and by powers of 1024.
TEST(ParseRate, LargeIecByteRateFits) {
  auto r = ParseRate("3tibps");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, 3 * 8 * kKi * kKi * kKi * kKi);
}

// ---- Format -----------------------------------------------------------------

struct FormatDurationCase {
  int64_t nanos;
  const char* text;
};

class FormatDurationTest : public testing::TestWithParam<FormatDurationCase> {};

TEST_P(FormatDurationTest, ShortestExactForm) {
  EXPECT_EQ(FormatDuration(nanoseconds(GetParam().nanos)), GetParam().text);
}

INSTANTIATE_TEST_SUITE_P(Values, FormatDurationTest,
                         testing::Values(FormatDurationCase{3'000'000'000, "3s"},
                                         FormatDurationCase{1'500'000'000, "1500ms"},
                                         FormatDurationCase{250'000, "250us"},
                                         FormatDurationCase{7, "7ns"},
                                         FormatDurationCase{120'000'000'000, "2m"},
                                         FormatDurationCase{90'000'000'000, "90s"},
                                         FormatDurationCase{3'600'000'000'000, "1h"},
                                         FormatDurationCase{0, "0s"},
                                         FormatDurationCase{-5'000'000, "-5ms"}));

TEST(FormatDuration, RoundTripsThroughParse) {
  for (const char* text : {"3000ms", "1.5s", "250us", "2m", "1h", "100ns", "1.000001s"}) {
    auto d = ParseDuration(text);
    ASSERT_TRUE(d.ok()) << text;
    auto again = ParseDuration(FormatDuration(*d));
    ASSERT_TRUE(again.ok()) << FormatDuration(*d);
    EXPECT_EQ(*again, *d) << text;
  }
}

struct FormatPercentCase {
  double value;
  const char* text;
};

class FormatPercentTest : public testing::TestWithParam<FormatPercentCase> {};

TEST_P(FormatPercentTest, UpToThreeDecimals) {
  EXPECT_EQ(FormatPercent(GetParam().value), GetParam().text);
}

INSTANTIATE_TEST_SUITE_P(Values, FormatPercentTest,
                         testing::Values(FormatPercentCase{5, "5%"}, FormatPercentCase{0.1, "0.1%"},
                                         FormatPercentCase{100.0 / 3, "33.333%"},
                                         FormatPercentCase{100, "100%"}, FormatPercentCase{0, "0%"},
                                         FormatPercentCase{25.5, "25.5%"},
                                         FormatPercentCase{0.0001, "0%"},
                                         FormatPercentCase{-0.0001, "0%"}));

struct FormatRateCase {
  uint64_t bits;
  const char* text;
};

class FormatRateTest : public testing::TestWithParam<FormatRateCase> {};

TEST_P(FormatRateTest, LargestExactSiUnit) {
  EXPECT_EQ(FormatRate(GetParam().bits), GetParam().text);
}

INSTANTIATE_TEST_SUITE_P(
    Values, FormatRateTest,
    testing::Values(FormatRateCase{1'000'000, "1mbit"}, FormatRateCase{10'000'000'000, "10gbit"},
                    FormatRateCase{1500, "1500bit"}, FormatRateCase{1'500'000, "1500kbit"},
                    FormatRateCase{100'000'000'000'000, "100tbit"}, FormatRateCase{8, "8bit"},
                    FormatRateCase{0, "0bit"}, FormatRateCase{1024, "1024bit"}));

TEST(FormatRate, RoundTripsThroughParse) {
  for (uint64_t bits : {uint64_t{8}, uint64_t{1'000'000}, uint64_t{1'234'567},
                        std::numeric_limits<uint64_t>::max()}) {
    auto r = ParseRate(FormatRate(bits));
    ASSERT_TRUE(r.ok()) << FormatRate(bits);
    EXPECT_EQ(*r, bits);
  }
}

}  // namespace
}  // namespace chaosnet::units

namespace chaosnet::units {
namespace {

TEST(QuoteInput, EscapesWhatWouldBreakALine) {
  EXPECT_EQ(QuoteInput("10ms"), "\"10ms\"");
  EXPECT_EQ(QuoteInput("a\nb"), "\"a\\nb\"");
  EXPECT_EQ(QuoteInput("a\tb"), "\"a\\tb\"");
  EXPECT_EQ(QuoteInput(std::string_view("a\0b", 3)), "\"a\\x00b\"");
  EXPECT_EQ(QuoteInput("\x1b[31m"), "\"\\x1b[31m\"");
  EXPECT_EQ(QuoteInput("say \"hi\""), "\"say \\\"hi\\\"\"");
  EXPECT_EQ(QuoteInput(""), "\"\"");
}

// Found while writing the fuzz targets (their long_fraction seeds replay it):
// leading zeros after the point are not significant digits, yet each one
// scales; past 127 of them 10^scale wrapped to 0 in 128 bits, and duration
// and rate divided by it while percent called 1e-126% "above 100%".
TEST(ParseErrors, LongFractionsAreRefusedNotDividedByZero) {
  const std::string tiny = "0." + std::string(130, '0') + "1";
  for (const Status& s : {ParseDuration(tiny + "s").status(), ParseRate(tiny + "bit").status(),
                          ParsePercent(tiny + "%").status()}) {
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
    EXPECT_NE(s.message().find("too many decimal places"), std::string::npos) << s.message();
  }
  // The limit is 24 decimals, which still takes every real value.
  auto p = ParsePercent("0." + std::string(23, '0') + "1%");
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_DOUBLE_EQ(*p, 1e-24);
}

TEST(ParseErrors, StayOneLineForHostileInput) {
  for (const char* text : {"10ms\n", "5%\nx", "1mbit\r\n"}) {
    EXPECT_EQ(ParseDuration(text).status().message().find('\n'), std::string::npos) << text;
    EXPECT_EQ(ParsePercent(text).status().message().find('\n'), std::string::npos) << text;
    EXPECT_EQ(ParseRate(text).status().message().find('\n'), std::string::npos) << text;
  }
}

}  // namespace
}  // namespace chaosnet::units
