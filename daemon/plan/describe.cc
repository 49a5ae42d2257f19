#include "daemon/plan/describe.h"

#include <cstdio>

#include "common/units.h"

namespace chaosnet::plan {
namespace {

// "loss 1%" or "loss 1% 25%": tc prints the correlation only when set.
void AppendProbability(std::string* out, const char* word, double percent, double correlation) {
  if (percent <= 0) return;
  *out += std::string(" ") + word + " " + units::FormatPercent(percent);
  if (correlation > 0) *out += " " + units::FormatPercent(correlation);
}

}  // namespace

std::string FormatHandle(uint32_t handle) {
  char buf[16];
  if ((handle & 0xFFFF) == 0) {
    std::snprintf(buf, sizeof(buf), "%x:", handle >> 16);
  } else {
    std::snprintf(buf, sizeof(buf), "%x:%x", handle >> 16, handle & 0xFFFF);
  }
  return buf;
}

std::string FormatU32Handle(uint32_t handle) {
  char buf[32];
  int n = std::snprintf(buf, sizeof(buf), "%x:", handle >> 20);
  const uint32_t bucket = (handle >> 12) & 0xFF;
  const uint32_t node = handle & 0xFFF;
  if (bucket != 0) n += std::snprintf(buf + n, sizeof(buf) - n, "%x", bucket);
  if (node != 0) std::snprintf(buf + n, sizeof(buf) - n, ":%x", node);
  return buf;
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
  out += DescribeNetemLinkModels(n);
  return out;
}

}  // namespace chaosnet::plan
