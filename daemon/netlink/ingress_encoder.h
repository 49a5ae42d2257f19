// The ingress side of a fault tree, byte for byte what iproute2 6.1's tc
// sends.
//
// `tc qdisc add dev D ingress`:
//   nlmsghdr  RTM_NEWQDISC, REQUEST|ACK|CREATE|EXCL
//   tcmsg     ifindex, handle ffff:, parent ffff:fff1 (TC_H_INGRESS)
//   TCA_KIND  "ingress\0"            (no TCA_OPTIONS at all)
//
// `tc filter add dev D parent ffff: protocol all prio 1 u32 match u32 0 0
//  action mirred egress redirect dev IFB cookie <hex of "chaosnet">`:
//   nlmsghdr  RTM_NEWTFILTER, REQUEST|ACK|CREATE|EXCL
//   tcmsg     ifindex, handle 0, parent ffff:, info (prio, ETH_P_ALL)
//   TCA_KIND        "u32\0"
//   TCA_OPTIONS     (unflagged nest)
//     TCA_U32_ACT     (unflagged nest)
//       [1]           (unflagged nest: the first action of the list)
//         TCA_ACT_KIND     "mirred\0"
//         TCA_ACT_OPTIONS  nested, flagged NLA_F_NESTED (tc does, here)
//           TCA_MIRRED_PARMS  struct tc_mirred {action TC_ACT_STOLEN,
//                             eaction TCA_EGRESS_REDIR, ifindex}
//         TCA_ACT_COOKIE   the cookie's bytes
//     TCA_U32_SEL     terminal, one all-zero key (match everything)
#pragma once

#include "daemon/netlink/nl_message.h"
#include "daemon/netlink/qdisc_requests.h"
#include "daemon/plan/tc_objects.h"

namespace chaosnet::netlink {

// `target` carries ifindex, handle and parent (plan::kIngressHandle and
// plan::kIngressParent for the real thing).
NlMessage EncodeIngressQdiscAdd(const QdiscTarget& target);

NlMessage EncodeRedirectFilterAdd(int ifindex, const plan::RedirectFilter& redirect);

}  // namespace chaosnet::netlink
