// The fault a user asked for, independent of how it is encoded for the kernel.
// Pure data: validated by model/validate.h, compiled into qdiscs by plan/.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "common/fault_enums.h"
#include "daemon/model/link_model.h"

namespace chaosnet::model {

using Nanos = std::chrono::nanoseconds;

// DelayDistribution, Protocol and Direction: common/fault_enums.h.

struct DelayFault {
  Nanos latency{0};
  Nanos jitter{0};
  double correlation_percent = 0;  // 0..100
  DelayDistribution distribution = DelayDistribution::kUniform;
  bool operator==(const DelayFault&) const = default;
};

// loss, duplicate and corrupt share this shape: a probability and its correlation.
struct ProbabilityFault {
  double percent = 0;              // 0..100
  double correlation_percent = 0;  // 0..100
  bool operator==(const ProbabilityFault&) const = default;
};

struct ReorderFault {
  double percent = 0;  // packets sent at once; the rest get DelayFault::latency
  double correlation_percent = 0;
  uint32_t gap = 0;  // netem "gap": reorder every gap-th packet instead
  bool operator==(const ReorderFault&) const = default;
};

struct RateFault {
  uint64_t bits_per_second = 0;
  bool operator==(const RateFault&) const = default;
};

struct Cidr {
  int family = 0;  // AF_INET or AF_INET6
  std::array<uint8_t, 16> address{};
  uint8_t prefix_length = 0;
  bool operator==(const Cidr&) const = default;
};

struct PortRange {
  uint16_t first = 0;
  uint16_t last = 0;  // inclusive; == first for a single port
  bool operator==(const PortRange&) const = default;
};

// Which packets a fault applies to. Empty = the whole interface.
struct Match {
  std::optional<Cidr> dst;
  std::optional<Cidr> src;
  std::optional<PortRange> dport;
  std::optional<PortRange> sport;
  Protocol protocol = Protocol::kAny;

  bool empty() const { return !dst && !src && !dport && !sport && protocol == Protocol::kAny; }
  bool operator==(const Match&) const = default;
};

struct FaultSpec {
  std::string interface;
  std::string netns;  // empty: the daemon's own namespace
  Direction direction = Direction::kEgress;
  Match match;

  std::optional<DelayFault> delay;
  std::optional<ProbabilityFault> loss;
  std::optional<ProbabilityFault> duplicate;
  std::optional<ProbabilityFault> corrupt;
  std::optional<ReorderFault> reorder;
  std::optional<RateFault> rate;
  bool partition = false;  // drop every matching packet

  std::optional<uint32_t> queue_limit;  // netem limit in packets; derived when absent

  // ---- link models (issue 18; link_model.h) ----
  std::optional<LossModel> loss_model;  // instead of `loss`
  bool ecn = false;                     // mark CE instead of dropping (needs a loss)
  std::optional<SlotFault> slot;
  std::optional<LinkRateFault> link_rate;
  bool in_order = false;  // jitter without reordering (netem's rate mode)
  std::optional<JamFault> jam;
  std::string profile;  // the named profile the impairments came from, if any

  bool operator==(const FaultSpec&) const = default;

  bool needs_netem() const {
    return delay || loss || duplicate || corrupt || reorder || partition || loss_model || slot ||
           link_rate || in_order;
  }
};

}  // namespace chaosnet::model
