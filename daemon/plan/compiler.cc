#include "daemon/plan/compiler.h"

#include "daemon/plan/link_model_compiler.h"

#include <algorithm>
#include <chrono>
#include <limits>

namespace chaosnet::plan {
namespace {

using u128 = unsigned __int128;

constexpr uint32_t ClampToU32(uint64_t v) {
  return v > std::numeric_limits<uint32_t>::max() ? std::numeric_limits<uint32_t>::max()
                                                  : static_cast<uint32_t>(v);
}

}  // namespace

NetemQdisc NetemForFault(const model::FaultSpec& spec) {
  NetemQdisc n;
  n.limit = NetemQueueLimit(spec);
  if (spec.delay) {
    n.latency = spec.delay->latency;
    n.jitter = spec.delay->jitter;
    n.delay_correlation = spec.delay->correlation_percent;
    n.distribution = spec.delay->distribution;
  }
  if (spec.loss) {
    n.loss = spec.loss->percent;
    n.loss_correlation = spec.loss->correlation_percent;
  }
  if (spec.partition) {
    // A partition is total loss; correlation is meaningless at 100%.
    n.loss = 100;
    n.loss_correlation = 0;
  }
  if (spec.duplicate) {
    n.duplicate = spec.duplicate->percent;
    n.duplicate_correlation = spec.duplicate->correlation_percent;
  }
  if (spec.corrupt) {
    n.corrupt = spec.corrupt->percent;
    n.corrupt_correlation = spec.corrupt->correlation_percent;
  }
  if (spec.reorder) {
    n.reorder = spec.reorder->percent;
    n.reorder_correlation = spec.reorder->correlation_percent;
    n.gap = spec.reorder->gap;
  }
  AddLinkModels(spec, &n);
  return n;
}

uint32_t NetemQueueLimit(const model::FaultSpec& spec) {
  if (spec.queue_limit) return *spec.queue_limit;

  uint64_t pps = kAssumedMaxPps;
  if (spec.rate) {
    const uint64_t bytes_per_second = spec.rate->bits_per_second / 8;
    pps = std::min(bytes_per_second / kMinFrameBytes, kAssumedMaxPps);
  }
  if (spec.link_rate) pps = std::min(pps, spec.link_rate->bits_per_second / 8 / kMinFrameBytes);

  int64_t window_ns = 0;
  if (spec.delay || spec.slot) {
    const int64_t latency = spec.delay ? std::max<int64_t>(spec.delay->latency.count(), 0) : 0;
    const int64_t jitter = spec.delay ? std::max<int64_t>(spec.delay->jitter.count(), 0) : 0;
    // Saturate rather than overflow; the clamp below bounds the result anyway.
    const u128 window =
        static_cast<u128>(latency) + 4 * static_cast<u128>(jitter) +
        static_cast<u128>(spec.slot ? std::max<int64_t>(spec.slot->longest_wait().count(), 0) : 0);
    window_ns = window > static_cast<u128>(std::numeric_limits<int64_t>::max())
                    ? std::numeric_limits<int64_t>::max()
                    : static_cast<int64_t>(window);
  }

  // ceil(pps * window_s * 1.5) in integers: pps * ns * 3 / (2 * 1e9).
  const u128 numerator = static_cast<u128>(pps) * static_cast<u128>(window_ns) * 3;
  const u128 denominator = static_cast<u128>(2'000'000'000);
  const u128 packets = (numerator + denominator - 1) / denominator;

  if (packets <= kNetemMinLimit) return kNetemMinLimit;
  if (packets >= kNetemMaxLimit) return kNetemMaxLimit;
  return static_cast<uint32_t>(packets);
}

TbfQdisc TbfForRate(uint64_t bits_per_second) {
  TbfQdisc t;
  t.rate_bytes_per_second = bits_per_second / 8;
  const uint64_t ten_ms = t.rate_bytes_per_second / 100;
  const uint64_t burst = std::max<uint64_t>(ten_ms, kMinBurstBytes);
  t.burst_bytes = ClampToU32(burst);
  const uint64_t hundred_ms = t.rate_bytes_per_second / 10;
  const uint64_t limit = std::max<uint64_t>(uint64_t{t.burst_bytes} + hundred_ms,
                                            uint64_t{t.burst_bytes} + kTwoFullFramesBytes);
  t.limit_bytes = ClampToU32(limit);
  return t;
}

}  // namespace chaosnet::plan
