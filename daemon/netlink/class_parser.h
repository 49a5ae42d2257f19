// Reads one RTM_NEWTCLASS message (an entry of a class dump, or one of our own
// requests) back into our terms. Pure: bytes in, values out.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/result.h"
#include "daemon/kernel/kernel.h"
#include "daemon/plan/tc_objects.h"

struct nlmsghdr;

namespace chaosnet::netlink {

struct ClassInfo {
  int ifindex = 0;
  uint32_t classid = 0;
  // As the kernel reports it: a class directly under its htb qdisc comes
  // back with TC_H_ROOT (ffff:ffff, tc's "root"), not the qdisc's handle.
  uint32_t parent = 0;
  std::string kind;           // "htb"; qdiscs without classes dump pseudo
                              // classes of their own kind ("mq", ...)
  uint32_t leaf_handle = 0;   // tcm_info: the handle of the class's leaf qdisc
  kernel::Counters counters;  // from TCA_STATS2; zeros in requests
  // htb classes: rate and ceil from RATE64/CEIL64 or the 32-bit ratespecs;
  // burst/cburst as tc prints them (bytes sent at the rate during the bucket
  // time, so they round down); quantum as the kernel holds it.
  std::optional<plan::HtbClass> htb;
};

// INTERNAL when the message is too short for its header or has no TCA_KIND.
Result<ClassInfo> ParseClassMessage(const nlmsghdr* message);

}  // namespace chaosnet::netlink
