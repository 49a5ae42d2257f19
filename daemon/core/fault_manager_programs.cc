// FaultManager's programs (program/): placing a fault at the step its clock
// says, and making each step when it is due, in place.
#include <algorithm>

#include "daemon/core/fault_manager.h"
#include "daemon/program/validate.h"

namespace chaosnet::core {
namespace {

using std::chrono::nanoseconds;

// The parameters of the step's fault: what its kernel objects apply (a
// parameter the fault does not have is left unset, zeros a step sets stay).
program::Values ValuesOf(const model::FaultSpec& placed) {
  program::Values v;
  if (placed.delay) {
    v.delay = placed.delay->latency;
    if (placed.delay->jitter > nanoseconds::zero()) v.jitter = placed.delay->jitter;
  }
  if (placed.partition) {
    v.loss = 100.0;
  } else if (placed.loss) {
    v.loss = placed.loss->percent;
  }
  if (placed.duplicate) v.duplicate = placed.duplicate->percent;
  if (placed.corrupt) v.corrupt = placed.corrupt->percent;
  if (placed.rate) v.rate = placed.rate->bits_per_second;
  return v;
}

std::string StepName(const program::Position& at) {
  std::string name = "program step " + std::to_string(at.index + 1);
  if (at.cycle > 0) name += " of run " + std::to_string(at.cycle + 1);
  return name;
}

}  // namespace

FaultManager::Placing FaultManager::PlacingAt(const model::FaultSpec& spec, nanoseconds elapsed) {
  if (!spec.program) return Placing{spec, std::nullopt, {}};
  program::ProgramPlan plan(spec);
  const program::Position at = plan.schedule().At(elapsed);
  model::FaultSpec placed = plan.SpecAt(at);
  return Placing{std::move(placed), std::move(plan), at};
}

Status FaultManager::CheckSpecAllowedThroughout(const model::FaultSpec& spec) const {
  return program::ForEachStepSpec(
      spec, [&](const model::FaultSpec& step) { return CheckSpecAllowed(config_.policy, step); });
}

void FaultManager::StartProgram(FaultRecord& record, Placing placing, SteadyTime started) {
  if (!placing.plan) return;
  ProgramProgress progress;
  progress.started = started;
  progress.position = placing.position;
  progress.steps_per_cycle = placing.plan->schedule().steps_per_cycle();
  progress.values = ValuesOf(placing.spec);
  progress.off = placing.plan->schedule().ValuesAt(placing.position).off;
  progress.step_due_at = clock_.ToWall(started + placing.position.started);
  if (placing.position.next) {
    progress.next_step_at = clock_.ToWall(started + *placing.position.next);
    program_steps_.Add(record.id, started + *placing.position.next);
  }
  progress.applied_at = clock_.WallNow();
  record.program = progress;
  programs_.insert_or_assign(record.id, std::move(*placing.plan));
}

void FaultManager::StopProgram(const std::string& id) {
  program_steps_.Remove(id);
  programs_.erase(id);
}

std::size_t FaultManager::AdvancePrograms() {
  const SteadyTime now = clock_.Now();
  const std::vector<std::string> due = program_steps_.TakeExpired(now);
  for (const std::string& id : due) MakeStep(id, now);
  return due.size();
}

void FaultManager::MakeStep(const std::string& id, SteadyTime now) {
  FaultRecord* record = FindActive(id);
  const auto plan = programs_.find(id);
  if (record == nullptr || !record->program || plan == programs_.end()) return;
  ProgramProgress& progress = *record->program;
  const program::Position at = plan->second.schedule().At(now - progress.started);
  const model::FaultSpec spec = plan->second.SpecAt(at);
  if (Status s = trees_.Change(record->site, spec); !s.ok()) {
    const std::string why = StepName(at) + " could not be applied: " + s.message();
    if (s.code() == StatusCode::kNotFound) {
      End(id, FaultState::kLost, why, why);
    } else {
      End(id, FaultState::kRevoked, "rolled back: " + why);
    }
    return;
  }
  const SteadyTime due = progress.started + at.started;
  progress.position = at;
  progress.values = ValuesOf(spec);
  progress.off = plan->second.schedule().ValuesAt(at).off;
  progress.step_due_at = clock_.ToWall(due);
  progress.next_step_at = at.next ? clock_.ToWall(progress.started + *at.next) : WallTime{};
  progress.applied_at = clock_.WallNow();
  progress.last_lag = std::max(nanoseconds::zero(), clock_.Now() - due);
  ++progress.steps_applied;
  if (at.next) program_steps_.Add(id, progress.started + *at.next);
  // A listener may unsubscribe itself while being called.
  const auto listeners = step_listeners_;
  for (const auto& [token, listener] : listeners) listener(*record);
}

int FaultManager::SubscribeSteps(StepListener listener) {
  const int token = next_listener_++;
  step_listeners_.emplace(token, std::move(listener));
  return token;
}

}  // namespace chaosnet::core
