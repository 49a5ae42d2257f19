#include "client/cli.h"

#include <CLI/CLI.hpp>

namespace chaosnet::client {
namespace {

constexpr char kRunRefusal[] =
    "run is not supported yet: create the fault with --ttl and revoke it when the command ends";

// Flags every creating command takes: where the fault goes and how long it lives.
void AddTargetFlags(CLI::App* cmd, CreateOptions& o) {
  cmd->add_option("IFACE", o.interface, "Interface, e.g. eth0")->required();
  cmd->add_option("--ttl", o.ttl, "Lease length, e.g. 30s (default: the daemon's)");
  cmd->add_option("--dst", o.dst, "Only packets to this CIDR");
  cmd->add_option("--src", o.src, "Only packets from this CIDR");
  cmd->add_option("--dport", o.dport, "Only this destination port or range N-M");
  cmd->add_option("--sport", o.sport, "Only this source port or range N-M");
  cmd->add_option("--proto", o.protocol, "Only tcp, udp or icmp");
  cmd->add_option("--direction", o.direction, "egress (default), ingress or both");
  cmd->add_option("--netns", o.netns, "Network namespace: NAME, PATH or pid:N");
  cmd->add_option("--label", o.labels, "k=v label (repeatable)");
  cmd->add_option("--limit", o.limit, "netem queue limit in packets (default: derived)");
  cmd->add_option("--request-id", o.request_id, "Idempotency key: a retry returns the same fault");
  cmd->add_flag("--dry-run", o.dry_run, "Show the plan; apply nothing");
}

void AddCreateCommands(CLI::App& app, CreateOptions& o) {
  auto* delay = app.add_subcommand("delay", "Delay packets");
  AddTargetFlags(delay, o);
  delay->add_option("LATENCY", o.delay, "e.g. 3000ms")->required();
  delay->add_option("--jitter", o.jitter, "e.g. 50ms");
  delay->add_option("--correlation", o.delay_correlation, "e.g. 25%");
  delay->add_option("--distribution", o.distribution, "normal, pareto or paretonormal");

  struct Probability {
    const char* name;
    const char* help;
    std::string& value;
    std::string& correlation;
  };
  for (const Probability& p :
       {Probability{"loss", "Drop packets", o.loss, o.loss_correlation},
        Probability{"duplicate", "Duplicate packets", o.duplicate, o.duplicate_correlation},
        Probability{"corrupt", "Corrupt packets", o.corrupt, o.corrupt_correlation}}) {
    auto* cmd = app.add_subcommand(p.name, p.help);
    AddTargetFlags(cmd, o);
    cmd->add_option("PERCENT", p.value, "e.g. 5%")->required();
    cmd->add_option("--correlation", p.correlation, "e.g. 25%");
  }

  auto* reorder = app.add_subcommand("reorder", "Send some packets at once, delay the rest");
  AddTargetFlags(reorder, o);
  reorder->add_option("PERCENT", o.reorder, "e.g. 25%")->required();
  reorder->add_option("--delay", o.delay, "Delay of the packets not reordered")->required();
  reorder->add_option("--correlation", o.reorder_correlation, "e.g. 25%");
  reorder->add_option("--gap", o.gap, "Reorder every N-th packet");

  auto* rate = app.add_subcommand("rate", "Limit bandwidth");
  AddTargetFlags(rate, o);
  rate->add_option("RATE", o.rate, "e.g. 1mbit")->required();

  auto* partition = app.add_subcommand("partition", "Drop all matching traffic");
  AddTargetFlags(partition, o);

  auto* apply = app.add_subcommand("apply", "Several faults at once");
  AddTargetFlags(apply, o);
  apply->add_option("--delay", o.delay, "e.g. 100ms");
  apply->add_option("--jitter", o.jitter, "e.g. 10ms");
  apply->add_option("--delay-correlation", o.delay_correlation, "e.g. 25%");
  apply->add_option("--distribution", o.distribution, "normal, pareto or paretonormal");
  apply->add_option("--loss", o.loss, "e.g. 1%");
  apply->add_option("--loss-correlation", o.loss_correlation, "e.g. 25%");
  apply->add_option("--duplicate", o.duplicate, "e.g. 1%");
  apply->add_option("--duplicate-correlation", o.duplicate_correlation, "e.g. 25%");
  apply->add_option("--corrupt", o.corrupt, "e.g. 0.1%");
  apply->add_option("--corrupt-correlation", o.corrupt_correlation, "e.g. 25%");
  apply->add_option("--reorder", o.reorder, "e.g. 25% (needs --delay)");
  apply->add_option("--reorder-correlation", o.reorder_correlation, "e.g. 25%");
  apply->add_option("--gap", o.gap, "Reorder every N-th packet");
  apply->add_option("--rate", o.rate, "e.g. 10mbit");
  apply->add_flag("--partition", o.partition, "Drop all matching traffic");
}

FaultKind KindOf(const CLI::App& app) {
  static const std::pair<const char*, FaultKind> kKinds[] = {
      {"delay", FaultKind::kDelay},     {"loss", FaultKind::kLoss},
      {"duplicate", FaultKind::kDuplicate}, {"corrupt", FaultKind::kCorrupt},
      {"reorder", FaultKind::kReorder}, {"rate", FaultKind::kRate},
      {"partition", FaultKind::kPartition}, {"apply", FaultKind::kApply}};
  for (const auto& [name, kind] : kKinds) {
    if (app.got_subcommand(name)) return kind;
  }
  return FaultKind::kApply;
}

}  // namespace

std::variant<Invocation, Outcome> ParseCommandLine(const std::vector<std::string>& args,
                                                   std::ostream& out) {
  Invocation inv;
  CLI::App app{"chaosnetctl: inject network faults through chaosnetd, under a lease",
               "chaosnetctl"};
  app.set_version_flag("--version", CHAOSNET_VERSION);
  app.require_subcommand(1);
  // Global flags may also follow the subcommand: `chaosnetctl list -o json`.
  app.fallthrough();
  app.add_option("--server", inv.global.server, "unix:PATH or HOST:PORT")
      ->envname("CHAOSNET_SERVER")
      ->capture_default_str();
  app.add_option("-o,--output", inv.global.output, "table or json")->capture_default_str();
  app.add_option("--timeout", inv.global.timeout, "RPC deadline")->capture_default_str();

  AddCreateCommands(app, inv.create);

  auto* list = app.add_subcommand("list", "List faults");
  list->add_option("--interface", inv.list.interface, "Only faults on this interface");
  list->add_option("--label", inv.list.labels, "k=v that must match (repeatable)");
  list->add_flag("--all", inv.list.all, "Include faults that have ended");

  auto* get = app.add_subcommand("get", "Show one fault");
  get->add_option("ID", inv.lease.id)->required();

  auto* extend = app.add_subcommand("extend", "Move a fault's deadline to now + TTL");
  extend->add_option("ID", inv.lease.id)->required();
  extend->add_option("TTL", inv.lease.ttl, "e.g. 30s")->required();

  auto* revoke = app.add_subcommand("revoke", "Roll a fault back now (or --all)");
  revoke->add_option("ID", inv.lease.id);
  revoke->add_flag("--all", inv.lease.all, "Every active fault (or those matching --label)");
  revoke->add_option("--label", inv.lease.labels, "With --all: k=v that must match");

  auto* watch = app.add_subcommand("watch", "Stream lease events until interrupted");
  watch->add_flag("--initial", inv.watch.initial, "Start with a snapshot of live faults");

  app.add_subcommand("info", "Daemon version, limits and kernel capabilities");

  auto* run = app.add_subcommand("run", "Hold a fault while a command runs (not supported yet)");
  run->allow_extras();
  run->prefix_command();

  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  try {
    app.parse(static_cast<int>(argv.size()), argv.data());
  } catch (const CLI::CallForHelp& e) {
    return Outcome{app.exit(e, out, out), ""};
  } catch (const CLI::CallForAllHelp& e) {
    return Outcome{app.exit(e, out, out), ""};
  } catch (const CLI::CallForVersion& e) {
    return Outcome{app.exit(e, out, out), ""};
  } catch (const CLI::ParseError& e) {
    // run's own arguments (a fault spec and a command) are left over as extras.
    if (run->parsed()) return UsageError(kRunRefusal);
    return UsageError(std::string(e.what()) + " (run with --help for usage)");
  }

  if (run->parsed()) return UsageError(kRunRefusal);
  if (list->parsed()) {
    inv.command = Command::kList;
  } else if (get->parsed()) {
    inv.command = Command::kGet;
  } else if (extend->parsed()) {
    inv.command = Command::kExtend;
  } else if (revoke->parsed()) {
    inv.command = inv.lease.all ? Command::kRevokeAll : Command::kRevoke;
  } else if (watch->parsed()) {
    inv.command = Command::kWatch;
  } else if (app.got_subcommand("info")) {
    inv.command = Command::kInfo;
  } else {
    inv.command = Command::kCreate;
    inv.create.kind = KindOf(app);
    inv.create.partition = inv.create.partition || inv.create.kind == FaultKind::kPartition;
  }
  return inv;
}

}  // namespace chaosnet::client
