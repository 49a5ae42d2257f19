#include "daemon/api/convert_guards.h"

#include "daemon/api/convert.h"

namespace chaosnet::api {
namespace {

Result<std::optional<model::Nanos>> OptionalDuration(const char* field, bool present,
                                                     const google::protobuf::Duration& d) {
  if (!present) return std::optional<model::Nanos>{};
  auto value = FromProto(d);
  if (!value.ok()) return InvalidArgument(std::string(field) + ": " + value.status().message());
  return std::optional<model::Nanos>{*value};
}

pb::GuardResult ToProto(guard::GuardResult r) {
  switch (r) {
    case guard::GuardResult::kPass: return pb::GUARD_RESULT_PASS;
    case guard::GuardResult::kFail: return pb::GUARD_RESULT_FAIL;
    case guard::GuardResult::kUndecided: return pb::GUARD_RESULT_UNDECIDED;
  }
  return pb::GUARD_RESULT_UNSPECIFIED;
}

}  // namespace

Result<model::GuardSet> GuardsFromProto(const pb::Guards& in) {
  model::GuardSet guards;
  guards.checks.assign(in.checks().begin(), in.checks().end());
  ASSIGN_OR_RETURN(guards.interval,
                   OptionalDuration("guards interval", in.has_interval(), in.interval()));
  ASSIGN_OR_RETURN(guards.timeout,
                   OptionalDuration("guards timeout", in.has_timeout(), in.timeout()));
  ASSIGN_OR_RETURN(guards.grace, OptionalDuration("guards grace", in.has_grace(), in.grace()));
  if (in.failures() != 0) guards.failures = in.failures();
  return guards;
}

void GuardsToProto(const model::GuardSet& guards, pb::Guards* out) {
  for (const std::string& check : guards.checks) out->add_checks(check);
  if (guards.interval) ToProto(*guards.interval, out->mutable_interval());
  if (guards.timeout) ToProto(*guards.timeout, out->mutable_timeout());
  if (guards.failures) out->set_failures(*guards.failures);
  if (guards.grace) ToProto(*guards.grace, out->mutable_grace());
}

void GuardStatusesToProto(const std::vector<guard::GuardStatus>& statuses, pb::Fault* out) {
  for (const guard::GuardStatus& s : statuses) {
    auto* g = out->add_guards();
    g->set_check(s.check);
    if (!s.result) continue;
    g->set_result(ToProto(*s.result));
    g->set_observed(s.observed);
    ToProto(s.latency, g->mutable_latency());
    ToProto(s.checked_at, g->mutable_checked_at());
    g->set_consecutive_failures(s.consecutive_failures);
    g->set_checks(s.checks);
    g->set_failures(s.failures);
  }
}

void GuardPolicyToProto(const guard::GuardPolicy& policy, std::size_t live_guards, pb::Info* out) {
  out->set_max_guards_per_fault(static_cast<uint32_t>(policy.max_per_fault));
  out->set_max_guards(static_cast<uint32_t>(policy.max_total));
  for (const auto& target : policy.allowed_targets) {
    out->add_guard_targets(guard::FormatAllowedTarget(target));
  }
  out->set_active_guards(static_cast<uint32_t>(live_guards));
}

}  // namespace chaosnet::api
