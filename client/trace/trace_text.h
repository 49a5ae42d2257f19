// What the two trace parsers share: walking a file's lines (numbered from 1,
// "\r\n" endings, blank lines and '#' comments skipped) and the one-line
// errors that name the line ("line 12: loss: ...").
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace chaosnet::trace {

// Calls `visit(number, text)` for every line that is neither blank nor a
// comment, `text` trimmed of spaces and tabs; stops at the first error.
Status ForEachDataLine(std::string_view text,
                       const std::function<Status(std::size_t, std::string_view)>& visit);

std::string_view Trim(std::string_view s);

// INVALID_ARGUMENT "line N: message".
Status LineError(std::size_t line, const std::string& message);

// A duration with its unit ("100ms"), or a zero ("0", "0ms", "0.0s"): inside a
// program a delay or a jitter may be 0. INVALID_ARGUMENT as units::ParseDuration.
Result<std::chrono::nanoseconds> ParseDurationOrZero(std::string_view text);

}  // namespace chaosnet::trace
