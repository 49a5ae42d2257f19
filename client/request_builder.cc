#include "client/request_builder.h"

#include <google/protobuf/util/time_util.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <optional>
#include <type_traits>

#include "client/flag_values.h"
#include "client/guard_flags.h"
#include "client/link_model_flags.h"
#include "client/program_flags.h"
#include "common/fault_enums.h"
#include "common/net_parse.h"
#include "common/units.h"
#include "daemon/plan/protected_traffic.h"
#include "proto/wire_enums/wire_enums.h"

namespace chaosnet::client {
namespace {

using std::chrono::nanoseconds;

Result<double> Percent(std::string_view flag, const std::string& text) {
  auto p = units::ParsePercent(text);
  if (!p.ok()) return FlagError(flag, p.status().message());
  return *p;
}

void SetDuration(nanoseconds d, google::protobuf::Duration* out) {
  *out = google::protobuf::util::TimeUtil::NanosecondsToDuration(d.count());
}

// A probability fault (loss, duplicate, corrupt): value plus optional correlation.
Status SetProbability(std::string_view name, const std::string& value,
                      const std::string& correlation, v1::Probability* out) {
  ASSIGN_OR_RETURN(const double percent, Percent(name, value));
  out->set_percent(percent);
  if (!correlation.empty()) {
    ASSIGN_OR_RETURN(const double c, Percent(std::string(name) + " correlation", correlation));
    out->set_correlation_percent(c);
  }
  return Status::Ok();
}

// A word of the model's table, as its wire value. `unoffered` is a default
// that is chosen by leaving the flag out, not by naming it.
template <typename E, size_t N>
auto EnumFlag(std::string_view flag, const EnumNames<E, N>& table, const std::string& text,
              std::type_identity_t<std::optional<E>> unoffered = std::nullopt)
    -> Result<decltype(wire::ToProto(E{}))> {
  const std::optional<E> value = ValueOf(table, text);
  if (!value || value == unoffered) {
    return FlagError(flag, "unknown \"" + text + "\" (use " + NameList(table, unoffered) + ")");
  }
  return wire::ToProto(*value);
}

Result<v1::DelayDistribution> Distribution(const std::string& text) {
  return EnumFlag("distribution", model::kDelayDistributionNames, text,
                  model::DelayDistribution::kUniform);
}

Result<v1::Direction> DirectionFrom(const std::string& text) {
  if (text.empty()) return v1::DIRECTION_EGRESS;
  return EnumFlag("direction", model::kDirectionNames, text);
}

Result<v1::Protocol> ProtocolFrom(const std::string& text) {
  return EnumFlag("proto", model::kProtocolNames, text, model::Protocol::kAny);
}

Status CheckNetns(const std::string& text) {
  if (text.rfind("pid:", 0) == 0) {
    auto pid = ParseUnsigned("netns", text.substr(4), INT32_MAX);
    if (!pid.ok() || *pid == 0) {
      return FlagError("netns", "\"" + text + "\": pid:N needs a process ID, e.g. pid:4242");
    }
  }
  return Status::Ok();
}

Status BuildFaults(const CreateOptions& o, v1::FaultSpec* spec) {
  if (!o.delay.empty()) {
    auto* delay = spec->mutable_delay();
    // A program may start from a delay of 0 (the daemon allows it in one only).
    ASSIGN_OR_RETURN(const nanoseconds latency, HasProgram(o.program)
                                                    ? ParseProgramDuration("delay", o.delay)
                                                    : ParseFlagDuration("delay", o.delay));
    SetDuration(latency, delay->mutable_latency());
    if (!o.jitter.empty()) {
      ASSIGN_OR_RETURN(const nanoseconds jitter, ParseFlagDuration("jitter", o.jitter));
      SetDuration(jitter, delay->mutable_jitter());
    }
    if (!o.delay_correlation.empty()) {
      ASSIGN_OR_RETURN(const double c, Percent("delay correlation", o.delay_correlation));
      delay->set_correlation_percent(c);
    }
    if (!o.distribution.empty()) {
      ASSIGN_OR_RETURN(const v1::DelayDistribution d, Distribution(o.distribution));
      delay->set_distribution(d);
    }
  } else if (!o.jitter.empty() || !o.distribution.empty() || !o.delay_correlation.empty()) {
    // Only reachable through `apply`; the delay subcommand always has a latency.
    return InvalidArgument("--jitter, --distribution and --delay-correlation need --delay");
  }

  struct Prob {
    const char* name;
    const std::string& value;
    const std::string& correlation;
    v1::Probability* (v1::FaultSpec::*field)();
  };
  for (const Prob& p :
       {Prob{"loss", o.loss, o.loss_correlation, &v1::FaultSpec::mutable_loss},
        Prob{"duplicate", o.duplicate, o.duplicate_correlation, &v1::FaultSpec::mutable_duplicate},
        Prob{"corrupt", o.corrupt, o.corrupt_correlation, &v1::FaultSpec::mutable_corrupt}}) {
    if (p.value.empty()) {
      if (!p.correlation.empty()) {
        return InvalidArgument(std::string("--") + p.name + "-correlation needs --" + p.name);
      }
      continue;
    }
    RETURN_IF_ERROR(SetProbability(p.name, p.value, p.correlation, (spec->*p.field)()));
  }

  if (!o.reorder.empty()) {
    auto* reorder = spec->mutable_reorder();
    ASSIGN_OR_RETURN(const double percent, Percent("reorder", o.reorder));
    reorder->set_percent(percent);
    if (!o.reorder_correlation.empty()) {
      ASSIGN_OR_RETURN(const double c, Percent("reorder correlation", o.reorder_correlation));
      reorder->set_correlation_percent(c);
    }
    if (!o.gap.empty()) {
      ASSIGN_OR_RETURN(const uint64_t gap, ParseUnsigned("gap", o.gap, UINT32_MAX));
      if (gap == 0) return FlagError("gap", "must be at least 1");
      reorder->set_gap(static_cast<uint32_t>(gap));
    }
  } else if (!o.gap.empty() || !o.reorder_correlation.empty()) {
    return InvalidArgument("--gap and --reorder-correlation need --reorder");
  }

  if (!o.rate.empty()) {
    auto rate = units::ParseRate(o.rate);
    if (!rate.ok()) return FlagError("rate", rate.status().message());
    spec->mutable_rate()->set_bits_per_second(*rate);
  }
  spec->set_partition(o.partition);
  RETURN_IF_ERROR(BuildLinkModels(o.link, spec));

  // A ramp, steps or a trace set parameters of their own (a flap switches the fault's).
  const bool program_sets =
      !o.program.ramp.empty() || !o.program.steps.empty() || !o.program.trace.empty();
  if (!spec->has_delay() && !spec->has_loss() && !spec->has_duplicate() && !spec->has_corrupt() &&
      !spec->has_reorder() && !spec->has_rate() && !spec->partition() && !SetsLinkModel(*spec) &&
      !program_sets) {
    return InvalidArgument(
        "no fault given: add at least one of --delay, --loss, --duplicate, --corrupt, "
        "--reorder, --rate, --partition, --loss-model, --slot, --link-rate or --profile");
  }
  return Status::Ok();
}

// --dst/--src given once: the singular field, which every daemon knows; more
// often: the set (feature cidr-sets), which only a daemon that announces it
// receives (rpc.cc CheckFeatures).
Status SetAddresses(std::string_view flag, const std::vector<std::string>& values,
                    void (v1::Match::*set_single)(const std::string&),
                    google::protobuf::RepeatedPtrField<std::string>* set, v1::Match* match) {
  if (values.size() == 1) {
    ASSIGN_OR_RETURN(std::string cidr, ParseCidr(flag, values.front()));
    (match->*set_single)(cidr);
    return Status::Ok();
  }
  for (const std::string& value : values) {
    ASSIGN_OR_RETURN(std::string text, ParseCidr(flag, value));
    // In one form ("10.0.0.2" and "10.0.0.2/32" are the same member).
    const std::string cidr = FormatCidr(*chaosnet::ParseCidr(text));
    if (std::find(set->begin(), set->end(), cidr) != set->end()) {
      return FlagError(flag, "\"" + cidr + "\" given twice");
    }
    *set->Add() = cidr;
  }
  return Status::Ok();
}

Status BuildMatch(const CreateOptions& o, v1::FaultSpec* spec) {
  if (o.dst.empty() && o.src.empty() && o.dport.empty() && o.sport.empty() && o.protocol.empty()) {
    return Status::Ok();  // no match = the whole interface
  }
  auto* match = spec->mutable_match();
  RETURN_IF_ERROR(
      SetAddresses("dst", o.dst, &v1::Match::set_dst_cidr, match->mutable_dst_cidrs(), match));
  RETURN_IF_ERROR(
      SetAddresses("src", o.src, &v1::Match::set_src_cidr, match->mutable_src_cidrs(), match));
  if (!o.dport.empty()) {
    ASSIGN_OR_RETURN(*match->mutable_dport(), ParsePortRange("dport", o.dport));
  }
  if (!o.sport.empty()) {
    ASSIGN_OR_RETURN(*match->mutable_sport(), ParsePortRange("sport", o.sport));
  }
  if (!o.protocol.empty()) {
    ASSIGN_OR_RETURN(const v1::Protocol protocol, ProtocolFrom(o.protocol));
    match->set_protocol(protocol);
  }
  return Status::Ok();
}

Status CheckId(const std::string& id) {
  if (id.empty()) return InvalidArgument("a fault ID is required (see chaosnetctl list)");
  return Status::Ok();
}

}  // namespace

Result<v1::CreateFaultRequest> BuildCreateRequest(const CreateOptions& o) {
  v1::CreateFaultRequest request;
  auto* spec = request.mutable_spec();
  if (o.interface.empty()) return InvalidArgument("an interface is required, e.g. eth0");
  spec->set_interface(o.interface);

  if (!o.netns.empty()) {
    RETURN_IF_ERROR(CheckNetns(o.netns));
    spec->set_netns(o.netns);
  }
  ASSIGN_OR_RETURN(const v1::Direction direction, DirectionFrom(o.direction));
  spec->set_direction(direction);

  RETURN_IF_ERROR(BuildFaults(o, spec));
  RETURN_IF_ERROR(BuildMatch(o, spec));
  RETURN_IF_ERROR(BuildGuards(o, spec));
  RETURN_IF_ERROR(BuildProgram(o.program, spec));
  for (const std::string& rule : o.exempt) {
    // The daemon's own parser, so a typo fails here (exit 2).
    ASSIGN_OR_RETURN(const plan::ProtectedRule parsed, plan::ParseTrafficRule(rule, "--exempt"));
    spec->add_exemptions(plan::FormatProtectedRule(parsed));
  }

  if (!o.netem_seed.empty()) {
    ASSIGN_OR_RETURN(const uint64_t seed, ParseUnsigned("netem-seed", o.netem_seed, UINT64_MAX));
    spec->set_netem_seed(seed);
  }
  if (!o.limit.empty()) {
    ASSIGN_OR_RETURN(const uint64_t limit, ParseUnsigned("limit", o.limit, UINT32_MAX));
    if (limit == 0) return FlagError("limit", "must be at least 1 packet");
    spec->set_queue_limit(static_cast<uint32_t>(limit));
  }
  if (!o.ttl.empty()) {
    ASSIGN_OR_RETURN(const nanoseconds ttl, ParseFlagDuration("ttl", o.ttl));
    SetDuration(ttl, request.mutable_ttl());
  }
  ASSIGN_OR_RETURN(const auto labels, ParseLabels(o.labels));
  request.mutable_labels()->insert(labels.begin(), labels.end());
  request.set_request_id(o.request_id);
  request.set_dry_run(o.dry_run);
  return request;
}

Result<v1::ListFaultsRequest> BuildListRequest(const ListOptions& o) {
  v1::ListFaultsRequest request;
  request.set_interface(o.interface);
  ASSIGN_OR_RETURN(const auto labels, ParseLabels(o.labels));
  request.mutable_label_selector()->insert(labels.begin(), labels.end());
  request.set_include_ended(o.all);
  request.set_mine(o.mine);
  return request;
}

Result<v1::GetFaultRequest> BuildGetRequest(const LeaseOptions& o) {
  RETURN_IF_ERROR(CheckId(o.id));
  v1::GetFaultRequest request;
  request.set_id(o.id);
  return request;
}

Result<v1::ExtendFaultRequest> BuildExtendRequest(const LeaseOptions& o) {
  RETURN_IF_ERROR(CheckId(o.id));
  if (o.ttl.empty()) return InvalidArgument("extend needs the new TTL, e.g. extend ID 30s");
  ASSIGN_OR_RETURN(const nanoseconds ttl, ParseFlagDuration("ttl", o.ttl));
  v1::ExtendFaultRequest request;
  request.set_id(o.id);
  SetDuration(ttl, request.mutable_ttl());
  return request;
}

Result<v1::RevokeFaultRequest> BuildRevokeRequest(const LeaseOptions& o) {
  if (o.all) return InvalidArgument("give either a fault ID or --all, not both");
  if (!o.labels.empty()) return InvalidArgument("--label selects faults only with --all");
  RETURN_IF_ERROR(CheckId(o.id));
  v1::RevokeFaultRequest request;
  request.set_id(o.id);
  return request;
}

Result<v1::RevokeAllFaultsRequest> BuildRevokeAllRequest(const LeaseOptions& o) {
  if (!o.id.empty()) return InvalidArgument("give either a fault ID or --all, not both");
  ASSIGN_OR_RETURN(const auto labels, ParseLabels(o.labels));
  v1::RevokeAllFaultsRequest request;
  request.mutable_label_selector()->insert(labels.begin(), labels.end());
  return request;
}

v1::WatchRequest BuildWatchRequest(const WatchOptions& o) {
  v1::WatchRequest request;
  request.set_send_initial(o.initial);
  request.set_mine(o.mine);
  request.set_steps(o.steps);
  return request;
}

Result<std::map<std::string, std::string>> ParseLabels(const std::vector<std::string>& pairs) {
  std::map<std::string, std::string> labels;
  for (const std::string& pair : pairs) {
    auto eq = pair.find('=');
    if (eq == std::string::npos || eq == 0) {
      return FlagError("label", "\"" + pair + "\" is not key=value, e.g. --label team=db");
    }
    std::string key = pair.substr(0, eq);
    if (!labels.emplace(key, pair.substr(eq + 1)).second) {
      return FlagError("label", "key \"" + key + "\" given twice");
    }
  }
  return labels;
}

Result<v1::PortRange> ParsePortRange(std::string_view flag, std::string_view text) {
  auto port = [&](std::string_view part) -> Result<uint32_t> {
    auto n = ParseUnsigned(flag, part, UINT64_MAX);
    if (!n.ok() || *n == 0 || *n > 65535) {
      return FlagError(flag, "\"" + std::string(part) + "\" is not a port (1..65535)");
    }
    return static_cast<uint32_t>(*n);
  };
  v1::PortRange range;
  auto dash = text.find('-');
  ASSIGN_OR_RETURN(const uint32_t first, port(text.substr(0, dash)));
  range.set_first(first);
  if (dash != std::string_view::npos) {
    ASSIGN_OR_RETURN(const uint32_t last, port(text.substr(dash + 1)));
    if (last < first) {
      return FlagError(flag, "range " + std::string(text) + " ends before it starts");
    }
    range.set_last(last);
  }
  return range;
}

Result<std::string> ParseCidr(std::string_view flag, std::string_view text) {
  // The daemon's own rules, so that what it would refuse (host bits set, a
  // zone index) fails here, before connecting.
  auto cidr = chaosnet::ParseCidr(text);
  if (!cidr.ok()) return FlagError(flag, cidr.status().message());
  return std::string(text);
}

}  // namespace chaosnet::client
