#include "daemon/plan/interface_tree.h"

#include <sys/socket.h>

#include <algorithm>
#include <cassert>
#include <utility>

#include "daemon/plan/compiler.h"
#include "daemon/plan/exemptions.h"
#include "daemon/plan/link_model_compiler.h"
#include "daemon/plan/match_compiler.h"

namespace chaosnet::plan {
namespace {

IpFamily NodeFamily(const U32Node& node) {
  return node.protocol == FilterProtocol::kIpv6 ? IpFamily::kIpv6 : IpFamily::kIpv4;
}

}  // namespace

HtbClass FaultClass(const model::FaultSpec& spec, uint16_t slot) {
  const uint64_t bits = spec.rate ? spec.rate->bits_per_second : kUnlimitedBitsPerSecond;
  const TbfQdisc bucket = TbfForRate(bits);
  HtbClass cls;
  cls.classid = FaultClassId(slot);
  cls.parent = kTreeRootHandle;
  cls.rate_bytes_per_second = bucket.rate_bytes_per_second;
  cls.ceil_bytes_per_second = bucket.rate_bytes_per_second;
  cls.burst_bytes = bucket.burst_bytes;
  cls.cburst_bytes = bucket.burst_bytes;
  cls.quantum_bytes = kFaultClassQuantumBytes;
  return cls;
}

TreeQdisc RootQdisc() {
  HtbQdisc htb;
  htb.default_minor = 0;  // unclassified: direct
  htb.direct_qlen = kRootDirectQueueLength;
  return TreeQdisc{kTreeRootHandle, kRootParent, htb};
}

InterfaceTree::InterfaceTree(std::vector<ProtectedRule> protected_rules, std::string device_name)
    : device_name_(std::move(device_name)), slot_used_(kMaxFaultsPerDevice + 1, false) {
  auto compiled = CompileProtectedTraffic(protected_rules, kTreeRootHandle);
  if (compiled.ok()) {
    protected_classifiers_ = std::move(*compiled);
  } else {
    protected_status_ = compiled.status();
  }
}

Status InterfaceTree::CheckIdentity(const std::string& fault_id) const {
  RETURN_IF_ERROR(protected_status_);
  if (faults_.count(fault_id) != 0) {
    return AlreadyExists("fault " + fault_id + " is already on " + device_name_);
  }
  return Status::Ok();
}

Status InterfaceTree::OverlapError(const std::string& id) const {
  const Entry& entry = faults_.at(id);
  return FailedPrecondition("match overlaps fault " + id + " (" + DescribeMatch(entry.spec.match) +
                            ") on " + device_name_ +
                            "; a packet can belong to one fault only: narrow the match or "
                            "revoke " +
                            id);
}

Status InterfaceTree::CheckOverlap(const model::FaultSpec& spec) const {
  if (spec.match.empty()) {
    if (whole_interface_fault_) {
      return FailedPrecondition("fault " + *whole_interface_fault_ + " already affects all of " +
                                device_name_ +
                                "; a device takes one whole-interface fault: combine the "
                                "impairments into one fault, target this one with "
                                "--dst/--src/--dport/--sport/--proto, or revoke " +
                                *whole_interface_fault_);
    }
    return Status::Ok();
  }
  // Only faults that can share a packet are compared: every linear targeted
  // fault, and of the host faults those whose address is in one of the
  // destination CIDRs (all of them when the match has no destination). The
  // first overlapping fault by id is named, whatever order they are seen in.
  const std::string* first = nullptr;
  auto check = [&](const std::string& id) {
    if (first != nullptr && id >= *first) return;
    if (MatchesOverlap(spec.match, faults_.at(id).spec.match)) first = &id;
  };
  for (const std::string& id : linear_targeted_) check(id);
  const std::vector<model::Cidr> destinations = Destinations(spec.match);
  if (destinations.empty()) {
    for (const auto& [key, ids] : host_index_) {
      for (const std::string& id : ids) check(id);
    }
  }
  for (const model::Cidr& cidr : destinations) {
    // The hosts inside cidr are one run of the ordered index, from its
    // network address on.
    HostKey low{cidr.family, {}};
    const int bytes = cidr.family == AF_INET6 ? 16 : 4;
    for (int i = 0; i < bytes; ++i) {
      const int bits = std::clamp(cidr.prefix_length - 8 * i, 0, 8);
      low.second[i] = cidr.address[i] & static_cast<uint8_t>(0xFF00 >> bits);
    }
    model::Match within;
    within.dst = cidr;
    for (auto it = host_index_.lower_bound(low); it != host_index_.end(); ++it) {
      if (it->first.first != cidr.family) break;
      model::Match host;
      host.dst = model::Cidr{cidr.family, it->first.second, static_cast<uint8_t>(8 * bytes)};
      if (!MatchesOverlap(host, within)) break;
      for (const std::string& id : it->second) check(id);
    }
  }
  return first == nullptr ? Status::Ok() : OverlapError(*first);
}

bool InterfaceTree::BuildHostNodes(const model::FaultSpec& spec, const model::Cidr& host,
                                   FaultObjects& objects) const {
  const IpFamily family = HostFamily(host);
  // A match that cannot be compiled (a source of the other family, icmp
  // with ports, too many port blocks) takes the linear path, which reports it.
  const auto families = MatchFamilies(spec.match);
  if (!families.ok() || *families != std::vector<IpFamily>{family}) return false;
  auto rules = CompileMatchRules(spec.match, family);
  if (!rules.ok() || rules->empty()) return false;
  const auto used_it = bucket_nodes_.find(HostNodeHandle(host, 0));
  static const std::set<uint32_t> kNone;
  const std::set<uint32_t>& used = used_it == bucket_nodes_.end() ? kNone : used_it->second;
  if (used.size() + rules->size() > kMaxNodesPerBucket) return false;
  const U32HashTable table = HostHashTable(family, kTreeRootHandle);
  // The lowest free ids: walk the used ones in order alongside.
  uint32_t node = 1;
  auto next_used = used.begin();
  for (U32Rule& rule : *rules) {
    for (; next_used != used.end() && *next_used == node; ++next_used) ++node;
    objects.nodes.push_back(U32Node{table.parent, table.priority, table.protocol,
                                    HostNodeHandle(host, node), objects.cls.classid,
                                    std::move(rule.keys)});
    ++node;
  }
  return true;
}

Result<FaultObjects> InterfaceTree::Build(const model::FaultSpec& spec, uint16_t slot) const {
  FaultObjects objects;
  objects.slot = slot;
  objects.cls = FaultClass(spec, slot);
  if (spec.jam) {
    objects.leaf = TreeQdisc{FaultLeafHandle(slot), objects.cls.classid, PlugForJam(*spec.jam)};
  } else if (spec.needs_netem()) {
    objects.leaf = TreeQdisc{FaultLeafHandle(slot), objects.cls.classid, NetemForFault(spec)};
  }
  if (const auto host = HashedHost(spec); host && BuildHostNodes(spec, *host, objects)) {
    return objects;
  }
  const uint16_t priority = spec.match.empty() ? kWholeInterfacePriority : TargetedPriority(slot);
  ASSIGN_OR_RETURN(auto filters,
                   CompileMatch(spec.match, kTreeRootHandle, priority, objects.cls.classid));
  ASSIGN_OR_RETURN(objects.filters,
                   AddExemptions(std::move(filters), spec.exemptions, kTreeRootHandle));
  return objects;
}

Status InterfaceTree::CheckClassifierBudget(const FaultObjects& objects) const {
  const size_t in_use = protected_classifiers_.size() + fault_classifiers_ +
                        static_cast<size_t>(host_live_[0]) + static_cast<size_t>(host_live_[1]);
  size_t more = objects.filters.size();
  if (!objects.nodes.empty() && !HostClassifierLive(NodeFamily(objects.nodes.front()))) ++more;
  if (in_use + more > kMaxU32ClassifiersPerQdisc) {
    return Status(StatusCode::kResourceExhausted,
                  device_name_ + " has " + std::to_string(in_use) +
                      " u32 filters, and the kernel allows " +
                      std::to_string(kMaxU32ClassifiersPerQdisc) +
                      " per qdisc; revoke faults first (a fault whose --dst is one host address "
                      "shares one filter per family with the others like it; any other needs "
                      "one filter per address family it matches: with --dst or --src of one "
                      "family one, else two)");
  }
  return Status::Ok();
}

std::optional<uint16_t> InterfaceTree::LowestFreeSlot() const {
  for (uint16_t slot = 1; slot <= kMaxFaultsPerDevice; ++slot) {
    if (!slot_used_[slot]) return slot;
  }
  return std::nullopt;
}

// The order of the checks decides which error a request gets when several
// apply: first what is wrong with the request itself (duplicate id, a match
// that cannot be compiled), then conflicts with other faults, then capacity.
Result<FaultObjects> InterfaceTree::PlanFault(const std::string& fault_id,
                                              const model::FaultSpec& spec) const {
  RETURN_IF_ERROR(CheckIdentity(fault_id));
  const std::optional<uint16_t> slot = LowestFreeSlot();
  ASSIGN_OR_RETURN(FaultObjects objects, Build(spec, slot.value_or(kMaxFaultsPerDevice)));
  RETURN_IF_ERROR(CheckOverlap(spec));
  if (!slot) {
    return Status(StatusCode::kResourceExhausted,
                  device_name_ + " already carries " + std::to_string(kMaxFaultsPerDevice) +
                      " faults, the most one device takes; revoke some first");
  }
  RETURN_IF_ERROR(CheckClassifierBudget(objects));
  return objects;
}

Result<FaultObjects> InterfaceTree::PlanFaultInSlot(const std::string& fault_id,
                                                    const model::FaultSpec& spec,
                                                    uint16_t slot) const {
  if (slot < 1 || slot > kMaxFaultsPerDevice) {
    return InvalidArgument("slot " + std::to_string(slot) + " is outside 1.." +
                           std::to_string(kMaxFaultsPerDevice));
  }
  RETURN_IF_ERROR(CheckIdentity(fault_id));
  ASSIGN_OR_RETURN(FaultObjects objects, Build(spec, slot));
  RETURN_IF_ERROR(CheckOverlap(spec));
  if (slot_used_[slot]) {
    for (const auto& [id, entry] : faults_) {
      if (entry.objects.slot == slot) {
        return FailedPrecondition("slot " + std::to_string(slot) + " on " + device_name_ +
                                  " is held by fault " + id);
      }
    }
  }
  RETURN_IF_ERROR(CheckClassifierBudget(objects));
  return objects;
}

std::vector<TcObject> InterfaceTree::RootSteps() const {
  std::vector<TcObject> steps;
  steps.reserve(1 + protected_classifiers_.size());
  steps.emplace_back(RootQdisc());
  for (const U32Classifier& c : protected_classifiers_) steps.emplace_back(c);
  return steps;
}

std::vector<TcObject> InterfaceTree::AddSteps(const FaultObjects& objects) const {
  std::vector<TcObject> steps;
  if (faults_.empty()) steps = RootSteps();
  steps.emplace_back(objects.cls);
  if (objects.leaf) steps.emplace_back(*objects.leaf);
  for (const U32Classifier& f : objects.filters) steps.emplace_back(f);
  if (!objects.nodes.empty()) {
    // Tables before the nodes in them, links after: a table is reachable
    // only once it is filled.
    const U32Node& first = objects.nodes.front();
    const IpFamily family = NodeFamily(first);
    const bool level1 = faults_.empty() || !HostClassifierLive(family);
    const bool level2 = faults_.empty() || level2_live_.count(U32HandleTable(first.handle)) == 0;
    if (level1) steps.emplace_back(HostHashTable(family, kTreeRootHandle));
    if (level2) steps.emplace_back(HostLevel2TableOf(first));
    for (const U32Node& n : objects.nodes) steps.emplace_back(n);
    if (level2) steps.emplace_back(HostLevel2LinkOf(first));
    if (level1) steps.emplace_back(HostHashLink(family, kTreeRootHandle));
  }
  return steps;
}

void InterfaceTree::Insert(const std::string& fault_id, const model::FaultSpec& spec,
                           FaultObjects objects) {
  assert(objects.slot >= 1 && objects.slot <= kMaxFaultsPerDevice);
  Erase(fault_id);  // a re-insert replaces, never leaks a slot
  slot_used_[objects.slot] = true;
  fault_classifiers_ += objects.filters.size();
  if (spec.match.empty()) whole_interface_fault_ = fault_id;
  if (!objects.nodes.empty()) {
    host_live_[Index(NodeFamily(objects.nodes.front()))] = true;
    level2_live_.insert(U32HandleTable(objects.nodes.front().handle));
    for (const U32Node& n : objects.nodes) {
      bucket_nodes_[n.handle & ~0xFFFu].insert(U32HandleNode(n.handle));
    }
    const model::Cidr host = *HashedHost(spec);
    host_index_[HostKey{host.family, host.address}].insert(fault_id);
  } else if (!spec.match.empty()) {
    linear_targeted_.insert(fault_id);
  }
  faults_.emplace(fault_id, Entry{spec, std::move(objects)});
}

std::vector<TcObject> InterfaceTree::RemoveSteps(const std::string& fault_id) const {
  const auto it = faults_.find(fault_id);
  if (it == faults_.end()) return {};
  if (faults_.size() == 1) return {RootQdisc()};
  std::vector<TcObject> steps;
  for (const U32Classifier& f : it->second.objects.filters) steps.emplace_back(f);
  for (const U32Node& n : it->second.objects.nodes) steps.emplace_back(n);
  steps.emplace_back(it->second.objects.cls);
  return steps;
}

void InterfaceTree::Erase(const std::string& fault_id) {
  const auto it = faults_.find(fault_id);
  if (it == faults_.end()) return;
  const FaultObjects& objects = it->second.objects;
  slot_used_[objects.slot] = false;
  fault_classifiers_ -= objects.filters.size();
  if (whole_interface_fault_ == fault_id) whole_interface_fault_.reset();
  linear_targeted_.erase(fault_id);
  for (const U32Node& n : objects.nodes) {
    const auto bucket = bucket_nodes_.find(n.handle & ~0xFFFu);
    bucket->second.erase(U32HandleNode(n.handle));
    if (bucket->second.empty()) bucket_nodes_.erase(bucket);
  }
  if (!objects.nodes.empty()) {
    const model::Cidr host = *HashedHost(it->second.spec);
    const auto entry = host_index_.find(HostKey{host.family, host.address});
    entry->second.erase(fault_id);
    if (entry->second.empty()) host_index_.erase(entry);
  }
  faults_.erase(it);
  // The last fault takes the root, and with it the host classifiers.
  if (faults_.empty()) {
    host_live_ = {};
    level2_live_.clear();
  }
}

const FaultObjects* InterfaceTree::Find(const std::string& fault_id) const {
  const auto it = faults_.find(fault_id);
  return it == faults_.end() ? nullptr : &it->second.objects;
}

}  // namespace chaosnet::plan
