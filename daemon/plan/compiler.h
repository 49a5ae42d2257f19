// The parameters of a fault's qdiscs, derived from one validated FaultSpec:
// its netem leaf (impairments and a queue limit sized for the delay) and the
// bucket of its rate limit. Pure: no kernel, no clock; the same spec always
// gives the same parameters. Where they go in the tree: interface_tree.h.
#pragma once

#include <cstdint>

#include "daemon/model/fault_spec.h"
#include "daemon/plan/qdisc_plan.h"

namespace chaosnet::plan {

// ---- netem queue limit (the "fidelity" rule) -------------------------------
// netem holds every delayed packet in its own queue, 1000 packets by default.
// At 100ms and 10,000 packets/s that is already full, and netem then DROPS
// the excess: a "delay" fault silently becomes a loss fault. So the limit is
// sized to hold everything in flight during the longest delay, with margin:
//
//   limit = ceil(pps * (latency + 4 * jitter) * 1.5), clamped to
//           [kNetemMinLimit, kNetemMaxLimit]
//
// - pps, the packet rate we must absorb, is unknown in advance. Without a
//   rate fault we assume kAssumedMaxPps = 100,000 packets/s (about 1.2 Gbit/s
//   of 1500-byte packets), more than a test host usually pushes through one
//   interface. With a rate fault the interface can send at most
//   rate_bytes/64 packets/s (64 bytes: a minimum Ethernet frame), still
//   capped at kAssumedMaxPps.
// - latency + 4 * jitter covers practically all of the delay distribution
//   (beyond 4 sigma of normal; pareto tails are capped by netem's table).
// - x1.5 is headroom for bursts above the average rate.
// - Never below netem's own default of 1000 (small delays keep the familiar
//   behaviour), never above 2^20 packets (about 1.5 GB of full-size packets;
//   memory is only used while packets are actually queued).
// - A --link-rate bounds pps like a rate fault does, and a slot adds the
//   longest wait for a slot to open to the window (SlotFault::longest_wait).
// reorder and duplicate do not change the limit: reordered packets skip the
// queue, and duplicates are within the 1.5 margin.
// An explicit spec.queue_limit (--limit) always wins.
inline constexpr uint32_t kNetemMinLimit = 1000;
inline constexpr uint32_t kNetemMaxLimit = 1u << 20;
inline constexpr uint64_t kAssumedMaxPps = 100'000;
inline constexpr uint64_t kMinFrameBytes = 64;

uint32_t NetemQueueLimit(const model::FaultSpec& spec);

// ---- tbf sizing ------------------------------------------------------------
// A fault's htb class takes its rate and burst from here (FaultClass in
// interface_tree.h); the limit is what a tbf of that rate would queue.
// burst: the bucket must hold at least one full frame or tbf can never send
// it, and a bucket of 10 ms of traffic keeps the rate smooth without letting
// long bursts through. kMinBurstBytes = 3200 is two full-size Ethernet frames
// with headers (2 x 1514 = 3028), rounded up; it is also what tc users
// commonly pick for low rates.
// limit: tbf's own fifo. 100 ms worth of traffic behind the bucket is enough
// to absorb bursts; beyond that tbf drops, which is what a bandwidth limit
// should do rather than build an ever longer queue. It never goes below
// burst + two full frames, so a few packets can always wait.
// Both are u32 in the kernel's tc_tbf_qopt world, hence the caps.
inline constexpr uint32_t kMinBurstBytes = 3200;
inline constexpr uint32_t kTwoFullFramesBytes = 2 * 1514;

TbfQdisc TbfForRate(uint64_t bits_per_second);

// netem's parameters for a spec's impairments (delay, loss, duplicate,
// corrupt, reorder, partition as 100% loss, the link models), with the queue
// limit above. The --rate is not netem's: it belongs to the htb class above
// it (netem's own rate is --link-rate's).
NetemQdisc NetemForFault(const model::FaultSpec& spec);

}  // namespace chaosnet::plan
