#include "client/fleet/experiment_plan.h"

#include <algorithm>
#include <utility>

#include "common/units.h"
#include "daemon/model/validate.h"

namespace chaosnet::fleet {
namespace {

constexpr size_t kExperimentIdDigits = 16;
constexpr std::string_view kReservedLabelPrefix = "chaosnet.";

Status ValidateEffect(const model::FaultSpec& effect) {
  if (!effect.interface.empty() || !effect.netns.empty()) {
    return InvalidArgument(
        "a fleet fault takes each node's interface and netns from the fleet file");
  }
  if (effect.match.dst || effect.match.src) {
    return InvalidArgument(
        "--dst/--src: a fleet fault targets the peers' addresses from the fleet file");
  }
  if (effect.direction != model::Direction::kEgress) {
    return InvalidArgument(
        "--direction: a fleet fault acts on each sender's egress (one-way:A>B for one "
        "direction)");
  }
  if (!effect.needs_netem() && !effect.rate) {
    return InvalidArgument("no fault given: a partition, or a delay, loss, ... for the links");
  }
  return Status::Ok();
}

Status ValidateLabels(const std::map<std::string, std::string>& labels) {
  for (const auto& [key, value] : labels) {
    if (std::string_view(key).starts_with(kReservedLabelPrefix)) {
      return InvalidArgument("label " + units::QuoteInput(key) +
                             ": keys starting \"chaosnet.\" are the experiment's own");
    }
  }
  return Status::Ok();
}

// One exemption per address and port: nodes that share a daemon share it.
void AddExemption(ControlExemption exemption, std::vector<ControlExemption>& out) {
  const bool known = std::any_of(out.begin(), out.end(), [&](const ControlExemption& e) {
    return e.address == exemption.address && e.port == exemption.port;
  });
  if (!known) out.push_back(std::move(exemption));
}

// Every node's TCP daemon endpoint, each node's own excluded later: a
// literal address as given; a host name on the node's own addresses and what
// the caller resolved the name to.
std::vector<std::vector<ControlExemption>> EndpointsByNode(
    const Fleet& fleet, const std::map<std::string, std::vector<model::Cidr>>& resolved) {
  std::vector<std::vector<ControlExemption>> endpoints(fleet.nodes.size());
  for (size_t i = 0; i < fleet.nodes.size(); ++i) {
    const Node& node = fleet.nodes[i];
    if (node.server.kind != ServerEndpoint::Kind::kTcp) continue;
    auto add = [&](const model::Cidr& address) {
      AddExemption({node.name, address, node.server.port}, endpoints[i]);
    };
    if (node.server.address) {
      add(*node.server.address);
      continue;
    }
    for (const model::Cidr& address : node.addresses) add(address);
    if (auto it = resolved.find(node.server.host); it != resolved.end()) {
      for (const model::Cidr& address : it->second) add(address);
    }
  }
  return endpoints;
}

}  // namespace

Status ValidateExperimentId(std::string_view id) {
  const bool hex = id.size() == kExperimentIdDigits &&
                   id.find_first_not_of("0123456789abcdef") == std::string_view::npos;
  if (hex) return Status::Ok();
  return InvalidArgument("experiment id " + units::QuoteInput(id) +
                         ": expected 16 lowercase hex digits, e.g. 9f3a0c6e12b4d871");
}

std::string RequestIdFor(std::string_view experiment_id, std::string_view node_name) {
  return std::string(experiment_id) + "/" + std::string(node_name);
}

Result<ExperimentPlan> PlanExperiment(const Fleet& fleet, const LinkSet& links,
                                      const PlanInput& input) {
  RETURN_IF_ERROR(ValidateExperimentId(input.experiment_id));
  RETURN_IF_ERROR(ValidateEffect(input.effect));
  RETURN_IF_ERROR(ValidateLabels(input.labels));
  if (links.node_count() != fleet.nodes.size()) {
    return InvalidArgument("the links are over " + std::to_string(links.node_count()) +
                           " nodes, the fleet has " + std::to_string(fleet.nodes.size()));
  }
  if (links.empty()) return InvalidArgument("the shape acts on no link: nothing to do");

  const auto endpoints = EndpointsByNode(fleet, input.resolved_hosts);
  ExperimentPlan plan;
  plan.experiment_id = input.experiment_id;
  for (size_t i = 0; i < fleet.nodes.size(); ++i) {
    const Node& node = fleet.nodes[i];
    const std::vector<size_t> targets = links.TargetsOf(i);
    if (targets.empty()) {
      plan.untouched.push_back(node.name);
      continue;
    }
    NodeFault fault;
    fault.node = i;
    fault.node_name = node.name;
    fault.spec = input.effect;
    fault.spec.interface = node.interface;
    fault.spec.netns = node.netns;
    if (Status s = model::ValidateFaultSpec(fault.spec); !s.ok()) {
      return InvalidArgument("node " + node.name + ": " + s.message());
    }
    for (size_t peer : targets) {
      fault.peers.push_back(fleet.nodes[peer].name);
      const auto& addresses = fleet.nodes[peer].addresses;
      fault.dst_cidrs.insert(fault.dst_cidrs.end(), addresses.begin(), addresses.end());
    }
    for (size_t other = 0; other < fleet.nodes.size(); ++other) {
      if (other == i) continue;
      for (const ControlExemption& e : endpoints[other]) AddExemption(e, fault.exemptions);
    }
    fault.labels = input.labels;
    fault.labels[kExperimentLabel] = input.experiment_id;
    fault.labels[kNodeLabel] = node.name;
    fault.request_id = RequestIdFor(input.experiment_id, node.name);
    plan.faults.push_back(std::move(fault));
  }
  return plan;
}

}  // namespace chaosnet::fleet
