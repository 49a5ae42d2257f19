#include "daemon/netlink/netlink_errors.h"

#include <cerrno>
#include <cstring>

#include "daemon/kernel/capabilities.h"

namespace chaosnet::netlink {
namespace {

std::string Details(const KernelError& e) {
  std::string d = std::strerror(e.error);
  if (!e.ext_ack.empty()) d += "; kernel says: " + e.ext_ack;
  return " (" + d + ")";
}

bool AckSays(const KernelError& e, const char* words) {
  return e.ext_ack.find(words) != std::string::npos;
}

std::string MissingKindMessage(const std::string& kind) {
  const kernel::Feature* feature = kernel::FindFeature(kind);
  if (feature == nullptr) return "kernel has no " + kind + " support";
  return kernel::MissingFeatureMessage(*feature);
}

}  // namespace

Status KernelErrorStatus(const KernelError& e, const std::string& what, const std::string& kind) {
  if (e.ok()) return Status::Ok();
  // The kernel answers ENOENT both for an unknown kind and for a missing
  // parent; only the extended ack ("Specified qdisc kind is unknown.") tells
  // them apart. Old kernels without extack: the start-up probe decides.
  if (e.error == ENOENT && AckSays(e, "kind is unknown")) {
    return FailedPrecondition(what + ": " + MissingKindMessage(kind));
  }
  // Classifiers and actions have their own "unknown" words.
  if (e.error == ENOENT &&
      (AckSays(e, "TC classifier not found") || AckSays(e, "Failed to load TC action"))) {
    return FailedPrecondition(what + ": the kernel lacks the " + kind + " module" + Details(e));
  }
  switch (e.error) {
    case ENOENT:
    case ENODEV:
      return NotFound(what + ": its parent, class or interface does not exist" + Details(e));
    case EEXIST: return AlreadyExists(what + ": it already exists" + Details(e));
    case EPERM:
    case EACCES:
      return PermissionDenied(what +
                              ": not permitted; chaosnetd needs CAP_NET_ADMIN in the "
                              "interface's network namespace" +
                              Details(e));
    case EINVAL:
    case ERANGE: return InvalidArgument(what + ": the kernel rejected it" + Details(e));
    case EBUSY: return FailedPrecondition(what + ": the object is in use" + Details(e));
    case EOPNOTSUPP:
      return FailedPrecondition(what + ": not supported by this kernel or device" + Details(e));
    default: return Internal(what + ": unexpected kernel error" + Details(e));
  }
}

bool IsAlreadyGone(const KernelError& e) {
  if (e.error == ENOENT || e.error == ENODEV) return true;
  return e.error == EINVAL &&
         (AckSays(e, "Parent Qdisc doesn't exist") || AckSays(e, "Invalid handle"));
}

}  // namespace chaosnet::netlink
