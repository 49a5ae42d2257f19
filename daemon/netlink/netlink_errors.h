// What the kernel answered to a request, and how that becomes a Status. The
// mapping is pure so that every errno / extended-ack case is table-tested.
#pragma once

#include <string>

#include "common/status.h"

namespace chaosnet::netlink {

struct KernelError {
  int error = 0;        // positive errno; 0 = success
  std::string ext_ack;  // NLMSGERR_ATTR_MSG, e.g. "Specified qdisc kind is unknown."
  bool ok() const { return error == 0; }
};

// `what` says which operation failed ("add netem qdisc ca01: on ifindex 3");
// `kind` is the qdisc kind involved, for the missing-module message.
//   ENOENT + "kind is unknown"  -> FAILED_PRECONDITION "kernel has no netem qdisc: load
//                                  sch_netem or enable CONFIG_NET_SCH_NETEM"
//   ENOENT, ENODEV             -> NOT_FOUND
//   EEXIST                     -> ALREADY_EXISTS
//   EPERM, EACCES              -> PERMISSION_DENIED (needs CAP_NET_ADMIN)
//   EINVAL, ERANGE             -> INVALID_ARGUMENT
//   EOPNOTSUPP                 -> FAILED_PRECONDITION
//   anything else              -> INTERNAL
// Every message carries the errno text and the kernel's own words.
Status QdiscErrorStatus(const KernelError& e, const std::string& what, const std::string& kind);

// The message for a kernel without a qdisc kind.
std::string MissingQdiscMessage(const std::string& kind);

// True when the kernel's answer means "this kind is not in the kernel".
bool IsUnknownKind(const KernelError& e);

}  // namespace chaosnet::netlink
