// The fleet's fields of a fault (issue 14) between the wire and the model:
// Match.dst_cidrs/src_cidrs (feature cidr-sets) and FaultSpec.exemptions
// (feature fault-exemptions). Called from convert.cc's spec conversion.
#pragma once

#include "chaosnet/v1/chaosnet.pb.h"
#include "common/status.h"
#include "daemon/model/fault_spec.h"

namespace chaosnet::api {

// INVALID_ARGUMENT naming the field for an unparsable CIDR or exemption.
Status FleetFieldsFromProto(const ::chaosnet::v1::FaultSpec& in, model::FaultSpec* spec);
void FleetFieldsToProto(const model::FaultSpec& spec, ::chaosnet::v1::FaultSpec* out);

}  // namespace chaosnet::api
