// A fault's guards as the daemon runs them: the parsed checks and the
// schedule, with the defaults filled in and every rule checked. Pure.
//
// Schedule: the first round of checks starts `grace` after the fault is
// applied (or re-armed after a restart), then one round every `interval`,
// fixed-rate. A check that has not answered after `timeout` has failed. The
// fault is halted when one guard fails `failures` rounds in a row; a check
// that cannot decide yet (a counter guard's first sample) neither breaks nor
// extends the streak.
#pragma once

#include <chrono>
#include <cstdint>
#include <vector>

#include "common/result.h"
#include "daemon/guard/guard_spec.h"
#include "daemon/model/fault_spec.h"

namespace chaosnet::guard {

using Nanos = std::chrono::nanoseconds;

inline constexpr Nanos kDefaultInterval = std::chrono::seconds(1);
inline constexpr Nanos kMinInterval = std::chrono::milliseconds(100);
inline constexpr Nanos kMaxInterval = std::chrono::hours(1);
inline constexpr uint32_t kMaxFailures = 1000;

struct GuardSchedule {
  Nanos interval = kDefaultInterval;
  Nanos timeout = kDefaultInterval / 2;  // default: interval / 2
  uint32_t failures = 1;
  Nanos grace = kDefaultInterval;  // default: one interval
  bool operator==(const GuardSchedule&) const = default;
};

struct Guards {
  std::vector<GuardSpec> specs;
  GuardSchedule schedule;
};

// The schedule of `set`, defaults filled in. INVALID_ARGUMENT naming the
// option (as the CLI spells it) that is out of range.
Result<GuardSchedule> ResolveSchedule(const model::GuardSet& set);

// Every check parsed and the schedule resolved. Schedule options without a
// check are refused (they would be silently meaningless).
Result<Guards> ParseGuards(const model::GuardSet& set);

}  // namespace chaosnet::guard
