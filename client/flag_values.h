// Reading one flag's value, for the request builder and the connection
// settings alike. Errors are INVALID_ARGUMENT whose message names the flag
// first ("ttl: ..."), so a typo fails locally (exit 2).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"

namespace chaosnet::client {

Status FlagError(std::string_view flag, std::string_view message);

// Decimal digits only, at most `max`.
Result<uint64_t> ParseUnsigned(std::string_view flag, std::string_view text, uint64_t max);

// A duration with its unit ("30s", "100ms").
Result<std::chrono::nanoseconds> ParseFlagDuration(std::string_view flag, const std::string& text);

}  // namespace chaosnet::client
