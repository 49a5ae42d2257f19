#include "common/units.h"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>

namespace chaosnet::units {
namespace {

using u128 = unsigned __int128;

// A non-negative decimal as typed: mantissa / 10^scale. Parsed by hand rather
// than with strtod so that "nan", "inf", "1e999", hex floats and locale
// decimal commas can never slip through as numbers.
struct Decimal {
  u128 mantissa = 0;
  int scale = 0;  // digits after the point
};

// Beyond this many significant digits a mantissa * unit product could leave
// 128 bits; no real value needs them.
constexpr int kMaxSignificantDigits = 24;
// Leading zeros after the point are not significant but still scale: past
// 38 of them 10^scale leaves 128 bits (past 127 it wraps to 0, a division by
// zero). 24 keeps 100 * 10^scale and the unit products far inside.
constexpr int kMaxDecimals = 24;

enum class NumberError { kNone, kNoDigits, kMalformed, kTooManyDigits, kTooManyDecimals };

// Reads "digits[.digits]" from the front of `text`; `rest` gets what follows.
NumberError ParseDecimal(std::string_view text, Decimal* out, std::string_view* rest) {
  size_t i = 0;
  int significant = 0;
  bool any_digit = false;
  Decimal d;
  auto take_digit = [&](char c) {
    any_digit = true;
    if (d.mantissa == 0 && c == '0') return true;  // leading zeros carry nothing
    if (++significant > kMaxSignificantDigits) return false;
    d.mantissa = d.mantissa * 10 + static_cast<unsigned>(c - '0');
    return true;
  };
  for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
    if (!take_digit(text[i])) return NumberError::kTooManyDigits;
  }
  if (i < text.size() && text[i] == '.') {
    ++i;
    size_t frac_start = i;
    for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
      if (++d.scale > kMaxDecimals) return NumberError::kTooManyDecimals;
      if (!take_digit(text[i])) return NumberError::kTooManyDigits;
    }
    if (i == frac_start) return NumberError::kMalformed;  // "1." or "."
  }
  if (!any_digit) return NumberError::kNoDigits;
  if (i < text.size() && text[i] == '.') return NumberError::kMalformed;  // "1.2.3"
  *out = d;
  *rest = text.substr(i);
  return NumberError::kNone;
}

u128 Pow10(int n) {
  u128 p = 1;
  while (n-- > 0) p *= 10;
  return p;
}

std::string Quote(std::string_view text) { return QuoteInput(text); }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i] >= 'A' && a[i] <= 'Z' ? static_cast<char>(a[i] - 'A' + 'a') : a[i];
    if (x != b[i]) return false;
  }
  return true;
}

// ---- durations -------------------------------------------------------------

struct DurationUnit {
  std::string_view name;
  int64_t nanos;
};

