#include "daemon/program/validate.h"

#include <cmath>
#include <string>

#include "common/units.h"
#include "daemon/program/program_plan.h"
#include "daemon/program/schedule.h"

namespace chaosnet::program {
namespace {

using u128 = unsigned __int128;

Status Invalid(const std::string& what, const std::string& message) {
  return InvalidArgument(what + ": " + message);
}

Status Prefixed(const std::string& label, const Status& s) {
  return s.ok() ? s : Status(s.code(), label + ": " + s.message());
}

Status CheckDuration(const std::string& what, Nanos d) {
  if (d < kMinStep) {
    return Invalid(what, units::FormatDuration(d) + " is shorter than the shortest step, " +
                             units::FormatDuration(kMinStep));
  }
  if (d > kMaxStep) {
    return Invalid(what, units::FormatDuration(d) + " is longer than the longest step, " +
                             units::FormatDuration(kMaxStep));
  }
  return Status::Ok();
}

// Each parameter a ramp moves must be set at both ends.
Status CheckRampEnds(const Ramp& ramp) {
  const Values& a = ramp.from;
  const Values& b = ramp.to;
  if (a.empty() && b.empty()) return Invalid("ramp", "sets no parameter (e.g. delay 0ms..200ms)");
  const bool same =
      a.delay.has_value() == b.delay.has_value() && a.jitter.has_value() == b.jitter.has_value() &&
      a.loss.has_value() == b.loss.has_value() &&
      a.duplicate.has_value() == b.duplicate.has_value() &&
      a.corrupt.has_value() == b.corrupt.has_value() && a.rate.has_value() == b.rate.has_value();
  if (!same) return Invalid("ramp", "its start and its end must set the same parameters");
  return Status::Ok();
}

Status CheckShape(const Program& p) {
  if (p.source.size() > kMaxSourceBytes) {
    return Invalid("program source", "at most " + std::to_string(kMaxSourceBytes) + " bytes");
  }
  if (const auto* ramp = std::get_if<Ramp>(&p.shape)) {
    if (p.repeat != 1 || p.forever) {
      return Invalid("ramp", "runs once; --repeat applies to --steps and --trace");
    }
    RETURN_IF_ERROR(CheckDuration("ramp step", ramp->step));
    RETURN_IF_ERROR(CheckDuration("ramp over", ramp->over));
    if (ramp->step > ramp->over) {
      return Invalid("ramp", "its step (" + units::FormatDuration(ramp->step) +
                                 ") is longer than the ramp (" + units::FormatDuration(ramp->over) +
                                 ")");
    }
    const int64_t steps = (ramp->over.count() + ramp->step.count() - 1) / ramp->step.count();
    if (static_cast<uint64_t>(steps) > kMaxRampSteps) {
      return Invalid("ramp", std::to_string(steps) + " steps of " +
                                 units::FormatDuration(ramp->step) + " is more than " +
                                 std::to_string(kMaxRampSteps) + "; use a longer --step");
    }
    return CheckRampEnds(*ramp);
  }
  if (const auto* flap = std::get_if<Flap>(&p.shape)) {
    if (p.repeat != 1) return Invalid("flap", "repeats until the lease ends; drop --repeat");
    RETURN_IF_ERROR(CheckDuration("flap on", flap->on));
    return CheckDuration("flap off", flap->off);
  }
  const auto& steps = std::get<StepList>(p.shape).steps;
  if (steps.empty()) return Invalid("program", "has no steps");
  if (steps.size() > kMaxSteps) {
    return Invalid("program", std::to_string(steps.size()) + " steps is more than " +
                                  std::to_string(kMaxSteps) +
                                  " (a trace: use a wider --trace-window)");
  }
  u128 length = 0;
  for (size_t i = 0; i < steps.size(); ++i) {
    RETURN_IF_ERROR(CheckDuration("program step " + std::to_string(i + 1), steps[i].duration));
    length += static_cast<u128>(steps[i].duration.count());
  }
  if (p.repeat < 1 || p.repeat > kMaxRepeat) {
    return Invalid("repeat", std::to_string(p.repeat) + " is out of range; use 1 to " +
                                 std::to_string(kMaxRepeat) + ", or forever");
  }
  // The schedule works in 64-bit nanoseconds from the start (~292 years).
  if (!p.forever && length * p.repeat > (u128{1} << 62)) {
    return Invalid("repeat", "the program would run for centuries; use forever instead");
  }
  return Status::Ok();
}

// A step as the rules of a single fault see it: a delay of 0 (with no jitter)
// or a probability of 0% is no impairment of that kind.
model::FaultSpec WithoutZeros(model::FaultSpec s) {
  if (s.delay && s.delay->latency == Nanos::zero() && s.delay->jitter == Nanos::zero()) {
    s.delay.reset();
  }
  for (auto* p : {&s.loss, &s.duplicate, &s.corrupt}) {
    if (*p && (*p)->percent == 0) p->reset();
  }
  return s;
}

bool ImpairsAnything(const model::FaultSpec& s) {
  return s.delay || s.loss || s.duplicate || s.corrupt || s.reorder || s.rate || s.partition;
}

// Every distinct step of the program with its name: `visit(step, name)`,
// stopping at the first error.
Status ForEachStep(
    const model::FaultSpec& spec,
    const std::function<Status(const model::FaultSpec&, const std::string&)>& visit) {
  const Program& program = *spec.program;
  model::FaultSpec base = spec;
  base.program.reset();
  base.queue_limit.reset();  // checked once for the whole program
  base.netem_seed.reset();   // likewise: a step of rates alone still has the leaf
  const Schedule schedule(program);
  const uint64_t n = schedule.steps_per_cycle();
  auto step = [&](uint64_t cycle, uint64_t index) {
    return WithStep(base, schedule.ValuesAt(Position{.cycle = cycle, .index = index}));
  };
  if (std::holds_alternative<Ramp>(program.shape)) {
    // Every value lies between the two ends, and every rule is a range.
    RETURN_IF_ERROR(visit(step(0, 0), "ramp start"));
    return visit(step(0, n - 1), "ramp end");
  }
  if (std::holds_alternative<Flap>(program.shape)) return visit(base, "flap on");
  const auto& steps = std::get<StepList>(program.shape).steps;
  const bool repeats = program.forever || program.repeat > 1;
  for (uint64_t cycle = 0; cycle < (repeats ? 2 : 1); ++cycle) {
    for (uint64_t i = 0; i < n; ++i) {
      const Position at{.cycle = cycle, .index = i};
      // A repetition that starts from what the last step left differs only
      // where a step omits what a later one sets.
      if (cycle > 0 && schedule.ValuesAt(at) == schedule.ValuesAt({.cycle = 0, .index = i})) {
        continue;
      }
      std::string name = "program step " + std::to_string(i + 1);
      if (steps[i].source_line > 0)
        name += " (trace line " + std::to_string(steps[i].source_line) + ")";
      if (cycle > 0) name += ", when repeated";
      RETURN_IF_ERROR(visit(step(cycle, i), name));
    }
  }
  return Status::Ok();
}

// What WithoutZeros would hide: a jitter without a delay (netem would send
// such packets early, not late), a delay distribution taken away, negatives.
Status CheckZeros(const model::FaultSpec& step, const model::FaultSpec& spec) {
  if (!step.delay) return Status::Ok();
  const model::DelayFault& d = *step.delay;
  if (d.latency < Nanos::zero() || d.jitter < Nanos::zero()) {
    return InvalidArgument("delay: must not be negative");
  }
  const bool distribution =
      spec.delay && spec.delay->distribution != model::DelayDistribution::kUniform;
  if (distribution && (d.latency == Nanos::zero() || d.jitter == Nanos::zero())) {
    return InvalidArgument(
        "delay: a delay distribution cannot be taken away in place; keep the delay and the "
        "jitter above 0 in every step, or drop --distribution");
  }
  if (d.latency == Nanos::zero() && d.jitter > Nanos::zero()) {
    return InvalidArgument("delay: a jitter of " + units::FormatDuration(d.jitter) +
                           " needs a delay above 0");
  }
  return Status::Ok();
}

Status CheckQueueLimit(const model::FaultSpec& spec, const model::ValidationLimits& limits) {
  if (!spec.queue_limit) return Status::Ok();
  const uint32_t q = *spec.queue_limit;
  if (q == 0 || q > limits.max_queue_limit) {
    return Invalid("queue_limit", std::to_string(q) + " packets is out of range; use 1 to " +
                                      std::to_string(limits.max_queue_limit));
  }
  if (!spec.needs_netem()) {
    return Invalid("queue_limit",
                   "sets the netem queue, which a program of rates alone does not have; remove "
                   "--limit or add a netem impairment");
  }
  return Status::Ok();
}

}  // namespace

Status ValidateProgramFault(const model::FaultSpec& spec, const model::ValidationLimits& limits) {
  if (!spec.program) return model::ValidateFaultSpec(spec, limits);
  RETURN_IF_ERROR(CheckShape(*spec.program));
  // A flap's "out" and the queue sizing know the classic parameters only, and
  // a jam's plug qdisc has nothing to change: refused rather than half done.
  if (spec.loss_model || spec.ecn || spec.slot || spec.link_rate || spec.in_order || spec.jam ||
      !spec.profile.empty()) {
    return Invalid("program",
                   "cannot be combined with link models (loss models, ecn, slots, --link-rate, "
                   "--in-order, jam, profiles); programs drive delay, jitter, loss, duplicate, "
                   "corrupt and rate");
  }
  RETURN_IF_ERROR(CheckQueueLimit(spec, limits));
  if (spec.netem_seed && !spec.needs_netem()) {
    return Invalid("netem seed",
                   "seeds netem's random draws, and no step of this program sets a netem "
                   "parameter (delay, jitter, loss, duplicate, corrupt)");
  }
  if (std::holds_alternative<Flap>(spec.program->shape) && !ImpairsAnything(WithoutZeros(spec))) {
    return Invalid("flap",
                   "the fault itself impairs nothing, so there is nothing to switch on "
                   "and off (e.g. partition eth0 --flap 5s/10s)");
  }
  bool impairs = false;
  RETURN_IF_ERROR(ForEachStep(spec, [&](const model::FaultSpec& step, const std::string& name) {
    RETURN_IF_ERROR(Prefixed(name, CheckZeros(step, spec)));
    const model::FaultSpec rules = WithoutZeros(step);
    if (!ImpairsAnything(rules)) return Status::Ok();
    impairs = true;
    return Prefixed(name, model::ValidateFaultSpec(rules, limits));
  }));
  if (!impairs) {
    return Invalid("program",
                   "no step impairs anything (every delay, loss and rate is 0 or "
                   "unset); give at least one step something to do");
  }
  return Status::Ok();
}

Status ForEachStepSpec(const model::FaultSpec& spec,
                       const std::function<Status(const model::FaultSpec&)>& check) {
  if (!spec.program) return check(spec);
  return ForEachStep(spec, [&](const model::FaultSpec& step, const std::string& name) {
    const model::FaultSpec rules = WithoutZeros(step);
    return ImpairsAnything(rules) ? Prefixed(name, check(rules)) : Status::Ok();
  });
}

}  // namespace chaosnet::program
