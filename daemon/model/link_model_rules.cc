#include "daemon/model/link_model_rules.h"

#include <string_view>

#include "common/units.h"
#include "daemon/model/loss_rate.h"

namespace chaosnet::model {
namespace {

using std::chrono::nanoseconds;

Status Field(std::string_view field, const std::string& message) {
  return InvalidArgument(std::string(field) + ": " + message);
}

std::string Join(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

Status CheckGilbertElliott(const GilbertElliottLoss& ge) {
  RETURN_IF_ERROR(CheckPercentRange("loss model p", ge.p));
  RETURN_IF_ERROR(CheckPercentRange("loss model r", ge.r));
  RETURN_IF_ERROR(CheckPercentRange("loss model 1-h", ge.one_minus_h));
  return CheckPercentRange("loss model 1-k", ge.one_minus_k);
}

Status CheckFourState(const FourStateLoss& gi) {
  RETURN_IF_ERROR(CheckPercentRange("loss model p13", gi.p13));
  RETURN_IF_ERROR(CheckPercentRange("loss model p31", gi.p31));
  RETURN_IF_ERROR(CheckPercentRange("loss model p32", gi.p32));
  RETURN_IF_ERROR(CheckPercentRange("loss model p23", gi.p23));
  RETURN_IF_ERROR(CheckPercentRange("loss model p14", gi.p14));
  // The kernel draws ONE number and compares it with p14, then p13 + p14
  // (from state 1), and with p32, then p31 + p32 (from state 3), in 32 bits:
  // past 100% the sum wraps and the model becomes a different one.
  if (gi.p13 + gi.p14 > 100) {
    return Field("loss model", "p13 + p14 is " + units::FormatPercent(gi.p13 + gi.p14) +
                                   "; both leave state 1, so together at most 100%");
  }
  if (gi.p31 + gi.p32 > 100) {
    return Field("loss model", "p31 + p32 is " + units::FormatPercent(gi.p31 + gi.p32) +
                                   "; both leave state 3, so together at most 100%");
  }
  return Status::Ok();
}

Status CheckLossModel(const FaultSpec& spec) {
  if (spec.loss) {
    return Field("loss model", "--loss and --loss-model both set the loss; give one of them");
  }
  if (const auto* ge = std::get_if<GilbertElliottLoss>(&*spec.loss_model)) {
    RETURN_IF_ERROR(CheckGilbertElliott(*ge));
  } else {
    RETURN_IF_ERROR(CheckFourState(std::get<FourStateLoss>(*spec.loss_model)));
  }
  if (StationaryLossPercent(*spec.loss_model) <= 0) {
    return Field("loss model", "never loses a packet in the long run; raise p (or p13, or 1-k)");
  }
  return Status::Ok();
}

Status CheckEcn(const FaultSpec& spec) {
  if (spec.partition) {
    return Field("ecn",
                 "a partition must drop everything, and with --ecn netem would let every "
                 "ECN-capable packet through, marked; drop --ecn");
  }
  if (!spec.loss && !spec.loss_model) {
    return Field("ecn", "marks the packets a loss would drop, so it needs --loss or --loss-model");
  }
  return Status::Ok();
}

Status CheckDuration(std::string_view field, nanoseconds d, nanoseconds max) {
  if (d < nanoseconds::zero()) return Field(field, "must not be negative");
  if (d > max) {
    return Field(
        field, units::FormatDuration(d) + " is above the maximum of " + units::FormatDuration(max));
  }
  return Status::Ok();
}

Status CheckSlot(const SlotFault& s, const ValidationLimits& limits) {
  if (s.uses_distribution()) {
    if (s.min_delay != nanoseconds::zero() || s.max_delay != nanoseconds::zero()) {
      return Field("slot", "give either MIN[,MAX] or a distribution with its delay and jitter");
    }
    RETURN_IF_ERROR(CheckDuration("slot delay", s.dist_delay, limits.max_latency));
    RETURN_IF_ERROR(CheckDuration("slot jitter", s.dist_jitter, kMaxSlotJitter));
    if (s.dist_jitter == nanoseconds::zero()) {
      return Field("slot jitter", "a slot distribution needs a jitter above 0 (e.g. 5ms)");
    }
  } else {
    if (s.dist_delay != nanoseconds::zero() || s.dist_jitter != nanoseconds::zero()) {
      return Field("slot", "a slot delay and jitter need --slot-distribution");
    }
    RETURN_IF_ERROR(CheckDuration("slot", s.min_delay, limits.max_latency));
    RETURN_IF_ERROR(CheckDuration("slot", s.max_delay, limits.max_latency));
    if (s.max_delay < s.min_delay) {
      return Field("slot", "the maximum " + units::FormatDuration(s.max_delay) +
                               " is below the minimum " + units::FormatDuration(s.min_delay));
    }
    if (s.max_delay == nanoseconds::zero()) {
      return Field("slot", "slots of 0 delay have no effect; give e.g. --slot 800us,10ms");
    }
  }
  if (s.max_packets > kMaxSlotCount) {
    return Field("slot packets",
                 std::to_string(s.max_packets) + " is above " + std::to_string(kMaxSlotCount));
  }
  if (s.max_bytes > kMaxSlotCount) {
    return Field("slot bytes",
                 std::to_string(s.max_bytes) + " is above " + std::to_string(kMaxSlotCount));
  }
  return Status::Ok();
}

Status CheckLinkRate(const LinkRateFault& l, const ValidationLimits& limits) {
  if (l.bits_per_second < limits.min_rate_bits_per_second) {
    return Field("link rate", units::FormatRate(l.bits_per_second) + " is below the minimum of " +
                                  units::FormatRate(limits.min_rate_bits_per_second));
  }
  if (l.bits_per_second > limits.max_rate_bits_per_second) {
    return Field("link rate", units::FormatRate(l.bits_per_second) + " is above the maximum of " +
                                  units::FormatRate(limits.max_rate_bits_per_second));
  }
  if (l.packet_overhead < kMinPacketOverhead || l.packet_overhead > kMaxOverhead) {
    return Field("overhead", std::to_string(l.packet_overhead) + " bytes is outside " +
                                 std::to_string(kMinPacketOverhead) + ".." +
                                 std::to_string(kMaxOverhead) +
                                 " (below -14 a small packet's length would wrap around)");
  }
  if (l.cell_size > kMaxCellSize) {
    return Field("cell size",
                 std::to_string(l.cell_size) + " bytes is above " + std::to_string(kMaxCellSize));
  }
  if (l.cell_overhead != 0 && l.cell_size == 0) {
    return Field("cell overhead", "is added to each cell, so it needs --cell-size");
  }
  const int64_t min_cell_overhead = 1 - static_cast<int64_t>(l.cell_size);
  if (l.cell_size != 0 && (l.cell_overhead < min_cell_overhead || l.cell_overhead > kMaxOverhead)) {
    return Field("cell overhead", std::to_string(l.cell_overhead) + " is outside " +
                                      std::to_string(min_cell_overhead) + ".." +
                                      std::to_string(kMaxOverhead) +
                                      " (a cell must stay at least one byte long)");
  }
  return Status::Ok();
}

Status CheckInOrder(const FaultSpec& spec) {
  if (!spec.delay || spec.delay->jitter <= nanoseconds::zero()) {
    return Field("in-order",
                 "keeps jittered packets in order; without --jitter netem never "
                 "reorders, so add e.g. --jitter 10ms or drop --in-order");
  }
  if (spec.reorder) {
    return Field("in-order", "contradicts --reorder, which sends packets out of order on purpose");
  }
  return Status::Ok();
}

// Everything else a spec can ask for, by name: a jam does nothing but hold.
std::vector<std::string> BesidesJam(const FaultSpec& spec) {
  std::vector<std::string> names;
  for (auto& name : ImpairmentsBesidesPartition(spec)) {
    if (name != "jam") names.push_back(std::move(name));
  }
  if (spec.partition) names.push_back("partition");
  if (spec.queue_limit) names.push_back("limit (for a jam: --queue-bytes)");
  return names;
}

Status CheckJam(const FaultSpec& spec) {
  if (const auto others = BesidesJam(spec); !others.empty()) {
    return Field("jam",
                 "holds every matching packet until the lease ends, so it takes no other "
                 "impairment (remove " +
                     Join(others) + ")");
  }
  const uint32_t limit = spec.jam->limit_bytes;
  if (limit != 0 && (limit < kMinJamLimitBytes || limit > kMaxJamLimitBytes)) {
    return Field("jam queue", std::to_string(limit) + " bytes is outside " +
                                  std::to_string(kMinJamLimitBytes) + ".." +
                                  std::to_string(kMaxJamLimitBytes));
  }
  return Status::Ok();
}

}  // namespace

std::vector<std::string> LinkModelNames(const FaultSpec& spec) {
  std::vector<std::string> names;
  if (spec.loss_model) names.push_back("loss model");
  if (spec.ecn) names.push_back("ecn");
  if (spec.slot) names.push_back("slot");
  if (spec.link_rate) names.push_back("link rate");
  if (spec.in_order) names.push_back("in-order");
  if (spec.jam) names.push_back("jam");
  return names;
}

Status ValidateLinkModels(const FaultSpec& spec, const ValidationLimits& limits) {
  if (spec.netem_seed && (!spec.needs_netem() || spec.jam)) {
    return Field("netem seed",
                 "seeds netem's random draws, and this fault has no netem impairment (delay, "
                 "loss, duplicate, corrupt, reorder, ...)");
  }
  if (spec.jam) return CheckJam(spec);
  if (spec.ecn) RETURN_IF_ERROR(CheckEcn(spec));
  if (spec.loss_model) RETURN_IF_ERROR(CheckLossModel(spec));
  if (spec.slot) RETURN_IF_ERROR(CheckSlot(*spec.slot, limits));
  if (spec.link_rate) RETURN_IF_ERROR(CheckLinkRate(*spec.link_rate, limits));
  if (spec.in_order) RETURN_IF_ERROR(CheckInOrder(spec));
  return Status::Ok();
}

}  // namespace chaosnet::model
