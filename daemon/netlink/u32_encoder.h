// RTM_NEWTFILTER for one u32 node, byte for byte what iproute2 6.1's
// `tc filter add dev D parent ca00: prio P protocol ip u32 match ... flowid F`
// sends:
//
//   nlmsghdr  RTM_NEWTFILTER, REQUEST|ACK|CREATE|EXCL
//   tcmsg     ifindex, handle 0, parent, info (filter_requests.h)
//   TCA_KIND        "u32\0"
//   TCA_OPTIONS     nested, not flagged NLA_F_NESTED (as tc does)
//     TCA_U32_CLASSID u32 flowid (the rule's own, else the classifier's)
//     TCA_U32_SEL     struct tc_u32_sel {flags TC_U32_TERMINAL, nkeys}
//                     followed by nkeys struct tc_u32_key {mask, val (both
//                     network order, val already masked), off, offmask 0}
//
// A classifier with N rules is N such requests at the same priority: the
// first creates the u32 instance, each gets its own node handle.
#pragma once

#include <cstddef>
#include <vector>

#include "common/result.h"
#include "daemon/netlink/filter_requests.h"
#include "daemon/netlink/nl_message.h"
#include "daemon/plan/tc_objects.h"

struct nl_msg;

namespace chaosnet::netlink {

// INVALID_ARGUMENT for more than kMaxU32Keys keys (tc_u32_sel counts them in
// one byte; the compiler never emits more than a handful).
inline constexpr size_t kMaxU32Keys = 128;
Result<NlMessage> EncodeU32RuleAdd(int ifindex, const plan::U32Classifier& classifier,
                                   const plan::U32Rule& rule);

// The shared host classifier's objects (tc_objects.h, plan/host_hash.h),
// what tc sends for
//   handle 4: u32 divisor 256         tcm_handle 4:, TCA_U32_DIVISOR
//   u32 match u32 0 0 at 0 hashkey mask 0x000000ff at 16 link 4:
//                                     tcm_handle 0 (the kernel numbers it in
//                                     the root table), TCA_U32_LINK, a
//                                     selector with hmask/hoff and no
//                                     TC_U32_TERMINAL: a packet its bucket
//                                     does not classify goes on
//   u32 ht 4:2a: handle 4:2a:1 match ... flowid F
//                                     tcm_handle, TCA_U32_CLASSID,
//                                     TCA_U32_HASH 4:2a:, terminal selector
// and, to delete a node or a table, RTM_DELTFILTER with its handle and
// TCA_KIND "u32".
NlMessage EncodeU32HashTableAdd(int ifindex, const plan::U32HashTable& table);
NlMessage EncodeU32HashLinkAdd(int ifindex, const plan::U32HashLink& link);
Result<NlMessage> EncodeU32NodeAdd(int ifindex, const plan::U32Node& node);
NlMessage EncodeU32HandleDelete(const FilterTarget& target, uint32_t handle);

// Appends TCA_U32_SEL for `keys` (terminal, as tc marks any node with a flowid
// or an action, unless `terminal` is false: a link node). No keys is encoded
// as tc's "match u32 0 0 at 0": one all-zero key, since the kernel needs at
// least one to match everything. A non-zero hash_mask is the selector's
// hashkey (hmask in network order, hoff). Returns libnl's error (0 on success).
int PutU32Selector(nl_msg* msg, const std::vector<plan::U32Key>& keys, bool terminal = true,
                   uint32_t hash_mask = 0, int32_t hash_offset = 0);

}  // namespace chaosnet::netlink
