// The fault model's enums and their names. They belong to the model
// (daemon/model/fault_spec.h) but live here because the CLI spells them too,
// and the names are shared by the CLI, the journal, tc's text and the daemon's
// messages: changing one changes what is on users' disks (daemon/state).
#pragma once

#include "common/enum_names.h"

namespace chaosnet::model {

// netem's delay distributions. kUniform is netem's default (no table).
enum class DelayDistribution { kUniform, kNormal, kPareto, kParetoNormal };
enum class Protocol { kAny, kTcp, kUdp, kIcmp };
enum class Direction { kEgress, kIngress, kBoth };

// Also the names of iproute2's table files (normal.dist, ...).
inline constexpr EnumNames<DelayDistribution, 4> kDelayDistributionNames{{
    {DelayDistribution::kUniform, "uniform"},
    {DelayDistribution::kNormal, "normal"},
    {DelayDistribution::kPareto, "pareto"},
    {DelayDistribution::kParetoNormal, "paretonormal"},
}};
inline constexpr EnumNames<Protocol, 4> kProtocolNames{{
    {Protocol::kAny, "any"},
    {Protocol::kTcp, "tcp"},
    {Protocol::kUdp, "udp"},
    {Protocol::kIcmp, "icmp"},
}};
inline constexpr EnumNames<Direction, 3> kDirectionNames{{
    {Direction::kEgress, "egress"},
    {Direction::kIngress, "ingress"},
    {Direction::kBoth, "both"},
}};

}  // namespace chaosnet::model
