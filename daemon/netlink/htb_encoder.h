// Requests for htb, byte for byte what iproute2 6.1's tc sends.
//
// `tc qdisc add dev D root handle ca00: htb default 0`:
//   nlmsghdr  RTM_NEWQDISC, REQUEST|ACK|CREATE|EXCL
//   tcmsg     ifindex, handle, parent
//   TCA_KIND        "htb\0"
//   TCA_OPTIONS     nested, not flagged NLA_F_NESTED (as tc does)
//     TCA_HTB_INIT        struct tc_htb_glob {version 3, rate2quantum, defcls,
//                         debug 0, direct_pkts 0}
//     TCA_HTB_DIRECT_QLEN u32, only when set (tc: "direct_qlen N")
//
// `tc class add dev D parent ca00: classid ca00:5 htb rate R ceil C burst B
//  cburst CB quantum Q`:
//   nlmsghdr  RTM_NEWTCLASS, REQUEST|ACK|CREATE|EXCL
//   tcmsg     ifindex, handle = classid, parent
//   TCA_KIND        "htb\0"
//   TCA_OPTIONS     (unflagged nest)
//     TCA_HTB_RATE64  u64, only when the rate needs more than 32 bits
//     TCA_HTB_CEIL64  u64, likewise for ceil
//     TCA_HTB_PARMS   struct tc_htb_opt: rate/ceil ratespecs (cell_log 3,
//                     ethernet, cell_align -1, 32-bit clamped rate), buffer
//                     and cbuffer in ticks, quantum
//     TCA_HTB_RTAB    u32[256] rate table
//     TCA_HTB_CTAB    u32[256] ceil table
//
// tc quirks kept on purpose: buffer/cbuffer are the time to send burst bytes
// at the full 64-bit rate, while the rate tables use the clamped 32-bit one.
#pragma once

#include <cstdint>

#include "daemon/netlink/nl_message.h"
#include "daemon/netlink/qdisc_requests.h"
#include "daemon/plan/tc_objects.h"

namespace chaosnet::netlink {

NlMessage EncodeHtbQdiscAdd(const QdiscTarget& target, const plan::HtbQdisc& htb);

NlMessage EncodeHtbClassAdd(int ifindex, const plan::HtbClass& cls);

// `tc class change ... htb ...`: the same request with flags REQUEST|ACK only,
// so the kernel changes the class's rate, ceil, buffers and quantum in place
// (a program's step), keeping its leaf and the packets queued there. Every
// parameter is in every request, so nothing is left from before.
NlMessage EncodeHtbClassChange(int ifindex, const plan::HtbClass& cls);

// RTM_DELTCLASS by classid alone (`tc class del dev D classid X`): the kernel
// finds the qdisc from the classid's major number. Takes the class's leaf
// qdisc with it.
NlMessage EncodeClassDelete(int ifindex, uint32_t classid);

// RTM_GETTCLASS dump (`tc class show dev D`): unlike qdisc dumps, the kernel
// answers with the classes of that one interface only.
NlMessage EncodeClassDump(int ifindex);
// One class, answered with one RTM_NEWTCLASS (or ENOENT): O(1) however many
// classes the interface has, where a dump is O(classes). The kernel also
// announces the answer to tc monitor listeners (as it does for `tc` gets).
NlMessage EncodeClassGet(int ifindex, uint32_t classid);

}  // namespace chaosnet::netlink
