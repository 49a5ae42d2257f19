#include "daemon/api/audit_format.h"

#include <arpa/inet.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <variant>

#include "common/fault_enums.h"
#include "common/json.h"
#include "daemon/plan/protected_traffic.h"

namespace chaosnet::api {
namespace {

using json::Writer;

// {"family":"inet","address":"10.0.0.0","prefix":8}; a value that is neither a
// clean IPv4 nor an IPv6 address (the API never produces one) as its numeric
// family and the 16 address bytes in hex, so that nothing is hidden.
void WriteCidr(Writer& w, const model::Cidr& c) {
  const bool v4 = c.family == AF_INET && std::all_of(c.address.begin() + 4, c.address.end(),
                                                     [](uint8_t b) { return b == 0; });
  char text[INET6_ADDRSTRLEN] = {};
  w.BeginObject();
  if ((v4 || c.family == AF_INET6) && inet_ntop(c.family, c.address.data(), text, sizeof text)) {
    w.Key("family").String(v4 ? "inet" : "inet6").Key("address").String(text);
  } else {
    std::string hex;
    for (uint8_t b : c.address) {
      char two[3];
      std::snprintf(two, sizeof two, "%02x", b);
      hex += two;
    }
    w.Key("family").Int(c.family).Key("hex").String(hex);
  }
  w.Key("prefix").Uint(c.prefix_length).EndObject();
}

void WritePortRange(Writer& w, const model::PortRange& r) {
  w.BeginObject().Key("first").Uint(r.first).Key("last").Uint(r.last).EndObject();
}

// Loss, duplicate and corrupt.
void WriteChance(Writer& w, const char* key, const std::optional<model::ProbabilityFault>& p) {
  if (!p) return;
  w.Key(key).BeginObject();
  w.Key("percent").Double(p->percent).Key("correlation").Double(p->correlation_percent);
  w.EndObject();
}

// fleet (issue 14): the address sets as lists of CIDRs, the exemptions as
// their --protect rule text.
void WriteFleetMatch(Writer& w, const model::Match& m) {
  for (const auto& [key, cidrs] :
       {std::pair{"dst_cidrs", &m.dst_cidrs}, std::pair{"src_cidrs", &m.src_cidrs}}) {
    if (cidrs->empty()) continue;
    w.Key(key).BeginArray();
    for (const model::Cidr& c : *cidrs) WriteCidr(w, c);
    w.EndArray();
  }
}
// The audit log's own spelling of a guard set (not the journal's: renaming a
// journal key must not change the audit format).
void WriteGuards(Writer& w, const model::GuardSet& g) {
  w.BeginObject().Key("checks").BeginArray();
  for (const std::string& check : g.checks) w.String(check);
  w.EndArray();
  if (g.interval) w.Key("interval_ns").Int(g.interval->count());
  if (g.timeout) w.Key("timeout_ns").Int(g.timeout->count());
  if (g.failures) w.Key("failures").Uint(*g.failures);
  if (g.grace) w.Key("grace_ns").Int(g.grace->count());
  w.EndObject();
}

// The audit log's own spelling of the link models (not the journal's): the
// loss model as the numbers tc takes, in its order, the rest by field.
void WriteLinkModels(Writer& w, const model::FaultSpec& s) {
  if (const auto& m = s.loss_model) {
    w.Key("loss_model").BeginObject();
    if (const auto* g = std::get_if<model::GilbertElliottLoss>(&*m)) {
      w.Key("gemodel").BeginArray().Double(g->p).Double(g->r).Double(g->one_minus_h);
      w.Double(g->one_minus_k).EndArray();
    } else if (const auto* f = std::get_if<model::FourStateLoss>(&*m)) {
      w.Key("state").BeginArray().Double(f->p13).Double(f->p31).Double(f->p32).Double(f->p23);
      w.Double(f->p14).EndArray();
    }
    w.EndObject();
  }
  if (s.ecn) w.Key("ecn").Bool(true);
  if (const auto& slot = s.slot) {
    w.Key("slot").BeginObject();
    w.Key("min_ns").Int(slot->min_delay.count()).Key("max_ns").Int(slot->max_delay.count());
    if (slot->uses_distribution()) {
      w.Key("distribution").String(NameOf(model::kDelayDistributionNames, slot->distribution));
      w.Key("delay_ns").Int(slot->dist_delay.count());
      w.Key("jitter_ns").Int(slot->dist_jitter.count());
    }
    w.Key("packets").Uint(slot->max_packets).Key("bytes").Uint(slot->max_bytes).EndObject();
  }
  if (const auto& l = s.link_rate) {
    w.Key("link_rate").BeginObject().Key("bits_per_second").Uint(l->bits_per_second);
    w.Key("packet_overhead").Int(l->packet_overhead).Key("cell_size").Uint(l->cell_size);
    w.Key("cell_overhead").Int(l->cell_overhead).EndObject();
  }
  if (s.in_order) w.Key("in_order").Bool(true);
  if (s.jam) w.Key("jam").BeginObject().Key("limit_bytes").Uint(s.jam->limit_bytes).EndObject();
  if (!s.profile.empty()) w.Key("profile").String(s.profile);
}

void WriteExemptions(Writer& w, const std::vector<model::TrafficRule>& exemptions) {
  if (exemptions.empty()) return;
  w.Key("exemptions").BeginArray();
  for (const model::TrafficRule& rule : exemptions) w.String(plan::FormatProtectedRule(rule));
  w.EndArray();
}

void WriteSpec(Writer& w, const model::FaultSpec& s) {
  w.BeginObject();
  w.Key("interface").String(s.interface);
  w.Key("netns").String(s.netns);
  w.Key("direction").String(NameOf(model::kDirectionNames, s.direction));
  w.Key("match").BeginObject();
  if (s.match.dst) WriteCidr(w.Key("dst"), *s.match.dst);
  if (s.match.src) WriteCidr(w.Key("src"), *s.match.src);
  if (s.match.dport) WritePortRange(w.Key("dport"), *s.match.dport);
  if (s.match.sport) WritePortRange(w.Key("sport"), *s.match.sport);
  w.Key("protocol").String(NameOf(model::kProtocolNames, s.match.protocol));
  WriteFleetMatch(w, s.match);
  w.EndObject();
  if (const auto& d = s.delay) {
    w.Key("delay").BeginObject();
    w.Key("latency_ns").Int(d->latency.count()).Key("jitter_ns").Int(d->jitter.count());
    w.Key("correlation").Double(d->correlation_percent);
    w.Key("distribution").String(NameOf(model::kDelayDistributionNames, d->distribution));
    w.EndObject();
  }
  WriteChance(w, "loss", s.loss);
  WriteChance(w, "duplicate", s.duplicate);
  WriteChance(w, "corrupt", s.corrupt);
  if (const auto& r = s.reorder) {
    w.Key("reorder").BeginObject();
    w.Key("percent").Double(r->percent).Key("correlation").Double(r->correlation_percent);
    w.Key("gap").Uint(r->gap);
    w.EndObject();
  }
  if (s.rate) {
    w.Key("rate").BeginObject().Key("bits_per_second").Uint(s.rate->bits_per_second).EndObject();
  }
  w.Key("partition").Bool(s.partition);
  if (s.queue_limit) w.Key("queue_limit").Uint(*s.queue_limit);
  // Every guard is in the audit log: each makes the daemon act on the caller's behalf.
  if (!s.guards.empty()) WriteGuards(w.Key("guards"), s.guards);
  WriteLinkModels(w, s);
  WriteExemptions(w, s.exemptions);
  w.EndObject();
}

}  // namespace

std::string Rfc3339(core::WallTime t) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch());
  const std::time_t seconds = static_cast<std::time_t>(ms.count() / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buf[40];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &utc);
  char out[48];
  std::snprintf(out, sizeof(out), "%s.%03dZ", buf, static_cast<int>(ms.count() % 1000));
  return out;
}

