#include "daemon/api/convert_link_models.h"

#include <string>

#include "daemon/api/convert.h"
#include "daemon/linkmodel/profiles.h"
#include "proto/wire_enums/wire_enums.h"

namespace chaosnet::api {
namespace {

using std::chrono::nanoseconds;

Status Number(const char* field, double value) {
  if (value != value) return InvalidArgument(std::string(field) + ": not a number");
  return Status::Ok();
}

Result<nanoseconds> Duration(const char* field, bool present, const google::protobuf::Duration& d) {
  if (!present) return nanoseconds::zero();
  auto value = FromProto(d);
  if (!value.ok()) return InvalidArgument(std::string(field) + ": " + value.status().message());
  return *value;
}

Result<model::LossModel> LossModelFrom(const v1::LossModel& m) {
  if (m.has_gemodel()) {
    const auto& g = m.gemodel();
    for (double v :
         {g.p_percent(), g.r_percent(), g.one_minus_h_percent(), g.one_minus_k_percent()}) {
      RETURN_IF_ERROR(Number("loss model", v));
    }
    return model::LossModel{model::GilbertElliottLoss{
        g.p_percent(), g.r_percent(), g.one_minus_h_percent(), g.one_minus_k_percent()}};
  }
  if (m.has_state()) {
    const auto& s = m.state();
    for (double v :
         {s.p13_percent(), s.p31_percent(), s.p32_percent(), s.p23_percent(), s.p14_percent()}) {
      RETURN_IF_ERROR(Number("loss model", v));
    }
    return model::LossModel{model::FourStateLoss{s.p13_percent(), s.p31_percent(), s.p32_percent(),
                                                 s.p23_percent(), s.p14_percent()}};
  }
  return InvalidArgument("loss model: set gemodel or state");
}

Result<model::SlotFault> SlotFrom(const v1::Slot& s) {
  model::SlotFault slot;
  ASSIGN_OR_RETURN(slot.min_delay, Duration("slot min", s.has_min_delay(), s.min_delay()));
  ASSIGN_OR_RETURN(slot.max_delay, Duration("slot max", s.has_max_delay(), s.max_delay()));
  ASSIGN_OR_RETURN(slot.dist_delay,
                   Duration("slot delay", s.has_distribution_delay(), s.distribution_delay()));
  ASSIGN_OR_RETURN(slot.dist_jitter,
                   Duration("slot jitter", s.has_distribution_jitter(), s.distribution_jitter()));
  const auto distribution = wire::FromProto(s.distribution());
  if (!distribution) {
    return InvalidArgument("slot distribution: unknown value " + std::to_string(s.distribution()));
  }
  slot.distribution = *distribution;
  slot.max_packets = s.max_packets();
  slot.max_bytes = s.max_bytes();
  return slot;
}

void ToProto(const model::LossModel& m, v1::LossModel* out) {
  if (const auto* g = std::get_if<model::GilbertElliottLoss>(&m)) {
    auto* ge = out->mutable_gemodel();
    ge->set_p_percent(g->p);
    ge->set_r_percent(g->r);
    ge->set_one_minus_h_percent(g->one_minus_h);
    ge->set_one_minus_k_percent(g->one_minus_k);
    return;
  }
  const auto& s = std::get<model::FourStateLoss>(m);
  auto* gi = out->mutable_state();
  gi->set_p13_percent(s.p13);
  gi->set_p31_percent(s.p31);
  gi->set_p32_percent(s.p32);
  gi->set_p23_percent(s.p23);
  gi->set_p14_percent(s.p14);
}

void ToProto(const model::SlotFault& s, v1::Slot* out) {
  // Zero durations stay unset, so what comes back reads like what was sent.
  if (s.min_delay.count() != 0) api::ToProto(s.min_delay, out->mutable_min_delay());
  if (s.max_delay.count() != 0) api::ToProto(s.max_delay, out->mutable_max_delay());
  out->set_distribution(wire::ToProto(s.distribution));
  if (s.dist_delay.count() != 0) api::ToProto(s.dist_delay, out->mutable_distribution_delay());
  if (s.dist_jitter.count() != 0) api::ToProto(s.dist_jitter, out->mutable_distribution_jitter());
  out->set_max_packets(s.max_packets);
  out->set_max_bytes(s.max_bytes);
}

}  // namespace

Status LinkModelsFromProto(const v1::FaultSpec& in, model::FaultSpec* spec) {
  if (in.has_loss_model()) {
    ASSIGN_OR_RETURN(spec->loss_model, LossModelFrom(in.loss_model()));
  }
  spec->ecn = in.ecn();
  if (in.has_slot()) {
    ASSIGN_OR_RETURN(spec->slot, SlotFrom(in.slot()));
  }
  if (in.has_link_rate()) {
    const auto& l = in.link_rate();
    spec->link_rate = model::LinkRateFault{l.bits_per_second(), l.packet_overhead(), l.cell_size(),
                                           l.cell_overhead()};
  }
  spec->in_order = in.in_order();
  if (in.has_jam()) spec->jam = model::JamFault{in.jam().limit_bytes()};
  spec->profile = in.profile();
  if (in.has_netem_seed()) spec->netem_seed = in.netem_seed();
  return Status::Ok();
}

void LinkModelsToProto(const model::FaultSpec& spec, v1::FaultSpec* out) {
  if (spec.loss_model) ToProto(*spec.loss_model, out->mutable_loss_model());
  out->set_ecn(spec.ecn);
  if (spec.slot) ToProto(*spec.slot, out->mutable_slot());
  if (spec.link_rate) {
    auto* l = out->mutable_link_rate();
    l->set_bits_per_second(spec.link_rate->bits_per_second);
    l->set_packet_overhead(spec.link_rate->packet_overhead);
    l->set_cell_size(spec.link_rate->cell_size);
    l->set_cell_overhead(spec.link_rate->cell_overhead);
  }
  out->set_in_order(spec.in_order);
  if (spec.jam) out->mutable_jam()->set_limit_bytes(spec.jam->limit_bytes);
  out->set_profile(spec.profile);
  if (spec.netem_seed) out->set_netem_seed(*spec.netem_seed);
}

void ProfilesToProto(v1::ListProfilesResponse* out) {
  for (const linkmodel::LinkProfile& p : linkmodel::Profiles()) {
    auto* profile = out->add_profiles();
    profile->set_name(p.name);
    profile->set_description(p.description);
    profile->set_source(p.source);
    ToProto(p.impairments, profile->mutable_spec());
  }
}

}  // namespace chaosnet::api
