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

uint32_t HostSubBucket(const model::Cidr& host) {
  return host.address[HostFamily(host) == IpFamily::kIpv6 ? 14 : 2];
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
uint32_t Level2Id(const model::Cidr& host) {
  const IpFamily family = HostFamily(host);
  return (family == IpFamily::kIpv6 ? kHostLevel2BaseIpv6 : kHostLevel2BaseIpv4) + HostBucket(host);
}
// The destination's last word: both levels hash a byte of it.
int32_t LastWord(IpFamily family) {
  return family == IpFamily::kIpv6 ? kIpv6DstOffset + 12 : kIpv4DstOffset;
}
}  // namespace

U32HashTable HostHashTable(IpFamily family, uint32_t parent) {
  return U32HashTable{parent, HostHashPriority(family), ProtocolOf(family),
                      U32Handle(TableId(family), 0, 0), kHostHashDivisor};
}

U32HashLink HostHashLink(IpFamily family, uint32_t parent) {
  // The last byte of the destination: the low byte of its last word.
  U32HashLink link{parent, HostHashPriority(family), ProtocolOf(family)};
  link.table = U32Handle(TableId(family), 0, 0);
  link.hash_mask = 0x000000FFu;
  link.hash_offset = LastWord(family);
  return link;
}

U32HashTable HostLevel2Table(const model::Cidr& host, uint32_t parent) {
  const IpFamily family = HostFamily(host);
  return U32HashTable{parent, HostHashPriority(family), ProtocolOf(family),
                      U32Handle(Level2Id(host), 0, 0), kHostHashDivisor};
}

U32HashLink HostLevel2Link(const model::Cidr& host, uint32_t parent) {
  // The byte before the last: the second lowest byte of the last word.
  const IpFamily family = HostFamily(host);
  U32HashLink link{parent, HostHashPriority(family), ProtocolOf(family)};
  link.handle = U32Handle(TableId(family), HostBucket(host), 1);
  link.table = U32Handle(Level2Id(host), 0, 0);
  link.hash_mask = 0x0000FF00u;
  link.hash_offset = LastWord(family);
  return link;
}

namespace {
// A host of the node's level-2 table: only its family and last byte count.
model::Cidr HostOf(const U32Node& node) {
  model::Cidr host;
  const uint32_t id = node.handle >> 20;
  if (node.protocol == FilterProtocol::kIpv6) {
    host.family = AF_INET6;
    host.prefix_length = 128;
    host.address[15] = static_cast<uint8_t>(id - kHostLevel2BaseIpv6);
  } else {
    host.family = AF_INET;
    host.prefix_length = 32;
    host.address[3] = static_cast<uint8_t>(id - kHostLevel2BaseIpv4);
  }
  return host;
}
}  // namespace

U32HashTable HostLevel2TableOf(const U32Node& node) {
  return HostLevel2Table(HostOf(node), node.parent);
}
U32HashLink HostLevel2LinkOf(const U32Node& node) {
  return HostLevel2Link(HostOf(node), node.parent);
}

uint32_t HostNodeHandle(const model::Cidr& host, uint32_t node) {
  return U32Handle(Level2Id(host), HostSubBucket(host), node);
}

}  // namespace chaosnet::plan
