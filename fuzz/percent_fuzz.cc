// Fuzzes units::ParsePercent: an accepted percentage is within 0..100, and
// FormatPercent (3 decimals) parses back to within its rounding, stably.
#include <cmath>

#include "common/units.h"
#include "fuzz/fuzz_check.h"

using namespace chaosnet;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text = fuzz::AsText(data, size);
  auto percent = units::ParsePercent(text);
  if (!percent.ok()) {
    fuzz::CheckOneLineError(percent.status(), "ParsePercent refused");
    return 0;
  }
  fuzz::Check(std::isfinite(*percent) && *percent >= 0 && *percent <= 100,
              "an accepted percentage is within 0..100", text);
  const std::string formatted = units::FormatPercent(*percent);
  auto again = units::ParsePercent(formatted);
  fuzz::Check(again.ok(), "FormatPercent output parses", formatted);
  // Half of the last printed decimal, plus slack for the double conversions.
  fuzz::Check(std::fabs(*again - *percent) <= 0.0005 + 1e-9,
              "FormatPercent is within its 3-decimal rounding", formatted);
  fuzz::Check(units::FormatPercent(*again) == formatted, "FormatPercent is stable", formatted);
  return 0;
}
