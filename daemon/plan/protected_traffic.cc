#include "daemon/plan/protected_traffic.h"

#include <sys/socket.h>

#include "common/net_parse.h"
#include "common/units.h"
#include "daemon/plan/u32_keys.h"

namespace chaosnet::plan {
namespace {

using model::Protocol;
using Alternatives = std::vector<std::vector<U32Field>>;

constexpr char kExamples[] =
    " (e.g. 22, tcp:22, udp:53, 8000-8100, 10.0.0.0/8, 10.0.0.0/8:22, [2001:db8::/32]:443)";

// Without the prefix naming where the rule came from: ParseTrafficRule adds it.
Status RuleError(std::string_view text, const std::string& why) {
  return InvalidArgument(units::QuoteInput(text) + ": " + why + kExamples);
}

bool IsPortText(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if ((c < '0' || c > '9') && c != '-') return false;
  }
  return true;
}

// [proto ":"] ports
Status ParsePortSpec(std::string_view whole, std::string_view spec, ProtectedRule* rule) {
  const size_t colon = spec.find(':');
  std::string_view ports = spec;
  if (colon != std::string_view::npos) {
    const std::string_view proto = spec.substr(0, colon);
    ports = spec.substr(colon + 1);
    // Of the fault model's protocols, only these have ports.
    const std::optional<Protocol> protocol = ValueOf(model::kProtocolNames, proto);
    if (protocol != Protocol::kTcp && protocol != Protocol::kUdp) {
      return RuleError(whole, "unknown protocol " + units::QuoteInput(proto) +
                                  " before the ports (use tcp or udp)");
    }
    rule->protocol = *protocol;
  }
  auto range = ParsePortRange(ports);
  if (!range.ok()) return RuleError(whole, range.status().message());
  rule->ports = *range;
  return Status::Ok();
}

Status ParseCidrPart(std::string_view whole, std::string_view cidr_text, ProtectedRule* rule) {
  auto cidr = ParseCidr(cidr_text);
  if (!cidr.ok()) return RuleError(whole, cidr.status().message());
  rule->cidr = *cidr;
  return Status::Ok();
}

// After the CIDR: nothing, or ":" and a port spec.
Status ParseAfterCidr(std::string_view whole, std::string_view rest, ProtectedRule* rule) {
  if (rest.empty()) return Status::Ok();
  if (rest.front() != ':' || rest.size() == 1) {
    return RuleError(whole, "expected \":\" and ports after the address");
  }
  return ParsePortSpec(whole, rest.substr(1), rule);
}

Result<ProtectedRule> ParseBracketed(std::string_view text) {
  ProtectedRule rule;
  const size_t close = text.find(']');
  if (close == std::string_view::npos) return RuleError(text, "missing \"]\"");
  std::string cidr(text.substr(1, close - 1));
  std::string_view rest = text.substr(close + 1);
  if (!rest.empty() && rest.front() == '/') {
    // "[2001:db8::]/32": the prefix length follows the bracket.
    if (cidr.find('/') != std::string::npos) return RuleError(text, "two prefix lengths");
    const size_t end = rest.find(':');
    cidr += std::string(rest.substr(0, end));
    rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end);
  }
  RETURN_IF_ERROR(ParseCidrPart(text, cidr, &rule));
  RETURN_IF_ERROR(ParseAfterCidr(text, rest, &rule));
  return rule;
}

Result<ProtectedRule> ParseRule(std::string_view text) {
  ProtectedRule rule;
  if (text.empty()) return RuleError(text, "empty value");
  if (text.front() == '[') return ParseBracketed(text);

  const size_t colon = text.find(':');
  const std::string_view head = text.substr(0, colon);
  // A word, one colon, the rest: "tcp:22", or a protocol we do not know
  // ("sctp:9"). IPv6 addresses always have at least two colons.
  const bool proto_prefix =
      colon != std::string_view::npos && !head.empty() &&
      head.find_first_not_of("abcdefghijklmnopqrstuvwxyz") == std::string_view::npos &&
      text.find(':', colon + 1) == std::string_view::npos;
  if (IsPortText(text) || proto_prefix) {
    RETURN_IF_ERROR(ParsePortSpec(text, text, &rule));
    return rule;
  }
  if (head.find('.') != std::string_view::npos) {
    // IPv4 has no colons: everything before the first one is the CIDR.
    RETURN_IF_ERROR(ParseCidrPart(text, head, &rule));
    const std::string_view rest =
        colon == std::string_view::npos ? std::string_view{} : text.substr(colon);
    RETURN_IF_ERROR(ParseAfterCidr(text, rest, &rule));
    return rule;
  }
  if (colon != std::string_view::npos) {
    // Unbracketed IPv6: the whole value must be the prefix.
    auto cidr = ParseCidr(text);
    if (!cidr.ok()) {
      return RuleError(text, cidr.status().message() +
                                 "; to add ports to an IPv6 prefix, bracket it: "
                                 "[2001:db8::/32]:443");
    }
    rule.cidr = *cidr;
    return rule;
  }
  return RuleError(text, "not a port, a port range or an address prefix");
}

Alternatives PortAlternatives(const model::PortRange& range, bool v4) {
  // sport OR dport in the range.
  Alternatives out;
  for (int32_t offset :
       {v4 ? kIpv4SportOffset : kIpv6SportOffset, v4 ? kIpv4DportOffset : kIpv6DportOffset}) {
    for (const PortBlock& block : SplitPortRange(range)) {
      out.push_back({Field16(offset, block.value, block.mask)});
    }
  }
  return out;
}

