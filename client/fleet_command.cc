#include "client/fleet_command.h"

#include <google/protobuf/struct.pb.h>
#include <pthread.h>
#include <signal.h>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "client/fleet/coordinator.h"
#include "client/fleet/experiment_plan.h"
#include "client/fleet/fleet_file.h"
#include "client/fleet/os_random.h"
#include "client/fleet/shape.h"
#include "client/format.h"
#include "client/host_addresses.h"
#include "client/request_builder.h"
#include "client/rpc.h"
#include "client/run_command.h"
#include "client/tls_files.h"
#include "common/net_parse.h"
#include "daemon/api/convert.h"

namespace chaosnet::client {
namespace {

using google::protobuf::ListValue;
using google::protobuf::Struct;
using google::protobuf::Value;

Outcome LocalError(const Status& status) { return UsageError(status.message()); }

// A node's daemon through the CLI's own client: the same feature gate, the
// same words and exit codes for a failed call as every other command.
class FleetNodeClient : public fleet::NodeClient {
 public:
  FleetNodeClient(const Settings& settings, const TlsPem& pem) : client_(settings, pem) {}
  Outcome CreateFault(const v1::CreateFaultRequest& request,
                      v1::CreateFaultResponse* response) override {
    return client_.CreateFault(request, response);
  }
  Outcome ExtendFault(const v1::ExtendFaultRequest& request, v1::Fault* response) override {
    return client_.ExtendFault(request, response);
  }
  Outcome ListFaults(const v1::ListFaultsRequest& request,
                     v1::ListFaultsResponse* response) override {
    return client_.ListFaults(request, response);
  }
  Outcome RevokeAllFaults(const v1::RevokeAllFaultsRequest& request,
                          v1::RevokeAllFaultsResponse* response) override {
    return client_.RevokeAllFaults(request, response);
  }
  FaultClient& client() { return client_; }

 private:
  FaultClient client_;
};

struct Connections {
  fleet::NodeClients clients;              // for the coordinator
  std::vector<FleetNodeClient*> concrete;  // the same, for keep-alive streams
};

// Every node's settings and certificates are checked before any is called.
Result<Connections> Connect(const fleet::Fleet& fleet, const Settings& global) {
  Connections connections;
  for (const fleet::Node& node : fleet.nodes) {
    auto settings = NodeSettings(node, global);
    if (!settings.ok()) return settings.status();
    auto pem = ReadTlsFiles(*settings);
    if (!pem.ok()) {
      return InvalidArgument("node " + node.name + ": " + pem.status().message());
    }
    auto client = std::make_unique<FleetNodeClient>(*settings, *pem);
    connections.concrete.push_back(client.get());
    connections.clients.push_back(std::move(client));
  }
  return connections;
}

std::chrono::nanoseconds FromDuration(const google::protobuf::Duration& d) {
  return std::chrono::seconds(d.seconds()) + std::chrono::nanoseconds(d.nanos());
}

Value StringValue(const std::string& text) {
  Value value;
  value.set_string_value(text);
  return value;
}

ListValue StringsJson(const std::vector<std::string>& texts) {
  ListValue list;
  for (const std::string& text : texts) *list.add_values() = StringValue(text);
  return list;
}

// What a node's fault acts on: the peers it cuts (or degrades) and their
// addresses, and the daemon endpoints it leaves alone (the control plane).
void AddPlannedFault(const fleet::NodeFault& fault, Value& entry) {
  auto& fields = *entry.mutable_struct_value()->mutable_fields();
  *fields["peers"].mutable_list_value() = StringsJson(fault.peers);
  std::vector<std::string> dst, exemptions;
  for (const model::Cidr& cidr : fault.dst_cidrs) dst.push_back(FormatCidr(cidr));
  for (const auto& exemption : fault.exemptions) {
    exemptions.push_back(fleet::FormatExemption(exemption));
  }
  *fields["dst"].mutable_list_value() = StringsJson(dst);
  *fields["exemptions"].mutable_list_value() = StringsJson(exemptions);
}

Value NodeJson(const fleet::NodeOutcome& node) {
  Value value;
  Struct* fields = value.mutable_struct_value();
  (*fields->mutable_fields())["node"] = StringValue(node.node);
  (*fields->mutable_fields())["ok"].set_bool_value(node.outcome.ok());
  if (!node.outcome.ok()) (*fields->mutable_fields())["error"] = StringValue(node.outcome.message);
  if (!node.fault_id.empty()) (*fields->mutable_fields())["fault"] = StringValue(node.fault_id);
  (*fields->mutable_fields())["revoked"].set_number_value(node.revoked);
  return value;
}

ListValue NodesJson(const std::vector<fleet::NodeOutcome>& nodes) {
  ListValue list;
  for (const fleet::NodeOutcome& node : nodes) *list.add_values() = NodeJson(node);
  return list;
}

std::string NodeResult(const fleet::NodeOutcome& node, const std::string& done) {
  return node.outcome.ok() ? done : "failed: " + node.outcome.message;
}

// SIGINT/SIGTERM are blocked before any channel exists, so gRPC's threads
// inherit the mask and the waiting thread alone receives them.
class HeldSignals {
 public:
  HeldSignals() {
    sigemptyset(&set_);
    sigaddset(&set_, SIGINT);
    sigaddset(&set_, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set_, &saved_);
  }
  ~HeldSignals() { pthread_sigmask(SIG_SETMASK, &saved_, nullptr); }
  void Wait() {
    int signal = 0;
    sigwait(&set_, &signal);
  }

