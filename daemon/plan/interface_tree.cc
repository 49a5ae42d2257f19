#include "daemon/plan/interface_tree.h"

#include <cassert>
#include <utility>

#include "daemon/plan/compiler.h"
#include "daemon/plan/exemptions.h"
#include "daemon/plan/link_model_compiler.h"
#include "daemon/plan/match_compiler.h"

namespace chaosnet::plan {

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
  // Linear in the live faults; MatchesOverlap is a handful of comparisons.
  for (const auto& [id, entry] : faults_) {
    if (entry.spec.match.empty()) continue;
    if (MatchesOverlap(spec.match, entry.spec.match)) {
      return FailedPrecondition("match overlaps fault " + id + " (" +
                                DescribeMatch(entry.spec.match) + ") on " + device_name_ +
                                "; a packet can belong to one fault only: narrow the match or "
                                "revoke " +
                                id);
    }
  }
  return Status::Ok();
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
  const uint16_t priority = spec.match.empty() ? kWholeInterfacePriority : TargetedPriority(slot);
  ASSIGN_OR_RETURN(auto filters,
                   CompileMatch(spec.match, kTreeRootHandle, priority, objects.cls.classid));
  ASSIGN_OR_RETURN(objects.filters,
                   AddExemptions(std::move(filters), spec.exemptions, kTreeRootHandle));
  return objects;
}

Status InterfaceTree::CheckClassifierBudget(const FaultObjects& objects) const {
  const size_t in_use = protected_classifiers_.size() + fault_classifiers_;
  if (in_use + objects.filters.size() > kMaxU32ClassifiersPerQdisc) {
    return Status(StatusCode::kResourceExhausted,
                  device_name_ + " has " + std::to_string(in_use) +
                      " u32 filters, and the kernel allows " +
                      std::to_string(kMaxU32ClassifiersPerQdisc) +
                      " per qdisc; revoke faults first (a fault needs one filter per address "
                      "family it matches: with --dst or --src of one family one, else two)");
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
  return steps;
}

void InterfaceTree::Insert(const std::string& fault_id, const model::FaultSpec& spec,
                           FaultObjects objects) {
  assert(objects.slot >= 1 && objects.slot <= kMaxFaultsPerDevice);
  Erase(fault_id);  // a re-insert replaces, never leaks a slot
  slot_used_[objects.slot] = true;
  fault_classifiers_ += objects.filters.size();
  if (spec.match.empty()) whole_interface_fault_ = fault_id;
  faults_.emplace(fault_id, Entry{spec, std::move(objects)});
}

std::vector<TcObject> InterfaceTree::RemoveSteps(const std::string& fault_id) const {
  const auto it = faults_.find(fault_id);
  if (it == faults_.end()) return {};
  if (faults_.size() == 1) return {RootQdisc()};
  std::vector<TcObject> steps;
  for (const U32Classifier& f : it->second.objects.filters) steps.emplace_back(f);
  steps.emplace_back(it->second.objects.cls);
  return steps;
}

void InterfaceTree::Erase(const std::string& fault_id) {
  const auto it = faults_.find(fault_id);
  if (it == faults_.end()) return;
  slot_used_[it->second.objects.slot] = false;
  fault_classifiers_ -= it->second.objects.filters.size();
  if (whole_interface_fault_ == fault_id) whole_interface_fault_.reset();
  faults_.erase(it);
}

const FaultObjects* InterfaceTree::Find(const std::string& fault_id) const {
  const auto it = faults_.find(fault_id);
  return it == faults_.end() ? nullptr : &it->second.objects;
}

}  // namespace chaosnet::plan
