// The tc objects of a per-interface fault tree, as pure data: what plan/
// decides and netlink/ encodes. Values are in the units the kernel wants.
//
// The tree chaosnet keeps on every interface (or IFB device) that carries at
// least one fault:
//
//   qdisc htb ca00: root, default 0          unclassified traffic goes out
//   |                                         "direct": untouched, unshaped
//   |-- class htb ca00:<slot>                 one per fault; its rate is the
//   |     `-- qdisc netem <0x1000+slot>:      fault's rate limit (or no limit)
//   |                                         and its leaf netem does the rest
//   |-- filters u32 at parent ca00:           a packet goes to the class of the
//                                             first filter (lowest priority)
//                                             it matches
//
// Filter priorities (one tc "tp" per priority and protocol):
//   1 .. 99           protected traffic and link housekeeping -> ca00: (direct)
//   1000 + 2*slot     a linear targeted fault's IPv4 filter (its own tp,
//   1001 + 2*slot     ... and IPv6 filter; removed by deleting the priority)
//   0xFF00 / 0xFF01   the shared host classifier, IPv4 / IPv6: faults whose
//                     destination is one host address, as nodes of two
//                     levels of u32 hash tables on the address's last two
//                     bytes (host_hash.h; removed node by node, by handle)
//   0xFFF0 / 0xFFF1   the whole-interface fault's IPv4 / IPv6 catch-all
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "daemon/plan/qdisc_plan.h"

