// The two values a fleet experiment draws from the operating system: a shape
// seed the user did not give (printed, so the experiment replays) and the
// experiment id. Kept apart from the pure core, which takes both as inputs.
#pragma once

#include <cstdint>
#include <string>

#include "common/result.h"

namespace chaosnet::fleet {

// 64 bits from getrandom(2).
Result<uint64_t> DrawSeed();

// A new experiment id: 16 lowercase hex digits (64 bits from getrandom(2)),
// e.g. "9f3a0c6e12b4d871"; see IsValidExperimentId in experiment_plan.h.
Result<std::string> NewExperimentId();

}  // namespace chaosnet::fleet
