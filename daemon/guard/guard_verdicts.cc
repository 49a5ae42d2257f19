#include "daemon/guard/guard_verdicts.h"

namespace chaosnet::guard {

const char* GuardResultName(GuardResult result) {
  switch (result) {
    case GuardResult::kPass: return "pass";
    case GuardResult::kFail: return "fail";
    case GuardResult::kUndecided: return "undecided";
  }
  return "unknown";
}

std::vector<GuardStatus> UncheckedStatuses(const std::vector<std::string>& checks) {
  std::vector<GuardStatus> out(checks.size());
  for (size_t i = 0; i < checks.size(); ++i) out[i].check = checks[i];
  return out;
}

GuardVerdicts::GuardVerdicts(const Guards& guards, SteadyTime armed_at)
    : schedule_(guards.schedule), first_round_(armed_at + guards.schedule.grace) {
  for (const GuardSpec& spec : guards.specs) statuses_.push_back(UncheckedStatuses({spec.text})[0]);
}

SteadyTime GuardVerdicts::NextRoundAfter(SteadyTime now) const {
  if (now < first_round_) return first_round_;
  const auto rounds_done = (now - first_round_) / schedule_.interval + 1;
  return first_round_ + rounds_done * schedule_.interval;
}

std::optional<std::string> GuardVerdicts::Record(size_t index, const GuardOutcome& outcome,
                                                 SteadyTime started, WallTime at) {
  if (index >= statuses_.size() || started < first_round_) return std::nullopt;
  GuardStatus& s = statuses_[index];
  s.result = outcome.result;
  s.observed = outcome.observed;
  s.latency = outcome.latency;
  s.checked_at = at;
  ++s.checks;
  switch (outcome.result) {
    case GuardResult::kPass: s.consecutive_failures = 0; break;
    case GuardResult::kUndecided: break;
    case GuardResult::kFail:
      ++s.failures;
      ++s.consecutive_failures;
      break;
  }
  if (outcome.result != GuardResult::kFail || s.consecutive_failures < schedule_.failures) {
    return std::nullopt;
  }
  const uint32_t n = s.consecutive_failures;
  return "guard " + s.check + " failed" + (n == 1 ? "" : " " + std::to_string(n) + " times") +
         ": " + outcome.observed;
}

}  // namespace chaosnet::guard