namespace chaosnet::plan {

// Ethernet protocol a filter is attached for (host byte order; the encoder
// converts). tc calls these "protocol ip", "protocol ipv6", "protocol all".
enum class FilterProtocol : uint16_t { kAll = 0x0003, kIp = 0x0800, kIpv6 = 0x86DD };

inline constexpr uint32_t kTreeRootHandle = MakeHandle(kOwnedMajorFirst, 0);  // ca00:
inline constexpr uint32_t kIngressHandle = 0xFFFF0000u;                       // ffff:
inline constexpr uint32_t kIngressParent = 0xFFFFFFF1u;                       // TC_H_INGRESS

// One 32-bit word of the packet compared under a mask: the u32 classifier's
// "match u32 VALUE MASK at OFFSET". value and mask are host-order numbers of
// the big-endian word at `offset` bytes from the network header.
struct U32Key {
  uint32_t value = 0;
  uint32_t mask = 0;
  int32_t offset = 0;
  bool operator==(const U32Key&) const = default;
};

// One u32 node: all keys must match.
struct U32Rule {
  std::vector<U32Key> keys;  // empty: matches every packet
  // The node's own flowid instead of its classifier's: a fault's exemptions
  // (plan/exemptions.h) send their packets direct (the root's handle).
  std::optional<uint32_t> flowid = std::nullopt;
  bool operator==(const U32Rule&) const = default;
};

// A u32 classifier "tp" at one priority: a packet matching any rule goes to
// flowid (or the rule's own). All rules of one classifier share parent,
// priority and protocol; the kernel tries them in order.
struct U32Classifier {
  uint32_t parent = 0;  // the qdisc it hangs off (ca00:)
  uint16_t priority = 0;
  FilterProtocol protocol = FilterProtocol::kIp;
  uint32_t flowid = 0;  // class id; ca00: itself means "direct"
  std::vector<U32Rule> rules;
  bool operator==(const U32Classifier&) const = default;
};

// The shared host classifier (interface_tree.h) is made of three kinds of
// object at one priority and protocol. A u32 handle is htid:bucket:node,
// 12:8:12 bits (htid << 20 | bucket << 12 | node).
//
// A hash table: `tc filter add dev D parent ca00: prio P protocol ip
// handle 4: u32 divisor 256`.
struct U32HashTable {
  uint32_t parent = 0;
  uint16_t priority = 0;
  FilterProtocol protocol = FilterProtocol::kIp;
  uint32_t handle = 0;  // htid << 20
  uint32_t divisor = 0;
  bool operator==(const U32HashTable&) const = default;
};

// A node that sends every packet reaching it (in the classifier's root
// table, or in a bucket of a table of ours) into `table`, in the bucket
// picked by the packet's word at
// `hash_offset` under `hash_mask` (shifted down to the mask's lowest bit):
// `... u32 match u32 0 0 at 0 hashkey mask 0x000000ff at 16 link 4:`. Not
// terminal: a packet no node of the bucket matches leaves the classifier
// unclassified and goes on to the next priority.
struct U32HashLink {
  uint32_t parent = 0;
  uint16_t priority = 0;
  FilterProtocol protocol = FilterProtocol::kIp;
  // 0: in the classifier's root table, numbered by the kernel; else the
  // node's handle in a table of ours (table:bucket:node), deleted by it.
  uint32_t handle = 0;
  uint32_t table = 0;  // the hash table linked to
  uint32_t hash_mask = 0;
  int32_t hash_offset = 0;
  bool operator==(const U32HashLink&) const = default;
};

// One terminal node at an explicit handle (table:bucket:node) of a hash
// table: `... u32 ht 12a:7: handle 12a:7:1 match ... flowid ca00:7`. Deleted
// by its handle, alone.
struct U32Node {
  uint32_t parent = 0;
  uint16_t priority = 0;
  FilterProtocol protocol = FilterProtocol::kIp;
  uint32_t handle = 0;
  uint32_t flowid = 0;
  std::vector<U32Key> keys;
  bool operator==(const U32Node&) const = default;
};

constexpr uint32_t U32Handle(uint32_t htid, uint32_t bucket, uint32_t node) {
  return (htid << 20) | (bucket << 12) | node;
}
constexpr uint32_t U32HandleTable(uint32_t handle) { return handle & 0xFFF00000u; }
constexpr uint32_t U32HandleBucket(uint32_t handle) { return (handle >> 12) & 0xFFu; }
constexpr uint32_t U32HandleNode(uint32_t handle) { return handle & 0xFFFu; }

// On an interface's ingress qdisc: every packet (u32 match-all, protocol all)
// is redirected by a mirred action to the egress of an IFB device, where the
// fault tree does its work. The action carries kRedirectCookie so chaosnet can
// recognise its own redirect.
inline constexpr char kRedirectCookie[] = "chaosnet";
struct RedirectFilter {
  uint32_t parent = kIngressHandle;
  uint16_t priority = 1;
  std::string to_device;  // the IFB device's name
  int to_ifindex = 0;     // its ifindex (mirred needs the index)
  bool operator==(const RedirectFilter&) const = default;
};

struct HtbQdisc {
  uint32_t default_minor = 0;  // 0: unclassified traffic is sent direct
  uint32_t direct_qlen = 0;    // 0: the device's txqueuelen
  uint32_t rate_to_quantum = 10;
  bool operator==(const HtbQdisc&) const = default;
};

// The ingress qdisc (handle ffff:, parent ffff:fff1); it has no parameters.
struct IngressQdisc {
  bool operator==(const IngressQdisc&) const = default;
};

struct HtbClass {
  uint32_t classid = 0;
  uint32_t parent = 0;  // the root qdisc handle
  uint64_t rate_bytes_per_second = 0;
  uint64_t ceil_bytes_per_second = 0;
  uint32_t burst_bytes = 0;
  uint32_t cburst_bytes = 0;
  uint32_t quantum_bytes = 0;  // 0: let the kernel derive it
  bool operator==(const HtbClass&) const = default;
};

// A qdisc of the tree: the htb root, a netem leaf (a plug leaf for a jam),
// the ingress qdisc.
struct TreeQdisc {
  uint32_t handle = 0;
  uint32_t parent = kRootParent;
  std::variant<HtbQdisc, NetemQdisc, IngressQdisc, PlugQdisc> params;
  bool operator==(const TreeQdisc&) const = default;
};

// Deleting a TreeQdisc deletes the qdisc (and its children); an HtbClass
// deletes the class and its leaf; a U32Classifier or RedirectFilter deletes
// the whole priority (every rule of it) on its parent; a U32Node or
// U32HashTable deletes that node or (unlinked) table by its handle. A
// U32HashLink with a handle is deleted by it; one without (in the
// classifier's root table, whose id the kernel picks) is never deleted
// alone: it goes with the root qdisc.
using TcObject = std::variant<TreeQdisc, HtbClass, U32Classifier, RedirectFilter, U32HashTable,
                              U32HashLink, U32Node>;

}  // namespace chaosnet::plan
