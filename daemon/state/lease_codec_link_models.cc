#include "daemon/state/lease_codec_link_models.h"

#include <limits>
#include <optional>

#include "common/units.h"

namespace chaosnet::state {
namespace {

using json::Value;
using json::Writer;
using std::chrono::nanoseconds;

// One JSON object of the record, read member by member; errors name the
// member's path as lease_codec.cc's do.
class Members {
 public:
  Members(const Value& v, std::string path) : v_(v), path_(std::move(path)) {}

  Status Error(std::string_view key, const std::string& what) const {
    return InvalidArgument("lease record: " + path_ + (key.empty() ? "" : ".") + std::string(key) +
                           ": " + what);
  }
  Status CheckObject() const {
    return v_.is_object() ? Status::Ok() : Error("", "expected an object");
  }
  std::optional<Members> Object(std::string_view key) const {
    const Value* m = v_.Find(key);
    if (m == nullptr) return std::nullopt;
    return Members(*m, path_ + "." + std::string(key));
  }
  bool Has(std::string_view key) const { return v_.Find(key) != nullptr; }

  template <typename T>
  Status Read(std::string_view key, T& out) const {
    const Value* m = v_.Find(key);
    if (m == nullptr) return Error(key, "missing");
    if constexpr (std::is_same_v<T, double>) {
      return Take(m->AsDouble(), key, out);
    } else if constexpr (std::is_same_v<T, bool>) {
      return Take(m->AsBool(), key, out);
    } else if constexpr (std::is_same_v<T, std::string>) {
      return Take(m->AsString(), key, out);
    } else if constexpr (std::is_signed_v<T>) {
      auto n = m->AsInt();
      if (!n.ok()) return Error(key, n.status().message());
      if (*n < std::numeric_limits<T>::min() || *n > std::numeric_limits<T>::max()) {
        return Error(key, "out of range");
      }
      out = static_cast<T>(*n);
      return Status::Ok();
    } else {
      auto n = m->AsUint();
      if (!n.ok()) return Error(key, n.status().message());
      if (*n > std::numeric_limits<T>::max()) return Error(key, "out of range");
      out = static_cast<T>(*n);
      return Status::Ok();
    }
  }
  Status ReadNanos(std::string_view key, nanoseconds& out) const {
    int64_t ns = 0;
    RETURN_IF_ERROR(Read(key, ns));
    out = nanoseconds(ns);
    return Status::Ok();
  }

