#include "daemon/state/lease_codec.h"

#include <arpa/inet.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <limits>
#include <optional>
#include <utility>
#include <vector>

#include "common/json.h"
#include "common/units.h"
#include "daemon/state/lease_codec_guards.h"
#include "daemon/state/lease_codec_link_models.h"
#include "daemon/state/lease_codec_program.h"

namespace chaosnet::state {
namespace {

using json::Value;
using json::Writer;

// ---- enum names -------------------------------------------------------------

// The shared tables (common/fault_enums.h, stored_lease.h, model/identity.h):
// renaming a value there changes what is on users' disks.
constexpr const auto& kStates = kLeaseStateNames;
constexpr const auto& kIdentityKinds = model::kIdentityKindNames;
constexpr const auto& kDirections = model::kDirectionNames;
constexpr const auto& kProtocols = model::kProtocolNames;
constexpr const auto& kDistributions = model::kDelayDistributionNames;

// ---- encoding ---------------------------------------------------------------

int64_t Nanos(std::chrono::nanoseconds d) { return d.count(); }
int64_t SinceEpochNanos(WallTime t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

std::string Hex(const uint8_t* p, size_t n) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s;
  for (size_t i = 0; i < n; ++i) {
    s += kHex[p[i] >> 4];
    s += kHex[p[i] & 0xF];
  }
  return s;
}

// IPv4/IPv6 prefixes in their usual text form; anything else (or an IPv4
// value with stray bytes past the fourth) as raw hex, so every value round-trips.
void WriteCidr(Writer& w, const model::Cidr& c) {
  w.BeginObject();
  const bool v4_clean = c.family == AF_INET && std::all_of(c.address.begin() + 4, c.address.end(),
                                                           [](uint8_t b) { return b == 0; });
  char text[INET6_ADDRSTRLEN] = {};
  if (v4_clean && inet_ntop(AF_INET, c.address.data(), text, sizeof text)) {
    w.Key("family").String("inet").Key("address").String(text);
  } else if (c.family == AF_INET6 && inet_ntop(AF_INET6, c.address.data(), text, sizeof text)) {
    w.Key("family").String("inet6").Key("address").String(text);
  } else {
    w.Key("family").Int(c.family).Key("hex").String(Hex(c.address.data(), c.address.size()));
  }
  w.Key("prefix").Uint(c.prefix_length);
  w.EndObject();
}

// {"kind":"uid","uid":1000}, {"kind":"x509","subject":"..."}, {"kind":"tcp","address":"..."}
void WriteIdentity(Writer& w, const model::Identity& id) {
  w.BeginObject().Key("kind").String(NameOf(kIdentityKinds, id.kind));
  switch (id.kind) {
    case model::Identity::Kind::kUid: w.Key("uid").Uint(id.uid); break;
    case model::Identity::Kind::kCertificate: w.Key("subject").String(id.value); break;
    case model::Identity::Kind::kAddress: w.Key("address").String(id.value); break;
    case model::Identity::Kind::kNone: break;
  }
  w.EndObject();
}

void WritePorts(Writer& w, const model::PortRange& r) {
  w.BeginObject().Key("first").Uint(r.first).Key("last").Uint(r.last).EndObject();
}

void WriteProbability(Writer& w, const model::ProbabilityFault& p) {
  w.BeginObject()
      .Key("percent")
      .Double(p.percent)
      .Key("correlation")
      .Double(p.correlation_percent)
      .EndObject();
}

// fleet (issue 14): below, with their readers.
void WriteFleetMatch(Writer& w, const model::Match& m);
void WriteExemptions(Writer& w, const std::vector<model::TrafficRule>& exemptions);

void WriteSpec(Writer& w, const model::FaultSpec& s) {
  w.BeginObject();
  w.Key("interface").String(s.interface);
  w.Key("netns").String(s.netns);
  w.Key("direction").String(NameOf(kDirections, s.direction));

  w.Key("match").BeginObject();
  if (s.match.dst) WriteCidr(w.Key("dst"), *s.match.dst);
  if (s.match.src) WriteCidr(w.Key("src"), *s.match.src);
  if (s.match.dport) WritePorts(w.Key("dport"), *s.match.dport);
  if (s.match.sport) WritePorts(w.Key("sport"), *s.match.sport);
  w.Key("protocol").String(NameOf(kProtocols, s.match.protocol));
  WriteFleetMatch(w, s.match);
  w.EndObject();

  if (s.delay) {
    w.Key("delay")
        .BeginObject()
        .Key("latency_ns")
        .Int(Nanos(s.delay->latency))
        .Key("jitter_ns")
        .Int(Nanos(s.delay->jitter))
        .Key("correlation")
        .Double(s.delay->correlation_percent)
        .Key("distribution")
        .String(NameOf(kDistributions, s.delay->distribution))
        .EndObject();
  }
  if (s.loss) WriteProbability(w.Key("loss"), *s.loss);
  if (s.duplicate) WriteProbability(w.Key("duplicate"), *s.duplicate);
  if (s.corrupt) WriteProbability(w.Key("corrupt"), *s.corrupt);
  if (s.reorder) {
    w.Key("reorder")
        .BeginObject()
        .Key("percent")
        .Double(s.reorder->percent)
        .Key("correlation")
        .Double(s.reorder->correlation_percent)
        .Key("gap")
        .Uint(s.reorder->gap)
        .EndObject();
  }
  if (s.rate)
    w.Key("rate").BeginObject().Key("bits_per_second").Uint(s.rate->bits_per_second).EndObject();
  w.Key("partition").Bool(s.partition);
  if (s.queue_limit) w.Key("queue_limit").Uint(*s.queue_limit);
  if (!s.guards.empty()) WriteGuards(w.Key("guards"), s.guards);  // feature "guards"
  WriteLinkModels(w, s);
  WriteExemptions(w, s.exemptions);
  if (s.program) WriteProgram(w.Key("program"), *s.program);  // feature "programs"
  w.EndObject();
}

// ---- decoding ---------------------------------------------------------------

// Reads the members of one JSON object; errors carry the path of the field.
class Fields {
 public:
  Fields(const Value& v, std::string path) : v_(v), path_(std::move(path)) {}

