// Fuzzes units::ParseRate: an accepted rate is > 0, survives FormatRate ->
// ParseRate unchanged, and its unit is case-insensitive as tc's is.
#include <cctype>

#include "common/units.h"
#include "fuzz/fuzz_check.h"

using namespace chaosnet;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text = fuzz::AsText(data, size);
  auto rate = units::ParseRate(text);
  if (!rate.ok()) {
    fuzz::CheckOneLineError(rate.status(), "ParseRate refused");
    return 0;
  }
  fuzz::Check(*rate > 0, "an accepted rate is > 0", text);
  const std::string formatted = units::FormatRate(*rate);
  auto again = units::ParseRate(formatted);
  fuzz::Check(again.ok() && *again == *rate, "FormatRate parses back to the same value", formatted);
  std::string upper(text);
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  auto shouted = units::ParseRate(upper);
  fuzz::Check(shouted.ok() && *shouted == *rate, "rate units are case-insensitive", upper);
  return 0;
}
