// Fuzzes ParsePortRange: an accepted range has 1 <= first <= last <= 65535,
// was spelled with digits and one dash, and survives FormatPortRange.
#include "common/net_parse.h"
#include "fuzz/fuzz_check.h"

using namespace chaosnet;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text = fuzz::AsText(data, size);
  auto range = ParsePortRange(text);
  if (!range.ok()) {
    fuzz::CheckOneLineError(range.status(), "ParsePortRange refused");
    return 0;
  }
  fuzz::Check(range->first >= 1 && range->first <= range->last,
              "an accepted range has 1 <= first <= last <= 65535", text);
  fuzz::Check(text.find_first_not_of("0123456789-") == std::string_view::npos &&
                  text.find('-') == text.rfind('-'),
              "an accepted range is digits with at most one dash", text);
  const std::string formatted = FormatPortRange(*range);
  auto again = ParsePortRange(formatted);
  fuzz::Check(again.ok() && *again == *range, "FormatPortRange parses back to the same range",
              formatted);
  return 0;
}
