#include "daemon/guard/guard_set.h"

#include "common/units.h"

namespace chaosnet::guard {
namespace {

Status OptionError(const char* option, const std::string& why) {
  return InvalidArgument(std::string(option) + ": " + why);
}

}  // namespace

Result<GuardSchedule> ResolveSchedule(const model::GuardSet& set) {
  GuardSchedule s;
  if (set.interval) {
    if (*set.interval < kMinInterval || *set.interval > kMaxInterval) {
      return OptionError("guard-interval", units::FormatDuration(*set.interval) +
                                               " is out of range; use " +
                                               units::FormatDuration(kMinInterval) + " to " +
                                               units::FormatDuration(kMaxInterval));
    }
    s.interval = *set.interval;
  }
  s.timeout = set.timeout.value_or(s.interval / 2);
  if (s.timeout <= Nanos::zero() || s.timeout > s.interval) {
    return OptionError("guard-timeout", units::FormatDuration(s.timeout) +
                                            " is out of range; a check must end before the "
                                            "next one starts: above 0 and at most the interval (" +
                                            units::FormatDuration(s.interval) + ")");
  }
  if (set.failures) {
    if (*set.failures == 0 || *set.failures > kMaxFailures) {
      return OptionError("guard-failures", std::to_string(*set.failures) +
                                               " is out of range; use 1 to " +
                                               std::to_string(kMaxFailures));
    }
    s.failures = *set.failures;
  }
  s.grace = set.grace.value_or(s.interval);
  if (s.grace < Nanos::zero() || s.grace > kMaxInterval) {
    return OptionError("guard-grace", units::FormatDuration(s.grace) +
                                          " is out of range; use 0s to " +
                                          units::FormatDuration(kMaxInterval));
  }
  return s;
}

Result<Guards> ParseGuards(const model::GuardSet& set) {
  Guards guards;
  if (set.checks.empty()) {
    if (!set.empty()) {
      return InvalidArgument(
          "guard options (interval, timeout, failures, grace) were given without a guard: add "
          "--guard SPEC or leave them out");
    }
    return guards;
  }
  for (const std::string& text : set.checks) {
    ASSIGN_OR_RETURN(GuardSpec spec, ParseGuardSpec(text));
    guards.specs.push_back(std::move(spec));
  }
  ASSIGN_OR_RETURN(guards.schedule, ResolveSchedule(set));
  return guards;
}

}  // namespace chaosnet::guard
