#include "client/fleet_cli.h"

namespace chaosnet::client {
namespace {

constexpr char kDefaultFleetTtl[] = "5m";

void AddFileFlag(CLI::App* cmd, FleetOptions& f) {
  cmd->add_option("--fleet", f.fleet_file, "The fleet file (TOML): nodes, daemons, addresses")
      ->type_name("FILE")
      ->required();
}

// What every experiment command takes besides its effect.
void AddExperimentFlags(CLI::App* cmd, Invocation& inv, bool between) {
  FleetOptions& f = inv.fleet;
  CreateOptions& o = inv.create;
  AddFileFlag(cmd, f);
  cmd->add_option("--shape", f.shape,
                  "halves, random-halves, isolate[:NODE], bridge[:NODE], majorities-ring, "
                  "groups:A,B|C, one-way:A,B>C");
  if (between) {
    cmd->add_option("--between", f.between, "Degrade the links between groups: 'n1,n2|n3'");
  }
  cmd->add_option("--shape-seed", f.shape_seed, "Seed of a random shape, to replay one");
  cmd->add_option("--ttl", o.ttl, "Lease of every node's fault")->default_str(kDefaultFleetTtl);
  cmd->add_option("--label", o.labels, "k=v label on every fault (repeatable)");
  cmd->add_flag("--dry-run", o.dry_run, "Check on every node; apply nothing");
  cmd->add_flag("--hold", f.hold,
                "Stay in the foreground, each fault bound to this process; heal on "
                "Ctrl-C/SIGTERM or if killed");
  cmd->add_option("--dport", o.dport, "Only this destination port or range N-M");
  cmd->add_option("--sport", o.sport, "Only this source port or range N-M");
  cmd->add_option("--proto", o.protocol, "Only tcp, udp or icmp");
}

}  // namespace

void AddFleetCommands(CLI::App* fleet, Invocation& inv) {
  CreateOptions& o = inv.create;
  fleet->require_subcommand(1);

  auto* partition = fleet->add_subcommand("partition", "Cut the links a shape names");
  AddExperimentFlags(partition, inv, false);

  auto* delay = fleet->add_subcommand("delay", "Delay the links between groups");
  AddExperimentFlags(delay, inv, true);
  delay->add_option("LATENCY", o.delay, "e.g. 100ms (each way)")->required();
  delay->add_option("--jitter", o.jitter, "e.g. 10ms");
  delay->add_option("--correlation", o.delay_correlation, "e.g. 25%");
  delay->add_option("--distribution", o.distribution, "normal, pareto or paretonormal");

  auto* loss = fleet->add_subcommand("loss", "Drop some packets on the links between groups");
  AddExperimentFlags(loss, inv, true);
  loss->add_option("PERCENT", o.loss, "e.g. 5%")->required();
  loss->add_option("--correlation", o.loss_correlation, "e.g. 25%");

  auto* apply = fleet->add_subcommand("apply", "Several faults on the links between groups");
  AddExperimentFlags(apply, inv, true);
  apply->add_option("--delay", o.delay, "e.g. 100ms");
  apply->add_option("--jitter", o.jitter, "e.g. 10ms");
  apply->add_option("--loss", o.loss, "e.g. 1%");
  apply->add_option("--duplicate", o.duplicate, "e.g. 1%");
  apply->add_option("--corrupt", o.corrupt, "e.g. 0.1%");
  apply->add_option("--rate", o.rate, "e.g. 10mbit");
  apply->add_flag("--partition", o.partition, "Drop all traffic on those links");

  auto* status = fleet->add_subcommand("status", "Per node: reachable, experiment faults");
  AddFileFlag(status, inv.fleet);
  status->add_option("--experiment", inv.fleet.experiment, "Only this experiment");

  auto* heal = fleet->add_subcommand("heal", "Revoke the experiment's faults on every node");
  AddFileFlag(heal, inv.fleet);
  heal->add_option("--experiment", inv.fleet.experiment,
                   "Only this experiment (default: every fleet experiment)");
}

std::optional<Outcome> FinishFleetParse(const CLI::App& fleet, Invocation& inv) {
  if (fleet.got_subcommand("status")) {
    inv.command = Command::kFleetStatus;
    return std::nullopt;
  }
  if (fleet.got_subcommand("heal")) {
    inv.command = Command::kFleetHeal;
    return std::nullopt;
  }
  inv.command = Command::kFleetApply;
  if (inv.create.ttl.empty()) inv.create.ttl = kDefaultFleetTtl;
  if (fleet.got_subcommand("partition")) {
    inv.create.kind = FaultKind::kPartition;
    inv.create.partition = true;
  } else if (fleet.got_subcommand("delay")) {
    inv.create.kind = FaultKind::kDelay;
  } else if (fleet.got_subcommand("loss")) {
    inv.create.kind = FaultKind::kLoss;
  }
  const FleetOptions& f = inv.fleet;
  if (!f.shape.empty() && !f.between.empty()) {
    return UsageError("fleet: give --shape or --between, not both");
  }
  if (f.shape.empty() && f.between.empty()) {
    return UsageError(
        "fleet: --shape is required (or --between 'n1,n2|n3' for delay, loss, apply)");
  }
  return std::nullopt;
}

}  // namespace chaosnet::client
