// The coordinator of a fleet experiment: puts a plan's faults on every node,
// all or nothing, heals them, and reports per node. The daemons sit behind
// NodeClient, one per node, so this logic is tested with a fake; the CLI
// gives it real clients (client/fleet_node_client.h).
//
// Apply, in order:
//   1. a dry run on every node, in parallel, with the final TTL (validation,
//      limits, kernel and API features, reachability); any failure: stop,
//      nothing was applied;
//   2. the creates, in parallel, with a short provisional TTL and the plan's
//      request ids (a retried create returns the first fault);
//   3. once every node succeeded, each lease is extended to the final TTL.
// A failure in 2 or 3 revokes the experiment on every node of the plan (by
// its label, so a create whose answer was lost is revoked too); a node that
// cannot be reached then keeps its fault at most the provisional TTL.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "chaosnet/v1/chaosnet.pb.h"
#include "client/fleet/experiment_plan.h"
#include "client/fleet/fleet.h"
#include "client/outcome.h"
#include "common/result.h"

namespace chaosnet::fleet {

namespace v1 = ::chaosnet::v1;
using client::Outcome;

// One node's daemon. Implementations are called from several threads at
// once, each instance from one thread at a time.
class NodeClient {
 public:
  virtual ~NodeClient() = default;
  virtual Outcome CreateFault(const v1::CreateFaultRequest& request,
                              v1::CreateFaultResponse* response) = 0;
  virtual Outcome ExtendFault(const v1::ExtendFaultRequest& request, v1::Fault* response) = 0;
  virtual Outcome ListFaults(const v1::ListFaultsRequest& request,
                             v1::ListFaultsResponse* response) = 0;
  virtual Outcome RevokeAllFaults(const v1::RevokeAllFaultsRequest& request,
                                  v1::RevokeAllFaultsResponse* response) = 0;
};

// One client per node of the fleet, same order as Fleet::nodes.
using NodeClients = std::vector<std::unique_ptr<NodeClient>>;

// "10.0.0.1/32:tcp:7443", "[fd00::1/128]:tcp:7443": an exemption in the
// daemon's --protect syntax (daemon/plan/protected_traffic.h).
std::string FormatExemption(const ControlExemption& exemption);

// A node's create request: `effect` (its spec's effect, ports and protocol;
// interface, netns, dst and src empty) with the node's targeting, address set,
// exemptions, labels and request id. INVALID_ARGUMENT if `effect` targets.
Result<v1::CreateFaultRequest> BuildNodeRequest(const NodeFault& fault,
                                                const v1::FaultSpec& effect);

struct ApplyOptions {
  std::chrono::nanoseconds ttl{std::chrono::seconds(60)};
  // The lease a fault has until every node succeeded.
  std::chrono::nanoseconds provisional_ttl{std::chrono::seconds(10)};
  bool dry_run = false;  // stop after step 1
};

// What happened on one node, in one step.
struct NodeOutcome {
  std::string node;
  Outcome outcome;
  std::string fault_id;           // apply: the node's fault; empty when none
  int revoked = 0;                // heal and rollback: faults revoked there
  std::vector<v1::Fault> faults;  // status: the node's experiment faults
};

struct ApplyReport {
  // 0, or the first failed node's exit code (fleet order) with one line
  // naming every failed node and its reason.
  Outcome outcome;
  std::string failed_step;            // "dry run", "apply", "extend"; empty when none failed
  std::vector<NodeOutcome> nodes;     // the plan's nodes, fleet order, last step each reached
  std::vector<NodeOutcome> rollback;  // after a failed apply or extend
};

ApplyReport ApplyExperiment(const ExperimentPlan& plan, const v1::FaultSpec& effect,
                            NodeClients& clients, const ApplyOptions& options);

struct FleetReport {
  Outcome outcome;                 // as ApplyReport::outcome
  std::vector<NodeOutcome> nodes;  // every node of the fleet, fleet order
};

// Revokes the faults of experiment `experiment_id` on every node; without an
// id, every fault carrying the experiment label. Only those: nothing else is
// touched. An unreachable node's faults end at their lease's deadline.
FleetReport HealExperiment(const Fleet& fleet, NodeClients& clients,
                           const std::optional<std::string>& experiment_id);

// Per node: reachable or not, its experiment faults (active ones).
FleetReport FleetStatus(const Fleet& fleet, NodeClients& clients,
                        const std::optional<std::string>& experiment_id);

}  // namespace chaosnet::fleet
