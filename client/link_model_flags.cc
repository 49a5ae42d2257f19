#include "client/link_model_flags.h"

#include <google/protobuf/util/time_util.h>

#include <cctype>
#include <limits>
#include <string>
#include <vector>

#include "client/flag_values.h"
#include "common/fault_enums.h"
#include "common/units.h"
#include "proto/wire_enums/wire_enums.h"

namespace chaosnet::client {
namespace {

using std::chrono::nanoseconds;

std::vector<std::string_view> Words(std::string_view text) {
  std::vector<std::string_view> words;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    const size_t start = i;
    while (i < text.size() && !std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    if (i > start) words.push_back(text.substr(start, i - start));
  }
  return words;
}

// tc reads "5" as 5% too.
Result<double> TcPercent(std::string_view word) {
  std::string text(word);
  if (text.empty() || text.back() != '%') text += '%';
  auto p = units::ParsePercent(text);
  if (!p.ok()) return FlagError("loss-model", p.status().message());
  return *p;
}

void SetDuration(nanoseconds d, google::protobuf::Duration* out) {
  *out = google::protobuf::util::TimeUtil::NanosecondsToDuration(d.count());
}

// A slot bound: a duration with its unit, or a bare 0 as tc takes it.
Result<nanoseconds> SlotBound(std::string_view text) {
  if (text == "0") return nanoseconds::zero();
  return ParseFlagDuration("slot", std::string(text));
}

Result<int32_t> ParseSigned(std::string_view flag, std::string_view text) {
  const bool negative = !text.empty() && text.front() == '-';
  ASSIGN_OR_RETURN(const uint64_t magnitude,
                   ParseUnsigned(flag, negative ? text.substr(1) : text,
                                 uint64_t{std::numeric_limits<int32_t>::max()}));
  return static_cast<int32_t>(negative ? -static_cast<int64_t>(magnitude)
                                       : static_cast<int64_t>(magnitude));
}

Status BuildSlot(const LinkModelOptions& o, v1::FaultSpec* spec) {
  const bool distribution = !o.slot_distribution.empty();
  if (o.slot.empty() && !distribution) {
    if (!o.slot_packets.empty() || !o.slot_bytes.empty() || !o.slot_delay.empty() ||
        !o.slot_jitter.empty()) {
      return InvalidArgument(
          "--slot-packets, --slot-bytes, --slot-delay and --slot-jitter need --slot or "
          "--slot-distribution");
    }
    return Status::Ok();
  }
  auto* slot = spec->mutable_slot();
  if (distribution) {
    if (!o.slot.empty()) {
      return InvalidArgument("give --slot MIN[,MAX] or --slot-distribution, not both");
    }
    const auto d = ValueOf(model::kDelayDistributionNames, o.slot_distribution);
    if (!d || *d == model::DelayDistribution::kUniform) {
      return FlagError("slot-distribution", "unknown \"" + o.slot_distribution + "\" (use " +
                                                NameList(model::kDelayDistributionNames,
                                                         model::DelayDistribution::kUniform) +
                                                "; uniform slots are --slot MIN,MAX)");
    }
    if (o.slot_delay.empty() || o.slot_jitter.empty()) {
      return InvalidArgument("--slot-distribution needs --slot-delay and --slot-jitter");
    }
    slot->set_distribution(wire::ToProto(*d));
    ASSIGN_OR_RETURN(const nanoseconds delay, ParseFlagDuration("slot-delay", o.slot_delay));
    ASSIGN_OR_RETURN(const nanoseconds jitter, ParseFlagDuration("slot-jitter", o.slot_jitter));
    SetDuration(delay, slot->mutable_distribution_delay());
    SetDuration(jitter, slot->mutable_distribution_jitter());
  } else {
    if (!o.slot_delay.empty() || !o.slot_jitter.empty()) {
      return InvalidArgument("--slot-delay and --slot-jitter go with --slot-distribution");
    }
    const size_t comma = o.slot.find(',');
    ASSIGN_OR_RETURN(const nanoseconds min, SlotBound(std::string_view(o.slot).substr(0, comma)));
    nanoseconds max = min;  // tc: one value is both ends
    if (comma != std::string::npos) {
      ASSIGN_OR_RETURN(max, SlotBound(std::string_view(o.slot).substr(comma + 1)));
    }
    if (min.count() != 0) SetDuration(min, slot->mutable_min_delay());
    if (max.count() != 0) SetDuration(max, slot->mutable_max_delay());
  }
  if (!o.slot_packets.empty()) {
    ASSIGN_OR_RETURN(const uint64_t packets, ParseUnsigned("slot-packets", o.slot_packets,
                                                           std::numeric_limits<int32_t>::max()));
    slot->set_max_packets(static_cast<uint32_t>(packets));
  }
  if (!o.slot_bytes.empty()) {
    ASSIGN_OR_RETURN(const uint64_t bytes, ParseByteSize("slot-bytes", o.slot_bytes,
                                                         std::numeric_limits<int32_t>::max()));
    slot->set_max_bytes(static_cast<uint32_t>(bytes));
  }
  return Status::Ok();
}

Status BuildLinkRate(const LinkModelOptions& o, v1::FaultSpec* spec) {
  if (o.link_rate.empty()) {
    if (!o.overhead.empty() || !o.cell_size.empty() || !o.cell_overhead.empty()) {
      return InvalidArgument("--overhead, --cell-size and --cell-overhead need --link-rate");
    }
    return Status::Ok();
  }
  auto* link = spec->mutable_link_rate();
  auto rate = units::ParseRate(o.link_rate);
  if (!rate.ok()) return FlagError("link-rate", rate.status().message());
  link->set_bits_per_second(*rate);
  if (!o.overhead.empty()) {
    ASSIGN_OR_RETURN(const int32_t overhead, ParseSigned("overhead", o.overhead));
    link->set_packet_overhead(overhead);
  }
  if (!o.cell_size.empty()) {
    ASSIGN_OR_RETURN(const uint64_t cell, ParseByteSize("cell-size", o.cell_size, UINT32_MAX));
    link->set_cell_size(static_cast<uint32_t>(cell));
  }
  if (!o.cell_overhead.empty()) {
    ASSIGN_OR_RETURN(const int32_t overhead, ParseSigned("cell-overhead", o.cell_overhead));
    link->set_cell_overhead(overhead);
  }
  return Status::Ok();
}

}  // namespace

bool LooksLikeLossModel(std::string_view text) {
  const auto words = Words(text);
  return !words.empty() && (words[0] == "gemodel" || words[0] == "state");
}

Result<v1::LossModel> ParseLossModel(std::string_view text) {
  const auto words = Words(text);
  if (words.empty() || (words[0] != "gemodel" && words[0] != "state")) {
    return FlagError("loss-model", units::QuoteInput(text) +
                                       " is not a loss model; use 'gemodel P [R [1-H [1-K]]]' "
                                       "or 'state P13 [P31 [P32 [P23 [P14]]]]'");
  }
  const bool ge = words[0] == "gemodel";
  const size_t most = ge ? 4 : 5;
  if (words.size() < 2 || words.size() > 1 + most) {
    return FlagError("loss-model", std::string(words[0]) + " takes 1 to " + std::to_string(most) +
                                       " percentages, " + std::to_string(words.size() - 1) +
                                       " given");
  }
  std::vector<double> n;
  for (size_t i = 1; i < words.size(); ++i) {
    ASSIGN_OR_RETURN(const double p, TcPercent(words[i]));
    n.push_back(p);
  }
  auto at = [&](size_t i, double fallback) { return i < n.size() ? n[i] : fallback; };
  v1::LossModel model;
  if (ge) {
    auto* g = model.mutable_gemodel();
    g->set_p_percent(n[0]);
    g->set_r_percent(at(1, 100 - n[0]));
    g->set_one_minus_h_percent(at(2, 100));
    g->set_one_minus_k_percent(at(3, 0));
  } else {
    auto* s = model.mutable_state();
    s->set_p13_percent(n[0]);
    s->set_p31_percent(at(1, 100 - n[0]));
    s->set_p32_percent(at(2, 0));
    s->set_p23_percent(at(3, 100));
    s->set_p14_percent(at(4, 0));
  }
  return model;
}

Result<uint64_t> ParseByteSize(std::string_view flag, std::string_view text, uint64_t max) {
  size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
  std::string unit(text.substr(digits));
  for (char& c : unit) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  uint64_t scale = 0;
  if (unit.empty() || unit == "b") scale = 1;
  if (unit == "k" || unit == "kb") scale = uint64_t{1} << 10;
  if (unit == "m" || unit == "mb") scale = uint64_t{1} << 20;
  if (unit == "g" || unit == "gb") scale = uint64_t{1} << 30;
  if (digits == 0 || scale == 0) {
    return FlagError(
        flag, units::QuoteInput(text) + " is not a size; use bytes, or b, kb, mb, gb (e.g. 64kb)");
  }
  ASSIGN_OR_RETURN(const uint64_t n, ParseUnsigned(flag, text.substr(0, digits), max));
  if (n > max / scale)
    return FlagError(flag, std::string(text) + " is above " + std::to_string(max) + " bytes");
  return n * scale;
}

bool SetsLinkModel(const v1::FaultSpec& spec) {
  return spec.has_loss_model() || spec.has_slot() || spec.has_link_rate() || spec.has_jam() ||
         !spec.profile().empty();
}

Status BuildLinkModels(const LinkModelOptions& o, v1::FaultSpec* spec) {
  if (!o.loss_model.empty()) {
    ASSIGN_OR_RETURN(*spec->mutable_loss_model(), ParseLossModel(o.loss_model));
  }
  spec->set_ecn(o.ecn);
  RETURN_IF_ERROR(BuildSlot(o, spec));
  RETURN_IF_ERROR(BuildLinkRate(o, spec));
  spec->set_in_order(o.in_order);
  if (o.jam) {
    auto* jam = spec->mutable_jam();
    if (!o.queue_bytes.empty()) {
      ASSIGN_OR_RETURN(const uint64_t limit,
                       ParseByteSize("queue-bytes", o.queue_bytes, UINT32_MAX));
      jam->set_limit_bytes(static_cast<uint32_t>(limit));
    }
  } else if (!o.queue_bytes.empty()) {
    return InvalidArgument("--queue-bytes sizes a jam's queue; it goes with `chaosnetctl jam`");
  }
  spec->set_profile(o.profile);
  return Status::Ok();
}

}  // namespace chaosnet::client
