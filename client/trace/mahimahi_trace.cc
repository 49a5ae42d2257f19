#include "client/trace/mahimahi_trace.h"

#include <algorithm>
#include <charconv>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "client/trace/trace_text.h"
#include "common/units.h"
#include "daemon/program/validate.h"

namespace chaosnet::trace {
namespace {

using std::chrono::milliseconds;

// Far beyond any recording (~31 years), and small enough that counts x
// window lengths cannot overflow below.
constexpr uint64_t kMaxTimestampMs = 1'000'000'000'000;

struct Window {
  uint64_t length_ms = 0;
  uint64_t opportunities = 0;
};

// Bits per second of `w`, rounded to the nearest.
uint64_t RateOf(const Window& w) {
  return (w.opportunities * kMahimahiPacketBits * 1000 + w.length_ms / 2) / w.length_ms;
}

// Calls `visit(line, timestamp)` for each timestamp; INVALID_ARGUMENT at a
// line that is not one.
Status ForEachTimestamp(std::string_view text,
                        const std::function<Status(std::size_t, uint64_t)>& visit) {
  return ForEachDataLine(text, [&](std::size_t line, std::string_view data) -> Status {
    uint64_t t = 0;
    const auto [end, ec] = std::from_chars(data.data(), data.data() + data.size(), t);
    if (ec != std::errc{} || end != data.data() + data.size() || t > kMaxTimestampMs) {
      return LineError(
          line, units::QuoteInput(data) + " is not a millisecond timestamp (one integer per line)");
    }
    return visit(line, t);
  });
}

}  // namespace

Result<program::StepList> ParseMahimahiTrace(std::string_view text, milliseconds window) {
  const uint64_t min_ms =
      static_cast<uint64_t>(std::chrono::ceil<milliseconds>(program::kMinStep).count());
  if (window.count() < static_cast<int64_t>(min_ms)) {
    return InvalidArgument("the window must be at least " + std::to_string(min_ms) + "ms");
  }
  // Two passes over the text rather than a vector of every timestamp: a
  // trace of a fast link has millions of lines. The first checks each line
  // and finds the period, the second counts.
  uint64_t last = 0;
  std::size_t count = 0;
  RETURN_IF_ERROR(ForEachTimestamp(text, [&](std::size_t line, uint64_t t) -> Status {
    if (count > 0 && t < last) {
      return LineError(line, std::to_string(t) + " is before the timestamp above it (" +
                                 std::to_string(last) + "); a trace's timestamps never go back");
    }
    last = t;
    ++count;
    return Status::Ok();
  }));
  if (count == 0) return InvalidArgument("no timestamps; one millisecond timestamp a line");
  const uint64_t period = last;
  if (period == 0) {
    return InvalidArgument("the last timestamp, the trace's period, is 0; it must be above 0");
  }

  // Window k holds the opportunities in (k w, (k+1) w], the last one ending
  // at the period; a timestamp of 0 is the period's (mm-link loops), so a
  // trace written 1, 2, ..., P fills every window alike.
  const uint64_t w = std::min<uint64_t>(static_cast<uint64_t>(window.count()), period);
  uint64_t windows = (period + w - 1) / w;
  if (windows > 1 && period - (windows - 1) * w < min_ms) --windows;  // joins the one before
  auto length_of = [&](uint64_t k) { return k + 1 == windows ? period - k * w : w; };
  auto window_of = [&](uint64_t t) {
    const uint64_t in_period = t % period == 0 ? period : t % period;  // 1 .. period
    return std::min((in_period - 1) / w, windows - 1);
  };

  // Opportunities of the windows that have any; the rest are outages.
  std::map<uint64_t, uint64_t> counts;
  RETURN_IF_ERROR(ForEachTimestamp(text, [&](std::size_t, uint64_t t) {
    ++counts[window_of(t)];
    return Status::Ok();
  }));
  const bool outages = counts.size() < windows;

  program::StepList list;
  auto add = [&](uint64_t length_ms, std::optional<uint64_t> rate) {
    program::Values v;
    if (rate) {
      v.rate = *rate;
      if (outages) v.loss = 0.0;
    } else {
      v.loss = 100.0;
    }
    const auto length = std::chrono::duration_cast<program::Nanos>(milliseconds(length_ms));
    if (!list.steps.empty() && list.steps.back().values == v) {
      list.steps.back().duration += length;
    } else {
      list.steps.push_back(program::Step{.duration = length, .values = v});
    }
  };
  uint64_t next = 0;  // the first window not yet turned into a step
  for (const auto& [k, n] : counts) {
    if (k > next) add(k * w - next * w, std::nullopt);  // the outage before k
    add(length_of(k), RateOf(Window{.length_ms = length_of(k), .opportunities = n}));
    next = k + 1;
  }
  if (next < windows) add(period - next * w, std::nullopt);
  return list;
}

}  // namespace chaosnet::trace
