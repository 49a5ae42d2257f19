#include "client/format.h"

#include "client/guard_flags.h"

#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/time_util.h>

#include <algorithm>
#include <ctime>
#include <sstream>

#include "client/format_link_models.h"
#include "client/guard_flags.h"
#include "client/program_flags.h"
#include "common/fault_enums.h"
#include "common/units.h"
#include "proto/wire_enums/wire_enums.h"

namespace chaosnet::client {
namespace {

using google::protobuf::util::TimeUtil;
using std::chrono::nanoseconds;
using std::chrono::seconds;

std::string Duration(const google::protobuf::Duration& d) {
  const nanoseconds ns(TimeUtil::DurationToNanoseconds(d));
  return ns.count() <= 0 ? "0s" : units::FormatDuration(ns);
}

std::string Ports(const v1::PortRange& r) {
  std::string text = std::to_string(r.first());
  if (r.last() != 0 && r.last() != r.first()) text += "-" + std::to_string(r.last());
  return text;
}

std::string Join(const std::vector<std::string>& parts, const char* separator) {
  std::string out;
  for (const auto& p : parts) {
    if (!out.empty()) out += separator;
    out += p;
  }
  return out;
}

std::string WithCorrelation(std::string text, double correlation) {
  if (correlation > 0) text += " correlation " + units::FormatPercent(correlation);
  return text;
}

std::vector<std::string> Strings(const google::protobuf::RepeatedPtrField<std::string>& list) {
  return {list.begin(), list.end()};
}

// fleet: "10.0.0.2/32,10.0.0.3/32", the first six and how many in all.
std::string CidrSet(const google::protobuf::RepeatedPtrField<std::string>& cidrs) {
  constexpr int kShown = 6;
  std::vector<std::string> shown(cidrs.begin(), cidrs.begin() + std::min(cidrs.size(), kShown));
  std::string text = Join(shown, ",");
  if (cidrs.size() > kShown) text += ",... (" + std::to_string(cidrs.size()) + " in all)";
  return text;
}

// What narrows a fault down: namespace, direction, match and exemptions, in that order.
std::vector<std::string> Qualifiers(const v1::FaultSpec& spec, bool with_netns) {
  std::vector<std::string> q;
  if (with_netns && !spec.netns().empty()) q.push_back("netns " + spec.netns());
  if (spec.direction() == v1::DIRECTION_INGRESS) q.push_back("ingress");
  if (spec.direction() == v1::DIRECTION_BOTH) q.push_back("both directions");
  const auto& m = spec.match();
  std::vector<std::string> match;
  if (!m.dst_cidr().empty()) match.push_back("dst " + m.dst_cidr());
  if (!m.src_cidr().empty()) match.push_back("src " + m.src_cidr());
  if (!m.dst_cidrs().empty()) match.push_back("dst " + CidrSet(m.dst_cidrs()));
  if (!m.src_cidrs().empty()) match.push_back("src " + CidrSet(m.src_cidrs()));
  if (m.has_dport()) match.push_back("dport " + Ports(m.dport()));
  if (m.has_sport()) match.push_back("sport " + Ports(m.sport()));
  if (const auto proto = wire::FromProto(m.protocol()); proto && *proto != model::Protocol::kAny) {
    match.push_back(std::string("proto ") + NameOf(model::kProtocolNames, *proto));
  }
  if (!match.empty()) q.push_back(Join(match, " "));
  if (spec.exemptions_size() > 0) q.push_back("exempt " + Join(Strings(spec.exemptions()), " "));
  return q;
}

WallClock::time_point ToTimePoint(const google::protobuf::Timestamp& t) {
  return WallClock::time_point(std::chrono::duration_cast<WallClock::duration>(
      nanoseconds(TimeUtil::TimestampToNanoseconds(t))));
}

std::string FormatTime(const google::protobuf::Timestamp& at, bool utc, const char* pattern) {
  std::time_t t = TimeUtil::TimestampToTimeT(at);
  std::tm tm{};
  if (utc) {
    gmtime_r(&t, &tm);
  } else {
    localtime_r(&t, &tm);
  }
  char buffer[64];
  size_t n = std::strftime(buffer, sizeof buffer, pattern, &tm);
  return std::string(buffer, n);
}

bool Ended(const v1::Fault& fault) {
  return fault.has_ended_at() ||
         (fault.state() != v1::FAULT_STATE_ACTIVE && fault.state() != v1::FAULT_STATE_UNSPECIFIED);
}

std::string Expiry(const v1::Fault& fault, WallClock::time_point now) {
  return LocalTime(fault.expires_at()) + " (" + TimeUntil(fault.expires_at(), now) + ")";
}

std::string Head(const v1::Fault& fault) {
  return FaultSummary(fault.spec()) + " on " + TargetSummary(fault.spec());
}

}  // namespace

std::string FaultSummary(const v1::FaultSpec& spec) {
  std::vector<std::string> parts;
  if (spec.has_delay()) {
    const auto& d = spec.delay();
    std::string text = "delay " + Duration(d.latency());
    if (d.has_jitter() && (d.jitter().seconds() > 0 || d.jitter().nanos() > 0)) {
      text += " jitter " + Duration(d.jitter());
    }
    text = WithCorrelation(text, d.correlation_percent());
    const auto distribution = wire::FromProto(d.distribution());
    if (distribution && *distribution != model::DelayDistribution::kUniform) {
      text += std::string(" distribution ") + NameOf(model::kDelayDistributionNames, *distribution);
    }
    parts.push_back(text);
  }
  if (spec.has_loss()) {
    parts.push_back(WithCorrelation("loss " + units::FormatPercent(spec.loss().percent()),
                                    spec.loss().correlation_percent()));
  }
  if (spec.has_duplicate()) {
    parts.push_back(WithCorrelation("duplicate " + units::FormatPercent(spec.duplicate().percent()),
                                    spec.duplicate().correlation_percent()));
  }
  if (spec.has_corrupt()) {
    parts.push_back(WithCorrelation("corrupt " + units::FormatPercent(spec.corrupt().percent()),
                                    spec.corrupt().correlation_percent()));
  }
  if (spec.has_reorder()) {
    std::string text = WithCorrelation("reorder " + units::FormatPercent(spec.reorder().percent()),
                                       spec.reorder().correlation_percent());
    if (spec.reorder().gap() > 0) text += " gap " + std::to_string(spec.reorder().gap());
    parts.push_back(text);
  }
  if (spec.has_rate()) parts.push_back("rate " + units::FormatRate(spec.rate().bits_per_second()));
  if (spec.partition()) parts.push_back("partition");
  AppendLinkModelSummary(spec, &parts);
  if (spec.has_program()) parts.push_back(ProgramSummary(spec.program()));  // programs
  if (spec.queue_limit() > 0) parts.push_back("limit " + std::to_string(spec.queue_limit()));
  return parts.empty() ? "no fault" : Join(parts, ", ");
}

std::string TargetSummary(const v1::FaultSpec& spec) {
  auto q = Qualifiers(spec, /*with_netns=*/true);
  return q.empty() ? spec.interface() : spec.interface() + " (" + Join(q, ", ") + ")";
}

std::string HumanDuration(seconds d) {
  int64_t s = std::max<int64_t>(d.count(), 0);
  auto two = [](int64_t big, const char* big_unit, int64_t small, const char* small_unit) {
    std::string text = std::to_string(big) + big_unit;
    if (small > 0) text += std::to_string(small) + small_unit;
    return text;
  };
  if (s < 60) return std::to_string(s) + "s";
  if (s < 3600) return two(s / 60, "m", s % 60, "s");
  if (s < 86400) return two(s / 3600, "h", s % 3600 / 60, "m");
  return two(s / 86400, "d", s % 86400 / 3600, "h");
}

std::string TimeUntil(const google::protobuf::Timestamp& at, WallClock::time_point now) {
  // Round to the nearest second: a lease created "30s" ago-ish must read "in 30s",
  // not "in 29s" because a few milliseconds passed on the way back.
  auto diff = std::chrono::round<seconds>(ToTimePoint(at) - now);
  if (diff.count() == 0) return "now";
  if (diff.count() > 0) return "in " + HumanDuration(diff);
  return HumanDuration(-diff) + " ago";
}

std::string LocalTime(const google::protobuf::Timestamp& at) {
  return FormatTime(at, /*utc=*/false, "%Y-%m-%d %H:%M:%S");
}

std::string UtcTime(const google::protobuf::Timestamp& at) {
  return FormatTime(at, /*utc=*/true, "%Y-%m-%dT%H:%M:%SZ");
}

std::string StateName(v1::FaultState state) {
  switch (state) {
    case v1::FAULT_STATE_ACTIVE: return "active";
    case v1::FAULT_STATE_EXPIRED: return "expired";
    case v1::FAULT_STATE_REVOKED: return "revoked";
    case v1::FAULT_STATE_LOST: return "lost";
    case v1::FAULT_STATE_FAILED: return "failed";
    case v1::FAULT_STATE_HALTED: return "halted";
    default: return "planned";
  }
}

std::string EventName(v1::EventType type) {
  switch (type) {
    case v1::EVENT_TYPE_APPLIED: return "APPLIED";
    case v1::EVENT_TYPE_EXTENDED: return "EXTENDED";
    case v1::EVENT_TYPE_EXPIRED: return "EXPIRED";
    case v1::EVENT_TYPE_REVOKED: return "REVOKED";
    case v1::EVENT_TYPE_LOST: return "LOST";
    case v1::EVENT_TYPE_FAILED: return "FAILED";
    case v1::EVENT_TYPE_SNAPSHOT: return "SNAPSHOT";
    case v1::EVENT_TYPE_HALTED: return "HALTED";
    case v1::EVENT_TYPE_STEPPED: return "STEPPED";
    default: return "UNKNOWN";
  }
}

std::string ToJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  std::string json;
  if (!google::protobuf::util::MessageToJsonString(message, &json, options).ok()) {
    return "{}";  // only fails on unresolvable Any types, which the API has none of
  }
  return json;
}

