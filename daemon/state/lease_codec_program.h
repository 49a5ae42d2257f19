// A fault spec's program in a lease record (feature "programs", format
// version 2; README.md). Only the program is stored, never its position: a
// restarted daemon places the fault at the step its clock says (the record's
// created_ns), so a crash never replays or skips steps.
//   "program": {"ramp": {"from": V, "to": V, "over_ns": N, "step_ns": N}}
//            | {"steps": [{"duration_ns": N, "values": V, "line": N}, ...]}
//            | {"flap": {"on_ns": N, "off_ns": N}}
//     plus "repeat": N, "forever": true, "source": "..." when not the defaults;
//   V: {"delay_ns", "jitter_ns", "loss", "duplicate", "corrupt", "rate_bps"},
//     each only when the step sets it.
#pragma once

#include <string>

#include "common/json.h"
#include "common/status.h"
#include "daemon/program/program_spec.h"

namespace chaosnet::state {

void WriteProgram(json::Writer& w, const program::Program& program);
// INVALID_ARGUMENT naming the field under `path` ("spec.program").
Status ReadProgram(const json::Value& v, const std::string& path, program::Program& out);

// One step's parameters, V above (also what the core's history of ended
// faults keeps of a program's position).
void WriteValues(json::Writer& w, const program::Values& values);
Status ReadValues(const json::Value& v, const std::string& path, program::Values& out);

}  // namespace chaosnet::state
