// Where a fault lives in the kernel: the namespace, the interface, and its
// objects in one or two device trees (the interface itself for egress, the
// interface's IFB device for ingress).
#pragma once

#include <string>
#include <vector>

#include "daemon/plan/describe.h"
#include "daemon/plan/interface_tree.h"
#include "daemon/plan/tc_objects.h"

namespace chaosnet::core {

struct Placement {
  std::string device;  // "eth0", or "cnifb7" for the ingress side of ifindex 7
  int ifindex = 0;     // of `device`; 0 in a dry run that would create the IFB
  bool ingress = false;
  plan::FaultObjects objects;  // this fault's class, leaf and filters in that tree
};

struct AddedObject {
  std::string device;
  plan::TcObject object;
};

// An added object as `get` shows it.
struct DescribedObject {
  std::string device;
  plan::PlanStepText step;
  bool operator==(const DescribedObject&) const = default;
};

struct FaultSite {
  std::string netns_key;  // core::NamespaceKernel::key
  int ifindex = 0;        // of FaultSpec::interface
  std::vector<Placement> placements;
  // Every object the create added, in order (shared ones too when the fault
  // was the first on its device): what dry runs and `get` show.
  std::vector<AddedObject> added;
  // An ended fault read back from the history (ended_history.h) keeps only
  // how `added` was described: its objects are gone, and their text is all
  // that `get` shows of them. Empty for a live fault.
  std::vector<DescribedObject> described;
};

// "cnifb<ifindex>": the IFB device that carries an interface's ingress faults.
// The prefix is the marker `chaosnetd --cleanup` recognises.
inline constexpr char kIfbPrefix[] = "cnifb";
inline std::string IfbNameFor(int ifindex) { return kIfbPrefix + std::to_string(ifindex); }

}  // namespace chaosnet::core
