#include "daemon/netlink/filter_requests.h"

#include <arpa/inet.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <netlink/msg.h>
#include <sys/socket.h>

#include "daemon/netlink/qdisc_requests.h"

namespace chaosnet::netlink {

uint32_t FilterInfo(uint16_t priority, plan::FilterProtocol protocol) {
  return TC_H_MAKE(static_cast<uint32_t>(priority) << 16, htons(static_cast<uint16_t>(protocol)));
}

NlMessage StartFilterMessage(int type, int flags, const FilterTarget& target, size_t capacity,
                             uint32_t handle) {
  NlMessage m =
      StartTcMessage(type, flags, QdiscTarget{target.ifindex, handle, target.parent}, capacity);
  static_cast<tcmsg*>(nlmsg_data(nlmsg_hdr(m.get())))->tcm_info =
      FilterInfo(target.priority, target.protocol);
  return m;
}

NlMessage EncodeFilterDeletePriority(const FilterTarget& target) {
  return StartFilterMessage(RTM_DELTFILTER, NLM_F_REQUEST | NLM_F_ACK, target);
}

}  // namespace chaosnet::netlink