std::string AuditEventLine(const core::FaultEvent& e) {
  const core::FaultRecord& f = e.fault;
  Writer w;
  w.BeginObject();
  w.Key("time").String(Rfc3339(e.at));
  w.Key("event").String(core::EventTypeLabel(e.type));
  w.Key("fault").String(f.id);
  w.Key("actor").String(e.actor);
  w.Key("owner").String(f.owner);
  w.Key("state").String(core::FaultStateName(f.state));
  if (!f.state_reason.empty()) w.Key("reason").String(f.state_reason);
  w.Key("expires_at").String(Rfc3339(f.expires_at));
  if (!f.request_id.empty()) w.Key("request_id").String(f.request_id);
  WriteSpec(w.Key("spec"), f.spec);
  w.EndObject();
  return w.Take();
}

std::string AuditRefusalLine(core::WallTime at, const std::string& rpc, const core::Caller& caller,
                             const Status& status, const model::FaultSpec* spec,
                             const std::string& fault_id, const std::string& owner) {
  Writer w;
  w.BeginObject();
  w.Key("time").String(Rfc3339(at));
  w.Key("event").String("refused");
  w.Key("rpc").String(rpc);
  w.Key("actor").String(caller.principal);
  if (caller.local) w.Key("pid").Int(caller.local->pid);
  if (!caller.address.empty()) w.Key("address").String(caller.address);
  w.Key("code").String(StatusCodeName(status.code()));
  w.Key("message").String(status.message());
  if (!fault_id.empty()) w.Key("fault").String(fault_id);
  if (!owner.empty()) w.Key("owner").String(owner);
  if (spec != nullptr) WriteSpec(w.Key("spec"), *spec);
  w.EndObject();
  return w.Take();
}

}  // namespace chaosnet::api