 private:
  template <typename R, typename T>
  Status Take(const R& r, std::string_view key, T& out) const {
    if (!r.ok()) return Error(key, r.status().message());
    out = *r;
    return Status::Ok();
  }
  const Value& v_;
  std::string path_;
};

void WriteLossModel(Writer& w, const model::LossModel& m) {
  w.BeginObject();
  if (const auto* g = std::get_if<model::GilbertElliottLoss>(&m)) {
    w.Key("kind").String("gemodel").Key("p").Double(g->p).Key("r").Double(g->r);
    w.Key("one_minus_h").Double(g->one_minus_h).Key("one_minus_k").Double(g->one_minus_k);
  } else {
    const auto& s = std::get<model::FourStateLoss>(m);
    w.Key("kind").String("state").Key("p13").Double(s.p13).Key("p31").Double(s.p31);
    w.Key("p32").Double(s.p32).Key("p23").Double(s.p23).Key("p14").Double(s.p14);
  }
  w.EndObject();
}

Status ReadLossModel(const Members& m, model::LossModel& out) {
  RETURN_IF_ERROR(m.CheckObject());
  std::string kind;
  RETURN_IF_ERROR(m.Read("kind", kind));
  if (kind == "gemodel") {
    model::GilbertElliottLoss g;
    RETURN_IF_ERROR(m.Read("p", g.p));
    RETURN_IF_ERROR(m.Read("r", g.r));
    RETURN_IF_ERROR(m.Read("one_minus_h", g.one_minus_h));
    RETURN_IF_ERROR(m.Read("one_minus_k", g.one_minus_k));
    out = g;
    return Status::Ok();
  }
  if (kind == "state") {
    model::FourStateLoss s;
    RETURN_IF_ERROR(m.Read("p13", s.p13));
    RETURN_IF_ERROR(m.Read("p31", s.p31));
    RETURN_IF_ERROR(m.Read("p32", s.p32));
    RETURN_IF_ERROR(m.Read("p23", s.p23));
    RETURN_IF_ERROR(m.Read("p14", s.p14));
    out = s;
    return Status::Ok();
  }
  return m.Error("kind", "unknown value " + units::QuoteInput(kind));
}

void WriteSlot(Writer& w, const model::SlotFault& s) {
  w.BeginObject();
  w.Key("min_ns").Int(s.min_delay.count()).Key("max_ns").Int(s.max_delay.count());
  w.Key("distribution").String(NameOf(model::kDelayDistributionNames, s.distribution));
  w.Key("delay_ns").Int(s.dist_delay.count()).Key("jitter_ns").Int(s.dist_jitter.count());
  w.Key("packets").Uint(s.max_packets).Key("bytes").Uint(s.max_bytes);
  w.EndObject();
}

Status ReadSlot(const Members& m, model::SlotFault& s) {
  RETURN_IF_ERROR(m.CheckObject());
  RETURN_IF_ERROR(m.ReadNanos("min_ns", s.min_delay));
  RETURN_IF_ERROR(m.ReadNanos("max_ns", s.max_delay));
  std::string distribution;
  RETURN_IF_ERROR(m.Read("distribution", distribution));
  const auto d = ValueOf(model::kDelayDistributionNames, distribution);
  if (!d) return m.Error("distribution", "unknown value " + units::QuoteInput(distribution));
  s.distribution = *d;
  RETURN_IF_ERROR(m.ReadNanos("delay_ns", s.dist_delay));
  RETURN_IF_ERROR(m.ReadNanos("jitter_ns", s.dist_jitter));
  RETURN_IF_ERROR(m.Read("packets", s.max_packets));
  return m.Read("bytes", s.max_bytes);
}

}  // namespace

int LinkModelsFormatVersion(const model::FaultSpec& s) {
  const bool changes_meaning =
      s.loss_model || s.ecn || s.slot || s.link_rate || s.in_order || s.jam || s.netem_seed;
  return changes_meaning ? 2 : 1;
}

void WriteLinkModels(Writer& w, const model::FaultSpec& s) {
  if (s.loss_model) WriteLossModel(w.Key("loss_model"), *s.loss_model);
  if (s.ecn) w.Key("ecn").Bool(true);
  if (s.slot) WriteSlot(w.Key("slot"), *s.slot);
  if (const auto& l = s.link_rate) {
    w.Key("link_rate").BeginObject().Key("bits_per_second").Uint(l->bits_per_second);
    w.Key("packet_overhead").Int(l->packet_overhead).Key("cell_size").Uint(l->cell_size);
    w.Key("cell_overhead").Int(l->cell_overhead).EndObject();
  }
  if (s.in_order) w.Key("in_order").Bool(true);
  if (s.jam) w.Key("jam").BeginObject().Key("limit_bytes").Uint(s.jam->limit_bytes).EndObject();
  if (!s.profile.empty()) w.Key("profile").String(s.profile);
  if (s.netem_seed) w.Key("netem_seed").Uint(*s.netem_seed);
}

Status ReadLinkModels(const Value& spec_object, const std::string& path, model::FaultSpec* s) {
  const Members spec(spec_object, path);
  if (auto m = spec.Object("loss_model")) {
    model::LossModel model;
    RETURN_IF_ERROR(ReadLossModel(*m, model));
    s->loss_model = model;
  }
  if (spec.Has("ecn")) RETURN_IF_ERROR(spec.Read("ecn", s->ecn));
  if (auto m = spec.Object("slot")) {
    model::SlotFault slot;
    RETURN_IF_ERROR(ReadSlot(*m, slot));
    s->slot = slot;
  }
  if (auto m = spec.Object("link_rate")) {
    RETURN_IF_ERROR(m->CheckObject());
    model::LinkRateFault l;
    RETURN_IF_ERROR(m->Read("bits_per_second", l.bits_per_second));
    RETURN_IF_ERROR(m->Read("packet_overhead", l.packet_overhead));
    RETURN_IF_ERROR(m->Read("cell_size", l.cell_size));
    RETURN_IF_ERROR(m->Read("cell_overhead", l.cell_overhead));
    s->link_rate = l;
  }
  if (spec.Has("in_order")) RETURN_IF_ERROR(spec.Read("in_order", s->in_order));
  if (auto m = spec.Object("jam")) {
    RETURN_IF_ERROR(m->CheckObject());
    model::JamFault jam;
    RETURN_IF_ERROR(m->Read("limit_bytes", jam.limit_bytes));
    s->jam = jam;
  }
  if (spec.Has("profile")) RETURN_IF_ERROR(spec.Read("profile", s->profile));
  if (spec.Has("netem_seed")) {
    uint64_t seed = 0;
    RETURN_IF_ERROR(spec.Read("netem_seed", seed));
    s->netem_seed = seed;
  }
  return Status::Ok();
}

}  // namespace chaosnet::state
