// How the kernel's answers to fault-tree requests (htb classes, u32 filters,
// the ingress qdisc) become a Status. Pure, so every case is table-tested.
#pragma once

#include <string>

#include "common/status.h"
#include "daemon/netlink/netlink_errors.h"

namespace chaosnet::netlink {

// An add or dump failed. `what` names the object and the step, e.g. "adding
// u32 filter prio 1002 on ca00: of ifindex 3"; `kind` is the tc kind involved
// ("htb", "u32", "ingress", "netem") for the missing-module message.
//   ENOENT + "kind is unknown"  -> FAILED_PRECONDITION (missing module)
//   ENOENT, ENODEV              -> NOT_FOUND (parent, class or interface gone)
//   EEXIST                      -> ALREADY_EXISTS
//   EPERM, EACCES               -> PERMISSION_DENIED
//   EINVAL, ERANGE              -> INVALID_ARGUMENT (this includes a filter
//                                  whose parent qdisc does not exist: the kernel
//                                  says "Parent Qdisc doesn't exists." with EINVAL)
//   EBUSY                       -> FAILED_PRECONDITION (e.g. "HTB class in use.")
//   EOPNOTSUPP                  -> FAILED_PRECONDITION
//   anything else               -> INTERNAL
Status TreeErrorStatus(const KernelError& e, const std::string& what, const std::string& kind);

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
