// The link models of a validated FaultSpec (model/link_model.h) in the
// kernel's terms: netem's loss model, ECN, slot and rate, and the plug leaf
// of a jam. Pure; NetemForFault (compiler.h) calls AddLinkModels.
#pragma once

#include <chrono>
#include <cstdint>

#include "daemon/model/fault_spec.h"
#include "daemon/plan/qdisc_plan.h"

namespace chaosnet::plan {

// ---- --in-order --------------------------------------------------------------
// netem reorders jittered packets because it sends each at its own random
// time (its queue is ordered by time to send). The one thing in the 6.1
// kernel that keeps order is netem's rate mode: with a rate, every packet's
// time to send starts from the previous packet's (sch_netem.c,
// netem_enqueue: "Last packet in queue is reference point"), so no packet
// can overtake. A pfifo child under netem, the old advice, does not help: a
// packet reaches the child only at its own time to send. Measured in the
// guest (README, "Link models and profiles").
//
// Without a --link-rate, --in-order turns the rate mode on with a rate far
// above any link a test host drives, 100 Gbit/s: a full-size frame's
// serialisation is 0.12 us, so the rate itself costs nothing measurable.
// The cost is the order: a packet whose jitter came out short waits for the
// one before it, so under load delays bunch up towards latency + jitter.
inline constexpr uint64_t kInOrderRateBytesPerSecond = 100'000'000'000ULL / 8;

// ---- jam ---------------------------------------------------------------------
// The plug qdisc's queue: 16 MiB of packets (about 11,000 full-size frames),
// so a jam of tens of seconds holds what a few TCP connections keep in
// flight (their windows, then their retransmissions), while a UDP flood
// into a jam cannot take the host's memory: beyond the limit the plug drops,
// and the drops are the fault's. The kernel's own default (txqueuelen x MTU)
// would be 48 KB on an IFB device. --queue-bytes (JamFault::limit_bytes)
// overrides it.
inline constexpr uint32_t kJamDefaultLimitBytes = 16u << 20;
// At the end of a jam's lease the plug is released and the daemon waits at
// most this long for the backlog to leave before removing the fault's class
// (deleting a class drops what it still holds).
inline constexpr std::chrono::milliseconds kJamDrainWait{1000};

// Sets the netem fields of the spec's loss model, ECN, slot, link rate and
// in-order (tc_objects.h's NetemQdisc).
void AddLinkModels(const model::FaultSpec& spec, NetemQdisc* netem);

PlugQdisc PlugForJam(const model::JamFault& jam);

}  // namespace chaosnet::plan
