#include "daemon/program/program_spec.h"

namespace chaosnet::program {

Values Values::Then(const Values& later) const {
  Values v = *this;
  if (later.delay) v.delay = later.delay;
  if (later.jitter) v.jitter = later.jitter;
  if (later.loss) v.loss = later.loss;
  if (later.duplicate) v.duplicate = later.duplicate;
  if (later.corrupt) v.corrupt = later.corrupt;
  if (later.rate) v.rate = later.rate;
  return v;
}

const char* ShapeName(const Program& program) {
  if (std::holds_alternative<Ramp>(program.shape)) return "ramp";
  if (std::holds_alternative<StepList>(program.shape)) return "steps";
  return "flap";
}

}  // namespace chaosnet::program
