#include "daemon/plan/match_compiler.h"

#include <sys/socket.h>

#include <algorithm>
#include <optional>

#include "common/net_parse.h"

namespace chaosnet::plan {
namespace {

using model::Protocol;
using Alternatives = std::vector<std::vector<U32Field>>;

IpFamily FamilyOf(const model::Cidr& cidr) {
  return cidr.family == AF_INET6 ? IpFamily::kIpv6 : IpFamily::kIpv4;
}

const char* FamilyName(IpFamily family) { return family == IpFamily::kIpv4 ? "IPv4" : "IPv6"; }

bool HasPorts(const model::Match& m) { return m.sport.has_value() || m.dport.has_value(); }

Alternatives PortAlternatives(const model::PortRange& range, int32_t offset) {
  Alternatives out;
  for (const PortBlock& block : SplitPortRange(range)) {
    out.push_back({Field16(offset, block.value, block.mask)});
  }
  return out;
}

// Bit set over {tcp, udp, icmp, other}: what a match lets through.
enum ProtoBits : unsigned { kTcpBit = 1, kUdpBit = 2, kIcmpBit = 4, kOtherBit = 8 };

unsigned ProtocolSet(const model::Match& m) {
  switch (m.protocol) {
    case Protocol::kTcp: return kTcpBit;
    case Protocol::kUdp: return kUdpBit;
    case Protocol::kIcmp: return kIcmpBit;
    case Protocol::kAny:
      return HasPorts(m) ? (kTcpBit | kUdpBit) : (kTcpBit | kUdpBit | kIcmpBit | kOtherBit);
  }
  return 0;
}

unsigned FamilySet(const model::Match& m) {
  unsigned set = 3;  // bit 0 IPv4, bit 1 IPv6
  for (const auto* cidr : {&m.dst, &m.src}) {
    if (*cidr) set &= FamilyOf(**cidr) == IpFamily::kIpv4 ? 1u : 2u;
  }
  return set;
}

// Two prefixes share an address iff the shorter one contains the longer.
bool CidrsIntersect(const model::Cidr& a, const model::Cidr& b) {
  if (a.family != b.family) return false;
  const int bits = std::min(a.prefix_length, b.prefix_length);
  for (int i = 0; i < bits / 8; ++i) {
    if (a.address[i] != b.address[i]) return false;
  }
  if (bits % 8 != 0) {
    const uint8_t mask = static_cast<uint8_t>(0xFF << (8 - bits % 8));
    if ((a.address[bits / 8] ^ b.address[bits / 8]) & mask) return false;
  }
  return true;
}

bool OptionalCidrsIntersect(const std::optional<model::Cidr>& a,
                            const std::optional<model::Cidr>& b) {
  return !a || !b || CidrsIntersect(*a, *b);
}

bool OptionalRangesIntersect(const std::optional<model::PortRange>& a,
                             const std::optional<model::PortRange>& b) {
  return !a || !b || (a->first <= b->last && b->first <= a->last);
}

}  // namespace

Result<std::vector<IpFamily>> MatchFamilies(const model::Match& match) {
  if (match.dst && match.src && match.dst->family != match.src->family) {
    return InvalidArgument("match: --dst " + FormatCidr(*match.dst) + " and --src " +
                           FormatCidr(*match.src) +
                           " are of different address families; a packet is IPv4 or IPv6, "
                           "so give both as IPv4 or both as IPv6");
  }
  const auto& cidr = match.dst ? match.dst : match.src;
  if (cidr) return std::vector<IpFamily>{FamilyOf(*cidr)};
  return std::vector<IpFamily>{IpFamily::kIpv4, IpFamily::kIpv6};
}

Result<std::vector<U32Rule>> CompileMatchRules(const model::Match& match, IpFamily family) {
  const bool v4 = family == IpFamily::kIpv4;
  if (match.protocol == Protocol::kIcmp && HasPorts(match)) {
    return InvalidArgument(
        "match: --proto icmp cannot be combined with --sport/--dport (ICMP has no ports); "
        "drop the ports or use --proto tcp/udp");
  }

  std::vector<Alternatives> dims;
  switch (match.protocol) {
    case Protocol::kTcp: dims.push_back({{ProtocolField(family, kIpProtoTcp)}}); break;
    case Protocol::kUdp: dims.push_back({{ProtocolField(family, kIpProtoUdp)}}); break;
    case Protocol::kIcmp:
      dims.push_back({{ProtocolField(family, v4 ? kIpProtoIcmp : kIpProtoIcmpv6)}});
      break;
    case Protocol::kAny:
      if (HasPorts(match)) {
        dims.push_back(
            {{ProtocolField(family, kIpProtoTcp)}, {ProtocolField(family, kIpProtoUdp)}});
      }
      break;
  }
  if (match.sport) {
    dims.push_back(PortAlternatives(*match.sport, v4 ? kIpv4SportOffset : kIpv6SportOffset));
  }
  if (match.dport) {
    dims.push_back(PortAlternatives(*match.dport, v4 ? kIpv4DportOffset : kIpv6DportOffset));
  }
  if (match.src && FamilyOf(*match.src) == family) {
    dims.push_back({PrefixFields(*match.src, v4 ? kIpv4SrcOffset : kIpv6SrcOffset)});
  }
  if (match.dst && FamilyOf(*match.dst) == family) {
    dims.push_back({PrefixFields(*match.dst, v4 ? kIpv4DstOffset : kIpv6DstOffset)});
  }

  const size_t count = CrossProductSize(dims);
  if (count > kMaxRulesPerFamily) {
    return InvalidArgument("match: the port ranges need " + std::to_string(count) + " " +
                           FamilyName(family) + " filter rules, more than the " +
                           std::to_string(kMaxRulesPerFamily) +
                           " allowed; narrow the --sport/--dport range (ranges aligned to "
                           "powers of two, e.g. 8192-8447, need the fewest)");
  }
  return CrossProduct(dims);
}

Result<std::vector<U32Classifier>> CompileMatch(const model::Match& match, uint32_t parent,
                                                uint16_t priority, uint32_t flowid) {
  ASSIGN_OR_RETURN(const std::vector<IpFamily> families, MatchFamilies(match));
  std::vector<U32Classifier> classifiers;
  for (IpFamily family : families) {
    ASSIGN_OR_RETURN(auto rules, CompileMatchRules(match, family));
    const bool v4 = family == IpFamily::kIpv4;
    U32Classifier c;
    c.parent = parent;
    c.priority = static_cast<uint16_t>(v4 ? priority : priority + 1);
    c.protocol = v4 ? FilterProtocol::kIp : FilterProtocol::kIpv6;
    c.flowid = flowid;
    c.rules = std::move(rules);
    classifiers.push_back(std::move(c));
  }
  return classifiers;
}

bool MatchesOverlap(const model::Match& a, const model::Match& b) {
  return (FamilySet(a) & FamilySet(b)) != 0 && OptionalCidrsIntersect(a.dst, b.dst) &&
         OptionalCidrsIntersect(a.src, b.src) && OptionalRangesIntersect(a.dport, b.dport) &&
         OptionalRangesIntersect(a.sport, b.sport) && (ProtocolSet(a) & ProtocolSet(b)) != 0;
}

std::string DescribeMatch(const model::Match& match) {
  if (match.empty()) return "all traffic";
  std::string out;
  auto add = [&out](const std::string& word) {
    if (!out.empty()) out += ' ';
    out += word;
  };
  if (match.dst) add("dst " + FormatCidr(*match.dst));
  if (match.src) add("src " + FormatCidr(*match.src));
  if (match.sport) add("sport " + FormatPortRange(*match.sport));
  if (match.dport) add("dport " + FormatPortRange(*match.dport));
  switch (match.protocol) {
    case Protocol::kTcp: add("proto tcp"); break;
    case Protocol::kUdp: add("proto udp"); break;
    case Protocol::kIcmp: add("proto icmp"); break;
    case Protocol::kAny: break;
  }
  return out;
}

}  // namespace chaosnet::plan