std::string FaultsToJson(const google::protobuf::RepeatedPtrField<v1::Fault>& faults) {
  std::string out = "[";
  for (const auto& fault : faults) {
    if (out.size() > 1) out += ",";
    out += ToJson(fault);
  }
  return out + "]";
}

std::vector<std::string> PlanLines(const v1::Plan& plan) {
  std::vector<std::string> lines;
  for (const auto& step : plan.steps()) {
    std::vector<std::string> words;
    if (step.object() == "link") {
      words = {"link add", step.interface(), "type", step.kind()};
    } else {
      words = {step.object() + " add", "dev", step.interface()};
      if (!step.parent().empty()) {
        words.push_back(step.parent() == "root" ? "root" : "parent " + step.parent());
      }
      if (!step.handle().empty()) words.push_back("handle " + step.handle());
      words.push_back(step.kind());
    }
    if (!step.parameters().empty()) words.push_back(step.parameters());
    lines.push_back(Join(words, " "));
  }
  return lines;
}

std::string CreateText(const v1::CreateFaultResponse& response, WallClock::time_point now) {
  const v1::Fault& fault = response.fault();
  if (response.dry_run()) {
    std::string text = "dry run, nothing was applied: " + Head(fault) + " would add:\n";
    auto lines = PlanLines(fault.plan());
    if (lines.empty()) text += "  (no kernel objects)\n";
    for (const auto& line : lines) text += "  " + line + "\n";
    if (fault.spec().has_program()) {  // programs: every step, as the daemon took them
      const v1::Program& program = fault.spec().program();
      text += "and would run the program" +
              (program.source().empty() ? std::string() : " (" + program.source() + ")") + ":\n";
      for (const auto& line : ProgramStepLines(program)) text += "  " + line + "\n";
    }
    return text;
  }
  std::string verb =
      response.replayed() ? "already applied (request-id " + fault.request_id() + ")" : "applied";
  return "fault " + fault.id() + " " + verb + ": " + Head(fault) + ", expires " +
         Expiry(fault, now) + "\n";
}

