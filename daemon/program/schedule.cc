#include "daemon/program/schedule.h"

#include <algorithm>
#include <cassert>

namespace chaosnet::program {
namespace {

using i128 = __int128;

// from + (to - from) * num / den, exact in 128 bits, rounded to nearest.
int64_t Interpolate(int64_t from, int64_t to, int64_t num, int64_t den) {
  const i128 span = static_cast<i128>(to) - from;
  i128 scaled = span * num;
  const i128 half = den / 2;
  scaled = scaled >= 0 ? (scaled + half) / den : (scaled - half) / den;
  return static_cast<int64_t>(from + scaled);
}

template <typename T, typename Lerp>
std::optional<T> Between(const std::optional<T>& from, const std::optional<T>& to, Lerp lerp) {
  if (!from || !to) return std::nullopt;
  return lerp(*from, *to);
}

}  // namespace

Values RampValuesAt(const Ramp& ramp, Nanos offset) {
  const int64_t num = std::clamp<int64_t>(offset.count(), 0, ramp.over.count());
  const int64_t den = std::max<int64_t>(ramp.over.count(), 1);
  auto nanos = [&](Nanos a, Nanos b) { return Nanos(Interpolate(a.count(), b.count(), num, den)); };
  auto percent = [&](double a, double b) {
    return a + (b - a) * static_cast<double>(num) / static_cast<double>(den);
  };
  auto bits = [&](uint64_t a, uint64_t b) {
    // Rates are far below 2^63 (validation caps them at 100 tbit).
    return static_cast<uint64_t>(
        Interpolate(static_cast<int64_t>(a), static_cast<int64_t>(b), num, den));
  };
  Values v;
  v.delay = Between(ramp.from.delay, ramp.to.delay, nanos);
  v.jitter = Between(ramp.from.jitter, ramp.to.jitter, nanos);
  v.loss = Between(ramp.from.loss, ramp.to.loss, percent);
  v.duplicate = Between(ramp.from.duplicate, ramp.to.duplicate, percent);
  v.corrupt = Between(ramp.from.corrupt, ramp.to.corrupt, percent);
  v.rate = Between(ramp.from.rate, ramp.to.rate, bits);
  return v;
}

Schedule::Schedule(const Program& program) {
  if (const auto* ramp = std::get_if<Ramp>(&program.shape)) {
    kind_ = Kind::kRamp;
    ramp_ = *ramp;
    assert(ramp->step.count() > 0 && ramp->over.count() > 0);
    // ceil(over / step) steps up to `over`, then the final value.
    steps_ =
        static_cast<uint64_t>((ramp->over.count() + ramp->step.count() - 1) / ramp->step.count()) +
        1;
    cycles_ = 1;
    return;
  }
  std::vector<Step> steps;
  if (const auto* list = std::get_if<StepList>(&program.shape)) {
    kind_ = Kind::kSteps;
    steps = list->steps;
    if (!program.forever) cycles_ = std::max<uint32_t>(program.repeat, 1);
  } else {
    kind_ = Kind::kFlap;
    const auto& flap = std::get<Flap>(program.shape);
    steps = {Step{flap.on, {}, 0}, Step{flap.off, {}, 0}};
  }
  assert(!steps.empty());
  steps_ = steps.size();
  offsets_.reserve(steps.size() + 1);
  offsets_.push_back(Nanos::zero());
  for (const Step& s : steps) offsets_.push_back(offsets_.back() + s.duration);
  Values so_far;
  for (const Step& s : steps) first_cycle_.push_back(so_far = so_far.Then(s.values));
  for (const Step& s : steps) later_cycles_.push_back(so_far = so_far.Then(s.values));
}

Position Schedule::At(Nanos elapsed) const {
  elapsed = std::max(elapsed, Nanos::zero());
  Position p;
  if (kind_ == Kind::kRamp) {
    if (elapsed >= ramp_.over) {
      p.index = steps_ - 1;
      p.started = ramp_.over;
      return p;
    }
    p.index = static_cast<uint64_t>(elapsed / ramp_.step);
    p.started = ramp_.step * static_cast<int64_t>(p.index);
    p.next = std::min(p.started + ramp_.step, ramp_.over);
    return p;
  }
  const Nanos length = offsets_.back();
  if (cycles_) {
    // The last step of the last cycle holds until the lease ends.
    const uint64_t last_cycle = *cycles_ - 1;
    const Nanos last_start = length * static_cast<int64_t>(last_cycle) + offsets_[steps_ - 1];
    if (elapsed >= last_start) {
      p.cycle = last_cycle;
      p.index = steps_ - 1;
      p.started = last_start;
      return p;
    }
  }
  p.cycle = static_cast<uint64_t>(elapsed / length);
  const Nanos cycle_start = length * static_cast<int64_t>(p.cycle);
  const Nanos within = elapsed - cycle_start;
  // The last offset <= within: offsets_ is strictly increasing.
  const auto it = std::upper_bound(offsets_.begin(), offsets_.end() - 1, within);
  p.index = static_cast<uint64_t>(it - offsets_.begin()) - 1;
  p.started = cycle_start + offsets_[p.index];
  p.next = cycle_start + offsets_[p.index + 1];
  return p;
}

StepValues Schedule::ValuesAt(const Position& p) const {
  switch (kind_) {
    case Kind::kRamp:
      if (p.index + 1 >= steps_) return {ramp_.to, false};
      return {RampValuesAt(ramp_, ramp_.step * static_cast<int64_t>(p.index)), false};
    case Kind::kSteps: return {(p.cycle == 0 ? first_cycle_ : later_cycles_)[p.index], false};
    case Kind::kFlap: return {{}, p.index == 1};
  }
  return {};
}

}  // namespace chaosnet::program
