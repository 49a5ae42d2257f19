#include "daemon/plan/match_compiler.h"

#include <sys/socket.h>

#include <algorithm>
#include <optional>
#include <span>

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

// A match's destination (source) set as a view, not a copy: the overlap
// check runs for every pair of faults on a device (a batch of 10,000 faults
// made some ten million copies of these sets).
std::span<const model::Cidr> DestinationView(const model::Match& m) {
  if (m.dst) return {&*m.dst, 1};
  return m.dst_cidrs;
}
std::span<const model::Cidr> SourceView(const model::Match& m) {
  if (m.src) return {&*m.src, 1};
  return m.src_cidrs;
}

// Bit set over the families: bit 0 IPv4, bit 1 IPv6.
unsigned FamilyBit(const model::Cidr& cidr) { return FamilyOf(cidr) == IpFamily::kIpv4 ? 1u : 2u; }
unsigned FamiliesIn(std::span<const model::Cidr> cidrs) {
  unsigned set = 0;
  for (const model::Cidr& c : cidrs) set |= FamilyBit(c);
  return set;
}

// The families a packet of the match can have: those every given address
// set has members of.
unsigned FamilySet(const model::Match& m) {
  unsigned set = 3;
  for (std::span<const model::Cidr> cidrs : {DestinationView(m), SourceView(m)}) {
    if (!cidrs.empty()) set &= FamiliesIn(cidrs);
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

// Whether two address sets share an address of `family`; an empty set (not
// given) has every address.
bool SetsIntersect(std::span<const model::Cidr> a, std::span<const model::Cidr> b,
                   IpFamily family) {
  if (a.empty() || b.empty()) return true;
  for (const model::Cidr& x : a) {
    if (FamilyOf(x) != family) continue;
    for (const model::Cidr& y : b) {
      if (CidrsIntersect(x, y)) return true;
    }
  }
  return false;
}

// The fields of each of `cidrs` of `family` at `offset`: one alternative per
// CIDR, ORed.
Alternatives AddressAlternatives(const std::vector<model::Cidr>& cidrs, IpFamily family,
                                 int32_t offset) {
  Alternatives out;
  for (const model::Cidr& c : cidrs) {
    if (FamilyOf(c) == family) out.push_back(PrefixFields(c, offset));
  }
  return out;
}

std::string DescribeSet(const std::vector<model::Cidr>& cidrs) {
  // Enough to recognise the set in a message without flooding it.
  constexpr size_t kShown = 6;
  std::string out;
  for (size_t i = 0; i < cidrs.size() && i < kShown; ++i) {
    if (i > 0) out += ',';
    out += FormatCidr(cidrs[i]);
  }
  if (cidrs.size() > kShown) out += ",... (" + std::to_string(cidrs.size()) + " in all)";
  return out;
}

bool OptionalRangesIntersect(const std::optional<model::PortRange>& a,
                             const std::optional<model::PortRange>& b) {
  return !a || !b || (a->first <= b->last && b->first <= a->last);
}

}  // namespace

std::vector<model::Cidr> Destinations(const model::Match& match) {
  if (match.dst) return {*match.dst};
  return match.dst_cidrs;
}

std::vector<model::Cidr> Sources(const model::Match& match) {
  if (match.src) return {*match.src};
  return match.src_cidrs;
}

Result<std::vector<IpFamily>> MatchFamilies(const model::Match& match) {
  const unsigned families = FamilySet(match);
  if (families == 0) {
    const bool sets = !match.dst_cidrs.empty() || !match.src_cidrs.empty();
    return InvalidArgument(
        "match: --dst " + DescribeSet(Destinations(match)) + " and --src " +
        DescribeSet(Sources(match)) +
        " are of different address families; a packet is IPv4 or IPv6, so give " +
        (sets ? "both sets members of one family in common" : "both as IPv4 or both as IPv6"));
  }
  std::vector<IpFamily> out;
  if (families & 1u) out.push_back(IpFamily::kIpv4);
  if (families & 2u) out.push_back(IpFamily::kIpv6);
  return out;
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
  // A given set with no member of this family leaves no alternative, and so
  // no rule: MatchFamilies does not offer such a family.
  if (const auto sources = Sources(match); !sources.empty()) {
    dims.push_back(AddressAlternatives(sources, family, v4 ? kIpv4SrcOffset : kIpv6SrcOffset));
  }
  if (const auto destinations = Destinations(match); !destinations.empty()) {
    dims.push_back(AddressAlternatives(destinations, family, v4 ? kIpv4DstOffset : kIpv6DstOffset));
  }

  const size_t count = CrossProductSize(dims);
  if (count > kMaxRulesPerFamily) {
    const bool sets = !match.dst_cidrs.empty() || !match.src_cidrs.empty();
    return InvalidArgument(
        std::string("match: ") + (sets ? "the address sets and port ranges" : "the port ranges") +
        " need " + std::to_string(count) + " " + FamilyName(family) +
        " filter rules, more than the " + std::to_string(kMaxRulesPerFamily) + " allowed; " +
        (sets ? "give fewer --dst/--src CIDRs (or wider ones), or narrow the --sport/--dport "
                "range"
              : "narrow the --sport/--dport range (ranges aligned to powers of two, e.g. "
                "8192-8447, need the fewest)"));
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
  if (!OptionalRangesIntersect(a.dport, b.dport) || !OptionalRangesIntersect(a.sport, b.sport) ||
      (ProtocolSet(a) & ProtocolSet(b)) == 0) {
    return false;
  }
  // Per family: a packet is of one, and each set is read in its own.
  const unsigned families = FamilySet(a) & FamilySet(b);
  for (IpFamily family : {IpFamily::kIpv4, IpFamily::kIpv6}) {
    if ((families & (family == IpFamily::kIpv4 ? 1u : 2u)) == 0) continue;
    if (SetsIntersect(DestinationView(a), DestinationView(b), family) &&
        SetsIntersect(SourceView(a), SourceView(b), family)) {
      return true;
    }
  }
  return false;
}

std::string DescribeMatch(const model::Match& match) {
  if (match.empty()) return "all traffic";
  std::string out;
  auto add = [&out](const std::string& word) {
    if (!out.empty()) out += ' ';
    out += word;
  };
  if (const auto dst = Destinations(match); !dst.empty()) add("dst " + DescribeSet(dst));
  if (const auto src = Sources(match); !src.empty()) add("src " + DescribeSet(src));
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
