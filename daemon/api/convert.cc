#include "daemon/api/convert.h"

#include <google/protobuf/util/time_util.h>

#include <limits>

#include "common/net_parse.h"
#include "daemon/api/convert_fleet.h"
#include "daemon/api/convert_guards.h"
#include "daemon/api/convert_link_models.h"
#include "daemon/api/convert_programs.h"
#include "daemon/plan/describe.h"
#include "proto/wire_enums/wire_enums.h"

namespace chaosnet::api {
namespace {

using google::protobuf::util::TimeUtil;
using std::chrono::nanoseconds;

Result<double> Percent(const char* field, double value) {
  // Range rules live in model/validate; here only what cannot be a number.
  if (value != value) return InvalidArgument(std::string(field) + ": not a number");
  return value;
}

Result<std::optional<model::Cidr>> Cidr(const char* field, const std::string& text) {
  if (text.empty()) return std::optional<model::Cidr>{};
  auto cidr = ParseCidr(text);
  if (!cidr.ok()) return InvalidArgument(std::string(field) + ": " + cidr.status().message());
  return std::optional<model::Cidr>{*cidr};
}

Result<std::optional<model::PortRange>> Ports(const char* field, bool present,
                                              const pb::PortRange& range) {
  if (!present) return std::optional<model::PortRange>{};
  uint32_t first = range.first();
  uint32_t last = range.last() == 0 ? first : range.last();
  if (first == 0 || first > 65535 || last > 65535) {
    return InvalidArgument(std::string(field) + ": ports are 1..65535");
  }
  if (last < first) return InvalidArgument(std::string(field) + ": range ends before it starts");
  return std::optional<model::PortRange>{
      model::PortRange{static_cast<uint16_t>(first), static_cast<uint16_t>(last)}};
}

model::ProbabilityFault Probability(const pb::Probability& p) {
  return {p.percent(), p.correlation_percent()};
}

void ToProto(const model::ProbabilityFault& p, pb::Probability* out) {
  out->set_percent(p.percent);
  out->set_correlation_percent(p.correlation_percent);
}

pb::FaultState ToProto(core::FaultState s) {
  switch (s) {
    case core::FaultState::kPlanned: return pb::FAULT_STATE_UNSPECIFIED;
    case core::FaultState::kActive: return pb::FAULT_STATE_ACTIVE;
    case core::FaultState::kExpired: return pb::FAULT_STATE_EXPIRED;
    case core::FaultState::kRevoked: return pb::FAULT_STATE_REVOKED;
    case core::FaultState::kLost: return pb::FAULT_STATE_LOST;
    case core::FaultState::kFailed: return pb::FAULT_STATE_FAILED;
    case core::FaultState::kHalted: return pb::FAULT_STATE_HALTED;
  }
  return pb::FAULT_STATE_UNSPECIFIED;
}

pb::EventType ToProto(core::EventType t) {
  switch (t) {
    case core::EventType::kApplied: return pb::EVENT_TYPE_APPLIED;
    case core::EventType::kExtended: return pb::EVENT_TYPE_EXTENDED;
    case core::EventType::kExpired: return pb::EVENT_TYPE_EXPIRED;
    case core::EventType::kRevoked: return pb::EVENT_TYPE_REVOKED;
    case core::EventType::kLost: return pb::EVENT_TYPE_LOST;
    case core::EventType::kFailed: return pb::EVENT_TYPE_FAILED;
    case core::EventType::kHalted: return pb::EVENT_TYPE_HALTED;
  }
  return pb::EVENT_TYPE_UNSPECIFIED;
}

}  // namespace

Result<nanoseconds> FromProto(const google::protobuf::Duration& d) {
  constexpr int64_t kMaxSeconds = std::numeric_limits<int64_t>::max() / 1'000'000'000 - 1;
  if (d.seconds() > kMaxSeconds || d.seconds() < -kMaxSeconds) {
    return InvalidArgument("duration out of range");
  }
  if (d.nanos() <= -1'000'000'000 || d.nanos() >= 1'000'000'000 ||
      (d.seconds() > 0 && d.nanos() < 0) || (d.seconds() < 0 && d.nanos() > 0)) {
    return InvalidArgument("malformed duration (nanos out of range or sign mismatch)");
  }
  return nanoseconds(TimeUtil::DurationToNanoseconds(d));
}

Result<model::FaultSpec> FromProto(const pb::FaultSpec& in) {
  model::FaultSpec spec;
  spec.interface = in.interface();
  spec.netns = in.netns();

  const auto direction = wire::FromProto(in.direction());
  if (!direction) {
    return InvalidArgument("direction: unknown value " + std::to_string(in.direction()));
  }
  spec.direction = *direction;

  if (in.has_match()) {
    const auto& m = in.match();
    ASSIGN_OR_RETURN(spec.match.dst, Cidr("dst", m.dst_cidr()));
    ASSIGN_OR_RETURN(spec.match.src, Cidr("src", m.src_cidr()));
    ASSIGN_OR_RETURN(spec.match.dport, Ports("dport", m.has_dport(), m.dport()));
    ASSIGN_OR_RETURN(spec.match.sport, Ports("sport", m.has_sport(), m.sport()));
    const auto protocol = wire::FromProto(m.protocol());
    if (!protocol) {
      return InvalidArgument("protocol: unknown value " + std::to_string(m.protocol()));
    }
    spec.match.protocol = *protocol;
  }

  if (in.has_delay()) {
    const auto& d = in.delay();
    model::DelayFault delay;
    auto latency = FromProto(d.latency());
    if (!latency.ok()) return InvalidArgument("delay latency: " + latency.status().message());
    auto jitter = FromProto(d.jitter());
    if (!jitter.ok()) return InvalidArgument("delay jitter: " + jitter.status().message());
    delay.latency = *latency;
    delay.jitter = *jitter;
    ASSIGN_OR_RETURN(delay.correlation_percent,
                     Percent("delay correlation", d.correlation_percent()));
    const auto distribution = wire::FromProto(d.distribution());
    if (!distribution) {
      return InvalidArgument("delay distribution: unknown value " +
                             std::to_string(d.distribution()));
    }
    delay.distribution = *distribution;
    spec.delay = delay;
  }
  for (auto [field, present, value] : {std::tuple{"loss", in.has_loss(), &in.loss()},
                                       std::tuple{"duplicate", in.has_duplicate(), &in.duplicate()},
                                       std::tuple{"corrupt", in.has_corrupt(), &in.corrupt()}}) {
    if (!present) continue;
    RETURN_IF_ERROR(Percent(field, value->percent()));
    RETURN_IF_ERROR(Percent(field, value->correlation_percent()));
  }
  if (in.has_loss()) spec.loss = Probability(in.loss());
  if (in.has_duplicate()) spec.duplicate = Probability(in.duplicate());
  if (in.has_corrupt()) spec.corrupt = Probability(in.corrupt());
  if (in.has_reorder()) {
    const auto& r = in.reorder();
    RETURN_IF_ERROR(Percent("reorder", r.percent()));
    RETURN_IF_ERROR(Percent("reorder", r.correlation_percent()));
    spec.reorder = model::ReorderFault{r.percent(), r.correlation_percent(), r.gap()};
  }
  if (in.has_rate()) spec.rate = model::RateFault{in.rate().bits_per_second()};
  spec.partition = in.partition();
  if (in.queue_limit() != 0) spec.queue_limit = in.queue_limit();
  if (in.has_guards()) {
    ASSIGN_OR_RETURN(spec.guards, GuardsFromProto(in.guards()));
  }
  RETURN_IF_ERROR(LinkModelsFromProto(in, &spec));
  RETURN_IF_ERROR(FleetFieldsFromProto(in, &spec));
  if (in.has_program()) {
    ASSIGN_OR_RETURN(spec.program, ProgramFromProto(in.program()));
  }
  return spec;
}

Result<core::CreateRequest> FromProto(const pb::CreateFaultRequest& in) {
  core::CreateRequest request;
  ASSIGN_OR_RETURN(request.spec, FromProto(in.spec()));
  if (in.has_ttl()) {
    auto ttl = FromProto(in.ttl());
    if (!ttl.ok()) return InvalidArgument("ttl: " + ttl.status().message());
    request.ttl = *ttl;
  }
  // Labels and request ids are kept with the lease, journaled and sent back in
  // every record: bounded, so one request cannot bloat them all.
  if (in.labels_size() > kMaxLabels) {
    return InvalidArgument("labels: " + std::to_string(in.labels_size()) + " given, at most " +
                           std::to_string(kMaxLabels));
  }
  for (const auto& [k, v] : in.labels()) {
    if (k.empty()) return InvalidArgument("labels: a label needs a non-empty key");
    if (k.size() > kMaxLabelKeyBytes || v.size() > kMaxLabelValueBytes) {
      return InvalidArgument("labels: keys are at most " + std::to_string(kMaxLabelKeyBytes) +
                             " bytes and values " + std::to_string(kMaxLabelValueBytes));
    }
    request.labels.emplace(k, v);
  }
  if (in.request_id().size() > kMaxRequestIdBytes) {
    return InvalidArgument("request_id: at most " + std::to_string(kMaxRequestIdBytes) + " bytes");
  }
  request.request_id = in.request_id();
  request.dry_run = in.dry_run();
  return request;
}

void ToProto(nanoseconds d, google::protobuf::Duration* out) {
  *out = TimeUtil::NanosecondsToDuration(d.count());
}

void ToProto(core::WallTime t, google::protobuf::Timestamp* out) {
  *out = TimeUtil::NanosecondsToTimestamp(
      std::chrono::duration_cast<nanoseconds>(t.time_since_epoch()).count());
}

void ToProto(const model::FaultSpec& spec, pb::FaultSpec* out) {
  out->set_interface(spec.interface);
  out->set_netns(spec.netns);
  out->set_direction(wire::ToProto(spec.direction));
  if (!spec.match.empty()) {
    auto* m = out->mutable_match();
    if (spec.match.dst) m->set_dst_cidr(FormatCidr(*spec.match.dst));
    if (spec.match.src) m->set_src_cidr(FormatCidr(*spec.match.src));
    if (spec.match.dport) {
      m->mutable_dport()->set_first(spec.match.dport->first);
      m->mutable_dport()->set_last(spec.match.dport->last);
    }
    if (spec.match.sport) {
      m->mutable_sport()->set_first(spec.match.sport->first);
      m->mutable_sport()->set_last(spec.match.sport->last);
    }
    m->set_protocol(wire::ToProto(spec.match.protocol));
  }
  if (spec.delay) {
    auto* d = out->mutable_delay();
    ToProto(spec.delay->latency, d->mutable_latency());
    if (spec.delay->jitter.count() != 0) ToProto(spec.delay->jitter, d->mutable_jitter());
    d->set_correlation_percent(spec.delay->correlation_percent);
    d->set_distribution(wire::ToProto(spec.delay->distribution));
  }
  if (spec.loss) ToProto(*spec.loss, out->mutable_loss());
  if (spec.duplicate) ToProto(*spec.duplicate, out->mutable_duplicate());
  if (spec.corrupt) ToProto(*spec.corrupt, out->mutable_corrupt());
  if (spec.reorder) {
    auto* r = out->mutable_reorder();
    r->set_percent(spec.reorder->percent);
    r->set_correlation_percent(spec.reorder->correlation_percent);
    r->set_gap(spec.reorder->gap);
  }
  if (spec.rate) out->mutable_rate()->set_bits_per_second(spec.rate->bits_per_second);
  out->set_partition(spec.partition);
  if (spec.queue_limit) out->set_queue_limit(*spec.queue_limit);
  if (!spec.guards.empty()) GuardsToProto(spec.guards, out->mutable_guards());
  LinkModelsToProto(spec, out);
  FleetFieldsToProto(spec, out);
  if (spec.program) ProgramToProto(*spec.program, out->mutable_program());
}

void ToProto(const core::FaultRecord& r, pb::Fault* out) {
  out->set_id(r.id);
  ToProto(r.spec, out->mutable_spec());
  for (const auto& [k, v] : r.labels) (*out->mutable_labels())[k] = v;
  out->mutable_owner()->set_identity(r.owner);
  out->mutable_owner()->set_key(model::IdentityKey(r.owner_identity));
  ToProto(r.created_at, out->mutable_created_at());
  ToProto(r.expires_at, out->mutable_expires_at());
  if (!r.active() && r.state != core::FaultState::kPlanned) {
    ToProto(r.ended_at, out->mutable_ended_at());
  }
  out->set_state(ToProto(r.state));
  out->set_state_reason(r.state_reason);
  auto* c = out->mutable_counters();
  c->set_packets(r.counters.packets);
  c->set_bytes(r.counters.bytes);
  c->set_drops(r.counters.drops);
  c->set_overlimits(r.counters.overlimits);
  c->set_backlog_packets(r.counters.backlog_packets);
  c->set_backlog_bytes(r.counters.backlog_bytes);
  ToProto(r.counters_read_at, c->mutable_read_at());
  out->set_request_id(r.request_id);
  out->set_keep_alive(r.keep_alive);
  GuardStatusesToProto(r.guards, out);
  if (r.program) ProgramPositionToProto(*r.program, out->mutable_program());
  auto add_step = [out](const std::string& device, const plan::PlanStepText& step) {
    auto* s = out->mutable_plan()->add_steps();
    s->set_object(step.object);
    s->set_kind(step.kind);
    s->set_interface(device);
    s->set_handle(step.handle);
    s->set_parent(step.parent);
    s->set_parameters(step.parameters);
  };
  for (const auto& added : r.site.added)
    add_step(added.device, plan::DescribeTcObject(added.object));
  // An ended fault from the history: the same steps, kept as text.
  for (const auto& described : r.site.described) add_step(described.device, described.step);
}

void ToProto(const core::FaultEvent& event, pb::FaultEvent* out) {
  out->set_type(ToProto(event.type));
  ToProto(event.fault, out->mutable_fault());
  ToProto(event.at, out->mutable_at());
  out->set_sequence(event.sequence);
}

void ToProto(const kernel::Capabilities& caps, pb::Info* out) {
  for (const kernel::Feature& feature : kernel::kFeatures) {
    if (feature.available == nullptr) continue;  // not probed
    const bool available = caps.*feature.available;
    auto* c = out->add_capabilities();
    c->set_name(feature.name);
    c->set_available(available);
    if (!available) c->set_hint(kernel::LoadHint(feature));
  }
}

}  // namespace chaosnet::api