std::string FaultLine(const v1::Fault& fault, const std::string& verb, WallClock::time_point now) {
  std::string text = "fault " + fault.id() + " " + verb + ": " + Head(fault);
  if (Ended(fault)) {
    text += ", " + StateName(fault.state());
  } else {
    text += ", expires " + Expiry(fault, now);
  }
  return text + "\n";
}

std::string NotRevokedLine(const v1::NotRevoked& not_revoked) {
  const v1::Fault& fault = not_revoked.fault();
  std::string text = "fault " + fault.id() + " not revoked: " + Head(fault);
  if (!fault.owner().identity().empty()) text += ", owner " + fault.owner().identity();
  return text + "\n";
}

std::string FaultDetails(const v1::Fault& fault, WallClock::time_point now) {
  std::vector<std::vector<std::string>> rows = {
      {"id:", fault.id()},
      {"state:", StateName(fault.state()) +
                     (fault.state_reason().empty() ? "" : " (" + fault.state_reason() + ")")},
      {"fault:", FaultSummary(fault.spec())},
      {"target:", TargetSummary(fault.spec())},
  };
  if (!fault.labels().empty()) {
    // The proto map has no order; sort for stable output.
    std::vector<std::string> labels;
    for (const auto& [k, v] : fault.labels()) labels.push_back(k + "=" + v);
    std::sort(labels.begin(), labels.end());
    rows.push_back({"labels:", Join(labels, ", ")});
  }
  if (!fault.owner().identity().empty()) rows.push_back({"owner:", fault.owner().identity()});
  if (!fault.request_id().empty()) rows.push_back({"request id:", fault.request_id()});
  if (fault.has_created_at()) rows.push_back({"created:", LocalTime(fault.created_at())});
  if (fault.has_expires_at()) rows.push_back({"expires:", Expiry(fault, now)});
  if (fault.has_ended_at()) {
    rows.push_back(
        {"ended:", LocalTime(fault.ended_at()) + " (" + TimeUntil(fault.ended_at(), now) + ")"});
  }
  const auto& c = fault.counters();
  rows.push_back({"counters:", std::to_string(c.packets()) + " packets, " +
                                   std::to_string(c.bytes()) + " bytes, " +
                                   std::to_string(c.drops()) + " drops, " +
                                   std::to_string(c.overlimits()) + " overlimits"});
  for (auto& row : GuardRows(fault)) rows.push_back(std::move(row));
  if (fault.spec().has_program()) {  // programs
    rows.push_back({"program:", DescribeProgram(fault.spec().program())});
    if (fault.has_program()) rows.push_back({"position:", DescribePosition(fault)});
  }
  std::string text = RenderTable({}, rows);
  auto plan = PlanLines(fault.plan());
  if (!plan.empty()) {
    text += "plan:\n";
    for (const auto& line : plan) text += "  " + line + "\n";
  }
  return text;
}

