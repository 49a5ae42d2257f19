#include "daemon/guard/counter_guard.h"

#include <charconv>
#include <cstdio>
#include <string>
#include <vector>

#include "common/units.h"

namespace chaosnet::guard {
namespace {

std::string Fixed(double value) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", value);
  return buf;
}

GuardOutcome Judge(bool holds, std::string observed) {
  return {holds ? GuardResult::kPass : GuardResult::kFail, std::move(observed)};
}

GuardOutcome Drops(const DropsCheck& c, const CounterSample& now) {
  const uint64_t seen = now.packets + now.drops;
  if (seen < c.min_packets) {
    return {GuardResult::kUndecided, std::to_string(seen) + " packets seen, " +
                                         std::to_string(c.min_packets) + " needed to decide"};
  }
  const double percent = 100.0 * static_cast<double>(now.drops) / static_cast<double>(seen);
  return Judge(percent < c.max_percent, "drops " + units::FormatPercent(percent) + " of " +
                                            std::to_string(seen) + " packets");
}

GuardOutcome Retransmits(const RetransmitsCheck& c, const std::optional<CounterSample>& before,
                         const CounterSample& now) {
  if (!now.retransmits) return {GuardResult::kUndecided, "retransmission counter unreadable"};
  if (!before || !before->retransmits) return {GuardResult::kUndecided, "first sample"};
  const double seconds = std::chrono::duration<double>(now.at - before->at).count();
  if (seconds <= 0 || *now.retransmits < *before->retransmits) {
    return {GuardResult::kUndecided, "counter went back; next sample"};
  }
  const double rate = static_cast<double>(*now.retransmits - *before->retransmits) / seconds;
  return Judge(rate < c.max_per_second, Fixed(rate) + " retransmits/s");
}

std::vector<std::string_view> Words(std::string_view line) {
  std::vector<std::string_view> words;
  size_t i = 0;
  while (i < line.size()) {
    const size_t space = line.find(' ', i);
    const size_t end = space == std::string_view::npos ? line.size() : space;
    if (end > i) words.push_back(line.substr(i, end - i));
    i = end + 1;
  }
  return words;
}

}  // namespace

GuardOutcome EvaluateCounterGuard(const GuardCheck& check,
                                  const std::optional<CounterSample>& previous,
                                  const CounterSample& current) {
  if (const auto* drops = std::get_if<DropsCheck>(&check)) return Drops(*drops, current);
  if (const auto* backlog = std::get_if<BacklogCheck>(&check)) {
    return Judge(current.backlog_packets < backlog->max_packets,
                 "backlog " + std::to_string(current.backlog_packets) + " packets");
  }
  if (const auto* retransmits = std::get_if<RetransmitsCheck>(&check)) {
    return Retransmits(*retransmits, previous, current);
  }
  return {GuardResult::kUndecided, "not a counter guard"};
}

std::optional<uint64_t> RetransSegsFromSnmp(std::string_view snmp) {
  // Each protocol has two lines: "Tcp: Name Name ..." then "Tcp: 1 200 ...".
  std::vector<std::string_view> header;
  size_t start = 0;
  while (start < snmp.size()) {
    const size_t newline = snmp.find('\n', start);
    const size_t end = newline == std::string_view::npos ? snmp.size() : newline;
    const std::string_view line = snmp.substr(start, end - start);
    start = end + 1;
    if (!line.starts_with("Tcp: ")) continue;
    std::vector<std::string_view> words = Words(line);
    if (header.empty()) {
      header = std::move(words);
      continue;
    }
    for (size_t i = 1; i < header.size() && i < words.size(); ++i) {
      if (header[i] != "RetransSegs") continue;
      uint64_t value = 0;
      auto [ptr, ec] = std::from_chars(words[i].data(), words[i].data() + words[i].size(), value);
      if (ec != std::errc() || ptr != words[i].data() + words[i].size()) return std::nullopt;
      return value;
    }
    return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace chaosnet::guard
