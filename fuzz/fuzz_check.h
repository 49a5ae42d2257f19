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
// terminal or a gRPC status: something said, and no control byte (a newline
// or an escape sequence echoed from hostile input) in it.
inline void CheckOneLineError(const Status& status, const char* parser) {
  Check(!status.ok(), parser);
  Check(status.code() == StatusCode::kInvalidArgument, "error is INVALID_ARGUMENT",
        status.message());
  Check(!status.message().empty(), "error message is not empty", parser);
  for (unsigned char c : status.message()) {
    Check(c >= 0x20 && c != 0x7f, "error message is one printable line", status.message());
  }
}

}  // namespace chaosnet::fuzz
