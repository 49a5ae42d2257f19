// Qdisc handles and the parameters of the qdiscs chaosnet creates, in the
// units the kernel wants. Pure data; netlink/ encodes it, tc_objects.h puts it
// into trees.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

#include "daemon/model/fault_spec.h"

namespace chaosnet::plan {

// The root qdisc of every tree chaosnet builds carries a handle major in this
// range. It is the marker that lets `chaosnetd --cleanup` find leftovers
// without the state file, and the ownership test before a root is deleted.
inline constexpr uint16_t kOwnedMajorFirst = 0xCA00;
inline constexpr uint16_t kOwnedMajorLast = 0xCAFF;

constexpr uint32_t MakeHandle(uint16_t major, uint16_t minor) {
  return (static_cast<uint32_t>(major) << 16) | minor;
}
constexpr uint16_t HandleMajor(uint32_t handle) { return static_cast<uint16_t>(handle >> 16); }
constexpr bool IsOwnedHandle(uint32_t handle) {
  return HandleMajor(handle) >= kOwnedMajorFirst && HandleMajor(handle) <= kOwnedMajorLast;
}

inline constexpr uint32_t kRootParent = 0xFFFFFFFFu;  // TC_H_ROOT

// netem's own rate (TCA_NETEM_RATE, and TCA_NETEM_RATE64 from 2^32 bytes/s):
// each packet waits its serialisation time. 0 bytes/s: no rate.
struct NetemRate {
  uint64_t bytes_per_second = 0;
  int32_t packet_overhead = 0;
  uint32_t cell_size = 0;
  int32_t cell_overhead = 0;
  bool operator==(const NetemRate&) const = default;
};

// Parameters in the units the kernel wants, already derived and clamped.
struct NetemQdisc {
  uint32_t limit = 1000;  // packets
  std::chrono::nanoseconds latency{0};
  std::chrono::nanoseconds jitter{0};
  double delay_correlation = 0;  // percent 0..100
  model::DelayDistribution distribution = model::DelayDistribution::kUniform;
  double loss = 0, loss_correlation = 0;
  double duplicate = 0, duplicate_correlation = 0;
  double corrupt = 0, corrupt_correlation = 0;
  double reorder = 0, reorder_correlation = 0;
  uint32_t gap = 0;
  // Link models (issue 18), with model/link_model.h's meaning: a loss model
  // instead of `loss`, ECN marking of what a loss would drop, slots, rate.
  std::optional<model::LossModel> loss_model;
  bool ecn = false;
  std::optional<model::SlotFault> slot;
  NetemRate rate;
  // TCA_NETEM_PRNG_SEED (Linux 6.6); none: the kernel draws a random seed.
  std::optional<uint64_t> seed;
  bool operator==(const NetemQdisc&) const = default;
};

// The plug qdisc, a jam's leaf: it holds every packet from its creation until
// it is told to release (sch_plug.c). It has no dump of its own, so nothing
// but its kind and counters can be read back.
struct PlugQdisc {
  uint32_t limit_bytes = 0;  // what it may hold; beyond that it drops
  bool operator==(const PlugQdisc&) const = default;
};

// tbf is not part of any tree: the kernel probe adds one to see that tbf is
// there, and an htb class's bucket is sized like a tbf's (compiler.h).
struct TbfQdisc {
  uint64_t rate_bytes_per_second = 0;
  uint32_t burst_bytes = 0;  // bucket size
  uint32_t limit_bytes = 0;  // queue size of tbf's own fifo
  bool operator==(const TbfQdisc&) const = default;
};

}  // namespace chaosnet::plan
