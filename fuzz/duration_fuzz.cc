// Fuzzes units::ParseDuration: an accepted duration is positive and survives
// FormatDuration -> ParseDuration unchanged (what dry runs and `get` print).
#include "common/units.h"
#include "fuzz/fuzz_check.h"

using namespace chaosnet;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text = fuzz::AsText(data, size);
  auto duration = units::ParseDuration(text);
  if (!duration.ok()) {
    fuzz::CheckOneLineError(duration.status(), "ParseDuration refused");
    return 0;
  }
  fuzz::Check(duration->count() > 0, "an accepted duration is > 0", text);
  const std::string formatted = units::FormatDuration(*duration);
  auto again = units::ParseDuration(formatted);
  fuzz::Check(again.ok() && *again == *duration, "FormatDuration parses back to the same value",
              formatted);
  return 0;
}