std::string FaultTable(const google::protobuf::RepeatedPtrField<v1::Fault>& faults,
                       WallClock::time_point now) {
  if (faults.empty()) return "no faults\n";
  std::vector<std::vector<std::string>> rows;
  for (const auto& f : faults) {
    std::string iface = f.spec().interface();
    if (!f.spec().netns().empty()) iface += "@" + f.spec().netns();
    std::string fault = FaultSummary(f.spec());
    auto q = Qualifiers(f.spec(), /*with_netns=*/false);
    if (!q.empty()) fault += " (" + Join(q, ", ") + ")";
    if (f.has_program()) fault += " [" + DescribePosition(f) + "]";  // programs
    std::string expires = "-";
    if (!Ended(f)) {
      auto left = std::chrono::round<seconds>(ToTimePoint(f.expires_at()) - now);
      expires = left.count() > 0 ? HumanDuration(left) : "now";
    }
    rows.push_back(
        {f.id(), iface, fault, StateName(f.state()), expires,
         std::to_string(f.counters().packets()) + "/" + std::to_string(f.counters().drops()),
         f.owner().identity().empty() ? "-" : f.owner().identity()});
  }
  // The owner last: certificate subjects are long, and the last column is not padded.
  return RenderTable({"ID", "IFACE", "FAULT", "STATE", "EXPIRES IN", "COUNTERS", "OWNER"}, rows);
}

std::string EventLine(const v1::FaultEvent& event) {
  const v1::Fault& f = event.fault();
  std::string line =
      UtcTime(event.at()) + " " + EventName(event.type()) + " " + f.id() + " " + Head(f);
  if (!f.state_reason().empty()) line += ": " + f.state_reason();
  return line + "\n";
}

std::string InfoText(const v1::Info& info, WallClock::time_point now) {
  std::vector<std::vector<std::string>> rows = {
      {"version:", info.version()},
      {"kernel:", info.kernel_release()},
  };
  if (info.has_started_at()) {
    rows.push_back({"started:",
                    LocalTime(info.started_at()) + " (" + TimeUntil(info.started_at(), now) + ")"});
  }
  rows.push_back({"default ttl:", Duration(info.default_ttl())});
  rows.push_back({"max ttl:", Duration(info.max_ttl())});
  rows.push_back({"active faults:", std::to_string(info.active_faults())});
  if (!info.caller().empty()) {
    const char* role = info.caller_read_only() ? " (read-only)"
                       : info.caller_admin()   ? " (admin)"
                                               : "";
    rows.push_back({"you are:", info.caller() + role});
  }
  std::string text = RenderTable({}, rows);
  if (info.capabilities_size() > 0) {
    std::vector<std::vector<std::string>> caps;
    for (const auto& c : info.capabilities()) {
      caps.push_back(
          {"  " + c.name(), c.available() ? "yes" : "MISSING", c.available() ? "" : c.hint()});
    }
    text += "kernel capabilities:\n" + RenderTable({}, caps);
  }
  return text;
}

std::string RenderTable(const std::vector<std::string>& header,
                        const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths(header.size());
  for (size_t i = 0; i < header.size(); ++i) widths[i] = header[i].size();
  for (const auto& row : rows) {
    if (row.size() > widths.size()) widths.resize(row.size());
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  auto render = [&](const std::vector<std::string>& cells) {
    std::string line;
    for (size_t i = 0; i < cells.size(); ++i) {
      line += cells[i];
      if (i + 1 < cells.size()) line += std::string(widths[i] - cells[i].size() + 2, ' ');
    }
    // Trailing blanks from empty last cells would only confuse diffs.
    line.erase(line.find_last_not_of(' ') + 1);
    return line + "\n";
  };
  std::string out = header.empty() ? "" : render(header);
  for (const auto& row : rows) out += render(row);
  return out;
}

}  // namespace chaosnet::client
