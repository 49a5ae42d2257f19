#include "daemon/guard/network_outcome.h"

#include <cctype>

#include "common/units.h"

namespace chaosnet::guard {

GuardOutcome ConnectedOutcome(Nanos latency) { return {GuardResult::kPass, "connected", latency}; }

GuardOutcome HttpStatusOutcome(const HttpCheck& check, unsigned status, Nanos latency) {
  const bool in_range = status >= check.status_first && status <= check.status_last;
  return {in_range ? GuardResult::kPass : GuardResult::kFail, std::to_string(status), latency};
}

GuardOutcome ErrorOutcome(std::string_view what, Nanos latency) {
  std::string text(what.empty() ? "failed" : what);
  // Messages from strerror and Asio start with a capital: they read as a
  // sentence of their own, ours continue one.
  if (text.size() > 1 && std::isupper(static_cast<unsigned char>(text[0])) &&
      std::islower(static_cast<unsigned char>(text[1]))) {
    text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
  }
  return {GuardResult::kFail, std::move(text), latency};
}

GuardOutcome TimeoutOutcome(Nanos timeout) {
  return {GuardResult::kFail, "no answer within " + units::FormatDuration(timeout), timeout};
}

}  // namespace chaosnet::guard
