// A Mahimahi packet-delivery trace as a step list of rates.
//
// The format (Mahimahi's mm-link): one integer per line, a millisecond
// timestamp at which the link may deliver one 1500-byte packet; a timestamp
// repeated n times is n packets in that millisecond; timestamps never go
// back. The trace's period is its last timestamp: mm-link replays it in a
// loop, so a timestamp of 0 is the same instant as the period.
//
// The conversion: the period is cut into windows of `window`, window k
// holding the opportunities in (k x window, (k+1) x window] (so a trace
// written 1, 2, ..., P fills every window alike; the last window is shorter
// when the period is not a multiple, and one shorter than the shortest step
// joins the window before it). A window's rate is its opportunities x
// 1500 bytes x 8 / its length, and consecutive windows of equal rate become
// one step.
//
// A window without any opportunity is an outage. A rate of 0 cannot say so
// (htb refuses it; netem takes it for "no limit"), and the lowest rate htb
// takes would leak the packet its tokens allowed and leave the class in
// token debt (up to htb's minute-long bound) after the outage ended. So an
// outage step is a loss of 100% with the rate left as it was, and when a
// trace has outages every other step sets a loss of 0%. The difference from
// mm-link: packets sent into an outage are dropped, not held until the link
// returns (a TCP sender retransmits them after its timeout). Blank lines and
// '#' comments are skipped, which mm-link itself does not do.
#pragma once

#include <chrono>
#include <cstddef>
#include <string_view>

#include "common/result.h"
#include "daemon/program/program_spec.h"

namespace chaosnet::trace {

inline constexpr uint64_t kMahimahiPacketBits = 1500 * 8;

// `window`: a whole number of milliseconds, at least program::kMinStep.
// INVALID_ARGUMENT "line N: ..." at the first bad line.
Result<program::StepList> ParseMahimahiTrace(std::string_view text,
                                             std::chrono::milliseconds window);

}  // namespace chaosnet::trace