  Status CheckObject() const {
    return v_.is_object() ? Status::Ok() : Error("", "expected an object");
  }
  const Value* Optional(std::string_view key) const { return v_.Find(key); }
  std::string Path(std::string_view key) const {
    return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
  }

  Status Error(std::string_view key, const std::string& what) const {
    const std::string where = key.empty() ? (path_.empty() ? "record" : path_) : Path(key);
    return InvalidArgument("lease record: " + where + ": " + what);
  }

  Result<const Value*> Required(std::string_view key) const {
    const Value* f = v_.Find(key);
    if (!f) return Error(key, "missing");
    return f;
  }

  Status Str(std::string_view key, std::string& out) const {
    ASSIGN_OR_RETURN(const Value* f, Required(key));
    return Assign(f->AsString(), key, out);
  }
  Status Bool(std::string_view key, bool& out) const {
    ASSIGN_OR_RETURN(const Value* f, Required(key));
    return Assign(f->AsBool(), key, out);
  }
  Status Double(std::string_view key, double& out) const {
    ASSIGN_OR_RETURN(const Value* f, Required(key));
    return Assign(f->AsDouble(), key, out);
  }
  Status Int64(std::string_view key, int64_t& out) const {
    ASSIGN_OR_RETURN(const Value* f, Required(key));
    return Assign(f->AsInt(), key, out);
  }
  template <typename U>
  Status Unsigned(std::string_view key, U& out) const {
    ASSIGN_OR_RETURN(const Value* f, Required(key));
    auto v = f->AsUint();
    if (!v.ok()) return Error(key, v.status().message());
    if (*v > std::numeric_limits<U>::max()) return Error(key, "out of range");
    out = static_cast<U>(*v);
    return Status::Ok();
  }
  template <typename E, size_t N>
  Status Enum(std::string_view key, const EnumNames<E, N>& table, E& out) const {
    std::string name;
    RETURN_IF_ERROR(Str(key, name));
    const std::optional<E> value = ValueOf(table, name);
    if (!value) return Error(key, "unknown value " + units::QuoteInput(name));
    out = *value;
    return Status::Ok();
  }

 private:
  template <typename T>
  Status Assign(const Result<T>& r, std::string_view key, T& out) const {
    if (!r.ok()) return Error(key, r.status().message());
    out = *r;
    return Status::Ok();
  }

