#include "daemon/netlink/qdisc_requests.h"

#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <sys/socket.h>

#include <cstring>

namespace chaosnet::netlink {

int QdiscAddFlags() { return NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL; }

NlMessage StartTcMessage(int type, int flags, const QdiscTarget& target, size_t capacity) {
  NlMessage m = NlMessage::Allocate(capacity);
  nlmsghdr* h = nlmsg_put(m.get(), 0, 0, type, sizeof(tcmsg), flags);
  auto* t = static_cast<tcmsg*>(nlmsg_data(h));
  std::memset(t, 0, sizeof(*t));
  t->tcm_family = AF_UNSPEC;
  t->tcm_ifindex = target.ifindex;
  t->tcm_handle = target.handle;
  t->tcm_parent = target.parent;
  return m;
}

NlMessage EncodeQdiscDelete(const QdiscTarget& target) {
  return StartTcMessage(RTM_DELQDISC, NLM_F_REQUEST | NLM_F_ACK, target);
}

NlMessage EncodeQdiscDump(int ifindex) {
  return StartTcMessage(RTM_GETQDISC, NLM_F_REQUEST | NLM_F_DUMP, QdiscTarget{ifindex, 0, 0});
}

NlMessage EncodeQdiscGet(int ifindex, uint32_t handle) {
  // As for classes: without NLM_F_ECHO the answer goes to RTNLGRP_TC only.
  return StartTcMessage(RTM_GETQDISC, NLM_F_REQUEST | NLM_F_ECHO, QdiscTarget{ifindex, handle, 0});
}

NlMessage EncodeLinkGetByName(const std::string& name) {
  NlMessage m = NlMessage::Allocate();
  nlmsghdr* h = nlmsg_put(m.get(), 0, 0, RTM_GETLINK, sizeof(ifinfomsg), NLM_F_REQUEST | NLM_F_ACK);
  auto* i = static_cast<ifinfomsg*>(nlmsg_data(h));
  std::memset(i, 0, sizeof(*i));
  i->ifi_family = AF_UNSPEC;
  nla_put_string(m.get(), IFLA_IFNAME, name.c_str());
  // Only the header and name are needed; skip the per-VF and stats payload.
  nla_put_u32(m.get(), IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
  return m;
}

NlMessage EncodeLinkDump() {
  NlMessage m = NlMessage::Allocate();
  nlmsghdr* h =
      nlmsg_put(m.get(), 0, 0, RTM_GETLINK, sizeof(ifinfomsg), NLM_F_REQUEST | NLM_F_DUMP);
  auto* i = static_cast<ifinfomsg*>(nlmsg_data(h));
  std::memset(i, 0, sizeof(*i));
  i->ifi_family = AF_UNSPEC;
  return m;
}

}  // namespace chaosnet::netlink
