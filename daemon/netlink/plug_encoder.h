// The plug qdisc of a jam, byte for byte what iproute2 6.1's tc sends
// (tests/netlink/fixtures/plug_*.txt).
//
// `tc qdisc add dev D parent ca00:N handle H: plug limit BYTES`:
//   nlmsghdr  RTM_NEWQDISC, REQUEST|ACK|CREATE|EXCL
//   tcmsg     ifindex, handle, parent
//   TCA_KIND     "plug\0"
//   TCA_OPTIONS  struct tc_plug_qopt {action TCQ_PLUG_LIMIT, limit}
//                (a new plug starts plugged whatever the action; it reads the limit)
//
// `tc qdisc change dev D parent ca00:N handle H: plug release_indefinite`:
//   nlmsghdr  RTM_NEWQDISC, REQUEST|ACK (no CREATE: change what is there)
//   tcmsg     ifindex, handle, parent
//   TCA_KIND     "plug\0"
//   TCA_OPTIONS  struct tc_plug_qopt {action TCQ_PLUG_RELEASE_INDEFINITE, limit 0}
//                everything held leaves, and the plug passes what comes after
#pragma once

#include "daemon/netlink/nl_message.h"
#include "daemon/netlink/qdisc_requests.h"
#include "daemon/plan/qdisc_plan.h"

namespace chaosnet::netlink {

NlMessage EncodePlugAdd(const QdiscTarget& target, const plan::PlugQdisc& plug);

NlMessage EncodePlugRelease(const QdiscTarget& target);

}  // namespace chaosnet::netlink