 private:
  sigset_t set_;
  sigset_t saved_;
};

// Binds every node's fault to a keep-alive stream, one inside the other,
// and waits for a stop signal in the innermost; leaving closes every stream,
// which makes every daemon roll its fault back (also when chaosnetctl is
// killed instead).
Outcome HoldAll(const fleet::ExperimentPlan& plan, const fleet::ApplyReport& report,
                Connections& connections, const std::function<void()>& body, std::ostream& err) {
  std::vector<std::string> broken;
  Outcome failed;
  std::function<void(size_t)> hold = [&](size_t k) {
    if (k == plan.faults.size()) {
      body();
      return;
    }
    std::string stream_end;
    FaultClient& client = connections.concrete[plan.faults[k].node]->client();
    Outcome held = client.HoldWhile(
        report.nodes[k].fault_id, [](const v1::KeepAliveResponse&) {}, [&] { hold(k + 1); },
        &stream_end);
    if (!held.ok() && failed.ok()) {
      failed = {held.exit_code,
                "node " + plan.faults[k].node_name + ": cannot hold its fault: " + held.message};
    }
    if (!stream_end.empty()) broken.push_back(plan.faults[k].node_name + ": " + stream_end);
  };
  hold(0);
  for (const std::string& line : broken) {
    err << "chaosnetctl: warning: the fault was not held to the end on " << line << std::endl;
  }
  return failed;
}

Outcome Apply(const Invocation& inv, const fleet::Fleet& fleet, const Settings& global,
              std::ostream& out, std::ostream& err) {
  const bool json = global.output == OutputFormat::kJson;
  const FleetOptions& f = inv.fleet;
  const std::string shape_text = f.between.empty() ? f.shape : "between:" + f.between;
  auto spec = fleet::ParseShape(shape_text, fleet.Names());
  if (!spec.ok()) return LocalError(spec.status());
  uint64_t seed = 0;
  if (spec->random()) {
    auto drawn = f.shape_seed.empty() ? fleet::DrawSeed() : fleet::ParseShapeSeed(f.shape_seed);
    if (!drawn.ok()) return LocalError(drawn.status());
    seed = *drawn;
  }
  const fleet::Shape shape = fleet::ComputeShape(*spec, seed);

  // The effect as the single-host commands build it; each node's interface
  // comes from the fleet file, the builder only wants one to be named.
  CreateOptions options = inv.create;
  options.interface = "fleet";
  auto request = BuildCreateRequest(options);
  if (!request.ok()) return LocalError(request.status());
  v1::FaultSpec effect = request->spec();
  effect.clear_interface();
  auto model_effect = api::FromProto(effect);
  if (!model_effect.ok()) return LocalError(model_effect.status());

  auto experiment_id = fleet::NewExperimentId();
  if (!experiment_id.ok()) return {kExitServerError, experiment_id.status().message()};
  fleet::PlanInput input;
  input.experiment_id = *experiment_id;
  input.effect = *model_effect;
  input.labels = {request->labels().begin(), request->labels().end()};
  auto resolved = ResolveServerHosts(fleet);
  if (!resolved.ok()) return {kExitUnreachable, resolved.status().message()};
  input.resolved_hosts = *std::move(resolved);
  auto plan = fleet::PlanExperiment(fleet, shape.links, input);
  if (!plan.ok()) return LocalError(plan.status());

  // run holds too (ParseRun refused --hold, --dry-run and --halt-kills with
  // it); its command gets the signals (run_command.h), so they stay unblocked.
  const bool run = !inv.run.command.empty();
  std::optional<HeldSignals> signals;
  if (f.hold && !options.dry_run) signals.emplace();  // before any channel: see HeldSignals
  auto connections = Connect(fleet, global);
  if (!connections.ok()) return LocalError(connections.status());

  const std::string description = fleet::DescribeShape(shape, fleet.Names());
  std::ostream& report_out = run ? err : out;  // run: stdout belongs to the command
  if (!json) {
    report_out << "shape " << description << "\n";
    report_out << "experiment " << plan->experiment_id << (options.dry_run ? " (dry run)" : "")
               << "\n";
    report_out.flush();  // the seed and the id are worth having even if the apply hangs
  }
  fleet::ApplyOptions apply;
  apply.ttl = FromDuration(request->ttl());
  apply.dry_run = options.dry_run;
  auto started = std::chrono::steady_clock::now();
  fleet::ApplyReport report = fleet::ApplyExperiment(*plan, effect, connections->clients, apply);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  if (json) {
    Struct doc;
    auto& fields = *doc.mutable_fields();
    fields["experiment"] = StringValue(plan->experiment_id);
    fields["shape"] = StringValue(description);
    if (shape.seed) fields["seed"] = StringValue(std::to_string(*shape.seed));
    ListValue groups;
    for (const auto& group : shape.groups) {
      ListValue members;
      for (size_t node : group) *members.add_values() = StringValue(fleet.nodes[node].name);
      *groups.add_values()->mutable_list_value() = members;
    }
    *fields["groups"].mutable_list_value() = groups;
    fields["dry_run"].set_bool_value(options.dry_run);
    fields["ok"].set_bool_value(report.outcome.ok());
    if (!report.failed_step.empty()) fields["failed_step"] = StringValue(report.failed_step);
    ListValue& nodes = *fields["nodes"].mutable_list_value();
    nodes = NodesJson(report.nodes);
    for (int i = 0; i < nodes.values_size(); ++i)
      AddPlannedFault(plan->faults[i], *nodes.mutable_values(i));
    if (!report.rollback.empty()) {
      *fields["rollback"].mutable_list_value() = NodesJson(report.rollback);
    }
    ListValue untouched;
    for (const auto& name : plan->untouched) *untouched.add_values() = StringValue(name);
    *fields["untouched"].mutable_list_value() = untouched;
    fields["seconds"].set_number_value(seconds);
    report_out << ToJson(doc) << "\n";
  } else {
    std::vector<std::vector<std::string>> rows;
    // After a failed dry run the others were only checked, never applied.
    const bool checked = options.dry_run || report.failed_step == "dry run";
    const std::string done = checked ? "checked" : "applied";
    for (size_t i = 0; i < report.nodes.size(); ++i) {
      const auto& node = report.nodes[i];
      rows.push_back({node.node, std::to_string(plan->faults[i].peers.size()), node.fault_id,
                      NodeResult(node, done)});
    }
    for (const auto& name : plan->untouched) rows.push_back({name, "0", "", "untouched"});
    report_out << RenderTable({"NODE", "PEERS", "FAULT", "RESULT"}, rows);
    for (const auto& node : report.rollback) {
      report_out << "rollback " << node.node << ": "
                 << NodeResult(node, "revoked " + std::to_string(node.revoked)) << "\n";
    }
    char took[64];
    std::snprintf(took, sizeof(took), "%.3fs", seconds);
    report_out << (report.outcome.ok() ? (options.dry_run ? "checked in " : "applied in ")
                                       : "failed after ")
               << took << "\n";
  }
  report_out.flush();
  if (!report.outcome.ok() || (!signals && !run)) return report.outcome;

  Outcome command_outcome;
  auto body = [&] {
    if (!run) {
      err << "chaosnetctl: holding the experiment on " << plan->faults.size()
          << " nodes; Ctrl-C or SIGTERM heals it" << std::endl;
      signals->Wait();
    } else {
      err << "chaosnetctl: experiment " << plan->experiment_id << " held on " << plan->faults.size()
          << " nodes while " << inv.run.command.front() << " runs" << std::endl;
      command_outcome = RunForwardingSignals(inv.run.command);
    }
  };
  Outcome held = HoldAll(*plan, report, *connections, body, err);
  // The streams closed: the daemons rolled back. Revoking by label as well
  // covers a node whose stream never bound.
  fleet::FleetReport healed =
      fleet::HealExperiment(fleet, connections->clients, plan->experiment_id);
  err << "chaosnetctl: experiment " << plan->experiment_id << " healed" << std::endl;
  if (!held.ok()) return held;
  if (run) return command_outcome;  // run: the command's status
  return healed.outcome;
}

Outcome StatusOrHeal(const Invocation& inv, const fleet::Fleet& fleet, const Settings& global,
                     std::ostream& out) {
  std::optional<std::string> experiment;
  if (!inv.fleet.experiment.empty()) {
    if (Status s = fleet::ValidateExperimentId(inv.fleet.experiment); !s.ok()) {
      return LocalError(s);
    }
    experiment = inv.fleet.experiment;
  }
  auto connections = Connect(fleet, global);
  if (!connections.ok()) return LocalError(connections.status());
  const bool heal = inv.command == Command::kFleetHeal;
  fleet::FleetReport report = heal ? fleet::HealExperiment(fleet, connections->clients, experiment)
                                   : fleet::FleetStatus(fleet, connections->clients, experiment);
  if (global.output == OutputFormat::kJson) {
    Struct doc;
    auto& fields = *doc.mutable_fields();
    fields["ok"].set_bool_value(report.outcome.ok());
    ListValue nodes;
    for (const fleet::NodeOutcome& node : report.nodes) {
      Value entry = NodeJson(node);
      if (!heal) {
        ListValue& faults =
            *(*entry.mutable_struct_value()->mutable_fields())["faults"].mutable_list_value();
        for (const v1::Fault& fault : node.faults) {
          auto& f = *faults.add_values()->mutable_struct_value()->mutable_fields();
          f["id"] = StringValue(fault.id());
          f["experiment"] = StringValue(fault.labels().at(fleet::kExperimentLabel));
          f["state"] = StringValue(StateName(fault.state()));
        }
      }
      *nodes.add_values() = entry;
    }
    *fields["nodes"].mutable_list_value() = nodes;
    out << ToJson(doc) << "\n";
    return report.outcome;
  }
  std::vector<std::vector<std::string>> rows;
  for (const fleet::NodeOutcome& node : report.nodes) {
    if (heal) {
      rows.push_back({node.node, NodeResult(node, "revoked " + std::to_string(node.revoked))});
      continue;
    }
    if (!node.outcome.ok() || node.faults.empty()) {
      rows.push_back({node.node, "", "", NodeResult(node, "reachable, no experiment")});
    }
    for (const v1::Fault& fault : node.faults) {
      rows.push_back({node.node, fault.labels().at(fleet::kExperimentLabel), fault.id(),
                      "reachable, " + StateName(fault.state())});
    }
  }
  out << (heal ? RenderTable({"NODE", "HEAL"}, rows)
               : RenderTable({"NODE", "EXPERIMENT", "FAULT", "STATE"}, rows));
  return report.outcome;
}

}  // namespace

Result<Settings> NodeSettings(const fleet::Node& node, const Settings& global) {
  Settings settings;
  settings.server = node.server.Target();
  settings.output = global.output;
  settings.timeout = global.timeout;
  if (node.server.kind == fleet::ServerEndpoint::Kind::kUnixSocket) {
    settings.transport = Transport::kUnixSocket;
    return settings;
  }
  if (node.tls.insecure) {
    settings.transport = Transport::kPlaintextTcp;
    return settings;
  }
  if (node.tls.ca_file.empty()) {
    return InvalidArgument("node " + node.name + ": a TCP server needs [tls] ca (or insecure)");
  }
  settings.transport = Transport::kTls;
  settings.tls.ca_file = node.tls.ca_file;
  settings.tls.cert_file = node.tls.cert_file;
  settings.tls.key_file = node.tls.key_file;
  settings.tls.server_name = node.tls.server_name;
  return settings;
}

Outcome RunFleetCommand(const Invocation& inv, const Settings& global, std::ostream& out,
                        std::ostream& err) {
  auto fleet = fleet::LoadFleetFile(inv.fleet.fleet_file);
  if (!fleet.ok()) return LocalError(fleet.status());
  if (inv.command == Command::kFleetApply) return Apply(inv, *fleet, global, out, err);
  return StatusOrHeal(inv, *fleet, global, out);
}

}  // namespace chaosnet::client
