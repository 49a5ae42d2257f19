// The parts of tc filter requests that do not depend on the classifier:
// the tcmsg header and deleting a whole priority.
//
//   nlmsghdr   len | RTM_*TFILTER | flags | seq | pid
//   tcmsg      family=AF_UNSPEC | ifindex | handle=0 | parent |
//              info = TC_H_MAKE(priority << 16, htons(protocol))
//
// tc puts the protocol in network byte order in the low 16 bits of tcm_info,
// inside an otherwise host-order word; so do we.
#pragma once

#include <cstddef>
#include <cstdint>

#include "daemon/netlink/nl_message.h"
#include "daemon/plan/tc_objects.h"

namespace chaosnet::netlink {

struct FilterTarget {
  int ifindex = 0;
  uint32_t parent = 0;
  uint16_t priority = 0;
  plan::FilterProtocol protocol = plan::FilterProtocol::kIp;
};

uint32_t FilterInfo(uint16_t priority, plan::FilterProtocol protocol);

// nlmsghdr + tcmsg for a filter, no attributes (handle 0: the kernel picks
// the u32 node handle).
NlMessage StartFilterMessage(int type, int flags, const FilterTarget& target,
                             size_t capacity = 4096, uint32_t handle = 0);

// `tc filter del dev D parent P prio N protocol X`: RTM_DELTFILTER without a
// handle or kind, which removes the whole classifier instance at that
// priority and protocol, every u32 node in it.
NlMessage EncodeFilterDeletePriority(const FilterTarget& target);

}  // namespace chaosnet::netlink
