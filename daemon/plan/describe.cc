#include "daemon/plan/describe.h"

#include <cstdio>
#include <limits>

#include "common/units.h"

namespace chaosnet::plan {
namespace {

std::string Hex(uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%x", v);
  return buf;
}

// "loss 1%" or "loss 1% 25%": tc prints the correlation only when set.
void AppendProbability(std::string* out, const char* word, double percent, double correlation) {
  if (percent <= 0) return;
  *out += std::string(" ") + word + " " + units::FormatPercent(percent);
  if (correlation > 0) *out += " " + units::FormatPercent(correlation);
}

}  // namespace

std::string FormatHandle(uint32_t handle) {
  const uint32_t major = handle >> 16;
  const uint32_t minor = handle & 0xFFFF;
  return Hex(major) + ":" + (minor == 0 ? "" : Hex(minor));
}

std::string FormatParent(uint32_t parent) {
  return parent == kRootParent ? "root" : FormatHandle(parent);
}

std::string DescribeNetem(const NetemQdisc& n) {
  std::string out = "limit " + std::to_string(n.limit);
  if (n.latency.count() > 0) {
    out += " delay " + units::FormatDuration(n.latency);
    if (n.jitter.count() > 0) {
      out += " " + units::FormatDuration(n.jitter);
      if (n.delay_correlation > 0) out += " " + units::FormatPercent(n.delay_correlation);
    }
    if (n.distribution != model::DelayDistribution::kUniform) {
      out += std::string(" distribution ") + NameOf(model::kDelayDistributionNames, n.distribution);
    }
  }
  AppendProbability(&out, "loss", n.loss, n.loss_correlation);
  AppendProbability(&out, "duplicate", n.duplicate, n.duplicate_correlation);
  AppendProbability(&out, "corrupt", n.corrupt, n.corrupt_correlation);
  AppendProbability(&out, "reorder", n.reorder, n.reorder_correlation);
  if (n.gap > 0) out += " gap " + std::to_string(n.gap);
  return out;
}

std::string DescribeTbf(const TbfQdisc& t) {
  constexpr uint64_t kMaxBytes = std::numeric_limits<uint64_t>::max() / 8;
  const std::string rate = t.rate_bytes_per_second > kMaxBytes
                               ? std::to_string(t.rate_bytes_per_second) + "bps"
                               : units::FormatRate(t.rate_bytes_per_second * 8);
  return "rate " + rate + " burst " + std::to_string(t.burst_bytes) + "b limit " +
         std::to_string(t.limit_bytes) + "b";
}

std::vector<PlanStepText> DescribePlan(const InterfacePlan& plan) {
  std::vector<PlanStepText> steps;
  steps.reserve(plan.qdiscs.size());
  for (const QdiscNode& node : plan.qdiscs) {
    PlanStepText step;
    step.object = "qdisc";
    step.handle = FormatHandle(node.handle);
    step.parent = FormatParent(node.parent);
    if (const auto* netem = std::get_if<NetemQdisc>(&node.params)) {
      step.kind = "netem";
      step.parameters = DescribeNetem(*netem);
    } else if (const auto* tbf = std::get_if<TbfQdisc>(&node.params)) {
      step.kind = "tbf";
      step.parameters = DescribeTbf(*tbf);
    }
    steps.push_back(std::move(step));
  }
  return steps;
}

}  // namespace chaosnet::plan
