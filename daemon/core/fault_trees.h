// The fault trees of every device the daemon has faults on, and the kernel
// work that keeps them in step: placing a fault (egress on the interface,
// ingress on its IFB device behind a mirred redirect), taking it out again,
// reading its counters. Adding or removing one fault changes only that
// fault's class, leaf and filters; the shared root (and, for ingress, the IFB
// device and its redirect) come with a device's first fault and go with its
// last.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "common/result.h"
#include "daemon/core/fault_site.h"
#include "daemon/core/kernel_provider.h"
#include "daemon/kernel/kernel.h"
#include "daemon/model/fault_spec.h"
#include "daemon/plan/interface_tree.h"
#include "daemon/plan/protected_traffic.h"

namespace chaosnet::core {

class FaultTrees {
 public:
  FaultTrees(KernelProvider& kernels, std::vector<plan::ProtectedRule> protected_rules)
      : kernels_(kernels), protected_rules_(std::move(protected_rules)) {}

  // Checks the fault against the trees (overlaps, capacity, foreign qdiscs)
  // and, unless dry_run, creates its objects. All or nothing.
  Result<FaultSite> Place(const std::string& id, const model::FaultSpec& spec, bool dry_run);

  struct BatchItem {
    const std::string* id;
    const model::FaultSpec* spec;
  };
  // Checks a batch as if its faults were placed one after another in this
  // order, without touching the kernel: each is checked against the trees as
  // the ones before it would leave them (overlaps within the batch, slots,
  // classifier budgets), and a device's shared root is planned once. Returns
  // each fault's dry-run site; on a refusal, `failed` is the refused index.
  Result<std::vector<FaultSite>> PlanBatch(const std::vector<BatchItem>& items,
                                           std::size_t& failed);
  // Places a fault PlanBatch planned, as Place does, but an egress-only fault
  // goes in as planned, without planning it (overlaps, slots) again. The
  // batch's faults must be placed in the planned order on each device (the
  // plan gave them their slots in that order), and nothing else may change
  // the trees in between. A fault with an ingress side (its IFB device may
  // not exist yet) is placed by Place.
  Result<FaultSite> PlacePlanned(const std::string& id, const model::FaultSpec& spec,
                                 const FaultSite& planned);

  struct PlannedItem {
    const std::string* id;
    const model::FaultSpec* spec;
    const FaultSite* planned;
  };
  // PlacePlanned for several faults PlanBatch planned on one device, egress
  // only (CanPlaceTogether), in their planned order, with one AddObjects
  // for all of them: one netlink batch (after the root's, when the device
  // has no tree yet). All or nothing: on a failure none of them is placed.
  Result<std::vector<FaultSite>> PlacePlannedTogether(const std::vector<PlannedItem>& items);
  // Whether the planned fault may be one of PlacePlannedTogether's (egress
  // only), and the device it goes on.
  static bool CanPlaceTogether(const model::FaultSpec& spec, const FaultSite& planned);

  // A fault and where it is, for the calls on many faults below.
  struct Placed {
    const std::string* id;
    const FaultSite* site;
  };

  // Takes the fault's objects out. OK; NOT_FOUND when some of them were
  // already gone (the fault was lost); another error when a deletion failed.
  Status Remove(const std::string& id, const FaultSite& site);

  // Remove for several faults, one status each as Remove gives it. The
  // egress-only faults of one device go out with one RemoveEach (one netlink
  // batch; the device's last fault takes its root); the others one by one.
  std::vector<Status> RemoveMany(const std::vector<Placed>& faults);

  // A program's step: changes the fault's netem leaf and htb class in place to
  // what `spec` compiles to (plan::NetemForFault, plan::FaultClass), one
  // change request for each object whose parameters differ, on every side the
  // fault is placed on. Nothing is added or deleted, so queued packets stay.
  // NOT_FOUND when an object is gone. `site` records the new parameters; after
  // a failure part way it keeps the old ones, so a retry sends them all again.
  Status Change(FaultSite& site, const model::FaultSpec& spec);

  // The kernel's counters for the fault's classes and leaves, summed over its
  // placements. NOT_FOUND when they are gone.
  Result<kernel::Counters> ReadCounters(const FaultSite& site);

  // ReadCounters for several faults, one result each: per device holding
  // more than one of them, one read of all their classes and one of their
  // leaves (a dump each) when nothing is missing; fault by fault
  // (ReadCounters, a get each) on a device where something is, or where
  // only one of them is.
  std::vector<Result<kernel::Counters>> ReadCountersMany(const std::vector<Placed>& faults);

  // Which of `faults` (id, site) have a class or leaf gone from the kernel,
  // after notifications were missed (ReadCountersMany's NOT_FOUNDs).
  std::vector<std::string> FindMissing(const std::vector<Placed>& faults);

  // The namespace is still named (see KernelProvider::StillNamed).
  bool NamespaceStillNamed(const std::string& key) { return kernels_.StillNamed(key); }

  const std::vector<plan::ProtectedRule>& protected_rules() const { return protected_rules_; }

 private:
  struct DeviceKey {
    std::string netns_key;
    int ifindex = 0;
    auto operator<=>(const DeviceKey&) const = default;
  };
  struct Device {
    plan::InterfaceTree tree;
    int parent_ifindex = 0;  // ingress: the interface redirected into this IFB
  };

  Status CheckRootFree(kernel::Kernel& kernel, const std::string& device, int ifindex);
  Status CheckIngressFree(kernel::Kernel& kernel, const std::string& interface, int ifindex);
  Status RemovePlacement(kernel::Kernel& kernel, const std::string& netns_key,
                         const std::string& id, const Placement& p);
  Device& DeviceFor(const DeviceKey& key, const std::string& name, int parent_ifindex);
  // How many of a tree's AddSteps the kernel must confirm before the rest
  // goes: a new tree's root and protected-traffic filters.
  static std::size_t AckedFirst(const plan::InterfaceTree& tree) {
    return tree.empty() ? tree.RootSteps().size() : 0;
  }
  Result<kernel::Kernel*> KernelFor(const std::string& netns_key);

  // The interface's index in the namespace: asked of the kernel, or of the
  // memo while PlanBatch runs (a batch names a few interfaces thousands of
  // times; one RTM_GETLINK each would be ~5% of its time).
  Result<int> InterfaceIndex(kernel::Kernel& kernel, const std::string& netns_key,
                             const std::string& interface);

  KernelProvider& kernels_;
  std::vector<plan::ProtectedRule> protected_rules_;
  std::map<std::pair<std::string, std::string>, int>* batch_ifindexes_ = nullptr;
  std::map<DeviceKey, Device> devices_;
  // Namespaces in use (each placed fault holds one Acquire of its namespace).
  std::map<std::string, kernel::Kernel*> namespaces_;
};

}  // namespace chaosnet::core
