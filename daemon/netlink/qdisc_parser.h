// Reads one qdisc message (a kernel RTM_NEWQDISC dump entry, or one of our
// own requests) back into our terms. Pure: bytes in, values out.
#pragma once

#include <optional>
#include <string>

#include "common/result.h"
#include "daemon/kernel/kernel.h"
#include "daemon/plan/qdisc_plan.h"

struct nlmsghdr;

namespace chaosnet::netlink {

struct QdiscInfo {
  int ifindex = 0;
  uint32_t handle = 0;
  uint32_t parent = 0;
  std::string kind;
  kernel::Counters counters;  // from TCA_STATS2; zeros in requests
  std::optional<plan::NetemQdisc> netem;
  // netem's TCA_NETEM_PRNG_SEED, which kernels from 6.6 dump (a random seed
  // when none was given); not part of `netem`, which a plan compares.
  std::optional<uint64_t> netem_seed;
  std::optional<plan::TbfQdisc> tbf;
};

// Netem: latency/jitter from TCA_NETEM_LATENCY64/JITTER64 when present (the
// kernel always adds them), else from the 64 ns ticks; probabilities back in
// percent (rounded to 1e-6 %, see tc_math.h); gap as the kernel holds it.
// The kernel never dumps the delay distribution table, so `distribution` is
// always kUniform here (and a slot distribution reads back as its delay and
// jitter with kUniform). The link models: the loss model (gemodel's h as
// tc's 1-h), ECN, slots and the rate, as the kernel holds them. A plug qdisc
// has no dump at all: its kind and counters are all there is.
// Tbf: rate from TCA_TBF_RATE64 or the 32-bit rate; burst from TCA_TBF_BURST
// (requests) or, as tc prints it, from the bucket time and the rate (dumps).
Result<QdiscInfo> ParseQdiscMessage(const nlmsghdr* message);

}  // namespace chaosnet::netlink
