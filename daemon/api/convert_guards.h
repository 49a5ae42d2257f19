// The guards (feature "guards") between the wire and the model: a spec's
// Guards as given, and each guard's status in a fault record.
#pragma once

#include <vector>

#include "chaosnet/v1/chaosnet.pb.h"
#include "common/result.h"
#include "daemon/guard/guard_policy.h"
#include "daemon/guard/guard_verdicts.h"
#include "daemon/model/fault_spec.h"

namespace chaosnet::api {

// Shape only (durations that are durations); the rules are the manager's
// (guard::ParseGuards), so every front end gets the same answer.
Result<model::GuardSet> GuardsFromProto(const ::chaosnet::v1::Guards& in);
void GuardsToProto(const model::GuardSet& guards, ::chaosnet::v1::Guards* out);
void GuardStatusesToProto(const std::vector<guard::GuardStatus>& statuses,
                          ::chaosnet::v1::Fault* out);
void GuardPolicyToProto(const guard::GuardPolicy& policy, std::size_t live_guards,
                        ::chaosnet::v1::Info* out);

}  // namespace chaosnet::api
