#include "daemon/state/lease_codec_guards.h"

#include <limits>

namespace chaosnet::state {
namespace {

Status FieldError(const std::string& path, const std::string& what) {
  return InvalidArgument("lease record: " + path + ": " + what);
}

Status ReadNanos(const json::Value& v, const std::string& path, std::optional<model::Nanos>& out) {
  auto ns = v.AsInt();
  if (!ns.ok()) return FieldError(path, ns.status().message());
  out = model::Nanos(*ns);
  return Status::Ok();
}

}  // namespace

void WriteGuards(json::Writer& w, const model::GuardSet& g) {
  w.BeginObject().Key("checks").BeginArray();
  for (const std::string& check : g.checks) w.String(check);
  w.EndArray();
  if (g.interval) w.Key("interval_ns").Int(g.interval->count());
  if (g.timeout) w.Key("timeout_ns").Int(g.timeout->count());
  if (g.failures) w.Key("failures").Uint(*g.failures);
  if (g.grace) w.Key("grace_ns").Int(g.grace->count());
  w.EndObject();
}

Status ReadGuards(const json::Value& v, const std::string& path, model::GuardSet& out) {
  if (!v.is_object()) return FieldError(path, "expected an object");
  out = {};
  const json::Value* checks = v.Find("checks");
  if (checks == nullptr) return FieldError(path + ".checks", "missing");
  if (checks->type() != json::Value::Type::kArray) {
    return FieldError(path + ".checks", "expected an array");
  }
  for (size_t i = 0; i < checks->items().size(); ++i) {
    auto check = checks->items()[i].AsString();
    if (!check.ok()) {
      return FieldError(path + ".checks[" + std::to_string(i) + "]", check.status().message());
    }
    out.checks.push_back(*check);
  }
  for (auto [key, field] :
       {std::pair{"interval_ns", &out.interval}, std::pair{"timeout_ns", &out.timeout},
        std::pair{"grace_ns", &out.grace}}) {
    if (const json::Value* d = v.Find(key))
      RETURN_IF_ERROR(ReadNanos(*d, path + "." + key, *field));
  }
  if (const json::Value* failures = v.Find("failures")) {
    auto n = failures->AsUint();
    if (!n.ok()) return FieldError(path + ".failures", n.status().message());
    if (*n > std::numeric_limits<uint32_t>::max()) {
      return FieldError(path + ".failures", "out of range");
    }
    out.failures = static_cast<uint32_t>(*n);
  }
  return Status::Ok();
}

}  // namespace chaosnet::state
