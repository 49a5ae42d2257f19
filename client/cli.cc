#include "client/cli.h"

#include <algorithm>
#include <optional>

#include <CLI/CLI.hpp>

#include "client/fleet_cli.h"
#include "client/guard_flags.h"
#include "client/link_model_cli.h"
#include "client/program_flags.h"

namespace chaosnet::client {
namespace {

constexpr char kRunUsage[] =
    "Usage: chaosnetctl run [--ttl TTL] [--halt-kills] <fault> IFACE ... -- CMD [ARGS...]\n"
    "       chaosnetctl run [--ttl TTL] fleet partition|delay|loss|apply --fleet FILE ...\n"
    "                   -- CMD [ARGS...]\n"
    "\n"
    "Applies the fault, runs CMD, and rolls the fault back as soon as CMD exits\n"
    "(or chaosnetctl is killed, or its connection drops). The exit status is CMD's.\n"
    "<fault> is any fault command with its flags: delay, loss, duplicate, corrupt,\n"
    "reorder, rate, partition, jam or apply. --ttl caps the fault if CMD runs longer.\n"
    "When a --guard halts the fault, CMD goes on (its exit status is still the\n"
    "result) unless --halt-kills is given: then CMD gets SIGTERM.\n"
    "With fleet, the experiment is applied on every node of the fleet file (all or\n"
    "nothing), each node's fault is bound to chaosnetctl while CMD runs, and every\n"
    "node heals when CMD exits or chaosnetctl dies. The report goes to stderr.\n"
    "\n"
    "Example: chaosnetctl run --ttl 5m delay eth0 200ms --dst 10.0.0.5 -- ./load-test\n"
    "         chaosnetctl run --ttl 2m fleet partition --fleet db.toml --shape halves \\\n"
    "             -- ./jepsen-check\n";

// Global options and whether they take a value, for finding the subcommand
// before CLI11 sees the line.
constexpr const char* kGlobalOptionsWithValue[] = {"--server",         "--output",   "--timeout",
                                                   "--tls-ca",         "--tls-cert", "--tls-key",
                                                   "--tls-server-name"};

bool IsGlobalOptionWithValue(const std::string& a) {
  for (const char* option : kGlobalOptionsWithValue) {
    if (a == option) return true;
  }
  return a == "-o";
}
bool IsGlobalOptionWithInlineValue(const std::string& a) {
  for (const char* option : kGlobalOptionsWithValue) {
    if (a.starts_with(std::string(option) + "=")) return true;
  }
  // CLI11 also takes a flag's value inline: --insecure=false.
  return (a.starts_with("-o") && a.size() > 2) || a.starts_with("--insecure=");
}
bool IsGlobalFlag(const std::string& a) { return a == "--insecure"; }

// Index of the subcommand in args (args[0] is the program), or args.size().
std::size_t SubcommandIndex(const std::vector<std::string>& args) {
  std::size_t i = 1;
  while (i < args.size()) {
    if (IsGlobalOptionWithValue(args[i])) {
      i += 2;
    } else if (IsGlobalOptionWithInlineValue(args[i]) || IsGlobalFlag(args[i])) {
      ++i;
    } else if (args[i].starts_with("-")) {
      return args.size();  // --help, --version, a typo: CLI11 answers those
    } else {
      return i;
    }
  }
  return args.size();
}

// apply without IFACE: --from FILE, and then nothing else but --dry-run
// (every fault, and every flag of one, comes from the file).
std::optional<Outcome> FinishApplyFromParse(const CLI::App& apply, Invocation& inv) {
  if (inv.create.from.empty()) return UsageError("apply needs IFACE (or --from FILE)");
  for (const CLI::Option* option : apply.get_options()) {
    const std::string name = option->get_name();
    if (option->count() == 0 || name == "--from" || name == "--dry-run") continue;
    return UsageError("apply --from takes every fault from the file; " + name +
                      " belongs in its lines");
  }
  inv.command = Command::kApplyFrom;
  return std::nullopt;
}

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

void AddCreateCommands(CLI::App& app, CreateOptions& o) {
  auto* delay = app.add_subcommand("delay", "Delay packets");
  AddTargetFlags(delay, o);
  delay->add_option("LATENCY", o.delay, "e.g. 3000ms")->required();
  delay->add_option("--jitter", o.jitter, "e.g. 50ms");
  delay->add_option("--correlation", o.delay_correlation, "e.g. 25%");
  delay->add_option("--distribution", o.distribution, "normal, pareto or paretonormal");
  AddLinkModelFlags(delay, o.link, LinkModelFlags::kDelay);

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
    if (&p.value == &o.loss) {
      cmd->get_option("PERCENT")->description(
          "e.g. 5%, or a loss model: 'gemodel 1% 10% 70% 0.1%'");
      AddLinkModelFlags(cmd, o.link, LinkModelFlags::kLoss);
    }
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

  auto* jam = app.add_subcommand(
      "jam", "Hold all matching traffic, and release it as one burst when the lease ends");
  AddTargetFlags(jam, o);
  AddLinkModelFlags(jam, o.link, LinkModelFlags::kJam);
}

FaultKind KindOf(const CLI::App& app) {
  static const std::pair<const char*, FaultKind> kKinds[] = {{"delay", FaultKind::kDelay},
                                                             {"loss", FaultKind::kLoss},
                                                             {"duplicate", FaultKind::kDuplicate},
                                                             {"corrupt", FaultKind::kCorrupt},
                                                             {"reorder", FaultKind::kReorder},
                                                             {"rate", FaultKind::kRate},
                                                             {"partition", FaultKind::kPartition},
                                                             {"apply", FaultKind::kApply},
                                                             {"jam", FaultKind::kJam}};
  for (const auto& [name, kind] : kKinds) {
    if (app.got_subcommand(name)) return kind;
  }
  return FaultKind::kApply;
}

// `run [--ttl TTL] <fault spec> -- CMD ARGS...`: the fault spec is parsed as
// the fault command it names (so it takes exactly the same flags), the rest is
// the command. CLI11 alone would read CMD's own flags as ours.
std::variant<Invocation, Outcome> ParseRun(const std::vector<std::string>& args,
                                           std::size_t run_index, std::ostream& out) {
  const std::vector<std::string> rest(args.begin() + run_index + 1, args.end());
  auto dash = std::find(rest.begin(), rest.end(), "--");
  for (auto it = rest.begin(); it != dash; ++it) {
    if (*it == "--help" || *it == "-h") {
      out << kRunUsage;
      return Outcome::Ok();
    }
  }
  if (rest.empty()) {
    return UsageError("run: a fault and a command are required (run --help for usage)");
  }
  if (dash == rest.end()) {
    return UsageError(
        "run: put the command after --, e.g. chaosnetctl run delay eth0 100ms -- "
        "./load-test");
  }
  std::vector<std::string> command(dash + 1, rest.end());
  if (command.empty()) return UsageError("run: no command after --");

  std::vector<std::string> spec(rest.begin(), dash);
  std::vector<std::string> run_flags;
  bool halt_kills = false;
  std::size_t i = 0;
  while (i < spec.size() && spec[i].starts_with("-")) {
    if (spec[i] == "--halt-kills") {
      halt_kills = true;
      ++i;
    } else if (spec[i] == "--ttl" && i + 1 < spec.size()) {
      run_flags = {spec[i], spec[i + 1]};
      i += 2;
    } else if (spec[i].starts_with("--ttl=")) {
      run_flags = {spec[i]};
      ++i;
    } else {
      return UsageError(
          "run: " + spec[i] +
          " before the fault: only --ttl and --halt-kills go there, the fault's flags "
          "follow it");
    }
  }
  if (i == spec.size()) {
    return UsageError(
        "run: no fault given before --, e.g. chaosnetctl run --ttl 5m delay eth0 "
        "100ms -- CMD");
  }
  if (spec[i] == "run") return UsageError("run: a fault is expected, not another run");

  std::vector<std::string> fault_args(args.begin(), args.begin() + run_index);
  fault_args.insert(fault_args.end(), spec.begin() + i, spec.end());
  fault_args.insert(fault_args.end(), run_flags.begin(), run_flags.end());
  auto parsed = ParseCommandLine(fault_args, out);
  if (std::holds_alternative<Outcome>(parsed)) return parsed;
  Invocation inv = std::get<Invocation>(std::move(parsed));
  if (inv.command != Command::kCreate && inv.command != Command::kFleetApply) {
    return UsageError("run: \"" + spec[i] +
                      "\" is not a fault; run holds one of delay, loss, duplicate, corrupt, "
                      "reorder, rate, partition, jam, apply or fleet "
                      "partition|delay|loss|apply");
  }
  if (inv.create.dry_run) {
    return UsageError(
        "run: --dry-run applies nothing, so there is nothing to hold; use the fault "
        "command alone to see its plan");
  }
  if (inv.command == Command::kFleetApply) {
    // Fleet faults carry no guard, so nothing could halt one.
    if (halt_kills) {
      return UsageError("run: --halt-kills acts on a guard, and fleet faults take no --guard");
    }
    if (inv.fleet.hold) return UsageError("run: --hold is implied, run holds the experiment");
  }
  // A fleet experiment stays kFleetApply: its command holds every node's fault.
  if (inv.command == Command::kCreate) inv.command = Command::kRun;
  inv.run.command = std::move(command);
  inv.run.halt_kills = halt_kills;
  return inv;
}

}  // namespace

std::variant<Invocation, Outcome> ParseCommandLine(const std::vector<std::string>& args,
                                                   std::ostream& out) {
  if (std::size_t sub = SubcommandIndex(args); sub < args.size() && args[sub] == "run") {
    return ParseRun(args, sub, out);
  }
  Invocation inv;
  CLI::App app{"chaosnetctl: inject network faults through chaosnetd, under a lease",
               "chaosnetctl"};
  app.set_version_flag("--version", CHAOSNET_VERSION);
  app.require_subcommand(1);
  // Global flags may also follow the subcommand: `chaosnetctl list -o json`.
  app.fallthrough();
  app.add_option("--server", inv.global.server,
                 "unix:PATH or HOST:PORT (TCP needs --tls-ca or --insecure)")
      ->envname("CHAOSNET_SERVER")
      ->capture_default_str();
  app.add_option("-o,--output", inv.global.output, "table or json")->capture_default_str();
  app.add_option("--timeout", inv.global.timeout, "RPC deadline")->capture_default_str();
  // A HOST:PORT daemon serves mTLS; unix: sockets ignore these, so the
  // variables may be exported for remote daemons in the whole shell.
  app.add_option("--tls-ca", inv.global.tls_ca, "CA that signed the daemon's certificate (PEM)")
      ->type_name("FILE")
      ->envname("CHAOSNET_TLS_CA");
  app.add_option("--tls-cert", inv.global.tls_cert, "Client certificate for mTLS (PEM)")
      ->type_name("FILE")
      ->envname("CHAOSNET_TLS_CERT");
  app.add_option("--tls-key", inv.global.tls_key, "Private key of --tls-cert (PEM)")
      ->type_name("FILE")
      ->envname("CHAOSNET_TLS_KEY");
  app.add_option("--tls-server-name", inv.global.tls_server_name,
                 "Name in the daemon's certificate, if not the --server host")
      ->type_name("NAME")
      ->envname("CHAOSNET_TLS_SERVER_NAME");
  app.add_flag("--insecure", inv.global.insecure, "Plaintext TCP, for --insecure-listen only");

  AddCreateCommands(app, inv.create);

  auto* list = app.add_subcommand("list", "List faults");
  list->add_option("--interface", inv.list.interface, "Only faults on this interface");
  list->add_option("--label", inv.list.labels, "k=v that must match (repeatable)");
  list->add_flag("--all", inv.list.all, "Include faults that have ended");
  list->add_flag("--mine", inv.list.mine, "Only your own faults");

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
  watch->add_flag("--mine", inv.watch.mine, "Only events of your own faults");
  watch->add_flag("--stepped", inv.watch.steps, "Also each program step (STEPPED events)");

  app.add_subcommand("info", "Daemon version, limits and kernel capabilities");
  app.add_subcommand("profiles", "The named link conditions --profile takes, with their sources");

  CLI::App* fleet = AddFleetCommands(app, inv);

  // Parsed by ParseRun before CLI11 sees the line; listed here for --help.
  app.add_subcommand("run",
                     "Hold a fault only while a command runs: run [--ttl TTL] <fault> -- CMD");

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
    return UsageError(std::string(e.what()) + " (run with --help for usage)");
  }

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
  } else if (app.got_subcommand("profiles")) {
    inv.command = Command::kProfiles;
  } else if (fleet->parsed()) {
    if (auto error = FinishFleetParse(*fleet, inv)) return *error;
  } else if (app.got_subcommand("apply") &&
             (!inv.create.from.empty() || inv.create.interface.empty())) {
    if (auto error = FinishApplyFromParse(*app.get_subcommand("apply"), inv)) return *error;
  } else {
    inv.command = Command::kCreate;
    inv.create.kind = KindOf(app);
    inv.create.partition = inv.create.partition || inv.create.kind == FaultKind::kPartition;
    inv.create.link.jam = inv.create.kind == FaultKind::kJam;
    TakeLossModelFromLossValue(inv.create);
  }
  return inv;
}

}  // namespace chaosnet::client
