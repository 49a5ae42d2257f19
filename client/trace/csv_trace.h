// A CSV trace: one program step per row.
//
//   # lines starting with '#' and blank lines are skipped
//   duration,delay,jitter,loss,rate        <- optional header, exactly these names
//   10s,40ms,5ms,0%,20mbit
//   2s,60ms,,1%,                           <- an empty field keeps the previous value
//   500ms,250ms,20ms,10%,2mbit
//
// Units as chaosnetctl's flags take them: durations "100ms", "1.5s" (a delay
// or a jitter may be 0), percentages "1.5%", rates "10mbit". The duration is
// required; trailing empty fields may be left out ("5s,80ms"). A field left
// empty in the first row keeps the fault's own value. A rate of 0 is refused:
// htb refuses it and netem reads it as "no limit", the opposite of an outage;
// an outage is a loss of 100%.
#pragma once

#include <string_view>

#include "common/result.h"
#include "daemon/program/program_spec.h"

namespace chaosnet::trace {

inline constexpr std::string_view kCsvColumns = "duration,delay,jitter,loss,rate";

// The rows as steps, each with its line number; INVALID_ARGUMENT
// "line N: ..." at the first bad line, or when there is no row.
Result<program::StepList> ParseCsvTrace(std::string_view text);

}  // namespace chaosnet::trace
