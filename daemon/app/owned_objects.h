// Finding and removing what chaosnet put into a namespace, by its markers
// alone (no state needed): root qdiscs with a handle in the owned range, and
// IFB devices named cnifb<ifindex> with the ingress hook that redirects the
// interface <ifindex> into them. Used by start-up reconciliation and by
// `chaosnetd --cleanup`.
#pragma once

#include <string>
#include <vector>

#include "common/result.h"
#include "daemon/kernel/kernel.h"
#include "daemon/netlink/netlink_kernel.h"
#include "daemon/state/reconcile.h"

namespace chaosnet::app {

// The owned objects on one interface (by name): its owned root, and its
// ingress hook when its IFB device exists. Empty when the interface is gone.
std::vector<state::KernelObject> OwnedObjectsOn(kernel::Kernel& kernel, const std::string& netns,
                                                const std::string& interface);

// Every owned object of the namespace `kernel` acts in. IFB devices whose
// interface no longer exists are not objects of any interface: they are
// listed in `stray_ifbs` (name, ifindex).
struct OwnedScan {
  std::vector<state::KernelObject> objects;
  std::vector<std::pair<std::string, int>> stray_ifbs;
};
Result<OwnedScan> ScanOwnedObjects(netlink::NetlinkKernel& kernel, const std::string& netns);

// Removes one object: a root qdisc (and its tree), or an ingress hook with its
// IFB device. NOT_FOUND when it was already gone.
Status RemoveOwnedObject(kernel::Kernel& kernel, const state::KernelObject& object);

std::string DescribeOwnedObject(const state::KernelObject& object);

}  // namespace chaosnet::app
