// The shared host classifier of a fault tree: faults whose match names one
// destination host (a /32 or /128) and no exemptions are not given a u32
// classifier of their own (one priority each, walked one after another by
// every packet) but nodes in two levels of hash tables per family, so a
// packet costs the same however many such faults the device carries:
//
//   filter prio 0xFF00 protocol ip u32                  (the classifier's root table)
//     node 800::800  match u32 0 0 at 0                 every IPv4 packet ...
//                    hashkey mask 0x000000ff at 16      ... by its destination's last byte
//                    link 4:                            ... into a bucket of table 4:
//   table 4: divisor 256                                (level 1: the last byte)
//     node 4:2a:1    match u32 0 0 at 0                 ... then by the byte before it
//                    hashkey mask 0x0000ff00 at 16      ... into the level-2 table of
//                    link 12a:                          ... addresses ending in 42
//   table 12a: divisor 256                              (level 2: the third byte)
//     node 12a:7:1   match ip dst 10.1.7.42/32 [ports, proto]  flowid ca00:7
//     node 12a:7:2   match ip dst 10.2.7.42/32                 flowid ca00:9
//
// IPv6 likewise at prio 0xFF01, table 6: and level-2 tables 200: to 2ff:,
// hashing the address's last two bytes (the word at offset 36). A fault's
// nodes are CompileMatchRules' rules (address plus ports and protocol), all
// in the level-2 bucket of its address, with node ids the tree gives out (the
// lowest free of the bucket, 1..0xfff); removing a fault deletes its nodes by
// handle. A bucket holds the faults whose addresses share the last two bytes:
// about one at 10,000 hosts of a /16 or spread wider.
//
// The tables and links come with the first fault that needs them (level 1
// and its link from the root with the family's first host fault, a level-2
// table and its link from level 1 with the first fault of its bucket) and
// stay until the root qdisc goes (with the last fault of the device):
// - the root link sits in the classifier's root table, whose id the kernel
//   picks (cls_u32's per-qdisc allocator), so the plan cannot name it to
//   delete it, and a table can only be deleted once nothing links to it;
// - a deleted link node lets go of its table only after an RCU grace period
//   (cls_u32 frees the node from a work queue), so deleting a level-2 table
//   right after its link fails with EBUSY ("Can not delete in-use filter").
// An empty table costs a packet one key test and an empty bucket; 256
// level-2 tables per family are about half a megabyte of kernel memory.
// Table ids (4:, 6:, 100: to 2ff:) are below 0x800, outside the ids the
// kernel gives classifiers.
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
// Level-2 table ids: the base plus the level-1 bucket (the last byte).
inline constexpr uint32_t kHostLevel2BaseIpv4 = 0x100;  // 100: .. 1ff:
inline constexpr uint32_t kHostLevel2BaseIpv6 = 0x200;  // 200: .. 2ff:
// Node ids of one bucket: 12 bits, 0 names the table itself.
inline constexpr uint32_t kMaxNodesPerBucket = 0xFFF;

// The destination host of a fault that belongs in the shared classifier, or
// nullopt: a non-empty match whose destination set is one host address,
// and no exemptions (they need their nodes in front of the fault's, in a
// classifier of its own: exemptions.h).
std::optional<model::Cidr> HashedHost(const model::FaultSpec& spec);

IpFamily HostFamily(const model::Cidr& host);
// The level-1 bucket of a host address: its last byte; the level-2 bucket:
// the byte before it (what the two links hash on).
uint32_t HostBucket(const model::Cidr& host);
uint32_t HostSubBucket(const model::Cidr& host);

uint16_t HostHashPriority(IpFamily family);
U32HashTable HostHashTable(IpFamily family, uint32_t parent);
U32HashLink HostHashLink(IpFamily family, uint32_t parent);
// The level-2 table of `host`'s level-1 bucket, and its link from there;
// the same for the level-2 table holding `node`.
U32HashTable HostLevel2Table(const model::Cidr& host, uint32_t parent);
U32HashLink HostLevel2Link(const model::Cidr& host, uint32_t parent);
U32HashTable HostLevel2TableOf(const U32Node& node);
U32HashLink HostLevel2LinkOf(const U32Node& node);
// The handle of node `node` (1..kMaxNodesPerBucket) of `host`'s level-2
// bucket; node 0: the bucket itself (table:bucket:).
uint32_t HostNodeHandle(const model::Cidr& host, uint32_t node);

}  // namespace chaosnet::plan
