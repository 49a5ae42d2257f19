#include "daemon/netlink/tc_math.h"

#include <cmath>
#include <limits>

namespace chaosnet::netlink::tc {
namespace {
constexpr double kUint32Max = std::numeric_limits<uint32_t>::max();

// C's double -> unsigned conversion truncates; beyond the range it is undefined
// in C (tc relies on x86 behaviour there), so we saturate instead.
uint32_t TruncateToU32(double v) {
  if (!(v > 0)) return 0;
  if (v >= kUint32Max) return std::numeric_limits<uint32_t>::max();
  return static_cast<uint32_t>(v);
}
}  // namespace

uint32_t UsecToTicks(uint32_t usec) { return TruncateToU32(usec * kTicksPerUsec); }

bool DurationFitsTicks(std::chrono::nanoseconds d) {
  const uint64_t usec = static_cast<uint64_t>(d.count()) / 1000;
  return usec <= std::numeric_limits<uint32_t>::max() && usec * kTicksPerUsec <= kUint32Max;
}

uint32_t DurationToTicks(std::chrono::nanoseconds d) {
  if (d.count() <= 0) return 0;
  if (!DurationFitsTicks(d)) return std::numeric_limits<uint32_t>::max();
  return UsecToTicks(static_cast<uint32_t>(d.count() / 1000));
}

std::chrono::nanoseconds TicksToDuration(uint32_t ticks) {
  return std::chrono::nanoseconds(static_cast<int64_t>(ticks) * static_cast<int64_t>(kNsPerTick));
}

uint32_t PercentToProbability(double percent) {
  if (percent <= 0) return 0;
  if (percent >= 100) return std::numeric_limits<uint32_t>::max();
  return static_cast<uint32_t>(std::rint(percent / 100 * kUint32Max));
}

double ProbabilityToPercent(uint32_t probability) {
  const double percent = probability / kUint32Max * 100;
  return std::round(percent * 1e6) / 1e6;
}

uint32_t XmitTimeTicks(uint64_t rate_bytes_per_second, uint32_t size_bytes) {
  if (rate_bytes_per_second == 0) return 0;
  const double usec =
      1e6 * (static_cast<double>(size_bytes) / static_cast<double>(rate_bytes_per_second));
  return UsecToTicks(TruncateToU32(usec));
}

uint64_t XmitSizeBytes(uint64_t rate_bytes_per_second, uint32_t ticks) {
  // tc_core_tick2time truncates ticks to whole microseconds first.
  const auto usec = static_cast<uint32_t>(ticks / kTicksPerUsec);
  return static_cast<uint64_t>(static_cast<double>(rate_bytes_per_second) * usec / 1e6);
}

std::array<uint32_t, 256> RateTable(uint32_t rate_bytes_per_second) {
  std::array<uint32_t, 256> table{};
  for (uint32_t i = 0; i < table.size(); ++i) {
    table[i] = XmitTimeTicks(rate_bytes_per_second, (i + 1) << kRateTableCellLog);
  }
  return table;
}

}  // namespace chaosnet::netlink::tc
