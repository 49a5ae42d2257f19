// Programs (feature "programs") between the wire and the model: a spec's
// Program as given (shape only; the rules are program::ValidateProgramFault's,
// in the manager, so every front end gets the same answer), and where a
// fault's program is in its record.
#pragma once

#include "chaosnet/v1/chaosnet.pb.h"
#include "common/result.h"
#include "daemon/core/program_progress.h"
#include "daemon/program/program_spec.h"

namespace chaosnet::api {

Result<program::Program> ProgramFromProto(const ::chaosnet::v1::Program& in);
void ProgramToProto(const program::Program& program, ::chaosnet::v1::Program* out);
void ProgramPositionToProto(const core::ProgramProgress& progress,
                            ::chaosnet::v1::ProgramPosition* out);

}  // namespace chaosnet::api
