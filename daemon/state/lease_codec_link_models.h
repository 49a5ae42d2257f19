// The link models of a spec (issue 18) in a lease record: written into the
// "spec" object after the older keys, read back from it. Keys are present
// only when set (README.md, "Link models"). A record that uses one that
// changes what fault it describes is written with format version 2.
#pragma once

#include <string>

#include "common/json.h"
#include "common/status.h"
#include "daemon/model/fault_spec.h"

namespace chaosnet::state {

// The lowest record format version that can express the spec's link models:
// 1 without any, 2 with a loss model, ecn, slot, link rate, in-order or jam.
// The profile's name alone is information (its impairments are in the spec).
int LinkModelsFormatVersion(const model::FaultSpec& spec);

void WriteLinkModels(json::Writer& w, const model::FaultSpec& spec);

// `spec_object` is the record's "spec"; `path` its name in messages
// ("spec"). INVALID_ARGUMENT "lease record: spec.slot.max_ns: ..." for what is
// malformed.
Status ReadLinkModels(const json::Value& spec_object, const std::string& path,
                      model::FaultSpec* spec);

}  // namespace chaosnet::state
