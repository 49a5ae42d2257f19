// RTM_NEWQDISC for a tbf qdisc, byte for byte what iproute2 6.1's
// `tc qdisc add ... tbf rate R burst B limit L` sends:
//
//   nlmsghdr  RTM_NEWQDISC, REQUEST|ACK|CREATE|EXCL
//   tcmsg     ifindex, handle, parent
//   TCA_KIND        "tbf\0"
//   TCA_OPTIONS     nested, but NOT flagged NLA_F_NESTED (as tc does)
//     TCA_TBF_PARMS   struct tc_tbf_qopt
//                       rate: cell_log 3, linklayer ethernet, cell_align -1,
//                             rate = min(bytes/s, UINT32_MAX)
//                       peakrate 0, limit (bytes), buffer (ticks), mtu 0
//     TCA_TBF_BURST   u32 bytes (the kernel derives its bucket from this)
//     TCA_TBF_RATE64  u64 bytes/s, only when the rate needs more than 32 bits
//     TCA_TBF_RTAB    u32[256] rate table (ignored by today's kernels; tc sends it)
//
// tc quirk kept on purpose: buffer and the rate table are computed from the
// 32-bit clamped rate, even when RATE64 carries the real one.
#pragma once

#include "daemon/netlink/nl_message.h"
#include "daemon/netlink/qdisc_requests.h"
#include "daemon/plan/qdisc_plan.h"

namespace chaosnet::netlink {

NlMessage EncodeTbfAdd(const QdiscTarget& target, const plan::TbfQdisc& tbf);

}  // namespace chaosnet::netlink
