// Where a fault's program is (programs, program/): what its record shows and
// its STEPPED events carry. Kept by the FaultManager, which makes the steps.
#pragma once

#include <chrono>
#include <cstdint>

#include "daemon/core/clock.h"
#include "daemon/program/program_spec.h"
#include "daemon/program/schedule.h"

namespace chaosnet::core {

struct ProgramProgress {
  // The program's start, the fault's creation, on this run's monotonic clock
  // (a restarted daemon places it where the wall clock says it was).
  SteadyTime started{};
  program::Position position;  // the step in effect
  uint64_t steps_per_cycle = 0;
  // The parameters in effect (those the step's fault has), and whether this
  // is a flap's "out".
  program::Values values;
  bool off = false;
  WallTime step_due_at{};   // when the step in effect was due
  WallTime next_step_at{};  // when the next is due; unset once the program has run its course
  WallTime applied_at{};    // when the step in effect was made (its change done)
  // Steps this run of the daemon made (not counting the placement itself),
  // and the lag of the last one: from its due instant to its change done.
  uint64_t steps_applied = 0;
  std::chrono::nanoseconds last_lag{0};
};

}  // namespace chaosnet::core
