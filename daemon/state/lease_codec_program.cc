#include "daemon/state/lease_codec_program.h"

#include <limits>

namespace chaosnet::state {
namespace {

using program::Nanos;

Status FieldError(const std::string& path, const std::string& what) {
  return InvalidArgument("lease record: " + path + ": " + what);
}

const json::Value* Required(const json::Value& v, const std::string& path, const char* key,
                            Status& error) {
  const json::Value* found = v.Find(key);
  if (found == nullptr) error = FieldError(path + "." + key, "missing");
  return found;
}

Status ReadNanos(const json::Value& v, const std::string& path, const char* key, Nanos& out) {
  Status missing;
  const json::Value* field = Required(v, path, key, missing);
  if (field == nullptr) return missing;
  auto ns = field->AsInt();
  if (!ns.ok()) return FieldError(path + "." + key, ns.status().message());
  out = Nanos(*ns);
  return Status::Ok();
}

Status ReadSteps(const json::Value& v, const std::string& path, program::StepList& out) {
  if (v.type() != json::Value::Type::kArray) return FieldError(path, "expected an array");
  for (size_t i = 0; i < v.items().size(); ++i) {
    const json::Value& item = v.items()[i];
    const std::string at = path + "[" + std::to_string(i) + "]";
    if (!item.is_object()) return FieldError(at, "expected an object");
    program::Step step;
    RETURN_IF_ERROR(ReadNanos(item, at, "duration_ns", step.duration));
    Status missing;
    const json::Value* values = Required(item, at, "values", missing);
    if (values == nullptr) return missing;
    RETURN_IF_ERROR(ReadValues(*values, at + ".values", step.values));
    if (const json::Value* line = item.Find("line")) {
      auto n = line->AsUint();
      if (!n.ok() || *n > std::numeric_limits<uint32_t>::max()) {
        return FieldError(at + ".line", n.ok() ? "out of range" : n.status().message());
      }
      step.source_line = static_cast<uint32_t>(*n);
    }
    out.steps.push_back(std::move(step));
  }
  return Status::Ok();
}

}  // namespace

void WriteValues(json::Writer& w, const program::Values& v) {
  w.BeginObject();
  if (v.delay) w.Key("delay_ns").Int(v.delay->count());
  if (v.jitter) w.Key("jitter_ns").Int(v.jitter->count());
  if (v.loss) w.Key("loss").Double(*v.loss);
  if (v.duplicate) w.Key("duplicate").Double(*v.duplicate);
  if (v.corrupt) w.Key("corrupt").Double(*v.corrupt);
  if (v.rate) w.Key("rate_bps").Uint(*v.rate);
  w.EndObject();
}

Status ReadValues(const json::Value& v, const std::string& path, program::Values& out) {
  if (!v.is_object()) return FieldError(path, "expected an object");
  out = {};
  for (auto [key, field] :
       {std::pair{"delay_ns", &out.delay}, std::pair{"jitter_ns", &out.jitter}}) {
    if (const json::Value* d = v.Find(key)) {
      auto ns = d->AsInt();
      if (!ns.ok()) return FieldError(path + "." + key, ns.status().message());
      *field = Nanos(*ns);
    }
  }
  for (auto [key, field] : {std::pair{"loss", &out.loss}, std::pair{"duplicate", &out.duplicate},
                            std::pair{"corrupt", &out.corrupt}}) {
    if (const json::Value* p = v.Find(key)) {
      auto percent = p->AsDouble();
      if (!percent.ok()) return FieldError(path + "." + key, percent.status().message());
      *field = *percent;
    }
  }
  if (const json::Value* r = v.Find("rate_bps")) {
    auto bps = r->AsUint();
    if (!bps.ok()) return FieldError(path + ".rate_bps", bps.status().message());
    out.rate = *bps;
  }
  return Status::Ok();
}

void WriteProgram(json::Writer& w, const program::Program& p) {
  w.BeginObject();
  if (const auto* ramp = std::get_if<program::Ramp>(&p.shape)) {
    w.Key("ramp").BeginObject();
    WriteValues(w.Key("from"), ramp->from);
    WriteValues(w.Key("to"), ramp->to);
    w.Key("over_ns").Int(ramp->over.count()).Key("step_ns").Int(ramp->step.count());
    w.EndObject();
  } else if (const auto* list = std::get_if<program::StepList>(&p.shape)) {
    w.Key("steps").BeginArray();
    for (const program::Step& s : list->steps) {
      w.BeginObject().Key("duration_ns").Int(s.duration.count());
      WriteValues(w.Key("values"), s.values);
      if (s.source_line != 0) w.Key("line").Uint(s.source_line);
      w.EndObject();
    }
    w.EndArray();
  } else {
    const auto& flap = std::get<program::Flap>(p.shape);
    w.Key("flap").BeginObject();
    w.Key("on_ns").Int(flap.on.count()).Key("off_ns").Int(flap.off.count());
    w.EndObject();
  }
  if (p.repeat != 1) w.Key("repeat").Uint(p.repeat);
  if (p.forever) w.Key("forever").Bool(true);
  if (!p.source.empty()) w.Key("source").String(p.source);
  w.EndObject();
}

Status ReadProgram(const json::Value& v, const std::string& path, program::Program& out) {
  if (!v.is_object()) return FieldError(path, "expected an object");
  out = {};
  if (const json::Value* ramp = v.Find("ramp")) {
    const std::string at = path + ".ramp";
    if (!ramp->is_object()) return FieldError(at, "expected an object");
    program::Ramp r;
    Status missing;
    const json::Value* from = Required(*ramp, at, "from", missing);
    const json::Value* to = Required(*ramp, at, "to", missing);
    if (from == nullptr || to == nullptr) return missing;
    RETURN_IF_ERROR(ReadValues(*from, at + ".from", r.from));
    RETURN_IF_ERROR(ReadValues(*to, at + ".to", r.to));
    RETURN_IF_ERROR(ReadNanos(*ramp, at, "over_ns", r.over));
    RETURN_IF_ERROR(ReadNanos(*ramp, at, "step_ns", r.step));
    out.shape = r;
  } else if (const json::Value* steps = v.Find("steps")) {
    program::StepList list;
    RETURN_IF_ERROR(ReadSteps(*steps, path + ".steps", list));
    out.shape = std::move(list);
  } else if (const json::Value* flap = v.Find("flap")) {
    const std::string at = path + ".flap";
    if (!flap->is_object()) return FieldError(at, "expected an object");
    program::Flap f;
    RETURN_IF_ERROR(ReadNanos(*flap, at, "on_ns", f.on));
    RETURN_IF_ERROR(ReadNanos(*flap, at, "off_ns", f.off));
    out.shape = f;
  } else {
    return FieldError(path, "needs one of ramp, steps, flap");
  }
  if (const json::Value* repeat = v.Find("repeat")) {
    auto n = repeat->AsUint();
    if (!n.ok() || *n > std::numeric_limits<uint32_t>::max()) {
      return FieldError(path + ".repeat", n.ok() ? "out of range" : n.status().message());
    }
    out.repeat = static_cast<uint32_t>(*n);
  }
  if (const json::Value* forever = v.Find("forever")) {
    auto b = forever->AsBool();
    if (!b.ok()) return FieldError(path + ".forever", b.status().message());
    out.forever = *b;
  }
  if (const json::Value* source = v.Find("source")) {
    auto s = source->AsString();
    if (!s.ok()) return FieldError(path + ".source", s.status().message());
    out.source = *s;
  }
  return Status::Ok();
}

}  // namespace chaosnet::state
