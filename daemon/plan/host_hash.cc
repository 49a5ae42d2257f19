#include "daemon/plan/host_hash.h"

#include <sys/socket.h>

#include "daemon/plan/match_compiler.h"

namespace chaosnet::plan {

std::optional<model::Cidr> HashedHost(const model::FaultSpec& spec) {
  if (spec.match.empty() || !spec.exemptions.empty()) return std::nullopt;
  const std::vector<model::Cidr> destinations = Destinations(spec.match);
  if (destinations.size() != 1) return std::nullopt;
  const model::Cidr& d = destinations.front();
  const int full = d.family == AF_INET6 ? 128 : 32;
  if (d.prefix_length != full) return std::nullopt;
  return d;
}

IpFamily HostFamily(const model::Cidr& host) {
  return host.family == AF_INET6 ? IpFamily::kIpv6 : IpFamily::kIpv4;
}

uint32_t HostBucket(const model::Cidr& host) {
  return host.address[HostFamily(host) == IpFamily::kIpv6 ? 15 : 3];
}

uint16_t HostHashPriority(IpFamily family) {
  return family == IpFamily::kIpv6 ? kHostHashPriority + 1 : kHostHashPriority;
}

namespace {
FilterProtocol ProtocolOf(IpFamily family) {
  return family == IpFamily::kIpv6 ? FilterProtocol::kIpv6 : FilterProtocol::kIp;
}
uint32_t TableId(IpFamily family) {
  return family == IpFamily::kIpv6 ? kHostHashTableIdIpv6 : kHostHashTableIdIpv4;
}
}  // namespace

U32HashTable HostHashTable(IpFamily family, uint32_t parent) {
  return U32HashTable{parent, HostHashPriority(family), ProtocolOf(family),
                      U32Handle(TableId(family), 0, 0), kHostHashDivisor};
}

U32HashLink HostHashLink(IpFamily family, uint32_t parent) {
  // The last byte of the destination: the low byte of its last word.
  const int32_t last_word = family == IpFamily::kIpv6 ? kIpv6DstOffset + 12 : kIpv4DstOffset;
  return U32HashLink{parent,
                     HostHashPriority(family),
                     ProtocolOf(family),
                     U32Handle(TableId(family), 0, 0),
                     0x000000FFu,
                     last_word};
}

uint32_t HostNodeHandle(const model::Cidr& host, uint32_t node) {
  return U32Handle(TableId(HostFamily(host)), HostBucket(host), node);
}

}  // namespace chaosnet::plan
