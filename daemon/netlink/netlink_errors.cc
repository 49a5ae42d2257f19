#include "daemon/netlink/netlink_errors.h"

#include <cctype>
#include <cerrno>
#include <cstring>

namespace chaosnet::netlink {
namespace {

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::string Details(const KernelError& e) {
  std::string d = std::strerror(e.error);
  if (!e.ext_ack.empty()) d += "; kernel says: " + e.ext_ack;
  return " (" + d + ")";
}

}  // namespace

std::string MissingQdiscMessage(const std::string& kind) {
  return "kernel has no " + kind + " qdisc: load sch_" + kind + " or enable CONFIG_NET_SCH_" +
         Upper(kind);
}

bool IsUnknownKind(const KernelError& e) {
  // The kernel answers ENOENT both for an unknown kind and for a missing
  // parent; only the extended ack ("Specified qdisc kind is unknown.") tells
  // them apart. Old kernels without extack: the caller's probe decides.
  return e.error == ENOENT && e.ext_ack.find("kind is unknown") != std::string::npos;
}

Status QdiscErrorStatus(const KernelError& e, const std::string& what, const std::string& kind) {
  if (e.ok()) return Status::Ok();
  if (IsUnknownKind(e)) return FailedPrecondition(MissingQdiscMessage(kind));
  switch (e.error) {
    case ENOENT: return NotFound(what + ": no such qdisc, parent or interface" + Details(e));
    case ENODEV: return NotFound(what + ": the interface is gone" + Details(e));
    case EEXIST:
      return AlreadyExists(what + ": a qdisc is already there and chaosnet never replaces one" +
                           Details(e));
    case EPERM:
    case EACCES:
      return PermissionDenied(what +
                              ": not permitted; chaosnetd needs CAP_NET_ADMIN in the "
                              "interface's network namespace" +
                              Details(e));
    case EINVAL:
    case ERANGE: return InvalidArgument(what + ": the kernel rejected the parameters" + Details(e));
    case EOPNOTSUPP:
      return FailedPrecondition(what + ": not supported by this kernel or device" + Details(e));
    default: return Internal(what + ": unexpected kernel error" + Details(e));
  }
}

}  // namespace chaosnet::netlink
