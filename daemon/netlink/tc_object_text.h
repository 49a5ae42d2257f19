// How fault-tree objects are named in error messages, in tc's own words and
// handle spelling: "htb class ca00:5", "u32 filter prio 1002 on ca00:".
#pragma once

#include <string>

#include "daemon/plan/tc_objects.h"

namespace chaosnet::netlink {

// The tc kind the object's request carries ("htb", "netem", "ingress", "u32").
std::string TcObjectKind(const plan::TcObject& object);

// The object's name in messages (plan::DescribeTcObject is its dry-run text):
// "htb qdisc ca00:", "netem qdisc 1005: under ca00:5", "ingress qdisc ffff:",
// "htb class ca00:5", "u32 filter prio 1002 protocol ip on ca00:",
// "redirect filter prio 1 on ffff: (to ifb0)".
std::string TcObjectName(const plan::TcObject& object);

}  // namespace chaosnet::netlink
