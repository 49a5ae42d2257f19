// RTM_NEWQDISC for a netem qdisc, byte for byte what iproute2 6.1's
// `tc qdisc add ... netem ...` sends (tests/netlink/fixtures hold the proof):
//
//   nlmsghdr  RTM_NEWQDISC, REQUEST|ACK|CREATE|EXCL
//   tcmsg     ifindex, handle, parent
//   TCA_KIND        "netem\0" (padded to 12)
//   TCA_OPTIONS     NOT flagged nested; nla_len covers all of:
//     struct tc_netem_qopt   latency(ticks) limit loss gap duplicate jitter(ticks)
//     TCA_NETEM_LATENCY64    s64 ns   only when the delay does not fit 32-bit ticks
//     TCA_NETEM_JITTER64     s64 ns   (same; tc 6.1 never sends them and refuses
//                                       such delays, the kernel accepts both)
//     TCA_NETEM_CORR         delay/loss/duplicate correlation, if any correlation
//                            is set (even only reorder's or corrupt's, as tc does)
//     TCA_NETEM_REORDER      probability, correlation, if reorder is set
//     TCA_NETEM_ECN          u32 1, if ecn
//     TCA_NETEM_CORRUPT      probability, correlation, if corrupt is set
//     TCA_NETEM_SLOT         struct tc_netem_slot (ns, packets, bytes), if slots
//     TCA_NETEM_LOSS         NESTED (flagged): NETEM_LOSS_GE tc_netem_gemodel
//                            or NETEM_LOSS_GI tc_netem_gimodel, if a loss model
//     TCA_NETEM_RATE64       u64 bytes/s, only from 2^32 bytes/s (then RATE's is ~0)
//     TCA_NETEM_RATE         struct tc_netem_rate, if a rate
//     TCA_NETEM_PRNG_SEED    u64, if a seed (Linux 6.6; kTcaNetemPrngSeed)
//     TCA_NETEM_DELAY_DIST   s16[4096] table, if a distribution is chosen
//     TCA_NETEM_SLOT_DIST    s16[4096] table, if the slots follow a distribution
//
// Probabilities are rint(p / 100 * UINT32_MAX), except gemodel's h, which is
// UINT32_MAX - rint((1-h) * UINT32_MAX) as tc computes it from its "1-h";
// ticks are 64 ns (tc_math.h).
//
// A pure function of the full parameter set: the same NetemQdisc always gives
// the same bytes, whether it creates a leaf or (with other flags) changes one.
#pragma once

#include "common/result.h"
#include "daemon/netlink/distribution_tables.h"
#include "daemon/netlink/nl_message.h"
#include "daemon/netlink/qdisc_requests.h"
#include "daemon/plan/qdisc_plan.h"

namespace chaosnet::netlink {

// INVALID_ARGUMENT for what tc itself refuses (reorder without delay, a gap
// without reorder, a distribution without delay and jitter, two losses, ecn
// without a loss, a slot distribution without jitter);
// FAILED_PRECONDITION when a distribution's table was not loaded.
Result<NlMessage> EncodeNetemAdd(const QdiscTarget& target, const plan::NetemQdisc& netem,
                                 const DistributionTables& tables);

// `tc qdisc change` of an existing netem (a program's step): the same request
// with flags REQUEST|ACK only, so the kernel changes the qdisc in place and
// keeps the packets it holds. netem's change keeps every attribute a request
// leaves out, so this one always carries the complete parameter set, the
// correlations, reorder and corrupt attributes included (zeros when unused),
// and every attribute added to the encoder must do the same in a change. The
// one exception is the delay distribution table: it is never sent, so the
// table the qdisc was created with stays (a change cannot take it away).
Result<NlMessage> EncodeNetemChange(const QdiscTarget& target, const plan::NetemQdisc& netem);

// netem without a gap never reorders (every packet waits its delay), so tc
// sends gap 1 when only a reorder probability is given. This is the value the
// kernel then holds and reports back.
uint32_t EffectiveNetemGap(const plan::NetemQdisc& netem);

}  // namespace chaosnet::netlink
