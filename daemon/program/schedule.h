// When each step of a program runs, as offsets from the program's start (the
// fault's creation), and what the step's values are. Pure: the caller reads
// the monotonic clock and asks for the position at that instant, so a program
// never drifts (step k of a ramp begins at start + k * step however late the
// previous change was made) and a daemon restarted after a crash resumes at
// the step the clock says, not at the first.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "daemon/program/program_spec.h"

namespace chaosnet::program {

// A step of the program at some instant.
struct Position {
  uint64_t cycle = 0;  // repetition of a step list (and a flap's on/off pair), from 0
  uint64_t index = 0;  // the step within the cycle
  Nanos started{0};    // when this step began, from the program's start
  // When the next step begins; none once the program has run its course: its
  // last step then holds until the lease ends.
  std::optional<Nanos> next{};

  bool finished() const { return !next; }
  bool operator==(const Position&) const = default;
};

// What the fault is during one step.
struct StepValues {
  // Every parameter the program has set so far (cumulative: a step that
  // omits one keeps the value it had before, also across repetitions);
  // those never set are the fault's own.
  Values values;
  // A flap's "out": the fault passes traffic untouched.
  bool off = false;
  bool operator==(const StepValues&) const = default;
};

class Schedule {
 public:
  // `program` must be valid (validate.h): steps at least one, durations > 0.
  explicit Schedule(const Program& program);

  // Steps in one cycle (a ramp's include its final value, a flap has two).
  uint64_t steps_per_cycle() const { return steps_; }

  // Where the program is `elapsed` after its start (before it: step 0).
  Position At(Nanos elapsed) const;

  // The values in effect during the step at `position` (its cycle and index).
  StepValues ValuesAt(const Position& position) const;

 private:
  enum class Kind { kRamp, kSteps, kFlap };
  Kind kind_;
  uint64_t steps_ = 0;
  std::optional<uint64_t> cycles_{};  // none: until the lease ends
  Ramp ramp_;
  // Steps: offsets_[i] is where step i starts within a cycle, offsets_[n] the
  // cycle's length. A flap is the two steps "on" and "off".
  std::vector<Nanos> offsets_;
  // Steps: each step's cumulative values in the first cycle, and in later
  // ones (which start from what the previous cycle ended with).
  std::vector<Values> first_cycle_;
  std::vector<Values> later_cycles_;
};

// The ramp's value of each parameter at `offset` from its start: linear from
// `from` (offset 0) to `to` (offset `over`).
Values RampValuesAt(const Ramp& ramp, Nanos offset);

}  // namespace chaosnet::program