std::vector<std::vector<U32Field>> CidrAlternatives(const model::Cidr& cidr, bool v4) {
  // src OR dst in the prefix.
  return {PrefixFields(cidr, v4 ? kIpv4SrcOffset : kIpv6SrcOffset),
          PrefixFields(cidr, v4 ? kIpv4DstOffset : kIpv6DstOffset)};
}

Alternatives ProtocolAlternatives(Protocol protocol, IpFamily family) {
  switch (protocol) {
    case Protocol::kTcp: return {{ProtocolField(family, kIpProtoTcp)}};
    case Protocol::kUdp: return {{ProtocolField(family, kIpProtoUdp)}};
    case Protocol::kIcmp:
      return {{ProtocolField(family, family == IpFamily::kIpv4 ? kIpProtoIcmp : kIpProtoIcmpv6)}};
    case Protocol::kAny:
      return {{ProtocolField(family, kIpProtoTcp)}, {ProtocolField(family, kIpProtoUdp)}};
  }
  return {};
}

std::vector<U32Rule> NeighbourDiscoveryRules() {
  std::vector<U32Rule> rules;
  for (const PortBlock& block : SplitPortRange({kNdFirstType, kNdLastType})) {
    // The type is the first byte of the ICMPv6 header: reuse the 8-bit blocks
    // of the split (ND's types fit a byte, so the high byte of the mask is all
    // ones and the low byte is the block's).
    rules.push_back(RuleFromFields({ProtocolField(IpFamily::kIpv6, kIpProtoIcmpv6),
                                    Field8(kIcmpv6TypeOffset, static_cast<uint8_t>(block.value),
                                           static_cast<uint8_t>(block.mask & 0xFF))}));
  }
  return rules;
}

}  // namespace

Result<ProtectedRule> ParseTrafficRule(std::string_view text, std::string_view what) {
  auto rule = ParseRule(text);
  // Fails only for a range too wide to protect cheaply.
  Status status = rule.ok() ? CompileProtectedTraffic({*rule}).status() : rule.status();
  if (status.ok()) return *rule;
  if (rule.ok()) status = RuleError(text, status.message());
  return InvalidArgument("invalid " + std::string(what) + " " + status.message());
}

Result<ProtectedRule> ParseProtectedRule(std::string_view text) {
  return ParseTrafficRule(text, "--protect");
}

std::string FormatProtectedRule(const ProtectedRule& rule) {
  std::string ports;
  if (rule.ports) {
    if (rule.protocol == Protocol::kTcp || rule.protocol == Protocol::kUdp) {
      ports = std::string(NameOf(model::kProtocolNames, rule.protocol)) + ":";
    }
    ports += FormatPortRange(*rule.ports);
  }
  if (!rule.cidr) return ports;
  std::string cidr = FormatCidr(*rule.cidr);
  if (ports.empty()) return cidr;
  if (rule.cidr->family == AF_INET6) cidr = "[" + cidr + "]";
  return cidr + ":" + ports;
}

std::vector<ProtectedRule> DefaultProtectedRules() {
  return {ProtectedRule{std::nullopt, model::PortRange{22, 22}, Protocol::kTcp}};
}

Result<std::vector<U32Rule>> CompileTrafficRules(const std::vector<ProtectedRule>& rules,
                                                 IpFamily family, size_t max_rules,
                                                 size_t rules_before, std::string_view what,
                                                 std::string_view hint) {
  const bool v4 = family == IpFamily::kIpv4;
  std::vector<U32Rule> out;
  for (const ProtectedRule& rule : rules) {
    if (rule.cidr && (rule.cidr->family == AF_INET) != v4) continue;
    if (!rule.cidr && !rule.ports) continue;  // matches nothing
    std::vector<Alternatives> dims;
    if (rule.ports) {
      dims.push_back(ProtocolAlternatives(rule.protocol, family));
      dims.push_back(PortAlternatives(*rule.ports, v4));
    } else if (rule.protocol != Protocol::kAny) {
      dims.push_back(ProtocolAlternatives(rule.protocol, family));
    }
    if (rule.cidr) dims.push_back(CidrAlternatives(*rule.cidr, v4));
    const size_t count = CrossProductSize(dims);
    if (count > max_rules - rules_before - out.size()) {
      return InvalidArgument(std::string(what) + " needs more than " + std::to_string(max_rules) +
                             " " + (v4 ? "IPv4" : "IPv6") + " filter rules; " + std::string(hint));
    }
    for (U32Rule& r : CrossProduct(dims)) out.push_back(std::move(r));
  }
  return out;
}

Result<std::vector<U32Classifier>> CompileProtectedTraffic(const std::vector<ProtectedRule>& rules,
                                                           uint32_t root) {
  std::vector<U32Classifier> classifiers;
  for (IpFamily family : {IpFamily::kIpv4, IpFamily::kIpv6}) {
    const bool v4 = family == IpFamily::kIpv4;
    U32Classifier c;
    c.parent = root;
    c.priority = v4 ? kProtectedIpv4Priority : kProtectedIpv6Priority;
    c.protocol = v4 ? FilterProtocol::kIp : FilterProtocol::kIpv6;
    c.flowid = root;
    if (!v4) c.rules = NeighbourDiscoveryRules();
    ASSIGN_OR_RETURN(
        auto protected_rules,
        CompileTrafficRules(rules, family, kMaxProtectedRulesPerFamily, c.rules.size(),
                            "protected traffic", "protect fewer or narrower port ranges"));
    for (U32Rule& r : protected_rules) c.rules.push_back(std::move(r));
    if (!c.rules.empty()) classifiers.push_back(std::move(c));
  }
  return classifiers;
}

}  // namespace chaosnet::plan
