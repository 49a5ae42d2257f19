// The link models in tc-netem(8)'s command syntax, so that a dry run's line
// can be pasted after `tc qdisc add ... netem`: "loss gemodel P R 1-H 1-K",
// "loss state P13 P31 P32 P23 P14", "ecn", "rate RATE [OVERHEAD [CELLSIZE
// [CELLOVERHEAD]]]", "slot MIN MAX | slot distribution NAME DELAY JITTER"
// with "packets N" and "bytes N".
#include <string>

#include "common/units.h"
#include "daemon/plan/describe.h"

namespace chaosnet::plan {
namespace {

std::string Percents(std::initializer_list<double> values) {
  std::string out;
  for (double v : values) out += " " + units::FormatPercent(v);
  return out;
}

std::string LossModelWords(const model::LossModel& m) {
  if (const auto* ge = std::get_if<model::GilbertElliottLoss>(&m)) {
    return " loss gemodel" + Percents({ge->p, ge->r, ge->one_minus_h, ge->one_minus_k});
  }
  const auto& gi = std::get<model::FourStateLoss>(m);
  return " loss state" + Percents({gi.p13, gi.p31, gi.p32, gi.p23, gi.p14});
}

// tc reads the three numbers after the rate by position, so the ones before
// the last non-zero one are written even when zero.
std::string RateWords(const NetemRate& r) {
  std::string out = " rate " + RateInTcWords(r.bytes_per_second);
  if (r.cell_overhead != 0) {
    out += " " + std::to_string(r.packet_overhead) + " " + std::to_string(r.cell_size) + " " +
           std::to_string(r.cell_overhead);
  } else if (r.cell_size != 0) {
    out += " " + std::to_string(r.packet_overhead) + " " + std::to_string(r.cell_size);
  } else if (r.packet_overhead != 0) {
    out += " " + std::to_string(r.packet_overhead);
  }
  return out;
}

std::string SlotWords(const model::SlotFault& s) {
  std::string out = " slot ";
  if (s.uses_distribution()) {
    out += std::string("distribution ") + NameOf(model::kDelayDistributionNames, s.distribution) +
           " " + units::FormatDuration(s.dist_delay) + " " + units::FormatDuration(s.dist_jitter);
  } else if (s.dist_jitter.count() > 0) {
    // Read back from the kernel, which does not dump the table's name.
    out += "distribution (table) " + units::FormatDuration(s.dist_delay) + " " +
           units::FormatDuration(s.dist_jitter);
  } else {
    out += units::FormatDuration(s.min_delay) + " " + units::FormatDuration(s.max_delay);
  }
  if (s.max_packets != 0) out += " packets " + std::to_string(s.max_packets);
  if (s.max_bytes != 0) out += " bytes " + std::to_string(s.max_bytes);
  return out;
}

}  // namespace

std::string DescribeNetemLinkModels(const NetemQdisc& n) {
  std::string out;
  if (n.loss_model) out += LossModelWords(*n.loss_model);
  if (n.ecn) out += " ecn";
  if (n.rate.bytes_per_second != 0) out += RateWords(n.rate);
  if (n.slot) out += SlotWords(*n.slot);
  if (n.seed) out += " seed " + std::to_string(*n.seed);  // tc 6.6's word
  return out;
}

std::string DescribePlug(const PlugQdisc& plug) {
  return "limit " + std::to_string(plug.limit_bytes);
}

}  // namespace chaosnet::plan
