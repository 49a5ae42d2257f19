// The fault model's enums (common/fault_enums.h) and chaosnet.v1's, both ways:
// the API converts requests with them and the CLI turns the words it reads
// into wire values, so the two cannot disagree.
#pragma once

#include <optional>

#include "chaosnet/v1/chaosnet.pb.h"
#include "common/fault_enums.h"

namespace chaosnet::wire {

// The model's defaults (egress aside) go out as the wire's UNSPECIFIED.
v1::DelayDistribution ToProto(model::DelayDistribution d);
v1::Direction ToProto(model::Direction d);
v1::Protocol ToProto(model::Protocol p);

// UNSPECIFIED is the model's default; nullopt for a value this build does not
// know (sent by a newer peer).
std::optional<model::DelayDistribution> FromProto(v1::DelayDistribution d);
std::optional<model::Direction> FromProto(v1::Direction d);
std::optional<model::Protocol> FromProto(v1::Protocol p);

}  // namespace chaosnet::wire