// tc's spellings (sec, msec, usec, ...) are accepted too, so values copied
// from tc commands keep working.
constexpr std::array<DurationUnit, 18> kDurationUnits{{
    {"ns", 1},
    {"nsec", 1},
    {"nsecs", 1},
    {"us", 1'000},
    {"usec", 1'000},
    {"usecs", 1'000},
    {"ms", 1'000'000},
    {"msec", 1'000'000},
    {"msecs", 1'000'000},
    {"s", 1'000'000'000},
    {"sec", 1'000'000'000},
    {"secs", 1'000'000'000},
    {"m", 60'000'000'000},
    {"min", 60'000'000'000},
    {"mins", 60'000'000'000},
    {"h", 3'600'000'000'000},
    {"hour", 3'600'000'000'000},
    {"hours", 3'600'000'000'000},
}};

constexpr std::string_view kDurationHint = "(use us, ms, s, m or h, e.g. 100ms)";

Status DurationError(std::string_view text, std::string_view why) {
  return InvalidArgument("invalid duration " + Quote(text) + ": " + std::string(why) + " " +
                         std::string(kDurationHint));
}

// ---- rates -----------------------------------------------------------------

struct RateUnit {
  std::string_view name;
  uint64_t bits;  // bits per second for one of this unit
};

constexpr uint64_t kKi = 1024;
// tc's table: "bps" is BYTES per second, as in tc (and unlike common usage).
constexpr std::array<RateUnit, 18> kRateUnits{{
    {"bit", 1},
    {"kbit", 1'000},
    {"mbit", 1'000'000},
    {"gbit", 1'000'000'000},
    {"tbit", 1'000'000'000'000},
    {"kibit", kKi},
    {"mibit", kKi* kKi},
    {"gibit", kKi* kKi* kKi},
    {"tibit", kKi* kKi* kKi* kKi},
    {"bps", 8},
    {"kbps", 8'000},
    {"mbps", 8'000'000},
    {"gbps", 8'000'000'000},
    {"tbps", 8'000'000'000'000},
    {"kibps", 8 * kKi},
    {"mibps", 8 * kKi* kKi},
    {"gibps", 8 * kKi* kKi* kKi},
    {"tibps", 8 * kKi* kKi* kKi* kKi},
}};

constexpr std::string_view kRateHint =
    "(use bit, kbit, mbit, gbit, tbit or bps, kbps, mbps, gbps for bytes/s, e.g. 10mbit)";

Status RateError(std::string_view text, std::string_view why) {
  return InvalidArgument("invalid rate " + Quote(text) + ": " + std::string(why) + " " +
                         std::string(kRateHint));
}

// Why a number did not parse, or nullopt when it did.
std::optional<std::string_view> NumberErrorText(NumberError e, std::string_view too_many_digits) {
  switch (e) {
    case NumberError::kNone: return std::nullopt;
    case NumberError::kNoDigits: return "missing number";
    case NumberError::kMalformed: return "malformed number";
    case NumberError::kTooManyDigits: return too_many_digits;
    case NumberError::kTooManyDecimals: return "too many decimal places";
  }
  return "malformed number";
}

}  // namespace

Result<std::chrono::nanoseconds> ParseDuration(std::string_view text) {
  if (text.empty()) return DurationError(text, "empty value");
  if (text.front() == '-') return DurationError(text, "must be greater than 0");
  Decimal value;
  std::string_view unit;
  if (auto why = NumberErrorText(ParseDecimal(text, &value, &unit), "too large")) {
    return DurationError(text, *why);
  }
  if (unit.empty()) return DurationError(text, "missing unit");
  const DurationUnit* found = nullptr;
  for (const auto& u : kDurationUnits) {
    if (u.name == unit) {
      found = &u;
      break;
    }
  }
  if (found == nullptr) return DurationError(text, "unknown unit " + Quote(unit));

  const u128 divisor = Pow10(value.scale);
  const u128 scaled = value.mantissa * static_cast<u128>(found->nanos);
  if (scaled % divisor != 0) return DurationError(text, "finer than a nanosecond");
  const u128 nanos = scaled / divisor;
  if (nanos == 0) return DurationError(text, "must be greater than 0");
  if (nanos > static_cast<u128>(std::numeric_limits<int64_t>::max())) {
    return DurationError(text, "too large (at most about 292 years)");
  }
  return std::chrono::nanoseconds(static_cast<int64_t>(nanos));
}

Result<double> ParsePercent(std::string_view text) {
  auto error = [&](std::string_view why) -> Status {
    return InvalidArgument("invalid percentage " + Quote(text) + ": " + std::string(why) +
                           " (use a value from 0% to 100%, e.g. 5% or 0.1%)");
  };
  if (text.empty()) return error("empty value");
  if (text.front() == '-') return error("below 0%");
  Decimal value;
  std::string_view rest;
  if (auto why = NumberErrorText(ParseDecimal(text, &value, &rest), "too many digits")) {
    return error(*why);
  }
  if (rest.empty()) return error("missing % sign");
  if (rest != "%") return error("unexpected " + Quote(rest) + " after the number");
  if (value.mantissa > 100 * Pow10(value.scale)) return error("above 100%");
  // The grammar is already checked; from_chars gives the correctly rounded
  // double and, unlike strtod, ignores the locale.
  const std::string_view number = text.substr(0, text.size() - 1);
  double percent = 0;
  auto [ptr, ec] = std::from_chars(number.data(), number.data() + number.size(), percent);
  if (ec != std::errc() || ptr != number.data() + number.size()) return error("malformed number");
  return percent;
}

Result<uint64_t> ParseRate(std::string_view text) {
  if (text.empty()) return RateError(text, "empty value");
  if (text.front() == '-') return RateError(text, "must be greater than 0");
  Decimal value;
  std::string_view unit;
  if (auto why = NumberErrorText(ParseDecimal(text, &value, &unit), "too large")) {
    return RateError(text, *why);
  }
  if (unit.empty()) return RateError(text, "missing unit");
  const RateUnit* found = nullptr;
  for (const auto& u : kRateUnits) {
    if (EqualsIgnoreCase(unit, u.name)) {
      found = &u;
      break;
    }
  }
  if (found == nullptr) return RateError(text, "unknown unit " + Quote(unit));

  const u128 divisor = Pow10(value.scale);
  const u128 scaled = value.mantissa * static_cast<u128>(found->bits);
  // Fractions of a bit per second round to the nearest bit, as tc does.
  const u128 bits = (scaled + divisor / 2) / divisor;
  if (bits == 0) return RateError(text, "must be at least 1bit");
  if (bits > std::numeric_limits<uint64_t>::max()) return RateError(text, "too large");
  return static_cast<uint64_t>(bits);
}

std::string FormatDuration(std::chrono::nanoseconds d) {
  int64_t n = d.count();
  if (n == 0) return "0s";
  if (n < 0) {
    if (n == std::numeric_limits<int64_t>::min()) return std::to_string(n) + "ns";
    return "-" + FormatDuration(std::chrono::nanoseconds(-n));
  }
  static constexpr std::array<DurationUnit, 6> kLargestFirst{{
      {"h", 3'600'000'000'000},
      {"m", 60'000'000'000},
      {"s", 1'000'000'000},
      {"ms", 1'000'000},
      {"us", 1'000},
      {"ns", 1},
  }};
  for (const auto& u : kLargestFirst) {
    if (n % u.nanos == 0) return std::to_string(n / u.nanos) + std::string(u.name);
  }
  return std::to_string(n) + "ns";  // unreachable: ns divides everything
}

std::string FormatPercent(double percent) {
  if (std::isnan(percent)) return "nan%";
  if (std::isinf(percent)) return percent > 0 ? "inf%" : "-inf%";
  std::array<char, 64> buf{};
  auto [end, ec] =
      std::to_chars(buf.data(), buf.data() + buf.size(), percent, std::chars_format::fixed, 3);
  if (ec != std::errc()) return "?%";
  std::string s(buf.data(), end);
  while (!s.empty() && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  if (s == "-0") s = "0";
  return s + "%";
}

std::string QuoteInput(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (unsigned char c : text) {
    if (c == '\t') {
      out += "\\t";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7f) {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

std::string FormatRate(uint64_t bits_per_second) {
  static constexpr std::array<RateUnit, 4> kLargestFirst{{
      {"tbit", 1'000'000'000'000},
      {"gbit", 1'000'000'000},
      {"mbit", 1'000'000},
      {"kbit", 1'000},
  }};
  if (bits_per_second != 0) {
    for (const auto& u : kLargestFirst) {
      if (bits_per_second % u.bits == 0) {
        return std::to_string(bits_per_second / u.bits) + std::string(u.name);
      }
    }
  }
  return std::to_string(bits_per_second) + "bit";
}

}  // namespace chaosnet::units
