#include "client/flag_values.h"

#include <charconv>

#include "common/units.h"

namespace chaosnet::client {

Status FlagError(std::string_view flag, std::string_view message) {
  return InvalidArgument(std::string(flag) + ": " + std::string(message));
}

// Decimal digits only: from_chars alone would accept "12abc" up to the letters.
Result<uint64_t> ParseUnsigned(std::string_view flag, std::string_view text, uint64_t max) {
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec == std::errc::invalid_argument || end != text.data() + text.size()) {
    return FlagError(flag, "\"" + std::string(text) + "\" is not a whole number");
  }
  if (ec == std::errc::result_out_of_range || value > max) {
    return FlagError(flag, std::string(text) + " is above " + std::to_string(max));
  }
  return value;
}

Result<std::chrono::nanoseconds> ParseFlagDuration(std::string_view flag, const std::string& text) {
  auto d = units::ParseDuration(text);
  if (!d.ok()) return FlagError(flag, d.status().message());
  return *d;
}

}  // namespace chaosnet::client
