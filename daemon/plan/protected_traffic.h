// Traffic no fault may touch: the operator's --protect rules (ssh by default),
// the daemon's own API port, and IPv6 neighbour discovery. They compile to
// u32 classifiers at the lowest priorities of the tree (before any fault's
// filter) whose flowid is the root htb itself: htb then sends the packet
// "direct", past every class, unshaped and undelayed.
//
// ARP needs no rule: fault filters are attached for protocol ip / ipv6 only,
// so ARP frames are never classified into a fault and go out direct too.
// IPv6 has no ARP; its equivalent, neighbour discovery (ICMPv6 router/
// neighbour solicitation and advertisement, redirect: types 133-137), is
// protected explicitly, or a fault on "all IPv6" or "icmp" would make the host
// unreachable in ways that outlive nothing but confuse everything.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "daemon/model/fault_spec.h"
#include "daemon/plan/tc_objects.h"
#include "daemon/plan/u32_keys.h"

namespace chaosnet::plan {

// A packet is protected by a rule when
//   - ports set: its sport OR dport is in ports, and it is tcp or udp (or
//     the given protocol);
//   - cidr set: its src OR dst is in cidr;
//   - both set: both of the above.
// A rule with neither protects nothing and is refused by the parser. The
// same shape describes a fault's own exemptions (model::FaultSpec::exemptions).
using ProtectedRule = model::TrafficRule;

// The daemon's --protect flag, one rule per value:
//
//   rule   := [proto ":"] ports              22   tcp:22   udp:53   8000-8100
//           | cidr [":" [proto ":"] ports]   10.0.0.0/8   10.0.0.0/8:22
//                                            192.168.1.5:tcp:8443
//           | "[" cidr "]" [":" [proto ":"] ports]
//           | "[" ipv6 "]/" len [":" [proto ":"] ports]
//                                            [2001:db8::/32]:443
//                                            [2001:db8::]/32:udp:53
//           | ipv6-cidr                      2001:db8::/32   (no ports)
//   proto  := "tcp" | "udp"
//   ports  := a port or range as for --dport (1..65535, "a-b")
//
// An IPv6 prefix with ports needs the brackets: its own colons would
// otherwise be ambiguous. A bare address protects that one host.
Result<ProtectedRule> ParseProtectedRule(std::string_view text);

// The same syntax for other uses (a fault's exemptions); errors start
// "invalid WHAT" instead of "invalid --protect".
Result<ProtectedRule> ParseTrafficRule(std::string_view text, std::string_view what);

// "tcp:22", "10.0.0.0/8:22", "[2001:db8::/32]:443": the parser's own form.
std::string FormatProtectedRule(const ProtectedRule& rule);

// The rules used when the operator gives none: tcp port 22, so an ssh session
// to a host under test survives a partition of its interface.
std::vector<ProtectedRule> DefaultProtectedRules();

// Priorities of the protected classifiers; the layout reserves 1..99.
inline constexpr uint16_t kProtectedIpv4Priority = 1;
inline constexpr uint16_t kProtectedIpv6Priority = 2;

// Every packet is compared with every protected rule before any fault's
// filter, so the list is kept short.
inline constexpr size_t kMaxProtectedRulesPerFamily = 256;

// ICMPv6 types of neighbour discovery (RFC 4861).
inline constexpr uint8_t kNdFirstType = 133;
inline constexpr uint8_t kNdLastType = 137;

// The u32 rules of `rules` that apply to `family` (a rule with a CIDR of the
// other family is left out), ORed: each rule's protocol x ports x addresses.
// INVALID_ARGUMENT "WHAT needs more than MAX IPv4 filter rules; HINT" when
// they need more than `max_rules` less the `rules_before` them in their
// classifier.
Result<std::vector<U32Rule>> CompileTrafficRules(const std::vector<ProtectedRule>& rules,
                                                 IpFamily family, size_t max_rules,
                                                 size_t rules_before, std::string_view what,
                                                 std::string_view hint);

// The protected classifiers on the tree root `root` (flowid = root: direct):
// IPv4 at kProtectedIpv4Priority (absent when no rule applies to IPv4), IPv6
// at kProtectedIpv6Priority (always: it carries neighbour discovery).
// INVALID_ARGUMENT when the rules need more than kMaxProtectedRulesPerFamily.
Result<std::vector<U32Classifier>> CompileProtectedTraffic(const std::vector<ProtectedRule>& rules,
                                                           uint32_t root = kTreeRootHandle);

}  // namespace chaosnet::plan
