// The link models (issue 18) between the wire (chaosnet.v1) and the model,
// for convert.cc's FaultSpec conversions, and the profile table for
// ListProfiles. What the wire can say but the model cannot (a NaN, an empty
// LossModel, an unknown enum) is INVALID_ARGUMENT here; ranges and the
// rules between fields are model/link_model_rules.h's.
#pragma once

#include "chaosnet/v1/chaosnet.pb.h"
#include "common/status.h"
#include "daemon/model/fault_spec.h"

namespace chaosnet::api {

Status LinkModelsFromProto(const ::chaosnet::v1::FaultSpec& in, model::FaultSpec* spec);
void LinkModelsToProto(const model::FaultSpec& spec, ::chaosnet::v1::FaultSpec* out);

void ProfilesToProto(::chaosnet::v1::ListProfilesResponse* out);

}  // namespace chaosnet::api