  const Value& v_;
  std::string path_;
};

Status ReadHex(const std::string& hex, std::array<uint8_t, 16>& out) {
  if (hex.size() != 32) return InvalidArgument("expected 32 hex digits");
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  for (size_t i = 0; i < 16; ++i) {
    const int hi = nibble(hex[2 * i]), lo = nibble(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return InvalidArgument("expected lowercase hex digits");
    out[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return Status::Ok();
}

Status ReadCidr(const Value& v, const std::string& path, model::Cidr& out) {
  Fields f(v, path);
  RETURN_IF_ERROR(f.CheckObject());
  const Value* fam = f.Optional("family");
  if (!fam) return f.Error("family", "missing");
  if (fam->type() == Value::Type::kString) {
    std::string family, address;
    RETURN_IF_ERROR(f.Str("family", family));
    RETURN_IF_ERROR(f.Str("address", address));
    if (family == "inet")
      out.family = AF_INET;
    else if (family == "inet6")
      out.family = AF_INET6;
    else
      return f.Error("family", "unknown value " + units::QuoteInput(family));
    out.address = {};
    if (inet_pton(out.family, address.c_str(), out.address.data()) != 1) {
      return f.Error("address", "not an " + family + " address");
    }
  } else {
    int64_t family = 0;
    std::string hex;
    RETURN_IF_ERROR(f.Int64("family", family));
    RETURN_IF_ERROR(f.Str("hex", hex));
    if (family < std::numeric_limits<int>::min() || family > std::numeric_limits<int>::max()) {
      return f.Error("family", "out of range");
    }
    out.family = static_cast<int>(family);
    if (Status s = ReadHex(hex, out.address); !s.ok()) return f.Error("hex", s.message());
  }
  return f.Unsigned("prefix", out.prefix_length);
}

Status ReadIdentity(const Value& v, const std::string& path, model::Identity& out) {
  Fields f(v, path);
  RETURN_IF_ERROR(f.CheckObject());
  out = {};
  RETURN_IF_ERROR(f.Enum("kind", kIdentityKinds, out.kind));
  switch (out.kind) {
    case model::Identity::Kind::kUid: return f.Unsigned("uid", out.uid);
    case model::Identity::Kind::kCertificate: return f.Str("subject", out.value);
    case model::Identity::Kind::kAddress: return f.Str("address", out.value);
    case model::Identity::Kind::kNone: break;
  }
  return Status::Ok();
}

Status ReadPorts(const Value& v, const std::string& path, model::PortRange& out) {
  Fields f(v, path);
  RETURN_IF_ERROR(f.CheckObject());
  RETURN_IF_ERROR(f.Unsigned("first", out.first));
  return f.Unsigned("last", out.last);
}

Status ReadProbability(const Value& v, const std::string& path, model::ProbabilityFault& out) {
  Fields f(v, path);
  RETURN_IF_ERROR(f.CheckObject());
  RETURN_IF_ERROR(f.Double("percent", out.percent));
  return f.Double("correlation", out.correlation_percent);
}

// Reads an optional sub-object with `read` when the key is present.
template <typename T, typename ReadFn>
Status ReadOptional(const Fields& f, std::string_view key, std::optional<T>& out, ReadFn read) {
  const Value* v = f.Optional(key);
  if (!v) {
    out.reset();
    return Status::Ok();
  }
  T value{};
  RETURN_IF_ERROR(read(*v, f.Path(key), value));
  out = std::move(value);
  return Status::Ok();
}

// ---- fleet (issue 14): address sets and exemptions (format version 2) ------
// "match":{..., "dst_cidrs":[CIDR...], "src_cidrs":[CIDR...]} and
// "exemptions":[{"cidr":CIDR,"ports":PORTS,"protocol":"tcp"}...], each key
// only when non-empty (and a rule's cidr and ports only when set).

void WriteCidrList(Writer& w, const std::vector<model::Cidr>& cidrs) {
  w.BeginArray();
  for (const model::Cidr& c : cidrs) WriteCidr(w, c);
  w.EndArray();
}

void WriteFleetMatch(Writer& w, const model::Match& m) {
  if (!m.dst_cidrs.empty()) WriteCidrList(w.Key("dst_cidrs"), m.dst_cidrs);
  if (!m.src_cidrs.empty()) WriteCidrList(w.Key("src_cidrs"), m.src_cidrs);
}

void WriteExemptions(Writer& w, const std::vector<model::TrafficRule>& exemptions) {
  if (exemptions.empty()) return;
  w.Key("exemptions").BeginArray();
  for (const model::TrafficRule& rule : exemptions) {
    w.BeginObject();
    if (rule.cidr) WriteCidr(w.Key("cidr"), *rule.cidr);
    if (rule.ports) WritePorts(w.Key("ports"), *rule.ports);
    w.Key("protocol").String(NameOf(kProtocols, rule.protocol));
    w.EndObject();
  }
  w.EndArray();
}

// Reads the array at `key` (absent: empty) with `read` for each item.
template <typename T, typename ReadFn>
Status ReadList(const Fields& f, std::string_view key, std::vector<T>& out, ReadFn read) {
  out.clear();
  const Value* list = f.Optional(key);
  if (!list) return Status::Ok();
  if (list->type() != Value::Type::kArray) return f.Error(key, "expected an array");
  for (size_t i = 0; i < list->items().size(); ++i) {
    T value{};
    RETURN_IF_ERROR(read(list->items()[i], f.Path(key) + "[" + std::to_string(i) + "]", value));
    out.push_back(std::move(value));
  }
  return Status::Ok();
}

Status ReadFleetMatch(const Fields& m, model::Match& out) {
  RETURN_IF_ERROR(ReadList(m, "dst_cidrs", out.dst_cidrs, ReadCidr));
  return ReadList(m, "src_cidrs", out.src_cidrs, ReadCidr);
}

Status ReadTrafficRule(const Value& v, const std::string& path, model::TrafficRule& out) {
  Fields f(v, path);
  RETURN_IF_ERROR(f.CheckObject());
  RETURN_IF_ERROR(ReadOptional(f, "cidr", out.cidr, ReadCidr));
  RETURN_IF_ERROR(ReadOptional(f, "ports", out.ports, ReadPorts));
  return f.Enum("protocol", kProtocols, out.protocol);
}

bool UsesFleetFields(const model::FaultSpec& s) {
  return !s.match.dst_cidrs.empty() || !s.match.src_cidrs.empty() || !s.exemptions.empty();
}

// ---- end of fleet -----------------------------------------------------------

Status ReadSpec(const Value& v, const std::string& path, model::FaultSpec& s) {
  Fields f(v, path);
  RETURN_IF_ERROR(f.CheckObject());
  RETURN_IF_ERROR(f.Str("interface", s.interface));
  RETURN_IF_ERROR(f.Str("netns", s.netns));
  RETURN_IF_ERROR(f.Enum("direction", kDirections, s.direction));

  ASSIGN_OR_RETURN(const Value* match, f.Required("match"));
  Fields m(*match, f.Path("match"));
  RETURN_IF_ERROR(m.CheckObject());
  RETURN_IF_ERROR(ReadOptional(m, "dst", s.match.dst, ReadCidr));
  RETURN_IF_ERROR(ReadOptional(m, "src", s.match.src, ReadCidr));
  RETURN_IF_ERROR(ReadOptional(m, "dport", s.match.dport, ReadPorts));
  RETURN_IF_ERROR(ReadOptional(m, "sport", s.match.sport, ReadPorts));
  RETURN_IF_ERROR(m.Enum("protocol", kProtocols, s.match.protocol));
  RETURN_IF_ERROR(ReadFleetMatch(m, s.match));

  RETURN_IF_ERROR(ReadOptional(f, "delay", s.delay,
                               [](const Value& dv, const std::string& p, model::DelayFault& d) {
                                 Fields g(dv, p);
                                 RETURN_IF_ERROR(g.CheckObject());
                                 int64_t latency = 0, jitter = 0;
                                 RETURN_IF_ERROR(g.Int64("latency_ns", latency));
                                 RETURN_IF_ERROR(g.Int64("jitter_ns", jitter));
                                 d.latency = model::Nanos(latency);
                                 d.jitter = model::Nanos(jitter);
                                 RETURN_IF_ERROR(g.Double("correlation", d.correlation_percent));
                                 return g.Enum("distribution", kDistributions, d.distribution);
                               }));
  RETURN_IF_ERROR(ReadOptional(f, "loss", s.loss, ReadProbability));
  RETURN_IF_ERROR(ReadOptional(f, "duplicate", s.duplicate, ReadProbability));
  RETURN_IF_ERROR(ReadOptional(f, "corrupt", s.corrupt, ReadProbability));
  RETURN_IF_ERROR(ReadOptional(f, "reorder", s.reorder,
                               [](const Value& rv, const std::string& p, model::ReorderFault& r) {
                                 Fields g(rv, p);
                                 RETURN_IF_ERROR(g.CheckObject());
                                 RETURN_IF_ERROR(g.Double("percent", r.percent));
                                 RETURN_IF_ERROR(g.Double("correlation", r.correlation_percent));
                                 return g.Unsigned("gap", r.gap);
                               }));
  RETURN_IF_ERROR(ReadOptional(f, "rate", s.rate,
                               [](const Value& rv, const std::string& p, model::RateFault& r) {
                                 Fields g(rv, p);
                                 RETURN_IF_ERROR(g.CheckObject());
                                 return g.Unsigned("bits_per_second", r.bits_per_second);
                               }));
  RETURN_IF_ERROR(f.Bool("partition", s.partition));
  s.guards = {};
  if (const Value* guards = f.Optional("guards")) {  // feature "guards"
    RETURN_IF_ERROR(ReadGuards(*guards, f.Path("guards"), s.guards));
  }
  RETURN_IF_ERROR(ReadLinkModels(v, path, &s));
  RETURN_IF_ERROR(ReadList(f, "exemptions", s.exemptions, ReadTrafficRule));
  s.program.reset();
  if (const Value* program = f.Optional("program")) {  // feature "programs"
    RETURN_IF_ERROR(ReadProgram(*program, f.Path("program"), s.program.emplace()));
  }
  return ReadOptional(f, "queue_limit", s.queue_limit,
                      [&f](const Value& qv, const std::string&, uint32_t& q) {
                        auto n = qv.AsUint();
                        if (!n.ok()) return f.Error("queue_limit", n.status().message());
                        if (*n > std::numeric_limits<uint32_t>::max()) {
                          return f.Error("queue_limit", "out of range");
                        }
                        q = static_cast<uint32_t>(*n);
                        return Status::Ok();
                      });
}

Status ReadQdiscs(const Fields& f, std::vector<OwnedQdisc>& out) {
  ASSIGN_OR_RETURN(const Value* list, f.Required("qdiscs"));
  if (list->type() != Value::Type::kArray) return f.Error("qdiscs", "expected an array");
  out.clear();
  for (size_t i = 0; i < list->items().size(); ++i) {
    Fields q(list->items()[i], f.Path("qdiscs[" + std::to_string(i) + "]"));
    RETURN_IF_ERROR(q.CheckObject());
    OwnedQdisc owned;
    RETURN_IF_ERROR(q.Unsigned("handle", owned.handle));
    RETURN_IF_ERROR(q.Unsigned("parent", owned.parent));
    RETURN_IF_ERROR(q.Str("kind", owned.kind));
    out.push_back(std::move(owned));
  }
  return Status::Ok();
}

Status ReadLabels(const Fields& f, std::map<std::string, std::string>& out) {
  ASSIGN_OR_RETURN(const Value* labels, f.Required("labels"));
  if (!labels->is_object()) return f.Error("labels", "expected an object");
  out.clear();
  for (const auto& [k, v] : labels->members()) {
    auto value = v.AsString();
    if (!value.ok()) return f.Error("labels." + units::QuoteInput(k), value.status().message());
    out[k] = *value;
  }
  return Status::Ok();
}

Status CheckVersion(const Fields& f) {
  int64_t version = 0;
  RETURN_IF_ERROR(f.Int64("v", version));
  if (version > kLeaseFormatVersion) {
    return FailedPrecondition("lease record has format version " + std::to_string(version) +
                              ", newer than this chaosnetd understands (" +
                              std::to_string(kLeaseFormatVersion) + "); upgrade chaosnetd");
  }
  if (version < 1) return f.Error("v", "invalid version " + std::to_string(version));
  return Status::Ok();
}

Status ReadTime(const Fields& f, std::string_view key, WallTime& out) {
  int64_t ns = 0;
  RETURN_IF_ERROR(f.Int64(key, ns));
  out = WallTime(std::chrono::duration_cast<WallTime::duration>(std::chrono::nanoseconds(ns)));
  return Status::Ok();
}

}  // namespace

int RequiredFormatVersion(const StoredLease& lease) {
  // Each feature that changes a fault's meaning adds its clause here:
  //   if (<lease uses it>) version = std::max(version, <its version>);
  int version = 1;
  if (!lease.spec.guards.empty()) version = std::max(version, 2);  // guards
  version = std::max(version, LinkModelsFormatVersion(lease.spec));
  if (UsesFleetFields(lease.spec)) version = std::max(version, 2);  // cidr-sets, fault-exemptions
  if (lease.spec.program) version = std::max(version, 2);           // programs
  return version;
}

std::string EncodeLease(const StoredLease& l) {
  Writer w;
  w.BeginObject();
  w.Key("v").Int(RequiredFormatVersion(l));
  w.Key("id").String(l.id);
  w.Key("state").String(NameOf(kStates, l.state));
  w.Key("owner").String(l.owner);
  if (!l.owner_identity.empty()) WriteIdentity(w.Key("owner_identity"), l.owner_identity);
  w.Key("request_id").String(l.request_id);
  w.Key("labels").BeginObject();
  for (const auto& [k, v] : l.labels) w.Key(k).String(v);  // std::map: sorted, deterministic
  w.EndObject();
  w.Key("interface").String(l.interface);
  w.Key("ifindex").Int(l.ifindex);
  w.Key("qdiscs").BeginArray();
  for (const OwnedQdisc& q : l.qdiscs) {
    w.BeginObject()
        .Key("handle")
        .Uint(q.handle)
        .Key("parent")
        .Uint(q.parent)
        .Key("kind")
        .String(q.kind)
        .EndObject();
  }
  w.EndArray();
  w.Key("created_ns").Int(SinceEpochNanos(l.created_at));
  w.Key("deadline_ns").Int(SinceEpochNanos(l.deadline));
  if (l.keep_alive) w.Key("keep_alive").Bool(true);
  WriteSpec(w.Key("spec"), l.spec);
  w.EndObject();
  return w.Take();
}

Result<StoredLease> DecodeLease(std::string_view text) {
  auto doc = json::Parse(text);
  if (!doc.ok()) return InvalidArgument("lease record: " + doc.status().message());
  Fields f(*doc, "");
  RETURN_IF_ERROR(f.CheckObject());
  RETURN_IF_ERROR(CheckVersion(f));

  StoredLease l;
  RETURN_IF_ERROR(f.Str("id", l.id));
  if (l.id.empty()) return f.Error("id", "empty");
  RETURN_IF_ERROR(f.Enum("state", kStates, l.state));
  RETURN_IF_ERROR(f.Str("owner", l.owner));
  if (const Value* identity = f.Optional("owner_identity")) {
    RETURN_IF_ERROR(ReadIdentity(*identity, f.Path("owner_identity"), l.owner_identity));
  }
  RETURN_IF_ERROR(f.Str("request_id", l.request_id));
  RETURN_IF_ERROR(ReadLabels(f, l.labels));
  RETURN_IF_ERROR(f.Str("interface", l.interface));
  int64_t ifindex = 0;
  RETURN_IF_ERROR(f.Int64("ifindex", ifindex));
  if (ifindex < std::numeric_limits<int>::min() || ifindex > std::numeric_limits<int>::max()) {
    return f.Error("ifindex", "out of range");
  }
  l.ifindex = static_cast<int>(ifindex);
  RETURN_IF_ERROR(ReadQdiscs(f, l.qdiscs));
  RETURN_IF_ERROR(ReadTime(f, "created_ns", l.created_at));
  RETURN_IF_ERROR(ReadTime(f, "deadline_ns", l.deadline));
  if (f.Optional("keep_alive") != nullptr) {
    RETURN_IF_ERROR(f.Bool("keep_alive", l.keep_alive));
  }
  ASSIGN_OR_RETURN(const Value* spec, f.Required("spec"));
  RETURN_IF_ERROR(ReadSpec(*spec, "spec", l.spec));
  return l;
}

std::string EncodeRemoval(const std::string& id) {
  Writer w;
  // A removal means the same in every version: written as 1, so that a journal
  // without newer features stays readable by the daemons that came before.
  w.BeginObject().Key("v").Int(1).Key("id").String(id).EndObject();
  return w.Take();
}

Result<std::string> DecodeRemoval(std::string_view text) {
  auto doc = json::Parse(text);
  if (!doc.ok()) return InvalidArgument("removal record: " + doc.status().message());
  Fields f(*doc, "");
  RETURN_IF_ERROR(f.CheckObject());
  RETURN_IF_ERROR(CheckVersion(f));
  std::string id;
  RETURN_IF_ERROR(f.Str("id", id));
  if (id.empty()) return f.Error("id", "empty");
  return id;
}

}  // namespace chaosnet::state
