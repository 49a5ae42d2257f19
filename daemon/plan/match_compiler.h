// A fault's packet match (model::Match) as u32 classifiers, and the overlap
// test between two matches. Pure.
//
// How a match becomes rules (header offsets and their limits: u32_keys.h):
// - Addresses: dst and src are sets (the singular field is a set of one,
//   dst_cidrs/src_cidrs a set of many): a packet matches a set when its
//   address is in any CIDR of it, so each CIDR is an alternative, ORed.
// - Family: each family of a classifier of its own; a family is matched only
//   when every given set has members of it (none: INVALID_ARGUMENT). No CIDR:
//   IPv4 and IPv6.
// - Protocol: tcp 6, udp 17; icmp is 1 for IPv4 and 58 (ICMPv6) for IPv6.
//   "any" with a port means tcp OR udp (only they have ports); "any" without
//   a port puts no constraint on the protocol. icmp with a port is refused.
// - Port ranges become prefix blocks (SplitPortRange); every sport block is
//   combined with every dport block and every protocol: the rules of one
//   classifier are ORed. The product is capped at kMaxRulesPerFamily.
// - The empty match (the whole interface) is one rule "match u32 0 0 at 0"
//   for each family.
// Classifiers are attached for "protocol ip" / "protocol ipv6", so ARP and
// other non-IP frames never reach a fault's filter.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/result.h"
#include "daemon/model/fault_spec.h"
#include "daemon/plan/tc_objects.h"
#include "daemon/plan/u32_keys.h"

namespace chaosnet::plan {

// Each rule is a u32 node the kernel walks for every packet that reaches the
// classifier; beyond a few hundred the per-packet cost shows. 128 holds a
// fleet fault's peers (a few dozen addresses per family) even when a port
// without a protocol doubles them (tcp and udp); a user who needs more
// almost always meant a wider CIDR or a narrower port range.
inline constexpr size_t kMaxRulesPerFamily = 128;

// A match's destination (source) set: the singular field as a set of one, or
// the set; empty when neither is given.
std::vector<model::Cidr> Destinations(const model::Match& match);
std::vector<model::Cidr> Sources(const model::Match& match);

// The families a match applies to; INVALID_ARGUMENT if the address sets have
// no family in common.
Result<std::vector<IpFamily>> MatchFamilies(const model::Match& match);

// The ORed rules of one family. INVALID_ARGUMENT: icmp with ports, too many
// rules (the message says to narrow the port range).
Result<std::vector<U32Rule>> CompileMatchRules(const model::Match& match, IpFamily family);

// One classifier per family of the match: protocol ip at `priority`,
// protocol ipv6 at `priority + 1` (also when the match is IPv6 only, so a
// fault's priorities never depend on its family). All go to `flowid`.
Result<std::vector<U32Classifier>> CompileMatch(const model::Match& match, uint32_t parent,
                                                uint16_t priority, uint32_t flowid);

// Whether some packet matches both. Exact on the model's terms: in some
// family both match, and there a dst prefix of one nests with one of the
// other's (and a src prefix likewise; a missing set matches everything),
// port ranges intersect, and the protocols can be the same (ports imply tcp
// or udp; "any" without ports is every protocol).
bool MatchesOverlap(const model::Match& a, const model::Match& b);

// "dst 10.0.0.0/24 dport 80 proto tcp", "dst 10.0.0.2/32,fd00::2/128" for a
// set (the first six, then how many in all); the empty match is "all traffic".
std::string DescribeMatch(const model::Match& match);

}  // namespace chaosnet::plan
