#include "daemon/core/fault_trees.h"

#include <set>

#include "daemon/plan/compiler.h"
#include "daemon/plan/describe.h"
#include "daemon/plan/link_model_compiler.h"

namespace chaosnet::core {
namespace {

bool HasEgress(model::Direction d) { return d != model::Direction::kIngress; }
bool HasIngress(model::Direction d) { return d != model::Direction::kEgress; }

std::vector<plan::TcObject> IngressHook(const std::string& ifb, int ifb_ifindex) {
  plan::RedirectFilter redirect;
  redirect.to_device = ifb;
  redirect.to_ifindex = ifb_ifindex;
  return {plan::TreeQdisc{plan::kIngressHandle, plan::kIngressParent, plan::IngressQdisc{}},
          redirect};
}

// Deleting the ingress qdisc takes the redirect filter with it.
std::vector<plan::TcObject> IngressHookRemoval() {
  return {plan::TreeQdisc{plan::kIngressHandle, plan::kIngressParent, plan::IngressQdisc{}}};
}

std::string Where(const std::string& netns_key, const std::string& device) {
  return netns_key.empty() ? device : device + " (netns " + netns_key + ")";
}

// A jam ends with a burst: its plug releases what it held, and its class is
// removed only once that has left (or the bounded wait ran out), because
// deleting the class would drop the backlog. A plug already gone has nothing
// to release; the removal that follows reports it.
void ReleaseJams(kernel::Kernel& kernel, const FaultSite& site) {
  for (const Placement& p : site.placements) {
    if (p.objects.leaf && std::holds_alternative<plan::PlugQdisc>(p.objects.leaf->params)) {
      kernel.ReleaseHeld(p.ifindex, *p.objects.leaf, plan::kJamDrainWait);
    }
  }
}

}  // namespace

FaultTrees::Device& FaultTrees::DeviceFor(const DeviceKey& key, const std::string& name,
                                          int parent_ifindex) {
  auto it = devices_.find(key);
  if (it == devices_.end()) {
    it = devices_.emplace(key, Device{plan::InterfaceTree(protected_rules_, name), parent_ifindex})
             .first;
  }
  return it->second;
}

Result<kernel::Kernel*> FaultTrees::KernelFor(const std::string& netns_key) {
  auto it = namespaces_.find(netns_key);
  if (it == namespaces_.end()) return NotFound("network namespace " + netns_key + " is not open");
  return it->second;
}

Status FaultTrees::CheckRootFree(kernel::Kernel& kernel, const std::string& device, int ifindex) {
  ASSIGN_OR_RETURN(const auto root, kernel.GetRootQdisc(ifindex));
  if (root.is_default) return Status::Ok();
  if (plan::IsOwnedHandle(root.handle)) {
    return FailedPrecondition("interface " + device + " carries a " + root.kind +
                              " qdisc left over by an earlier chaosnetd (handle " +
                              plan::FormatHandle(root.handle) +
                              "); remove it with `chaosnetd --cleanup`");
  }
  return FailedPrecondition("interface " + device + " already has a root qdisc (" + root.kind +
                            ", handle " + plan::FormatHandle(root.handle) +
                            ") that chaosnet did not create; chaosnet never replaces foreign "
                            "qdiscs: remove it or pick another interface");
}

Status FaultTrees::CheckIngressFree(kernel::Kernel& kernel, const std::string& interface,
                                    int ifindex) {
  ASSIGN_OR_RETURN(const auto ingress, kernel.GetIngressQdisc(ifindex));
  if (!ingress) {
    auto leftover = kernel.InterfaceIndex(IfbNameFor(ifindex));
    if (leftover.ok()) {
      return FailedPrecondition("IFB device " + IfbNameFor(ifindex) +
                                " is left over by an earlier chaosnetd; remove it with "
                                "`chaosnetd --cleanup`");
    }
    return Status::Ok();
  }
  if (kernel.InterfaceIndex(IfbNameFor(ifindex)).ok()) {
    return FailedPrecondition("interface " + interface +
                              " carries an ingress redirect left over by an earlier chaosnetd; "
                              "remove it with `chaosnetd --cleanup`");
  }
  return FailedPrecondition("interface " + interface + " already has an " + ingress->kind +
                            " qdisc that chaosnet did not create; ingress faults need the "
                            "interface's ingress hook: remove it or use --direction egress");
}

Result<FaultSite> FaultTrees::Place(const std::string& id, const model::FaultSpec& spec,
                                    bool dry_run) {
  ASSIGN_OR_RETURN(const NamespaceKernel ns, kernels_.Acquire(spec.netns));
  kernel::Kernel& kernel = *ns.kernel;
  // Every early return below gives the namespace back unless the fault took it.
  bool keep_namespace = false;
  struct ReleaseUnlessKept {
    KernelProvider& kernels;
    const std::string& key;
    const bool& keep;
    ~ReleaseUnlessKept() {
      if (!keep) kernels.Release(key);
    }
  } release{kernels_, ns.key, keep_namespace};

  auto ifindex = InterfaceIndex(kernel, ns.key, spec.interface);
  if (!ifindex.ok()) {
    if (ifindex.status().code() == StatusCode::kNotFound) {
      return NotFound("no interface named " + spec.interface +
                      (spec.netns.empty() ? "" : " in network namespace " + spec.netns));
    }
    return ifindex.status();
  }

  FaultSite site;
  site.netns_key = ns.key;
  site.ifindex = *ifindex;

  // Plan both sides before touching anything, so a refusal leaves no trace.
  struct Side {
    Placement placement;
    DeviceKey key;
    bool new_tree = false;
    bool new_ifb = false;
  };
  std::vector<Side> sides;
  if (HasEgress(spec.direction)) {
    DeviceKey key{ns.key, *ifindex};
    auto existing = devices_.find(key);
    const bool new_tree = existing == devices_.end() || existing->second.tree.empty();
    if (new_tree) RETURN_IF_ERROR(CheckRootFree(kernel, spec.interface, *ifindex));
    plan::InterfaceTree scratch(protected_rules_, spec.interface);
    const plan::InterfaceTree& tree = new_tree ? scratch : existing->second.tree;
    ASSIGN_OR_RETURN(auto objects, tree.PlanFault(id, spec));
    sides.push_back(
        {Placement{spec.interface, *ifindex, false, std::move(objects)}, key, new_tree, false});
  }
  if (HasIngress(spec.direction)) {
    const std::string ifb = IfbNameFor(*ifindex);
    const plan::InterfaceTree* tree = nullptr;
    int ifb_ifindex = 0;
    for (auto& [key, device] : devices_) {
      if (key.netns_key == ns.key && device.parent_ifindex == *ifindex && !device.tree.empty()) {
        tree = &device.tree;
        ifb_ifindex = key.ifindex;
      }
    }
    plan::InterfaceTree scratch(protected_rules_, ifb);
    const bool new_ifb = tree == nullptr;
    if (new_ifb) {
      RETURN_IF_ERROR(CheckIngressFree(kernel, spec.interface, *ifindex));
      tree = &scratch;
    }
    ASSIGN_OR_RETURN(auto objects, tree->PlanFault(id, spec));
    sides.push_back({Placement{ifb, ifb_ifindex, true, std::move(objects)},
                     DeviceKey{ns.key, ifb_ifindex}, new_ifb, new_ifb});
  }

  if (dry_run) {
    for (const Side& side : sides) {
      if (side.new_ifb) {
        for (auto& o : IngressHook(side.placement.device, 0)) {
          site.added.push_back({spec.interface, o});
        }
      }
      plan::InterfaceTree scratch(protected_rules_, side.placement.device);
      auto it = devices_.find(side.key);
      const plan::InterfaceTree& tree =
          side.new_tree || it == devices_.end() ? scratch : it->second.tree;
      for (auto& o : tree.AddSteps(side.placement.objects)) {
        site.added.push_back({side.placement.device, o});
      }
      site.placements.push_back(side.placement);
    }
    return site;
  }

  // Apply side by side; a failure takes back the sides already placed.
  auto undo = [&] {
    for (auto it = site.placements.rbegin(); it != site.placements.rend(); ++it) {
      RemovePlacement(kernel, ns.key, id, *it);
    }
  };
  namespaces_[ns.key] = &kernel;
  for (Side& side : sides) {
    Placement& p = side.placement;
    if (side.new_ifb) {
      auto created = kernel.CreateIfb(p.device);
      if (!created.ok()) {
        undo();
        return Status(created.status().code(),
                      "cannot create IFB device " + p.device + ": " + created.status().message());
      }
      p.ifindex = *created;
      side.key.ifindex = *created;
      auto hook = IngressHook(p.device, p.ifindex);
      if (Status s = kernel.AddObjects(*ifindex, hook); !s.ok()) {
        kernel.DeleteLink(p.ifindex);
        undo();
        return s;
      }
      for (auto& o : hook) site.added.push_back({spec.interface, o});
    }
    Device& device = DeviceFor(side.key, p.device, p.ingress ? *ifindex : 0);
    auto steps = device.tree.AddSteps(p.objects);
    if (Status s = kernel.AddObjects(p.ifindex, steps, AckedFirst(device.tree)); !s.ok()) {
      if (side.new_ifb) {
        kernel.RemoveObjects(*ifindex, IngressHookRemoval());
        kernel.DeleteLink(p.ifindex);
      }
      if (device.tree.empty()) devices_.erase(side.key);
      undo();
      return s;
    }
    device.tree.Insert(id, spec, p.objects);
    for (auto& o : steps) site.added.push_back({p.device, o});
    site.placements.push_back(p);
  }
  keep_namespace = true;
  return site;
}

Result<int> FaultTrees::InterfaceIndex(kernel::Kernel& kernel, const std::string& netns_key,
                                       const std::string& interface) {
  if (batch_ifindexes_ == nullptr) return kernel.InterfaceIndex(interface);
  auto key = std::make_pair(netns_key, interface);
  if (auto it = batch_ifindexes_->find(key); it != batch_ifindexes_->end()) return it->second;
  ASSIGN_OR_RETURN(const int ifindex, kernel.InterfaceIndex(interface));
  batch_ifindexes_->emplace(std::move(key), ifindex);
  return ifindex;
}

Result<std::vector<FaultSite>> FaultTrees::PlanBatch(const std::vector<BatchItem>& items,
                                                     std::size_t& failed) {
  // The batch is simulated on the trees themselves, which are put back
  // afterwards: one copy per batch, and the same checks as a single fault.
  struct PutBack {
    std::map<DeviceKey, Device>& live;
    std::map<DeviceKey, Device> saved;
    ~PutBack() { live = std::move(saved); }
  } put_back{devices_, devices_};
  std::map<std::pair<std::string, std::string>, int> ifindexes;
  batch_ifindexes_ = &ifindexes;
  struct ForgetIndexes {
    std::map<std::pair<std::string, std::string>, int>*& memo;
    ~ForgetIndexes() { memo = nullptr; }
  } forget{batch_ifindexes_};
  std::vector<FaultSite> sites;
  sites.reserve(items.size());
  for (std::size_t i = 0; i < items.size(); ++i) {
    const std::string& id = *items[i].id;
    const model::FaultSpec& spec = *items[i].spec;
    auto site = Place(id, spec, /*dry_run=*/true);
    if (!site.ok()) {
      failed = i;
      return site.status();
    }
    for (const Placement& p : site->placements) {
      // An IFB device not created yet has no index: key it by its interface's.
      const int ifindex = p.ifindex != 0 ? p.ifindex : -site->ifindex;
      DeviceFor({site->netns_key, ifindex}, p.device, p.ingress ? site->ifindex : 0)
          .tree.Insert(id, spec, p.objects);
    }
    sites.push_back(std::move(*site));
  }
  return sites;
}

Result<FaultSite> FaultTrees::PlacePlanned(const std::string& id, const model::FaultSpec& spec,
                                           const FaultSite& planned) {
  if (spec.direction != model::Direction::kEgress || planned.placements.size() != 1) {
    return Place(id, spec, /*dry_run=*/false);
  }
  ASSIGN_OR_RETURN(const NamespaceKernel ns, kernels_.Acquire(spec.netns));
  kernel::Kernel& kernel = *ns.kernel;
  const Placement& p = planned.placements.front();
  const DeviceKey key{ns.key, p.ifindex};
  Device& device = DeviceFor(key, p.device, 0);
  auto steps = device.tree.AddSteps(p.objects);
  if (Status s = kernel.AddObjects(p.ifindex, steps, AckedFirst(device.tree)); !s.ok()) {
    if (device.tree.empty()) devices_.erase(key);
    kernels_.Release(ns.key);
    return s;
  }
  device.tree.Insert(id, spec, p.objects);
  namespaces_[ns.key] = &kernel;
  FaultSite site;
  site.netns_key = ns.key;
  site.ifindex = planned.ifindex;
  site.placements.push_back(p);
  for (auto& o : steps) site.added.push_back({p.device, o});
  return site;
}

bool FaultTrees::CanPlaceTogether(const model::FaultSpec& spec, const FaultSite& planned) {
  return spec.direction == model::Direction::kEgress && planned.placements.size() == 1;
}

Result<std::vector<FaultSite>> FaultTrees::PlacePlannedTogether(
    const std::vector<PlannedItem>& items) {
  if (items.empty()) return std::vector<FaultSite>{};
  // Each placed fault holds one Acquire of its namespace.
  ASSIGN_OR_RETURN(const NamespaceKernel ns, kernels_.Acquire(items.front().spec->netns));
  std::size_t acquired = 1;
  auto release = [&] {
    for (; acquired > 0; --acquired) kernels_.Release(ns.key);
  };
  for (; acquired < items.size(); ++acquired) {
    if (Status s = kernels_.Acquire(items[acquired].spec->netns).status(); !s.ok()) {
      release();
      return s;
    }
  }
  kernel::Kernel& kernel = *ns.kernel;
  const Placement& where = items.front().planned->placements.front();
  const DeviceKey key{ns.key, where.ifindex};
  Device& device = DeviceFor(key, where.device, 0);
  const std::size_t acked_first = AckedFirst(device.tree);
  // Each fault's steps as the tree stands after the ones before it (the
  // first of a new tree brings the root), so the tree takes them in as it goes.
  std::vector<plan::TcObject> steps;
  std::vector<std::vector<plan::TcObject>> added;
  added.reserve(items.size());
  for (const PlannedItem& item : items) {
    const Placement& p = item.planned->placements.front();
    added.push_back(device.tree.AddSteps(p.objects));
    steps.insert(steps.end(), added.back().begin(), added.back().end());
    device.tree.Insert(*item.id, *item.spec, p.objects);
  }
  if (Status s = kernel.AddObjects(where.ifindex, steps, acked_first); !s.ok()) {
    for (const PlannedItem& item : items) device.tree.Erase(*item.id);
    if (device.tree.empty()) devices_.erase(key);
    release();
    return s;
  }
  namespaces_[ns.key] = &kernel;
  std::vector<FaultSite> sites;
  sites.reserve(items.size());
  for (std::size_t i = 0; i < items.size(); ++i) {
    FaultSite site;
    site.netns_key = ns.key;
    site.ifindex = items[i].planned->ifindex;
    site.placements.push_back(items[i].planned->placements.front());
    for (auto& o : added[i]) site.added.push_back({where.device, std::move(o)});
    sites.push_back(std::move(site));
  }
  return sites;
}

Status FaultTrees::RemovePlacement(kernel::Kernel& kernel, const std::string& netns_key,
                                   const std::string& id, const Placement& p) {
  DeviceKey key{netns_key, p.ifindex};
  auto it = devices_.find(key);
  if (it == devices_.end() || it->second.tree.Find(id) == nullptr) {
    return NotFound("fault " + id + " is not in the tree of " + Where(netns_key, p.device));
  }
  Device& device = it->second;
  const auto steps = device.tree.RemoveSteps(id);
  device.tree.Erase(id);
  Status removed = kernel.RemoveObjects(p.ifindex, steps);
  if (device.tree.empty()) {
    const int parent = device.parent_ifindex;
    devices_.erase(it);
    if (p.ingress) {
      Status hook = kernel.RemoveObjects(parent, IngressHookRemoval());
      Status link = kernel.DeleteLink(p.ifindex);
      for (const Status& s : {hook, link}) {
        if (!s.ok() && s.code() != StatusCode::kNotFound && removed.ok()) removed = s;
      }
    }
  }
  return removed;
}

Status FaultTrees::Remove(const std::string& id, const FaultSite& site) {
  ASSIGN_OR_RETURN(auto* kernel, KernelFor(site.netns_key));
  ReleaseJams(*kernel, site);
  Status result = Status::Ok();
  for (const Placement& p : site.placements) {
    Status s = RemovePlacement(*kernel, site.netns_key, id, p);
    // A real failure outranks "already gone", which outranks success.
    if (!s.ok() && (result.ok() || result.code() == StatusCode::kNotFound)) result = s;
  }
  kernels_.Release(site.netns_key);
  bool still_used = false;
  for (const auto& [key, device] : devices_) still_used |= key.netns_key == site.netns_key;
  if (!still_used) namespaces_.erase(site.netns_key);
  return result;
}

std::vector<Status> FaultTrees::RemoveMany(const std::vector<Placed>& faults) {
  std::vector<Status> out(faults.size());
  std::map<DeviceKey, std::vector<std::size_t>> together;  // egress-only, by device
  for (std::size_t i = 0; i < faults.size(); ++i) {
    const FaultSite& site = *faults[i].site;
    if (site.placements.size() == 1 && !site.placements.front().ingress) {
      together[DeviceKey{site.netns_key, site.placements.front().ifindex}].push_back(i);
    } else {
      out[i] = Remove(*faults[i].id, site);
    }
  }
  std::set<std::string> keys;
  for (const auto& [key, indexes] : together) {
    auto kernel = KernelFor(key.netns_key);
    if (!kernel.ok()) {
      for (std::size_t i : indexes) out[i] = kernel.status();
      continue;
    }
    keys.insert(key.netns_key);
    auto device = devices_.find(key);
    // Each fault's steps as the tree stands after the ones before it: the
    // last of the device's faults takes the root, and with it everything.
    std::vector<std::vector<plan::TcObject>> groups;
    std::vector<std::size_t> sent;
    for (std::size_t i : indexes) {
      const std::string& id = *faults[i].id;
      ReleaseJams(**kernel, *faults[i].site);
      if (device == devices_.end() || device->second.tree.Find(id) == nullptr) {
        out[i] = NotFound("fault " + id + " is not in the tree of " +
                          Where(key.netns_key, faults[i].site->placements.front().device));
        continue;
      }
      groups.push_back(device->second.tree.RemoveSteps(id));
      device->second.tree.Erase(id);
      sent.push_back(i);
    }
    const auto removed = (*kernel)->RemoveEach(key.ifindex, groups);
    for (std::size_t k = 0; k < sent.size(); ++k) out[sent[k]] = removed[k];
    if (device != devices_.end() && device->second.tree.empty()) devices_.erase(device);
    // Each placed fault held one Acquire of its namespace.
    for (std::size_t n = 0; n < indexes.size(); ++n) kernels_.Release(key.netns_key);
  }
  for (const std::string& netns_key : keys) {
    bool still_used = false;
    for (const auto& [key, device] : devices_) still_used |= key.netns_key == netns_key;
    if (!still_used) namespaces_.erase(netns_key);
  }
  return out;
}

Status FaultTrees::Change(FaultSite& site, const model::FaultSpec& spec) {
  ASSIGN_OR_RETURN(auto* kernel, KernelFor(site.netns_key));
  for (Placement& p : site.placements) {
    const plan::HtbClass cls = plan::FaultClass(spec, p.objects.slot);
    std::optional<plan::TreeQdisc> leaf = p.objects.leaf;
    if (leaf) leaf->params = plan::NetemForFault(spec);
    std::vector<plan::TcObject> changes;
    if (!(cls == p.objects.cls)) changes.emplace_back(cls);
    if (leaf != p.objects.leaf) changes.emplace_back(*leaf);
    if (changes.empty()) continue;
    RETURN_IF_ERROR(kernel->ChangeObjects(p.ifindex, changes));
    p.objects.cls = cls;
    p.objects.leaf = leaf;
  }
  return Status::Ok();
}

std::vector<std::string> FaultTrees::FindMissing(const std::vector<Placed>& faults) {
  const auto counters = ReadCountersMany(faults);
  std::vector<std::string> out;
  for (std::size_t i = 0; i < faults.size(); ++i) {
    if (!counters[i].ok() && counters[i].status().code() == StatusCode::kNotFound) {
      out.push_back(*faults[i].id);
    }
  }
  return out;
}

std::vector<Result<kernel::Counters>> FaultTrees::ReadCountersMany(
    const std::vector<Placed>& faults) {
  struct OnDevice {
    std::vector<std::size_t> faults;  // indexes into `faults`, each once
    std::vector<uint32_t> classes;
    std::vector<uint32_t> leaves;
  };
  std::map<DeviceKey, OnDevice> devices;
  for (std::size_t i = 0; i < faults.size(); ++i) {
    for (const Placement& p : faults[i].site->placements) {
      OnDevice& d = devices[DeviceKey{faults[i].site->netns_key, p.ifindex}];
      if (d.faults.empty() || d.faults.back() != i) d.faults.push_back(i);
      d.classes.push_back(p.objects.cls.classid);
      if (p.objects.leaf) d.leaves.push_back(p.objects.leaf->handle);
    }
  }
  std::vector<kernel::Counters> totals(faults.size());
  std::vector<bool> alone(faults.size(), false);  // read by ReadCounters instead
  for (const auto& [key, d] : devices) {
    if (d.faults.size() == 1) {  // a get is O(1), a dump O(objects on the device)
      alone[d.faults.front()] = true;
      continue;
    }
    auto kernel = KernelFor(key.netns_key);
    auto classes = kernel.ok() ? (*kernel)->ClassCounters(key.ifindex, d.classes)
                               : Result<std::vector<kernel::Counters>>(kernel.status());
    // Read for their presence only, as ReadCounters does.
    const bool leaves_there =
        classes.ok() && (d.leaves.empty() || (*kernel)->QdiscCounters(key.ifindex, d.leaves).ok());
    if (!leaves_there) {
      // Something on the device is gone: each fault alone says which.
      for (std::size_t i : d.faults) alone[i] = true;
      continue;
    }
    // classes are in placement order, the order d.classes was filled in.
    std::size_t next = 0;
    for (std::size_t i : d.faults) {
      for (const Placement& p : faults[i].site->placements) {
        if (DeviceKey{faults[i].site->netns_key, p.ifindex} != key) continue;
        totals[i] += (*classes)[next++];
      }
    }
  }
  std::vector<Result<kernel::Counters>> out;
  out.reserve(faults.size());
  for (std::size_t i = 0; i < faults.size(); ++i) {
    if (alone[i]) {
      out.push_back(ReadCounters(*faults[i].site));
    } else {
      out.push_back(totals[i]);
    }
  }
  return out;
}

Result<kernel::Counters> FaultTrees::ReadCounters(const FaultSite& site) {
  ASSIGN_OR_RETURN(auto* kernel, KernelFor(site.netns_key));
  kernel::Counters total;
  for (const Placement& p : site.placements) {
    ASSIGN_OR_RETURN(const auto classes, kernel->ClassCounters(p.ifindex, {p.objects.cls.classid}));
    total += classes.front();
    if (p.objects.leaf) {
      // Read for its presence only (a leaf gone is a fault lost): the class's
      // drops already include the leaf's, since htb counts every packet its
      // leaf drops on enqueue (net_xmit_drop_count). Adding netem's own
      // counter counted each loss twice, and ECN marks (netem counts them as
      // drops) as losses.
      RETURN_IF_ERROR(kernel->QdiscCounters(p.ifindex, p.objects.leaf->handle));
    }
  }
  return total;
}

}  // namespace chaosnet::core
