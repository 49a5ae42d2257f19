#include "client/trace/trace_text.h"

#include "common/units.h"

namespace chaosnet::trace {

std::string_view Trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r");
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(" \t\r") - first + 1);
}

Status ForEachDataLine(std::string_view text,
                       const std::function<Status(std::size_t, std::string_view)>& visit) {
  std::size_t number = 0;
  while (!text.empty()) {
    const auto end = text.find('\n');
    const std::string_view line = Trim(text.substr(0, end));
    text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
    ++number;
    if (line.empty() || line.front() == '#') continue;
    RETURN_IF_ERROR(visit(number, line));
  }
  return Status::Ok();
}

Status LineError(std::size_t line, const std::string& message) {
  return InvalidArgument("line " + std::to_string(line) + ": " + message);
}

Result<std::chrono::nanoseconds> ParseDurationOrZero(std::string_view text) {
  // units::ParseDuration refuses 0. A zero is digits 0 (and a point), with
  // or without a unit the parser knows.
  const auto unit = text.find_first_not_of("0.");
  const bool zero_digits = !text.empty() && unit != 0 &&
                           text.substr(0, unit).find_first_not_of('.') != std::string_view::npos;
  if (zero_digits && (unit == std::string_view::npos ||
                      units::ParseDuration("1" + std::string(text.substr(unit))).ok())) {
    return std::chrono::nanoseconds::zero();
  }
  return units::ParseDuration(text);
}

}  // namespace chaosnet::trace
