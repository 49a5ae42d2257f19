#include "client/format_link_models.h"

#include <google/protobuf/util/time_util.h>

#include "client/format.h"
#include "common/fault_enums.h"
#include "common/units.h"
#include "proto/wire_enums/wire_enums.h"

namespace chaosnet::client {
namespace {

std::string Duration(const google::protobuf::Duration& d) {
  const std::chrono::nanoseconds ns(google::protobuf::util::TimeUtil::DurationToNanoseconds(d));
  return ns.count() <= 0 ? "0" : units::FormatDuration(ns);
}

std::string Percents(std::initializer_list<double> values) {
  std::string out;
  for (double v : values) out += " " + units::FormatPercent(v);
  return out;
}

std::string LossModelWords(const v1::LossModel& m) {
  if (m.has_gemodel()) {
    const auto& g = m.gemodel();
    return "loss gemodel" + Percents({g.p_percent(), g.r_percent(), g.one_minus_h_percent(),
                                      g.one_minus_k_percent()});
  }
  const auto& s = m.state();
  return "loss state" + Percents({s.p13_percent(), s.p31_percent(), s.p32_percent(),
                                  s.p23_percent(), s.p14_percent()});
}

std::string SlotWords(const v1::Slot& s) {
  std::string text = "slot ";
  const auto distribution = wire::FromProto(s.distribution());
  if (distribution && *distribution != model::DelayDistribution::kUniform) {
    text += std::string(NameOf(model::kDelayDistributionNames, *distribution)) + " " +
            Duration(s.distribution_delay()) + " jitter " + Duration(s.distribution_jitter());
  } else {
    text += Duration(s.min_delay()) + "-" + Duration(s.max_delay());
  }
  if (s.max_packets() != 0) text += " packets " + std::to_string(s.max_packets());
  if (s.max_bytes() != 0) text += " bytes " + std::to_string(s.max_bytes());
  return text;
}

std::string LinkRateWords(const v1::LinkRate& l) {
  std::string text = "link-rate " + units::FormatRate(l.bits_per_second());
  if (l.packet_overhead() != 0) text += " overhead " + std::to_string(l.packet_overhead());
  if (l.cell_size() != 0) {
    text += " cell " + std::to_string(l.cell_size());
    if (l.cell_overhead() != 0) {
      text += (l.cell_overhead() > 0 ? "+" : "") + std::to_string(l.cell_overhead());
    }
  }
  return text;
}

}  // namespace

void AppendLinkModelSummary(const v1::FaultSpec& spec, std::vector<std::string>* parts) {
  if (spec.has_loss_model()) parts->push_back(LossModelWords(spec.loss_model()));
  if (spec.ecn()) parts->push_back("ecn");
  if (spec.has_slot()) parts->push_back(SlotWords(spec.slot()));
  if (spec.has_link_rate()) parts->push_back(LinkRateWords(spec.link_rate()));
  if (spec.in_order()) parts->push_back("in-order");
  if (spec.has_jam()) {
    parts->push_back(spec.jam().limit_bytes() == 0
                         ? "jam"
                         : "jam queue " + std::to_string(spec.jam().limit_bytes()) + " bytes");
  }
  if (!spec.profile().empty()) parts->push_back("profile " + spec.profile());
}

std::string ProfilesText(const v1::ListProfilesResponse& response) {
  if (response.profiles().empty()) return "no profiles\n";
  std::vector<std::vector<std::string>> rows;
  for (const auto& p : response.profiles()) {
    rows.push_back({p.name(), FaultSummary(p.spec()), p.description()});
  }
  std::string text = RenderTable({"NAME", "SETS", "WHAT"}, rows);
  text += "sources:\n";
  for (const auto& p : response.profiles()) text += "  " + p.name() + ": " + p.source() + "\n";
  return text;
}

}  // namespace chaosnet::client
