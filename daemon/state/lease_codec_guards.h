// The guards of a fault spec in a lease record (feature "guards", format
// version 2; README.md): {"checks":[...],"interval_ns":N,"timeout_ns":N,
// "failures":N,"grace_ns":N}, the schedule's keys only when they were given.
#pragma once

#include <string>

#include "common/json.h"
#include "common/status.h"
#include "daemon/model/fault_spec.h"

namespace chaosnet::state {

void WriteGuards(json::Writer& w, const model::GuardSet& guards);
// INVALID_ARGUMENT naming the field under `path` ("spec.guards").
Status ReadGuards(const json::Value& v, const std::string& path, model::GuardSet& out);

}  // namespace chaosnet::state
