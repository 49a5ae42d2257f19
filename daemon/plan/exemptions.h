// A fault's exemptions (model::FaultSpec::exemptions, feature
// fault-exemptions) in its own classifiers: packets the fault never touches,
// such as a fleet experiment's daemon endpoints, so that the experiment
// cannot cut its own control plane.
//
// Each exemption compiles like a --protect rule (protected_traffic.h), per
// family, into u32 rules whose flowid is the tree's root: htb sends such a
// packet "direct", unshaped and undelayed. They are the first nodes of the
// fault's classifier, ahead of its own rules, so they are seen first:
//
//   filter prio 1002 protocol ip  u32  match ip dst 10.0.0.2/32 match ip dport 7443 .. flowid ca00:
//                                      ... (the other exemption rules)          flowid ca00:
//                                      match ip dst 10.0.0.2/32                 flowid ca00:1
//
// A classifier is one tc "tp", so exemptions cost no classifier of the
// device's budget (interface_tree.h), only u32 nodes. The kernel walks a
// tp's nodes in the order of their handles, which it gives out in creation
// order (cls_u32 gen_new_kid: the lowest free node id from 0x800), and a
// classifier is created rule by rule, in order.
//
// What "direct" means beyond this fault: a packet that reaches this fault's
// classifier and matches an exemption goes out there, so the faults whose
// classifiers come later on the device (higher priorities: targeted faults in
// higher slots, every host fault of the shared host classifier, which comes
// after all linear classifiers (host_hash.h), the whole-interface fault) do
// not see it either. A fault with exemptions is always linear: its
// exemption nodes must come before its own. Exemptions
// are meant for traffic no fault should touch (a control plane), where that is
// what one wants; ANDing each exemption with the fault's own match instead
// would cost a rule per pair (thousands for a fleet of a few dozen nodes).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "common/result.h"
#include "daemon/model/fault_spec.h"
#include "daemon/plan/tc_objects.h"

namespace chaosnet::plan {

// Per family, on top of the fault's own kMaxRulesPerFamily: four rules per
// endpoint (src or dst, sport or dport) holds 64 endpoints.
inline constexpr size_t kMaxExemptionRulesPerFamily = 256;

// The fault's classifiers with the exemptions of each one's family put in
// front of its rules, flowid `direct` (the tree's root). INVALID_ARGUMENT
// when they need more than kMaxExemptionRulesPerFamily rules.
Result<std::vector<U32Classifier>> AddExemptions(std::vector<U32Classifier> classifiers,
                                                 const std::vector<model::TrafficRule>& exemptions,
                                                 uint32_t direct);

}  // namespace chaosnet::plan
