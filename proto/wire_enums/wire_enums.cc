#include "proto/wire_enums/wire_enums.h"

namespace chaosnet::wire {

using model::DelayDistribution;
using model::Direction;
using model::Protocol;

v1::DelayDistribution ToProto(DelayDistribution d) {
  switch (d) {
    case DelayDistribution::kUniform: return v1::DELAY_DISTRIBUTION_UNSPECIFIED;
    case DelayDistribution::kNormal: return v1::DELAY_DISTRIBUTION_NORMAL;
    case DelayDistribution::kPareto: return v1::DELAY_DISTRIBUTION_PARETO;
    case DelayDistribution::kParetoNormal: return v1::DELAY_DISTRIBUTION_PARETONORMAL;
  }
  return v1::DELAY_DISTRIBUTION_UNSPECIFIED;
}

v1::Direction ToProto(Direction d) {
  switch (d) {
    case Direction::kEgress: return v1::DIRECTION_EGRESS;
    case Direction::kIngress: return v1::DIRECTION_INGRESS;
    case Direction::kBoth: return v1::DIRECTION_BOTH;
  }
  return v1::DIRECTION_UNSPECIFIED;
}

v1::Protocol ToProto(Protocol p) {
  switch (p) {
    case Protocol::kAny: return v1::PROTOCOL_UNSPECIFIED;
    case Protocol::kTcp: return v1::PROTOCOL_TCP;
    case Protocol::kUdp: return v1::PROTOCOL_UDP;
    case Protocol::kIcmp: return v1::PROTOCOL_ICMP;
  }
  return v1::PROTOCOL_UNSPECIFIED;
}

std::optional<DelayDistribution> FromProto(v1::DelayDistribution d) {
  switch (d) {
    case v1::DELAY_DISTRIBUTION_UNSPECIFIED: return DelayDistribution::kUniform;
    case v1::DELAY_DISTRIBUTION_NORMAL: return DelayDistribution::kNormal;
    case v1::DELAY_DISTRIBUTION_PARETO: return DelayDistribution::kPareto;
    case v1::DELAY_DISTRIBUTION_PARETONORMAL: return DelayDistribution::kParetoNormal;
    default: return std::nullopt;
  }
}

std::optional<Direction> FromProto(v1::Direction d) {
  switch (d) {
    case v1::DIRECTION_UNSPECIFIED:
    case v1::DIRECTION_EGRESS: return Direction::kEgress;
    case v1::DIRECTION_INGRESS: return Direction::kIngress;
    case v1::DIRECTION_BOTH: return Direction::kBoth;
    default: return std::nullopt;
  }
}

std::optional<Protocol> FromProto(v1::Protocol p) {
  switch (p) {
    case v1::PROTOCOL_UNSPECIFIED: return Protocol::kAny;
    case v1::PROTOCOL_TCP: return Protocol::kTcp;
    case v1::PROTOCOL_UDP: return Protocol::kUdp;
    case v1::PROTOCOL_ICMP: return Protocol::kIcmp;
    default: return std::nullopt;
  }
}

}  // namespace chaosnet::wire
