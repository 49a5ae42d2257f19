// What a fault with a program is at each of its steps, compiled once per
// fault: its schedule, one queue limit for the whole program, and the spec of
// each step, from which plan/ compiles that step's netem leaf and htb class
// (plan::NetemForFault, plan::FaultClass). Pure.
#pragma once

#include <cstdint>

#include "daemon/model/fault_spec.h"
#include "daemon/program/schedule.h"

namespace chaosnet::program {

// `base` (a spec without its program) with `step` in place of its own
// parameters: a value the step sets replaces the fault's (a correlation the
// fault gave stays), and a flap's "out" clears every impairment. Zeros stay
// zeros (delay 0, loss 0%): they are what the kernel is told.
model::FaultSpec WithStep(const model::FaultSpec& base, const StepValues& step);

class ProgramPlan {
 public:
  // `spec` must carry a valid program (validate.h).
  explicit ProgramPlan(const model::FaultSpec& spec);

  const Schedule& schedule() const { return schedule_; }

  // netem's queue is sized once, for the program's peak (the largest limit
  // plan::NetemQueueLimit gives any step: the longest delay at the lowest
  // rate), since a change cannot shrink a queue below what it holds. The
  // fault's own --limit wins.
  uint32_t queue_limit() const { return queue_limit_; }

  // The fault during the step at `position`: WithStep, the program's queue
  // limit, and, when the fault has a netem leaf and this step sets no netem
  // parameter at all, a delay of 0 that keeps the leaf (netem with nothing to
  // do passes traffic untouched).
  model::FaultSpec SpecAt(const Position& position) const;

 private:
  model::FaultSpec base_;  // without the program
  bool netem_leaf_ = false;
  Schedule schedule_;
  uint32_t queue_limit_ = 0;
};

}  // namespace chaosnet::program
