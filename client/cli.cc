#include "client/cli.h"

#include <algorithm>
#include <optional>

#include <CLI/CLI.hpp>

#include "client/fleet_cli.h"
#include "client/link_model_cli.h"
#include "client/subcommands.h"

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
  const std::size_t named = SubcommandIndex(args);
  if (named < args.size() && args[named] == "run") return ParseRun(args, named, out);
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

  // Only the subcommand the line names gets its options (see subcommands.h);
  // CLI11 takes at most one subcommand, so no other could be parsed.
  for (const Subcommand& sub : Subcommands()) {
    CLI::App* command = app.add_subcommand(sub.name, sub.description);
    if (sub.add_options != nullptr && named < args.size() && args[named] == sub.name) {
      sub.add_options(command, inv);
    }
  }

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

  if (app.got_subcommand("list")) {
    inv.command = Command::kList;
  } else if (app.got_subcommand("get")) {
    inv.command = Command::kGet;
  } else if (app.got_subcommand("extend")) {
    inv.command = Command::kExtend;
  } else if (app.got_subcommand("revoke")) {
    inv.command = inv.lease.all ? Command::kRevokeAll : Command::kRevoke;
  } else if (app.got_subcommand("watch")) {
    inv.command = Command::kWatch;
  } else if (app.got_subcommand("info")) {
    inv.command = Command::kInfo;
  } else if (app.got_subcommand("profiles")) {
    inv.command = Command::kProfiles;
  } else if (app.got_subcommand("fleet")) {
    if (auto error = FinishFleetParse(*app.get_subcommand("fleet"), inv)) return *error;
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
