// What a spec costs in the operator's terms (--max-loss, --max-delay), with
// the link models counted: a loss model by the share of packets it loses in
// the long run (model/loss_rate.h), a jam as 100% (nothing gets through
// while it lasts), a slot by the longest a packet waits for its slot. Pure;
// core/access_policy.cc compares them with the limits.
#pragma once

#include <chrono>
#include <string>

#include "daemon/model/fault_spec.h"

namespace chaosnet::linkmodel {

struct LossShare {
  double percent = 0;  // 0 when the spec loses nothing
  std::string what;    // "loss 5%", "a partition (100% loss)", ...
};

LossShare LongRunLoss(const model::FaultSpec& spec);

struct DelayBound {
  std::chrono::nanoseconds worst{0};
  std::string parts;  // "latency + jitter", "latency + jitter + slot wait"
};

// Latency plus jitter plus the longest slot wait.
DelayBound WorstCaseDelay(const model::FaultSpec& spec);

}  // namespace chaosnet::linkmodel
