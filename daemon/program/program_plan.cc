#include "daemon/program/program_plan.h"

#include <algorithm>

#include "daemon/plan/compiler.h"

namespace chaosnet::program {
namespace {

void SetPercent(std::optional<model::ProbabilityFault>& field, double percent) {
  model::ProbabilityFault p = field.value_or(model::ProbabilityFault{});
  p.percent = percent;
  field = p;
}

// Only what plan::NetemQueueLimit reads (delay, rate): no strings copied,
// so a ramp of 100,000 steps is sized in a few milliseconds.
uint32_t LimitOf(const model::FaultSpec& base, const StepValues& step) {
  model::FaultSpec sizing;
  if (step.off) return plan::NetemQueueLimit(sizing);
  sizing.delay = base.delay;
  sizing.rate = base.rate;
  if (step.values.delay || step.values.jitter) {
    model::DelayFault d = sizing.delay.value_or(model::DelayFault{});
    if (step.values.delay) d.latency = *step.values.delay;
    if (step.values.jitter) d.jitter = *step.values.jitter;
    sizing.delay = d;
  }
  if (step.values.rate) sizing.rate = model::RateFault{*step.values.rate};
  return plan::NetemQueueLimit(sizing);
}

}  // namespace

model::FaultSpec WithStep(const model::FaultSpec& base, const StepValues& step) {
  model::FaultSpec s = base;
  s.program.reset();
  if (step.off) {
    s.delay.reset();
    s.loss.reset();
    s.duplicate.reset();
    s.corrupt.reset();
    s.reorder.reset();
    s.rate.reset();
    s.partition = false;
    return s;
  }
  const Values& v = step.values;
  if (v.delay || v.jitter) {
    model::DelayFault d = s.delay.value_or(model::DelayFault{});
    if (v.delay) d.latency = *v.delay;
    if (v.jitter) d.jitter = *v.jitter;
    s.delay = d;
  }
  if (v.loss) SetPercent(s.loss, *v.loss);
  if (v.duplicate) SetPercent(s.duplicate, *v.duplicate);
  if (v.corrupt) SetPercent(s.corrupt, *v.corrupt);
  if (v.rate) s.rate = model::RateFault{*v.rate};
  return s;
}

ProgramPlan::ProgramPlan(const model::FaultSpec& spec)
    : netem_leaf_(spec.needs_netem()), schedule_(spec.program.value()) {
  base_ = spec;
  base_.program.reset();
  if (spec.queue_limit) {
    queue_limit_ = *spec.queue_limit;
    return;
  }
  // Every step of one cycle, and of a later one (whose values may differ).
  const uint64_t n = schedule_.steps_per_cycle();
  for (uint64_t cycle = 0; cycle < 2; ++cycle) {
    for (uint64_t i = 0; i < n; ++i) {
      const Position step{.cycle = cycle, .index = i};
      queue_limit_ = std::max(queue_limit_, LimitOf(base_, schedule_.ValuesAt(step)));
    }
  }
}

model::FaultSpec ProgramPlan::SpecAt(const Position& position) const {
  model::FaultSpec s = WithStep(base_, schedule_.ValuesAt(position));
  s.queue_limit = queue_limit_;
  if (netem_leaf_ && !s.needs_netem()) s.delay = model::DelayFault{};
  return s;
}

}  // namespace chaosnet::program
