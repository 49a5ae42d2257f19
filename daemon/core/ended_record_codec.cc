#include "daemon/core/ended_record_codec.h"

#include <array>
#include <limits>

#include "common/json.h"
#include "daemon/core/stored_lease_conversion.h"
#include "daemon/state/lease_codec.h"
#include "daemon/state/lease_codec_program.h"

namespace chaosnet::core {
namespace {

using json::Value;
using json::Writer;

constexpr std::array kStates{FaultState::kPlanned, FaultState::kActive, FaultState::kExpired,
                             FaultState::kRevoked, FaultState::kLost,   FaultState::kFailed,
                             FaultState::kHalted};
constexpr std::array kGuardResults{guard::GuardResult::kPass, guard::GuardResult::kFail,
                                   guard::GuardResult::kUndecided};

template <typename TimePoint>
int64_t Nanos(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

template <typename TimePoint>
TimePoint FromNanos(int64_t ns) {
  return TimePoint(
      std::chrono::duration_cast<typename TimePoint::duration>(std::chrono::nanoseconds(ns)));
}

void WriteCounters(Writer& w, const FaultRecord& r) {
  w.BeginObject()
      .Key("packets")
      .Uint(r.counters.packets)
      .Key("bytes")
      .Uint(r.counters.bytes)
      .Key("drops")
      .Uint(r.counters.drops)
      .Key("overlimits")
      .Uint(r.counters.overlimits)
      .Key("backlog_packets")
      .Uint(r.counters.backlog_packets)
      .Key("backlog_bytes")
      .Uint(r.counters.backlog_bytes)
      .Key("read_ns")
      .Int(Nanos(r.counters_read_at))
      .EndObject();
}

void WriteGuardStatus(Writer& w, const guard::GuardStatus& g) {
  w.BeginObject().Key("check").String(g.check);
  if (g.result) w.Key("result").String(guard::GuardResultName(*g.result));
  w.Key("observed")
      .String(g.observed)
      .Key("latency_ns")
      .Int(g.latency.count())
      .Key("checked_ns")
      .Int(Nanos(g.checked_at))
      .Key("consecutive_failures")
      .Uint(g.consecutive_failures)
      .Key("checks")
      .Uint(g.checks)
      .Key("failures")
      .Uint(g.failures)
      .EndObject();
}

void WriteProgress(Writer& w, const ProgramProgress& p) {
  w.BeginObject()
      .Key("started_ns")
      .Int(Nanos(p.started))
      .Key("cycle")
      .Uint(p.position.cycle)
      .Key("index")
      .Uint(p.position.index)
      .Key("step_started_ns")
      .Int(p.position.started.count());
  if (p.position.next) w.Key("next_ns").Int(p.position.next->count());
  w.Key("steps_per_cycle").Uint(p.steps_per_cycle);
  state::WriteValues(w.Key("values"), p.values);
  w.Key("off")
      .Bool(p.off)
      .Key("step_due_ns")
      .Int(Nanos(p.step_due_at))
      .Key("next_step_ns")
      .Int(Nanos(p.next_step_at))
      .Key("applied_ns")
      .Int(Nanos(p.applied_at))
      .Key("steps_applied")
      .Uint(p.steps_applied)
      .Key("last_lag_ns")
      .Int(p.last_lag.count())
      .EndObject();
}

void WriteStep(Writer& w, const std::string& device, const plan::PlanStepText& s) {
  w.BeginObject()
      .Key("device")
      .String(device)
      .Key("object")
      .String(s.object)
      .Key("kind")
      .String(s.kind)
      .Key("handle")
      .String(s.handle)
      .Key("parent")
      .String(s.parent)
      .Key("parameters")
      .String(s.parameters)
      .EndObject();
}

std::string EncodeEnd(const FaultRecord& r) {
  Writer w;
  w.BeginObject()
      .Key("state")
      .String(FaultStateName(r.state))
      .Key("reason")
      .String(r.state_reason)
      .Key("ended_ns")
      .Int(Nanos(r.ended_at))
      .Key("netns_key")
      .String(r.site.netns_key);
  WriteCounters(w.Key("counters"), r);
  w.Key("guards").BeginArray();
  for (const auto& g : r.guards) WriteGuardStatus(w, g);
  w.EndArray();
  if (r.program) WriteProgress(w.Key("program"), *r.program);
  w.Key("plan").BeginArray();
  for (const auto& a : r.site.added) WriteStep(w, a.device, plan::DescribeTcObject(a.object));
  for (const auto& d : r.site.described) WriteStep(w, d.device, d.step);
  w.EndArray();
  w.EndObject();
  return w.Take();
}

// The members of one object; errors name the field's path.
class Fields {
 public:
  Fields(const Value& v, std::string path) : v_(v), path_(std::move(path)) {}

  Status CheckObject() const {
    return v_.is_object() ? Status::Ok() : Error("", "expected an object");
  }
  Status Error(std::string_view key, const std::string& what) const {
    std::string at = path_;
    if (!key.empty()) at += (at.empty() ? "" : ".") + std::string(key);
    return InvalidArgument("ended record: " + at + ": " + what);
  }
  std::string Path(std::string_view key) const {
    return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
  }
  Result<const Value*> Required(std::string_view key) const {
    const Value* found = v_.Find(key);
    if (found == nullptr) return Error(key, "missing");
    return found;
  }
  // A field read with one of Value's typed getters, named in the error.
  template <typename T, typename Getter>
  Status Field(std::string_view key, T& out, Getter get) const {
    ASSIGN_OR_RETURN(const Value* v, Required(key));
    auto got = (v->*get)();
    if (!got.ok()) return Error(key, got.status().message());
    out = std::move(*got);
    return Status::Ok();
  }
  Status Str(std::string_view key, std::string& out) const {
    return Field(key, out, &Value::AsString);
  }
  Status Int(std::string_view key, int64_t& out) const { return Field(key, out, &Value::AsInt); }
  Status Bool(std::string_view key, bool& out) const { return Field(key, out, &Value::AsBool); }
  template <typename Unsigned>
  Status Uint(std::string_view key, Unsigned& out) const {
    uint64_t n = 0;
    RETURN_IF_ERROR(Field(key, n, &Value::AsUint));
    if (n > std::numeric_limits<Unsigned>::max()) return Error(key, "out of range");
    out = static_cast<Unsigned>(n);
    return Status::Ok();
  }
  template <typename TimePoint>
  Status Time(std::string_view key, TimePoint& out) const {
    int64_t ns = 0;
    RETURN_IF_ERROR(Int(key, ns));
    out = FromNanos<TimePoint>(ns);
    return Status::Ok();
  }
  template <typename Duration>
  Status Span(std::string_view key, Duration& out) const {
    int64_t ns = 0;
    RETURN_IF_ERROR(Int(key, ns));
    out = std::chrono::duration_cast<Duration>(std::chrono::nanoseconds(ns));
    return Status::Ok();
  }
  // Each item of the array `key`, as fields.
  template <typename Visit>
  Status Each(std::string_view key, Visit visit) const {
    ASSIGN_OR_RETURN(const Value* list, Required(key));
    if (list->type() != Value::Type::kArray) return Error(key, "expected an array");
    for (std::size_t i = 0; i < list->items().size(); ++i) {
      Fields item(list->items()[i], Path(key) + "[" + std::to_string(i) + "]");
      RETURN_IF_ERROR(item.CheckObject());
      RETURN_IF_ERROR(visit(item));
    }
    return Status::Ok();
  }
  const Value& value() const { return v_; }

 private:
  const Value& v_;
  std::string path_;
};

Status ReadGuardStatus(const Fields& f, guard::GuardStatus& g) {
  RETURN_IF_ERROR(f.Str("check", g.check));
  if (f.value().Find("result") != nullptr) {
    std::string name;
    RETURN_IF_ERROR(f.Str("result", name));
    for (auto result : kGuardResults) {
      if (name == guard::GuardResultName(result)) g.result = result;
    }
    if (!g.result) return f.Error("result", "unknown result " + name);
  }
  RETURN_IF_ERROR(f.Str("observed", g.observed));
  RETURN_IF_ERROR(f.Span("latency_ns", g.latency));
  RETURN_IF_ERROR(f.Time("checked_ns", g.checked_at));
  RETURN_IF_ERROR(f.Uint("consecutive_failures", g.consecutive_failures));
  RETURN_IF_ERROR(f.Uint("checks", g.checks));
  return f.Uint("failures", g.failures);
}

Status ReadProgress(const Fields& f, ProgramProgress& p) {
  RETURN_IF_ERROR(f.CheckObject());
  RETURN_IF_ERROR(f.Time("started_ns", p.started));
  RETURN_IF_ERROR(f.Uint("cycle", p.position.cycle));
  RETURN_IF_ERROR(f.Uint("index", p.position.index));
  RETURN_IF_ERROR(f.Span("step_started_ns", p.position.started));
  if (f.value().Find("next_ns") != nullptr) {
    RETURN_IF_ERROR(f.Span("next_ns", p.position.next.emplace()));
  }
  RETURN_IF_ERROR(f.Uint("steps_per_cycle", p.steps_per_cycle));
  ASSIGN_OR_RETURN(const Value* values, f.Required("values"));
  RETURN_IF_ERROR(state::ReadValues(*values, f.Path("values"), p.values));
  RETURN_IF_ERROR(f.Bool("off", p.off));
  RETURN_IF_ERROR(f.Time("step_due_ns", p.step_due_at));
  RETURN_IF_ERROR(f.Time("next_step_ns", p.next_step_at));
  RETURN_IF_ERROR(f.Time("applied_ns", p.applied_at));
  RETURN_IF_ERROR(f.Uint("steps_applied", p.steps_applied));
  return f.Span("last_lag_ns", p.last_lag);
}

Status ReadEnd(const Fields& f, FaultRecord& r) {
  RETURN_IF_ERROR(f.CheckObject());
  std::string state;
  RETURN_IF_ERROR(f.Str("state", state));
  bool known = false;
  for (FaultState s : kStates) {
    if (state == FaultStateName(s)) {
      r.state = s;
      known = true;
    }
  }
  if (!known) return f.Error("state", "unknown state " + state);
  RETURN_IF_ERROR(f.Str("reason", r.state_reason));
  RETURN_IF_ERROR(f.Time("ended_ns", r.ended_at));
  RETURN_IF_ERROR(f.Str("netns_key", r.site.netns_key));

  ASSIGN_OR_RETURN(const Value* counters, f.Required("counters"));
  Fields c(*counters, f.Path("counters"));
  RETURN_IF_ERROR(c.CheckObject());
  RETURN_IF_ERROR(c.Uint("packets", r.counters.packets));
  RETURN_IF_ERROR(c.Uint("bytes", r.counters.bytes));
  RETURN_IF_ERROR(c.Uint("drops", r.counters.drops));
  RETURN_IF_ERROR(c.Uint("overlimits", r.counters.overlimits));
  RETURN_IF_ERROR(c.Uint("backlog_packets", r.counters.backlog_packets));
  RETURN_IF_ERROR(c.Uint("backlog_bytes", r.counters.backlog_bytes));
  RETURN_IF_ERROR(c.Time("read_ns", r.counters_read_at));

  r.guards.clear();
  RETURN_IF_ERROR(f.Each(
      "guards", [&r](const Fields& g) { return ReadGuardStatus(g, r.guards.emplace_back()); }));
  r.program.reset();
  if (const Value* program = f.value().Find("program")) {
    RETURN_IF_ERROR(ReadProgress(Fields(*program, f.Path("program")), r.program.emplace()));
  }
  return f.Each("plan", [&r](const Fields& s) {
    DescribedObject& d = r.site.described.emplace_back();
    RETURN_IF_ERROR(s.Str("device", d.device));
    RETURN_IF_ERROR(s.Str("object", d.step.object));
    RETURN_IF_ERROR(s.Str("kind", d.step.kind));
    RETURN_IF_ERROR(s.Str("handle", d.step.handle));
    RETURN_IF_ERROR(s.Str("parent", d.step.parent));
    return s.Str("parameters", d.step.parameters);
  });
}

}  // namespace

std::string EncodeEndedRecord(const FaultRecord& record) {
  // The lease record is one line (control bytes are escaped): the newline
  // after it is the boundary.
  std::string bytes = state::EncodeLease(ToStoredLease(record, state::LeaseState::kEnded));
  bytes += '\n';
  bytes += EncodeEnd(record);
  return bytes;
}

Result<FaultRecord> DecodeEndedRecord(std::string_view bytes) {
  const std::size_t boundary = bytes.find('\n');
  if (boundary == std::string_view::npos) {
    return InvalidArgument("ended record: no boundary after the lease record");
  }
  ASSIGN_OR_RETURN(const state::StoredLease lease, state::DecodeLease(bytes.substr(0, boundary)));
  FaultRecord record = FromStoredLease(lease);
  // FromStoredLease reads an owner from the principal of an older daemon's
  // record; this one was written from the record itself.
  record.owner_identity = lease.owner_identity;
  auto end = json::Parse(bytes.substr(boundary + 1));
  if (!end.ok()) return InvalidArgument("ended record: " + end.status().message());
  RETURN_IF_ERROR(ReadEnd(Fields(*end, ""), record));
  return record;
}

}  // namespace chaosnet::core
