// The fault a user asked for, independent of how it is encoded for the kernel.
// Pure data: validated by model/validate.h, compiled into qdiscs by plan/.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/fault_enums.h"
#include "daemon/model/link_model.h"
#include "daemon/program/program_spec.h"

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

  // fleet (feature cidr-sets): several destinations or sources. A packet
  // matches a set when its address is in any of its CIDRs (OR); the sets,
  // ports and protocol are ANDed. A set may mix IPv4 and IPv6: a family is
  // matched only if every given set (dst or dst_cidrs, src or src_cidrs) has
  // members of it. Never together with the singular field of the same side.
  std::vector<Cidr> dst_cidrs;
  std::vector<Cidr> src_cidrs;

  bool empty() const {
    return !dst && !src && !dport && !sport && protocol == Protocol::kAny && dst_cidrs.empty() &&
           src_cidrs.empty();
  }
  bool operator==(const Match&) const = default;
};

// guards (feature "guards"): steady-state checks the daemon runs while the
// fault is active, halting it when one fails (daemon/guard/ parses, checks and
// runs them). The schedule is kept as given; unset parts take the defaults of
// guard::ResolveSchedule when the guards are armed.
struct GuardSet {
  std::vector<std::string> checks;  // "tcp:10.0.0.5:80", "drops<5%", ...
  std::optional<Nanos> interval;
  std::optional<Nanos> timeout;
  std::optional<uint32_t> failures;  // in a row, before the fault is halted
  std::optional<Nanos> grace;        // after apply, before the first check

  bool empty() const { return checks.empty() && !interval && !timeout && !failures && !grace; }
  bool operator==(const GuardSet&) const = default;
};

// fleet (feature fault-exemptions): a set of packets in the shape of the
// daemon's --protect rules (plan/protected_traffic.h parses and compiles
// them): with ports, a packet whose sport OR dport is in them (tcp or udp, or
// the given protocol); with a cidr, one whose src OR dst is in it; with both,
// both. A rule with neither is invalid.
struct TrafficRule {
  std::optional<Cidr> cidr;
  std::optional<PortRange> ports;
  Protocol protocol = Protocol::kAny;
  bool operator==(const TrafficRule&) const = default;
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

  // guards (feature "guards")
  GuardSet guards;
  // ---- link models (issue 18; link_model.h) ----
  std::optional<LossModel> loss_model;  // instead of `loss`
  bool ecn = false;                     // mark CE instead of dropping (needs a loss)
  std::optional<SlotFault> slot;
  std::optional<LinkRateFault> link_rate;
  bool in_order = false;  // jitter without reordering (netem's rate mode)
  std::optional<JamFault> jam;
  std::string profile;  // the named profile the impairments came from, if any
  // netem's TCA_NETEM_PRNG_SEED (Linux 6.6): the same seed, the same draws.
  std::optional<uint64_t> netem_seed;

  // fleet (feature fault-exemptions): packets this fault never touches, e.g.
  // the fleet's daemon endpoints, so an experiment never cuts its own control
  // plane. They go out unaffected ("direct") when they reach this fault's
  // filter (plan/exemptions.h).
  std::vector<TrafficRule> exemptions;

  // programs: how the parameters above change over the lease (program/).
  std::optional<program::Program> program;

  bool operator==(const FaultSpec&) const = default;

  bool needs_netem() const {
    return delay || loss || duplicate || corrupt || reorder || partition || loss_model || slot ||
           link_rate || in_order || (program && program->SetsNetem());
  }
};

}  // namespace chaosnet::model
