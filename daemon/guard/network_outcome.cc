#include "daemon/guard/network_outcome.h"

#include <cctype>

#include "common/units.h"

namespace chaosnet::guard {

std::string HttpRequest(const HttpCheck& check) {
  return "GET " + check.path + " HTTP/1.0\r\nHost: " + FormatEndpoint(check.target) +
         "\r\nUser-Agent: chaosnetd-guard\r\nConnection: close\r\n\r\n";
}

std::optional<unsigned> StatusOfStatusLine(std::string_view line) {
  // "HTTP/1.x SP 3DIGIT [SP reason]"
  if (!line.starts_with("HTTP/") || line.size() < 12) return std::nullopt;
  const size_t space = line.find(' ');
  if (space == std::string_view::npos || space + 4 > line.size()) return std::nullopt;
  unsigned status = 0;
  for (size_t i = space + 1; i < space + 4; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(line[i]))) return std::nullopt;
    status = status * 10 + static_cast<unsigned>(line[i] - '0');
  }
  if (space + 4 < line.size() && line[space + 4] != ' ' && line[space + 4] != '\r') {
    return std::nullopt;
  }
  if (status < 100) return std::nullopt;
  return status;
}

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
