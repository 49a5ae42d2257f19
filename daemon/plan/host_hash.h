// The shared host classifier of a fault tree: faults whose match names one
// destination host (a /32 or /128) and no exemptions are not given a u32
// classifier of their own (one priority each, walked one after another by
// every packet) but nodes in one hash table per family, so a packet costs
// the same however many such faults the device carries:
//
//   filter prio 0xFF00 protocol ip u32                 (the classifier's root table)
//     node 800::800  match u32 0 0 at 0                every IPv4 packet ...
//                    hashkey mask 0x000000ff at 16     ... by its destination's last byte
//                    link 4:                           ... into a bucket of table 4:
//   table 4: divisor 256
//     node 4:2a:1    match ip dst 10.0.0.42/32 [ports, proto]  flowid ca00:7
//     node 4:2a:2    match ip dst 10.1.0.42/32                 flowid ca00:9
//
// IPv6 likewise at prio 0xFF01, table 6:, hashing the address's last byte
// (offset 36). A fault's nodes are CompileMatchRules' rules (address plus
// ports and protocol), all in the bucket of its address, with node ids the
// tree gives out (the lowest free of the bucket, 1..0xfff); removing a fault
// deletes its nodes by handle.
//
// One level of 256 buckets: with N host faults spread over the last byte a
// bucket holds about N/256 of them (40 at 10,000), each one node for a plain
// host match. A second level (the third byte, a table per first-level bucket
// made on first use) would bring that to ~1 at the price of a table's
// lifetime per bucket; the single level already takes a packet from N node
// tests to N/256 (bench/README.md, scenario "scale").
//
// The table and its link come with the family's first host fault and stay
// until the root qdisc goes (with the last fault of the device): the link
// node sits in the classifier's root table, whose id the kernel picks
// (cls_u32's per-qdisc allocator), so the plan cannot name it to delete it,
// and a table can only be deleted once nothing links to it. An empty table
// costs a packet one key test and an empty bucket.
//
// Order: the host classifier comes after the linear targeted faults and
// before the whole-interface fault. Faults never overlap (interface_tree.h),
// so only exemptions see the order: a linear fault's exemption sends its
// packets direct before any host fault sees them (exemptions are meant for
// traffic no fault should touch); host faults have no exemptions.
#pragma once

#include <cstdint>
#include <optional>

#include "daemon/model/fault_spec.h"
#include "daemon/plan/tc_objects.h"
#include "daemon/plan/u32_keys.h"

namespace chaosnet::plan {

inline constexpr uint16_t kHostHashPriority = 0xFF00;  // IPv6: +1
inline constexpr uint32_t kHostHashDivisor = 256;
inline constexpr uint32_t kHostHashTableIdIpv4 = 0x4;  // handle 4:
inline constexpr uint32_t kHostHashTableIdIpv6 = 0x6;  // handle 6:
// Node ids of one bucket: 12 bits, 0 names the table itself.
inline constexpr uint32_t kMaxNodesPerBucket = 0xFFF;

// The destination host of a fault that belongs in the shared classifier, or
// nullopt: a non-empty match whose destination set is one host address,
// and no exemptions (they need their nodes in front of the fault's, in a
// classifier of its own: exemptions.h).
std::optional<model::Cidr> HashedHost(const model::FaultSpec& spec);

IpFamily HostFamily(const model::Cidr& host);
// The bucket of a host address: its last byte (what the link hashes on).
uint32_t HostBucket(const model::Cidr& host);

uint16_t HostHashPriority(IpFamily family);
U32HashTable HostHashTable(IpFamily family, uint32_t parent);
U32HashLink HostHashLink(IpFamily family, uint32_t parent);
// The handle of node `node` (1..kMaxNodesPerBucket) of `host`'s bucket.
uint32_t HostNodeHandle(const model::Cidr& host, uint32_t node);

}  // namespace chaosnet::plan
