// The rules a FaultSpec must satisfy before anything is compiled or encoded.
// They live here, in one pure function, rather than in argument parsing (where
// tc buries them) so that each rule has its own test and every front end (CLI,
// gRPC, state file) gets the same answer.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "daemon/model/fault_spec.h"

namespace chaosnet::model {

struct ValidationLimits {
  // netem itself takes 64-bit nanoseconds; an hour is far beyond any sane
  // experiment and keeps a typo ("3000m" for "3000ms") from holding packets
  // for days.
  Nanos max_latency = std::chrono::hours(1);
  Nanos max_jitter = std::chrono::hours(1);
  // tbf and netem encode rates in bytes/s: below one byte per second the
  // kernel's rate would be 0, which means "no limit".
  uint64_t min_rate_bits_per_second = 8;
  // The kernel accepts 64-bit rates; 100tbit is above any NIC and far from
  // the overflow of the kernel's rate-to-time arithmetic.
  uint64_t max_rate_bits_per_second = 100'000'000'000'000ULL;
  // netem's limit is a u32 packet count; past 2^31 it is no limit at all.
  uint32_t max_queue_limit = 1u << 31;
  // fleet: address sets and exemptions are kept with the lease and journaled;
  // a set larger than the classifier's rule budget (plan/match_compiler.h)
  // could never be compiled anyway.
  size_t max_cidrs_per_set = 128;
  size_t max_exemptions = 128;
};

// OK, or INVALID_ARGUMENT with a one-line message that starts with the field
// ("loss: 150% is above 100%") and says how to fix it.
Status ValidateFaultSpec(const FaultSpec& spec, const ValidationLimits& limits = {});

// Every impairment a spec sets, by name ("delay", ..., "slot", "jam"),
// except a partition: what a partition may not be combined with.
std::vector<std::string> ImpairmentsBesidesPartition(const FaultSpec& spec);

// A percentage in [0, 100]: INVALID_ARGUMENT "<what>: ..." otherwise.
Status CheckPercentRange(std::string_view what, double value);

}  // namespace chaosnet::model
