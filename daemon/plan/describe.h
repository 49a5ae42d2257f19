// Fault trees as tc-like text, for dry runs, `chaosnetctl get` and logs. The words
// follow tc's own output so that users can compare with `tc qdisc show`.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "daemon/plan/qdisc_plan.h"
#include "daemon/plan/tc_objects.h"

namespace chaosnet::plan {

struct PlanStepText {
  std::string object;      // "qdisc", "class", "filter"
  std::string kind;        // "netem", "htb", "ingress", "u32", "mirred"
  std::string handle;      // "ca00:"; for filters only the host classifier's
                           // tables and nodes ("4:", "4:2a:1"), the kernel
                           // numbers the others
  std::string parent;      // "root", "ca00:1", "ingress"
  std::string parameters;  // "limit 1000 delay 100ms 10ms 25% loss 1%"
  bool operator==(const PlanStepText&) const = default;
};

// tc's notation: hex major, colon, hex minor omitted when 0: "ca00:", "ca00:1".
std::string FormatHandle(uint32_t handle);

// A u32 node or table handle in tc's notation htid:bucket:node, hex, parts
// that are 0 left empty: "4:" (a table), "4:2a:1", "4::3" (bucket 0).
std::string FormatU32Handle(uint32_t handle);

// "root" for TC_H_ROOT, otherwise FormatHandle.
std::string FormatParent(uint32_t parent);

// A filter's protocol in tc's words: "ip", "ipv6", "all".
std::string FilterProtocolName(FilterProtocol protocol);

std::string DescribeNetem(const NetemQdisc& netem);
std::string DescribeHtbClass(const HtbClass& cls);
// "limit 16777216": what the plug qdisc of a jam may hold, in bytes.
std::string DescribePlug(const PlugQdisc& plug);

// netem's link models in tc's command words, each with a leading space:
// " loss gemodel 1% 10% 70% 0.1% ecn rate 10mbit 24 slot 800us 10ms packets 8".
std::string DescribeNetemLinkModels(const NetemQdisc& netem);

// A rate given in bytes/s in tc's words: "10mbit", "1500bit".
std::string RateInTcWords(uint64_t bytes_per_second);

// The host classifier (host_hash.h) reads as its tc commands: a table
// (handle "4:") "prio 65280 protocol ip divisor 256", its root link "prio
// 65280 protocol ip match u32 0 0 at 0 hashkey mask 0x000000ff at 16 link
// 4:", a level-2 link (handle "4:2a:1") "prio 65280 protocol ip ht 4:2a:
// match u32 0 0 at 0 hashkey mask 0x0000ff00 at 16 link 12a:", a node
// (handle "12a:7:1") "prio 65280 protocol ip ht 12a:7: match ip dst
// 10.0.7.42/32 flowid ca00:7".
// One object of a fault tree in tc's words. Filters read like the tc command
// that would add them: "prio 1002 protocol ip match ip dst 10.0.0.0/24
// match ip dport 80 0xffff flowid ca00:3"; the rules of one classifier are
// joined with " or ", and rules with their own flowid (exemptions) form their
// own group: "... flowid ca00:, then ... flowid ca00:3". The redirect filter's
// kind is "mirred" (its point is the action; the classifier is a u32
// match-all).
PlanStepText DescribeTcObject(const TcObject& object);

// One u32 rule (node) in tc's selector words, for a classifier of
// `protocol`: "match ip dst 10.0.0.0/24 match ip dport 80 0xffff" (one key
// can give two words: sport and dport share one), ICMPv6 types as
// "match ip6 icmp_type 134 0xfe" when the rule matches next header 58, and
// "match u32 0x0000ff00 0x0000ff00 at 4" when no name fits.
std::string DescribeU32Rule(const U32Rule& rule, FilterProtocol protocol);

}  // namespace chaosnet::plan
