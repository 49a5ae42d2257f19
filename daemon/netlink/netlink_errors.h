// What the kernel answered to a request, and how that becomes a Status: the
// one errno table of the netlink layer. Pure, so every errno / extended-ack
// case is table-tested.
#pragma once

#include <string>

#include "common/status.h"

namespace chaosnet::netlink {

struct KernelError {
  int error = 0;        // positive errno; 0 = success
  std::string ext_ack;  // NLMSGERR_ATTR_MSG, e.g. "Specified qdisc kind is unknown."
  bool ok() const { return error == 0; }
};

// `what` names the step and the object, e.g. "adding u32 filter prio 1002
// protocol ip on ca00: (ifindex 3)"; `kind` is the tc kind involved ("htb",
// "netem", "u32", "ingress"; empty when none is) for the missing-module
// message.
//   ENOENT + "kind is unknown"  -> FAILED_PRECONDITION naming the module
//                                  (kernel/capabilities.h), e.g. "kernel has
//                                  no netem qdisc: load sch_netem or enable
//                                  CONFIG_NET_SCH_NETEM"
//   ENOENT + a classifier's or action's "not found" -> FAILED_PRECONDITION
//   ENOENT, ENODEV              -> NOT_FOUND (parent, class or interface gone)
//   EEXIST                      -> ALREADY_EXISTS
//   EPERM, EACCES               -> PERMISSION_DENIED (needs CAP_NET_ADMIN)
//   EINVAL, ERANGE              -> INVALID_ARGUMENT (this includes a filter
//                                  whose parent qdisc does not exist: the kernel
//                                  says "Parent Qdisc doesn't exists." with EINVAL)
//   EBUSY                       -> FAILED_PRECONDITION (e.g. "HTB class in use.")
//   EOPNOTSUPP                  -> FAILED_PRECONDITION
//   anything else               -> INTERNAL
// Every message starts with `what` and carries the errno text and the
// kernel's own words.
Status KernelErrorStatus(const KernelError& e, const std::string& what, const std::string& kind);

// Whether a failed delete means the object is no longer there. Measured on
// 6.18 (and the same code paths in 6.1):
//   class, qdisc or interface missing            -> ENOENT / ENODEV
//   filter prio missing on an existing qdisc     -> ENOENT ("Filter with
//     specified priority/protocol not found." or, with no filter at all yet,
//     "Cannot find specified filter chain.")
//   filter whose parent qdisc is gone            -> EINVAL "Parent Qdisc
//     doesn't exists."
//   root qdisc replaced by someone else's        -> EINVAL "Invalid handle."
// Other EINVALs (e.g. "Protocol mismatch for filter with specified
// priority.") mean something else is there, and are not "gone".
bool IsAlreadyGone(const KernelError& e);

}  // namespace chaosnet::netlink
