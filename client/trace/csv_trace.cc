#include "client/trace/csv_trace.h"

#include <string>
#include <vector>

#include "client/trace/trace_text.h"
#include "common/units.h"

namespace chaosnet::trace {
namespace {

constexpr std::size_t kColumns = 5;
const char* const kNames[kColumns] = {"duration", "delay", "jitter", "loss", "rate"};

std::vector<std::string_view> SplitFields(std::string_view line) {
  std::vector<std::string_view> fields;
  while (true) {
    const auto comma = line.find(',');
    fields.push_back(Trim(line.substr(0, comma)));
    if (comma == std::string_view::npos) return fields;
    line = line.substr(comma + 1);
  }
}

bool IsHeader(const std::vector<std::string_view>& fields) {
  if (fields.size() != kColumns) return false;
  for (std::size_t i = 0; i < kColumns; ++i) {
    if (fields[i] != kNames[i]) return false;
  }
  return true;
}

// A rate of 0 in any unit ("0", "0mbit"): digits 0 only.
bool IsZeroRate(std::string_view text) {
  const auto unit = text.find_first_not_of("0.");
  return unit != 0 && text.substr(0, unit).find('0') != std::string_view::npos &&
         (unit == std::string_view::npos ||
          text.substr(unit).find_first_of("0123456789") == std::string_view::npos);
}

Status FieldError(std::size_t line, std::size_t column, const std::string& message) {
  return LineError(line, std::string(kNames[column]) + ": " + message);
}

Result<program::Step> ParseRow(std::size_t line, const std::vector<std::string_view>& fields) {
  program::Step step;
  step.source_line = static_cast<uint32_t>(line);
  if (fields[0].empty()) return FieldError(line, 0, "required (how long the row holds)");
  auto duration = units::ParseDuration(fields[0]);
  if (!duration.ok()) return FieldError(line, 0, duration.status().message());
  step.duration = *duration;
  program::Values& v = step.values;
  for (std::size_t column = 1; column < fields.size(); ++column) {
    const std::string_view text = fields[column];
    if (text.empty()) continue;  // keeps the previous value
    if (column == 1 || column == 2) {
      auto d = ParseDurationOrZero(text);
      if (!d.ok()) return FieldError(line, column, d.status().message());
      (column == 1 ? v.delay : v.jitter) = *d;
    } else if (column == 3) {
      auto p = units::ParsePercent(text);
      if (!p.ok()) return FieldError(line, column, p.status().message());
      v.loss = *p;
    } else {
      if (IsZeroRate(text)) {
        return FieldError(line, column,
                          "0 is no rate (htb refuses it, netem takes it for no limit); write an "
                          "outage as loss 100%");
      }
      auto bps = units::ParseRate(text);
      if (!bps.ok()) return FieldError(line, column, bps.status().message());
      v.rate = *bps;
    }
  }
  return step;
}

}  // namespace

Result<program::StepList> ParseCsvTrace(std::string_view text) {
  program::StepList list;
  bool first = true;
  RETURN_IF_ERROR(ForEachDataLine(text, [&](std::size_t line, std::string_view data) -> Status {
    const std::vector<std::string_view> fields = SplitFields(data);
    const bool was_first = first;
    first = false;
    if (was_first && IsHeader(fields)) return Status::Ok();
    if (fields.size() > kColumns) {
      return LineError(
          line, std::to_string(fields.size()) + " fields; a row is " + std::string(kCsvColumns));
    }
    if (!fields.empty() && fields[0] == "duration") {
      return LineError(line,
                       "a header is exactly " + std::string(kCsvColumns) + ", on the first line");
    }
    ASSIGN_OR_RETURN(program::Step step, ParseRow(line, fields));
    list.steps.push_back(std::move(step));
    return Status::Ok();
  }));
  if (list.steps.empty()) {
    return InvalidArgument("no rows; a row is " + std::string(kCsvColumns) +
                           ", e.g. 10s,40ms,5ms,0%,20mbit");
  }
  return list;
}

}  // namespace chaosnet::trace
