// Requests that are not specific to a qdisc kind: the tcmsg header every qdisc
// request starts with, delete, dump, and the link lookup by name.
//
//   nlmsghdr   len | RTM_*QDISC | flags | seq | pid        (16 bytes)
//   tcmsg      family=AF_UNSPEC | ifindex | handle | parent | info=0  (20 bytes)
//   [TCA_KIND "netem\0"]  [TCA_OPTIONS ...]   (kind-specific encoders append)
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "daemon/netlink/nl_message.h"

namespace chaosnet::netlink {

struct QdiscTarget {
  int ifindex = 0;
  uint32_t handle = 0;
  uint32_t parent = 0;
};

// What `tc qdisc add` asks for: create, and fail rather than replace.
int QdiscAddFlags();

// nlmsghdr + tcmsg, no attributes. Sequence number and port id stay 0:
// NetlinkSocket fills them when it sends.
NlMessage StartTcMessage(int type, int flags, const QdiscTarget& target, size_t capacity = 4096);

// RTM_DELQDISC for the qdisc `handle` under `parent` (deleting a root takes its
// children with it).
NlMessage EncodeQdiscDelete(const QdiscTarget& target);

// RTM_GETQDISC with NLM_F_DUMP. The kernel dumps every interface's qdiscs;
// ifindex is sent (as tc does) but callers filter the answers themselves.
NlMessage EncodeQdiscDump(int ifindex);
// One qdisc by handle, answered with one RTM_NEWQDISC (or ENOENT).
NlMessage EncodeQdiscGet(int ifindex, uint32_t handle);

// RTM_GETLINK for one interface by IFLA_IFNAME (ifindex 0).
NlMessage EncodeLinkGetByName(const std::string& name);

// RTM_GETLINK with NLM_F_DUMP: every interface in the namespace.
NlMessage EncodeLinkDump();

}  // namespace chaosnet::netlink
