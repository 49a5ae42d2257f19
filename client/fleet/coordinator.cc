#include "client/fleet/coordinator.h"

#include <sys/socket.h>

#include <functional>
#include <set>
#include <thread>
#include <utility>

#include "client/options.h"
#include "common/net_parse.h"

namespace chaosnet::fleet {
namespace {

void SetDuration(std::chrono::nanoseconds d, google::protobuf::Duration* out) {
  out->set_seconds(std::chrono::duration_cast<std::chrono::seconds>(d).count());
  out->set_nanos(static_cast<int32_t>((d % std::chrono::seconds(1)).count()));
}

// Runs call(i) for every i in [0, count), each on its own thread: nodes are
// independent, and a slow or absent one must not delay the others.
void ForEachInParallel(size_t count, const std::function<void(size_t)>& call) {
  std::vector<std::jthread> threads;
  threads.reserve(count);
  for (size_t i = 0; i < count; ++i) threads.emplace_back([&call, i] { call(i); });
}

// The first failure (fleet order) sets the exit code; the message names every
// failed node.
Outcome Summarize(const std::vector<NodeOutcome>& nodes, const std::string& what) {
  Outcome summary;
  for (const NodeOutcome& node : nodes) {
    if (node.outcome.ok()) continue;
    if (summary.ok()) {
      summary.exit_code = node.outcome.exit_code;
      summary.message = what + " failed: ";
    } else {
      summary.message += "; ";
    }
    summary.message += "node " + node.node + ": " + node.outcome.message;
  }
  return summary;
}

// Revokes every fault labelled with `experiment_id` on `node`.
NodeOutcome RevokeExperimentOn(const std::string& node_name, NodeClient& client,
                               const std::string& experiment_id) {
  NodeOutcome result;
  result.node = node_name;
  v1::RevokeAllFaultsRequest request;
  (*request.mutable_label_selector())[kExperimentLabel] = experiment_id;
  v1::RevokeAllFaultsResponse response;
  result.outcome = client.RevokeAllFaults(request, &response);
  if (!result.outcome.ok()) return result;
  result.revoked = response.faults_size();
  if (response.not_revoked_size() > 0) {
    const v1::NotRevoked& first = response.not_revoked(0);
    result.outcome = {client::kExitServerError,
                      "fault " + first.fault().id() + " not revoked: " + first.reason()};
  }
  return result;
}

// The node's active faults of `experiment_id`, or of any experiment.
Outcome ListExperimentFaults(NodeClient& client, const std::optional<std::string>& experiment_id,
                             std::vector<v1::Fault>* faults) {
  v1::ListFaultsRequest request;
  if (experiment_id) {
    (*request.mutable_label_selector())[kExperimentLabel] = *experiment_id;
  }
  v1::ListFaultsResponse response;
  Outcome outcome = client.ListFaults(request, &response);
  if (!outcome.ok()) return outcome;
  for (const v1::Fault& fault : response.faults()) {
    if (fault.labels().contains(kExperimentLabel)) faults->push_back(fault);
  }
  return outcome;
}

}  // namespace

std::string FormatExemption(const ControlExemption& exemption) {
  std::string cidr = FormatCidr(exemption.address);
  if (exemption.address.family == AF_INET6) cidr = "[" + cidr + "]";
  return cidr + ":tcp:" + std::to_string(exemption.port);
}

Result<v1::CreateFaultRequest> BuildNodeRequest(const NodeFault& fault,
                                                const v1::FaultSpec& effect) {
  if (!effect.interface().empty() || !effect.netns().empty() ||
      !effect.match().dst_cidr().empty() || !effect.match().src_cidr().empty() ||
      effect.match().dst_cidrs_size() > 0 || effect.match().src_cidrs_size() > 0) {
    return InvalidArgument(
        "a fleet fault's interface, netns and addresses come from the fleet file; "
        "give only the effect, ports and protocol");
  }
  v1::CreateFaultRequest request;
  v1::FaultSpec* spec = request.mutable_spec();
  *spec = effect;
  spec->set_interface(fault.spec.interface);
  spec->set_netns(fault.spec.netns);
  for (const model::Cidr& cidr : fault.dst_cidrs) {
    spec->mutable_match()->add_dst_cidrs(FormatCidr(cidr));
  }
  for (const ControlExemption& exemption : fault.exemptions) {
    spec->add_exemptions(FormatExemption(exemption));
  }
  request.mutable_labels()->insert(fault.labels.begin(), fault.labels.end());
  request.set_request_id(fault.request_id);
  return request;
}

ApplyReport ApplyExperiment(const ExperimentPlan& plan, const v1::FaultSpec& effect,
                            NodeClients& clients, const ApplyOptions& options) {
  ApplyReport report;
  const size_t count = plan.faults.size();
  std::vector<v1::CreateFaultRequest> requests;
  for (const NodeFault& fault : plan.faults) {
    Result<v1::CreateFaultRequest> request = BuildNodeRequest(fault, effect);
    if (!request.ok()) {
      report.outcome = client::UsageError(request.status().message());
      return report;
    }
    requests.push_back(*std::move(request));
  }
  report.nodes.resize(count);
  for (size_t i = 0; i < count; ++i) report.nodes[i].node = plan.faults[i].node_name;
  auto client_of = [&](size_t i) -> NodeClient& { return *clients.at(plan.faults[i].node); };

  // 1. Dry run with the final TTL, so the daemon's lease limit is checked too.
  ForEachInParallel(count, [&](size_t i) {
    v1::CreateFaultRequest request = requests[i];
    request.set_dry_run(true);
    request.clear_request_id();
    SetDuration(options.ttl, request.mutable_ttl());
    v1::CreateFaultResponse response;
    report.nodes[i].outcome = client_of(i).CreateFault(request, &response);
  });
  report.outcome = Summarize(report.nodes, "dry run");
  if (!report.outcome.ok()) {
    report.failed_step = "dry run";
    return report;
  }
  if (options.dry_run) return report;

  // 2. Create with the provisional lease; a fault that must last less than
  // that gets its final TTL at once and is not extended.
  const bool extend = options.ttl > options.provisional_ttl;
  ForEachInParallel(count, [&](size_t i) {
    v1::CreateFaultRequest request = requests[i];
    SetDuration(extend ? options.provisional_ttl : options.ttl, request.mutable_ttl());
    v1::CreateFaultResponse response;
    report.nodes[i].outcome = client_of(i).CreateFault(request, &response);
    if (report.nodes[i].outcome.ok()) report.nodes[i].fault_id = response.fault().id();
  });
  report.outcome = Summarize(report.nodes, "apply");
  if (!report.outcome.ok()) report.failed_step = "apply";

  // 3. Every node holds its fault: extend each to the final TTL.
  if (report.outcome.ok() && extend) {
    ForEachInParallel(count, [&](size_t i) {
      v1::ExtendFaultRequest request;
      request.set_id(report.nodes[i].fault_id);
      SetDuration(options.ttl, request.mutable_ttl());
      v1::Fault response;
      report.nodes[i].outcome = client_of(i).ExtendFault(request, &response);
    });
    report.outcome = Summarize(report.nodes, "extend");
    if (!report.outcome.ok()) report.failed_step = "extend";
  }
  if (report.outcome.ok()) return report;

  // Roll back on every node of the plan, by label: also a fault whose create
  // succeeded on the daemon but whose answer never arrived.
  report.rollback.resize(count);
  ForEachInParallel(count, [&](size_t i) {
    report.rollback[i] =
        RevokeExperimentOn(plan.faults[i].node_name, client_of(i), plan.experiment_id);
  });
  for (NodeOutcome& node : report.rollback) {
    if (!node.outcome.ok() && node.outcome.exit_code == client::kExitUnreachable) {
      node.outcome.message += " (its fault, if any, ends with its provisional lease)";
    }
  }
  Outcome rollback = Summarize(report.rollback, "revoking the experiment");
  report.outcome.message +=
      rollback.ok() ? "; the experiment was revoked on every node" : "; " + rollback.message;
  return report;
}

FleetReport HealExperiment(const Fleet& fleet, NodeClients& clients,
                           const std::optional<std::string>& experiment_id) {
  FleetReport report;
  report.nodes.resize(fleet.nodes.size());
  ForEachInParallel(fleet.nodes.size(), [&](size_t i) {
    NodeOutcome& node = report.nodes[i];
    node.node = fleet.nodes[i].name;
    std::set<std::string> experiments;
    if (experiment_id) {
      experiments.insert(*experiment_id);
    } else {
      std::vector<v1::Fault> faults;
      node.outcome = ListExperimentFaults(*clients.at(i), std::nullopt, &faults);
      if (!node.outcome.ok()) return;
      for (const v1::Fault& fault : faults) experiments.insert(fault.labels().at(kExperimentLabel));
    }
    for (const std::string& id : experiments) {
      NodeOutcome revoked = RevokeExperimentOn(node.node, *clients.at(i), id);
      node.revoked += revoked.revoked;
      if (!revoked.outcome.ok()) {
        node.outcome = revoked.outcome;
        return;
      }
    }
  });
  report.outcome = Summarize(report.nodes, "heal");
  if (report.outcome.exit_code == client::kExitUnreachable) {
    report.outcome.message += " (an unreachable node's faults end at their lease's deadline)";
  }
  return report;
}

FleetReport FleetStatus(const Fleet& fleet, NodeClients& clients,
                        const std::optional<std::string>& experiment_id) {
  FleetReport report;
  report.nodes.resize(fleet.nodes.size());
  ForEachInParallel(fleet.nodes.size(), [&](size_t i) {
    report.nodes[i].node = fleet.nodes[i].name;
    report.nodes[i].outcome =
        ListExperimentFaults(*clients.at(i), experiment_id, &report.nodes[i].faults);
  });
  report.outcome = Summarize(report.nodes, "status");
  return report;
}

}  // namespace chaosnet::fleet
