// Property checks shared by the fuzz targets. A broken property traps, so
// libFuzzer stops and saves the input that broke it.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string_view>

#include "common/status.h"
#include "common/units.h"

namespace chaosnet::fuzz {

inline std::string_view AsText(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// Not assert(): it must hold whatever NDEBUG says, and name what broke.
inline void Check(bool holds, const char* property, std::string_view detail = {}) {
  if (holds) return;
  std::fprintf(stderr, "\nproperty violated: %s\n  detail: %s\n", property,
               units::QuoteInput(detail).c_str());
  __builtin_trap();
}

// The parsers promise INVALID_ARGUMENT with a message fit for one line of a
// terminal, a gRPC status or a log: something said, and no control byte (a
// newline or an escape sequence echoed from hostile input) in it.
inline void CheckOneLine(std::string_view message, const char* what) {
  Check(!message.empty(), "message is not empty", what);
  for (unsigned char c : message) {
    Check(c >= 0x20 && c != 0x7f, "message is one printable line", message);
  }
}

inline void CheckOneLineError(const Status& status, const char* parser) {
  Check(!status.ok(), parser);
  Check(status.code() == StatusCode::kInvalidArgument, "error is INVALID_ARGUMENT",
        status.message());
  CheckOneLine(status.message(), parser);
}

}  // namespace chaosnet::fuzz
