// Realistic links (issue 18): netem's correlated loss generators, slotting,
// ECN marking, link rate with overhead, order-keeping jitter, and jam. Pure
// data, members of FaultSpec; validated by ValidateLinkModels
// (link_model_rules.h), compiled by plan/, encoded by netlink/.
//
// Every value has tc-netem(8)'s meaning, so that `chaosnetctl --loss-model
// 'gemodel 1% 10% 70% 0.1%'` and `tc ... netem loss gemodel 1% 10% 70% 0.1%`
// are the same fault.
#pragma once

#include <chrono>
#include <cstdint>
#include <variant>

#include "common/fault_enums.h"

namespace chaosnet::model {

// Gilbert-Elliott: a good and a bad state. Per packet, the state may change
// (good -> bad with p, bad -> good with r), and the packet is lost with the
// loss probability of the state it was in. All in percent, in tc's order and
// with tc's names: the third number is 1-h, the loss probability in the bad
// state (the kernel keeps h), the fourth is 1-k, the loss probability in the
// good state. tc's defaults for the numbers left out (r = 100% - p,
// 1-h = 100%, 1-k = 0%) are applied by the parser (loss_model_text.h), never
// here: a model holds all four.
struct GilbertElliottLoss {
  double p = 0;
  double r = 100;
  double one_minus_h = 100;
  double one_minus_k = 0;
  bool operator==(const GilbertElliottLoss&) const = default;
};

// The 4-state Markov model ("GI", Salsano et al.): 1 transmitted in a gap,
// 2 transmitted in a burst, 3 lost in a burst, 4 an isolated loss. Transition
// probabilities in percent (tc's "state p13 p31 p32 p23 p14"); a packet is
// lost when the chain enters state 3 or 4. Defaults (parser only): p31 =
// 100% - p13, p32 = 0%, p23 = 100%, p14 = 0%.
struct FourStateLoss {
  double p13 = 0;
  double p31 = 100;
  double p32 = 0;
  double p23 = 100;
  double p14 = 0;
  bool operator==(const FourStateLoss&) const = default;
};

using LossModel = std::variant<GilbertElliottLoss, FourStateLoss>;

// netem's slots: packets leave only inside a slot, at most max_packets and
// max_bytes per slot (0: no limit), and the next slot opens after a random
// delay: uniform in [min_delay, max_delay], or, with a distribution,
// dist_delay +- dist_jitter shaped by that distribution's table. A crude
// model of MACs that deliver in bursts (Wi-Fi aggregation, LTE and DOCSIS
// grants).
struct SlotFault {
  std::chrono::nanoseconds min_delay{0};
  std::chrono::nanoseconds max_delay{0};
  DelayDistribution distribution = DelayDistribution::kUniform;  // else: the distribution form
  std::chrono::nanoseconds dist_delay{0};
  std::chrono::nanoseconds dist_jitter{0};
  uint32_t max_packets = 0;
  uint32_t max_bytes = 0;
  bool uses_distribution() const { return distribution != DelayDistribution::kUniform; }
  // The longest a packet can wait for its slot to open: the maximum delay, or
  // the distribution's delay plus 4 jitters (netem's tables end at 4 standard
  // deviations). What --max-delay and the netem queue limit count.
  std::chrono::nanoseconds longest_wait() const {
    return uses_distribution() ? dist_delay + 4 * dist_jitter : max_delay;
  }
  bool operator==(const SlotFault&) const = default;
};

// netem's own rate: every packet is held for its serialisation time at the
// rate, counted as (length + packet_overhead) bytes, or, with a cell size, as
// whole cells of (cell_size + cell_overhead) bytes (ATM: 48 + 5). Unlike the
// htb --rate there are no bursts and no tokens: a slow link, packet by packet.
struct LinkRateFault {
  uint64_t bits_per_second = 0;
  int32_t packet_overhead = 0;
  uint32_t cell_size = 0;
  int32_t cell_overhead = 0;
  bool operator==(const LinkRateFault&) const = default;
};

// Holds every matching packet (the plug qdisc) until the lease ends, then
// releases the backlog as one burst. At most limit_bytes are held (0: the
// default, plan::kJamDefaultLimitBytes); what does not fit is dropped and
// counted.
struct JamFault {
  uint32_t limit_bytes = 0;
  bool operator==(const JamFault&) const = default;
};

}  // namespace chaosnet::model
