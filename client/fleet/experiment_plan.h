// The per-node plan of a fleet experiment: from the fleet, the links a shape
// acts on and the fault to put on them, the one fault each node needs. Pure:
// the experiment id and any name resolution come in as data.
//
// Who acts: the sender. A link (a, b) becomes part of a's fault, on a's
// egress, matching packets to b's addresses. So `one-way:a>b` drops a's
// packets to b on a, and b -> a is untouched. A degraded link delays (or
// loses, ...) each direction on its own sender: a delay of 100ms between two
// groups adds 100ms each way, 200ms to a round trip, exactly as
// `chaosnetctl delay IFACE 100ms --dst PEER` on both hosts would.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "client/fleet/fleet.h"
#include "client/fleet/link_set.h"
#include "common/result.h"
#include "daemon/model/fault_spec.h"

namespace chaosnet::fleet {

// Labels on every fault of an experiment: the id, and the node it is for.
inline constexpr char kExperimentLabel[] = "chaosnet.experiment";
inline constexpr char kNodeLabel[] = "chaosnet.fleet.node";

// An experiment id is 16 lowercase hex digits (NewExperimentId makes them).
Status ValidateExperimentId(std::string_view id);

// The request id of a node's fault: "<experiment id>/<node name>". Stable, so
// a retried create returns the first fault instead of making a second one.
std::string RequestIdFor(std::string_view experiment_id, std::string_view node_name);

// A peer's daemon endpoint that the fault must not touch: TCP packets to
// address:port and from address:port, so the coordinator keeps talking to
// every daemon whatever the shape, also from inside a node.
struct ControlExemption {
  std::string node;     // whose daemon listens there
  model::Cidr address;  // one host: /32 or /128
  uint16_t port = 0;
  bool operator==(const ControlExemption&) const = default;
};

struct NodeFault {
  size_t node = 0;  // index into Fleet::nodes
  std::string node_name;
  // The request's spec: the node's interface and netns, egress, the effect
  // and its port/protocol match. match.dst and match.src stay empty: the
  // destinations are dst_cidrs, a set (the daemon's repeated dst_cidrs).
  model::FaultSpec spec;
  std::vector<std::string> peers;             // the nodes this node's links go to, fleet order
  std::vector<model::Cidr> dst_cidrs;         // their addresses, /32 and /128, in the same order
  std::vector<ControlExemption> exemptions;   // every other node's TCP daemon endpoint
  std::map<std::string, std::string> labels;  // the user's, kExperimentLabel, kNodeLabel
  std::string request_id;
};

struct ExperimentPlan {
  std::string experiment_id;
  std::vector<NodeFault> faults;       // nodes with at least one link, fleet order
  std::vector<std::string> untouched;  // nodes with none: they get no fault
};

struct PlanInput {
  std::string experiment_id;
  // The fault on every link: partition = true for a cut, or a delay, a loss,
  // any combination the single-host commands accept. interface, netns,
  // match.dst and match.src must be empty (the plan sets them); the direction
  // must be egress; ports and protocol narrow the fault as usual.
  model::FaultSpec effect;
  std::map<std::string, std::string> labels;  // the user's; keys starting "chaosnet." are refused
  // Addresses the caller resolved for `server` host names, by name. A TCP
  // server given by name is exempted on its node's own addresses plus these.
  std::map<std::string, std::vector<model::Cidr>> resolved_hosts;
};

// INVALID_ARGUMENT for an effect or label the plan cannot carry, a bad
// experiment id, or links that act on nothing; a node's spec that the
// daemon's validation would refuse is refused here, naming the node.
Result<ExperimentPlan> PlanExperiment(const Fleet& fleet, const LinkSet& links,
                                      const PlanInput& input);

}  // namespace chaosnet::fleet
