// What a counter guard concludes from the kernel's counters: the fault's own
// class and leaf (drops, packets, backlog, read as `get` reads them) and the
// TCP retransmission counter of its network namespace. A guard sees two
// samples: the one taken at this check and the one before it (none at the
// first check), so that a rate can be told from a total. Pure.
#pragma once

#include <cstdint>
#include <optional>

#include "daemon/guard/guard_spec.h"
#include "daemon/guard/guard_verdicts.h"

namespace chaosnet::guard {

struct CounterSample {
  SteadyTime at{};
  uint64_t packets = 0;  // sent on by the fault's class since apply
  uint64_t drops = 0;    // dropped by its class and its netem leaf since apply
  uint32_t backlog_packets = 0;
  // Tcp RetransSegs of the namespace; none when it could not be read.
  std::optional<uint64_t> retransmits;
};

// `check` is a DropsCheck, BacklogCheck or RetransmitsCheck. Latency is left
// to the caller (it knows how long the reading took).
GuardOutcome EvaluateCounterGuard(const GuardCheck& check,
                                  const std::optional<CounterSample>& previous,
                                  const CounterSample& current);

// Tcp RetransSegs from the text of /proc/net/snmp ("Tcp:" header line, then
// the "Tcp:" values line); none when it is not there.
std::optional<uint64_t> RetransSegsFromSnmp(std::string_view snmp);

}  // namespace chaosnet::guard
