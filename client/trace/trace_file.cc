#include "client/trace/trace_file.h"

#include <fstream>

#include "client/trace/csv_trace.h"
#include "client/trace/mahimahi_trace.h"
#include "common/units.h"
#include "daemon/program/validate.h"

namespace chaosnet::trace {
namespace {

std::string BaseName(const std::string& path) {
  const auto slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

bool EndsWith(const std::string& s, std::string_view tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

std::string Limit() { return std::to_string(program::kMaxSteps); }

// The narrowest doubling of `window` at which `text` gives few enough steps;
// 0 when none does (a trace too irregular for any window up to its period).
std::chrono::milliseconds WiderWindow(std::string_view text, std::chrono::milliseconds window) {
  for (auto w = window * 2; w <= std::chrono::hours(24); w *= 2) {
    auto steps = ParseMahimahiTrace(text, w);
    if (steps.ok() && steps->steps.size() <= program::kMaxSteps) return w;
  }
  return std::chrono::milliseconds::zero();
}

}  // namespace

Result<TraceFormat> TraceFormatFor(const std::string& path, const std::string& named) {
  if (named == "csv") return TraceFormat::kCsv;
  if (named == "mahimahi") return TraceFormat::kMahimahi;
  if (!named.empty()) {
    return InvalidArgument("--trace-format: " + units::QuoteInput(named) +
                           " is not csv or mahimahi");
  }
  if (EndsWith(path, ".csv")) return TraceFormat::kCsv;
  if (EndsWith(path, ".mahimahi") || EndsWith(path, ".up") || EndsWith(path, ".down")) {
    return TraceFormat::kMahimahi;
  }
  return InvalidArgument("--trace " + BaseName(path) +
                         ": say its format with --trace-format csv or mahimahi (a name ending "
                         "in .csv, .mahimahi, .up or .down says it)");
}

Result<program::StepList> ParseTrace(std::string_view text, TraceFormat format,
                                     std::chrono::milliseconds window) {
  if (format == TraceFormat::kCsv) {
    ASSIGN_OR_RETURN(program::StepList list, ParseCsvTrace(text));
    if (list.steps.size() > program::kMaxSteps) {
      return InvalidArgument(std::to_string(list.steps.size()) +
                             " rows is more than the daemon takes in one program (" + Limit() +
                             " steps)");
    }
    return list;
  }
  ASSIGN_OR_RETURN(program::StepList list, ParseMahimahiTrace(text, window));
  if (list.steps.size() <= program::kMaxSteps) return list;
  std::string message = "gives " + std::to_string(list.steps.size()) + " steps at --trace-window " +
                        units::FormatDuration(window) + ", more than the daemon takes in one " +
                        "program (" + Limit() + ")";
  const auto wider = WiderWindow(text, window);
  if (wider.count() > 0) message += "; --trace-window " + units::FormatDuration(wider) + " fits";
  return InvalidArgument(message);
}

Result<program::StepList> ReadTrace(const std::string& path, TraceFormat format,
                                    std::chrono::milliseconds window) {
  const std::string name = "--trace " + path;
  std::ifstream in(path, std::ios::binary);
  if (!in) return InvalidArgument(name + ": cannot be read");
  std::string text;
  char chunk[1 << 16];
  while (text.size() <= kMaxTraceBytes && in.read(chunk, sizeof chunk).gcount() > 0) {
    text.append(chunk, static_cast<std::size_t>(in.gcount()));
  }
  if (in.bad()) return InvalidArgument(name + ": cannot be read");
  if (text.size() > kMaxTraceBytes) {
    return InvalidArgument(name + ": larger than " + std::to_string(kMaxTraceBytes >> 20) +
                           " MiB; cut it, or make its windows wider first");
  }
  auto steps = ParseTrace(text, format, window);
  if (!steps.ok()) return InvalidArgument(name + ": " + steps.status().message());
  return steps;
}

std::string TraceSource(const std::string& path) {
  // The daemon keeps at most program::kMaxSourceBytes of it.
  std::string source = "trace " + BaseName(path);
  if (source.size() > program::kMaxSourceBytes) source.resize(program::kMaxSourceBytes);
  return source;
}

}  // namespace chaosnet::trace
