// What a loss model means in the long run: the fraction of packets it loses
// (what --max-loss compares) and the mean length of a run of lost packets.
// Closed forms, derived from the kernel's own generators (sch_netem.c,
// loss_gilb_ell and loss_4state), and checked against a simulation of them in
// tests/model/loss_rate_test.cc. Pure.
//
// Gilbert-Elliott. Packet n is lost with the loss probability of the state
// S(n) it meets (a = 1-k in good, b = 1-h in bad); independently, the state
// for packet n+1 is drawn (good -> bad with p, bad -> good with r). So
//   pi_bad = p / (p + r),  pi_good = r / (p + r)          (p + r > 0)
//   loss   = pi_good * a + pi_bad * b
// and, since a burst ends at a lost packet followed by a delivered one,
//   P(lost, then delivered) = pi_good * a * ((1-p)(1-a) + p(1-b))
//                           + pi_bad  * b * (r(1-a) + (1-r)(1-b))
//   mean burst = loss / P(lost, then delivered).
// With p = r = 0 the chain stays in the good state: loss = a.
//
// 4-state. The packet is lost when the chain ENTERS state 3 (burst loss) or 4
// (isolated loss); transitions 1->3 p13, 1->4 p14, 3->1 p31, 3->2 p32,
// 2->3 p23, 4->1 always. Balancing the flows between the states gives the
// long-run weights (relative to state 1, where the kernel starts):
//   w1 = 1,  w4 = p14,  w3 = p13 / p31,  w2 = w3 * p32 / p23
//   loss = (w3 + w4) / (w1 + w2 + w3 + w4)
//   mean burst = (w3 + w4) / (w3 * (p31 + p32) + w4)
// with the chain's traps handled apart: p13 = 0 never leaves {1, 4};
// p31 = 0 ends in {2, 3} (loss p23 / (p23 + p32)); p23 = 0 with p32 > 0
// ends in 2 (no loss).
#pragma once

#include <limits>

#include "daemon/model/link_model.h"

namespace chaosnet::model {

// Percent, 0..100.
double StationaryLossPercent(const GilbertElliottLoss& ge);
double StationaryLossPercent(const FourStateLoss& gi);
double StationaryLossPercent(const LossModel& model);

// Packets per run of consecutive losses, in the long run; 0 when the model
// loses nothing, infinity when a run never ends (a trap in a loss state).
double MeanLossBurstPackets(const GilbertElliottLoss& ge);
double MeanLossBurstPackets(const FourStateLoss& gi);
double MeanLossBurstPackets(const LossModel& model);

inline constexpr double kEndlessBurst = std::numeric_limits<double>::infinity();

}  // namespace chaosnet::model
