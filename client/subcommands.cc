#include "client/subcommands.h"

#include "client/fleet_cli.h"
#include "client/guard_flags.h"
#include "client/link_model_cli.h"
#include "client/program_flags.h"

namespace chaosnet::client {
namespace {

// Flags every creating command takes: where the fault goes and how long it lives.
void AddTargetFlags(CLI::App* cmd, CreateOptions& o) {
  cmd->add_option("IFACE", o.interface, "Interface, e.g. eth0")->required();
  cmd->add_option("--ttl", o.ttl, "Lease length, e.g. 30s (default: the daemon's)");
  cmd->add_option("--dst", o.dst, "Only packets to this CIDR (repeatable: to any of them)");
  cmd->add_option("--src", o.src, "Only packets from this CIDR (repeatable: from any of them)");
  cmd->add_option("--dport", o.dport, "Only this destination port or range N-M");
  cmd->add_option("--sport", o.sport, "Only this source port or range N-M");
  cmd->add_option("--proto", o.protocol, "Only tcp, udp or icmp");
  cmd->add_option("--direction", o.direction, "egress (default), ingress or both");
  cmd->add_option("--netns", o.netns, "Network namespace: NAME, PATH or pid:N");
  cmd->add_option("--label", o.labels, "k=v label (repeatable)");
  cmd->add_option("--limit", o.limit, "netem queue limit in packets (default: derived)");
  cmd->add_option("--request-id", o.request_id, "Idempotency key: a retry returns the same fault");
  cmd->add_flag("--dry-run", o.dry_run, "Show the plan; apply nothing");
  AddGuardFlags(cmd, o);
  AddProgramFlags(cmd, o.program);
  cmd->add_option("--netem-seed", o.netem_seed,
                  "Seed netem's random draws (kernels from Linux 6.6; refused by name where "
                  "netem lacks it)");
  cmd->add_option("--exempt", o.exempt,
                  "Never touch this traffic, in the daemon's protect-rule syntax, e.g. "
                  "10.0.0.2:tcp:7443 (repeatable)");
}

void AddDelay(CLI::App* delay, Invocation& inv) {
  CreateOptions& o = inv.create;
  AddTargetFlags(delay, o);
  delay->add_option("LATENCY", o.delay, "e.g. 3000ms")->required();
  delay->add_option("--jitter", o.jitter, "e.g. 50ms");
  delay->add_option("--correlation", o.delay_correlation, "e.g. 25%");
  delay->add_option("--distribution", o.distribution, "normal, pareto or paretonormal");
  AddLinkModelFlags(delay, o.link, LinkModelFlags::kDelay);
}

void AddLoss(CLI::App* loss, Invocation& inv) {
  CreateOptions& o = inv.create;
  AddTargetFlags(loss, o);
  loss->add_option("PERCENT", o.loss, "e.g. 5%, or a loss model: 'gemodel 1% 10% 70% 0.1%'")
      ->required();
  loss->add_option("--correlation", o.loss_correlation, "e.g. 25%");
  AddLinkModelFlags(loss, o.link, LinkModelFlags::kLoss);
}

void AddDuplicate(CLI::App* duplicate, Invocation& inv) {
  CreateOptions& o = inv.create;
  AddTargetFlags(duplicate, o);
  duplicate->add_option("PERCENT", o.duplicate, "e.g. 5%")->required();
  duplicate->add_option("--correlation", o.duplicate_correlation, "e.g. 25%");
}

void AddCorrupt(CLI::App* corrupt, Invocation& inv) {
  CreateOptions& o = inv.create;
  AddTargetFlags(corrupt, o);
  corrupt->add_option("PERCENT", o.corrupt, "e.g. 5%")->required();
  corrupt->add_option("--correlation", o.corrupt_correlation, "e.g. 25%");
}

void AddReorder(CLI::App* reorder, Invocation& inv) {
  CreateOptions& o = inv.create;
  AddTargetFlags(reorder, o);
  reorder->add_option("PERCENT", o.reorder, "e.g. 25%")->required();
  reorder->add_option("--delay", o.delay, "Delay of the packets not reordered")->required();
  reorder->add_option("--correlation", o.reorder_correlation, "e.g. 25%");
  reorder->add_option("--gap", o.gap, "Reorder every N-th packet");
}

void AddRate(CLI::App* rate, Invocation& inv) {
  AddTargetFlags(rate, inv.create);
  rate->add_option("RATE", inv.create.rate, "e.g. 1mbit")->required();
}

void AddPartition(CLI::App* partition, Invocation& inv) { AddTargetFlags(partition, inv.create); }

void AddApply(CLI::App* apply, Invocation& inv) {
  CreateOptions& o = inv.create;
  AddTargetFlags(apply, o);
  // batches (issue 19): with --from, every fault comes from the file.
  apply->get_option("IFACE")->required(false);
  apply
      ->add_option("--from", o.from,
                   "Many faults, all or nothing: a file of JSON lines, each a CreateFaultRequest "
                   "('-': stdin)")
      ->type_name("FILE");
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
  apply->add_option("--rate", o.rate,
                    "A bandwidth cap, e.g. 10mbit (htb: bursts allowed; for a slow link's "
                    "per-packet timing use --link-rate)");
  apply->add_flag("--partition", o.partition, "Drop all matching traffic");
  AddLinkModelFlags(apply, o.link, LinkModelFlags::kApply);
}

void AddJam(CLI::App* jam, Invocation& inv) {
  AddTargetFlags(jam, inv.create);
  AddLinkModelFlags(jam, inv.create.link, LinkModelFlags::kJam);
}

void AddList(CLI::App* list, Invocation& inv) {
  list->add_option("--interface", inv.list.interface, "Only faults on this interface");
  list->add_option("--label", inv.list.labels, "k=v that must match (repeatable)");
  list->add_flag("--all", inv.list.all, "Include faults that have ended");
  list->add_flag("--mine", inv.list.mine, "Only your own faults");
}

void AddGet(CLI::App* get, Invocation& inv) { get->add_option("ID", inv.lease.id)->required(); }

void AddExtend(CLI::App* extend, Invocation& inv) {
  extend->add_option("ID", inv.lease.id)->required();
  extend->add_option("TTL", inv.lease.ttl, "e.g. 30s")->required();
}

void AddRevoke(CLI::App* revoke, Invocation& inv) {
  revoke->add_option("ID", inv.lease.id);
  revoke->add_flag("--all", inv.lease.all, "Every active fault (or those matching --label)");
  revoke->add_option("--label", inv.lease.labels, "With --all: k=v that must match");
}

void AddWatch(CLI::App* watch, Invocation& inv) {
  watch->add_flag("--initial", inv.watch.initial, "Start with a snapshot of live faults");
  watch->add_flag("--mine", inv.watch.mine, "Only events of your own faults");
  watch->add_flag("--stepped", inv.watch.steps, "Also each program step (STEPPED events)");
}

constexpr Subcommand kSubcommands[] = {
    {"delay", "Delay packets", AddDelay},
    {"loss", "Drop packets", AddLoss},
    {"duplicate", "Duplicate packets", AddDuplicate},
    {"corrupt", "Corrupt packets", AddCorrupt},
    {"reorder", "Send some packets at once, delay the rest", AddReorder},
    {"rate", "Limit bandwidth", AddRate},
    {"partition", "Drop all matching traffic", AddPartition},
    {"apply", "Several faults at once", AddApply},
    {"jam", "Hold all matching traffic, and release it as one burst when the lease ends", AddJam},
    {"list", "List faults", AddList},
    {"get", "Show one fault", AddGet},
    {"extend", "Move a fault's deadline to now + TTL", AddExtend},
    {"revoke", "Roll a fault back now (or --all)", AddRevoke},
    {"watch", "Stream lease events until interrupted", AddWatch},
    {"info", "Daemon version, limits and kernel capabilities", nullptr},
    {"profiles", "The named link conditions --profile takes, with their sources", nullptr},
    {"fleet", "One experiment over many daemons (a fleet file)", AddFleetCommands},
    // Parsed by ParseRun before CLI11 sees the line; listed here for --help.
    {"run", "Hold a fault only while a command runs: run [--ttl TTL] <fault> -- CMD", nullptr},
};

}  // namespace

std::span<const Subcommand> Subcommands() { return kSubcommands; }

}  // namespace chaosnet::client
