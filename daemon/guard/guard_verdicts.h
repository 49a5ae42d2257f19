// The verdict state machine of one fault's guards: which check outcomes count,
// when a guard has failed often enough to halt the fault, and what each guard
// last saw (for `get`). Driven by the times the caller passes in (the adapter
// reads the daemon's clock, tests advance their own); no I/O.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "daemon/guard/guard_set.h"

namespace chaosnet::guard {

using SteadyTime = std::chrono::steady_clock::time_point;
using WallTime = std::chrono::system_clock::time_point;

enum class GuardResult { kPass, kFail, kUndecided };

// "pass", "fail", "undecided": for metric labels and text.
const char* GuardResultName(GuardResult result);

// What one check found.
struct GuardOutcome {
  GuardResult result = GuardResult::kUndecided;
  std::string observed;  // "200", "connection refused", "drops 31.2% of 412 packets"
  Nanos latency{0};      // how long the check took
};

// A guard as `get` shows it.
struct GuardStatus {
  std::string check;                  // the spec, as given
  std::optional<GuardResult> result;  // of the last check; none before the first
  std::string observed;
  Nanos latency{0};
  WallTime checked_at{};
  uint32_t consecutive_failures = 0;
  uint64_t checks = 0;
  uint64_t failures = 0;
  bool operator==(const GuardStatus&) const = default;
};

// The statuses of guards that have not been checked yet (a fault just
// created, or re-armed after a restart).
std::vector<GuardStatus> UncheckedStatuses(const std::vector<std::string>& checks);

class GuardVerdicts {
 public:
  GuardVerdicts(const Guards& guards, SteadyTime armed_at);

  // When the first round starts: the grace period after arming.
  SteadyTime FirstRound() const { return first_round_; }
  // The first round that starts after `now` (rounds keep their fixed rate:
  // a late loop skips the rounds it missed rather than bunching them up).
  SteadyTime NextRoundAfter(SteadyTime now) const;
  // When a check started at `started` has failed for want of an answer.
  SteadyTime DeadlineOf(SteadyTime started) const { return started + schedule_.timeout; }

  // Guard `index`'s check that started at `started` found `outcome`. Returns
  // the reason to halt the fault when the guard has now failed `failures`
  // times in a row ("guard tcp:10.0.0.5:80 failed 3 times: connection
  // refused"). A check started inside the grace period does not count.
  std::optional<std::string> Record(size_t index, const GuardOutcome& outcome, SteadyTime started,
                                    WallTime at);

  const std::vector<GuardStatus>& statuses() const { return statuses_; }
  const GuardSchedule& schedule() const { return schedule_; }

 private:
  GuardSchedule schedule_;
  SteadyTime first_round_;
  std::vector<GuardStatus> statuses_;
};

}  // namespace chaosnet::guard
