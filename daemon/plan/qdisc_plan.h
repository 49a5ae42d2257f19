// What the kernel must hold for a set of faults on one interface: qdiscs in the
// order they are created (parents first). Pure data; netlink/ encodes it.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "daemon/model/fault_spec.h"

namespace chaosnet::plan {

// Every qdisc chaosnet creates carries a handle major in this range. It is the
// marker that lets `chaosnetd --cleanup` find leftovers without the state file,
// and the ownership test before anything is deleted.
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
  bool operator==(const NetemQdisc&) const = default;
};

struct TbfQdisc {
  uint64_t rate_bytes_per_second = 0;
  uint32_t burst_bytes = 0;  // bucket size
  uint32_t limit_bytes = 0;  // queue size of tbf's own fifo
  bool operator==(const TbfQdisc&) const = default;
};

struct QdiscNode {
  uint32_t handle = 0;
  uint32_t parent = kRootParent;
  std::variant<NetemQdisc, TbfQdisc> params;
  bool operator==(const QdiscNode&) const = default;
};

struct InterfacePlan {
  std::vector<QdiscNode> qdiscs;  // parents first; qdiscs[0] is the root
  uint32_t root_handle() const { return qdiscs.empty() ? 0 : qdiscs.front().handle; }
};

}  // namespace chaosnet::plan
