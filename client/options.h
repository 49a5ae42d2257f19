// The argument model: what the user typed, as text, before any unit parsing.
// Keeping it textual lets the request builder own every parse rule (and every
// error message) in one pure, testable place; CLI11 only fills these structs.
#pragma once

#include <string>
#include <vector>

namespace chaosnet::client {

// Exit codes are part of the CLI contract; scripts depend on them.
inline constexpr int kExitOk = 0;
inline constexpr int kExitServerError = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitUnreachable = 3;

inline constexpr char kDefaultServer[] = "unix:/run/chaosnetd/chaosnetd.sock";

enum class Command {
  kCreate,
  kList,
  kGet,
  kExtend,
  kRevoke,
  kRevokeAll,
  kWatch,
  kInfo,
  kRun,
  kProfiles,
  // fleet (issue 14): one experiment over the daemons of a fleet file.
  kFleetApply,  // fleet partition|delay|loss|apply
  kFleetStatus,
  kFleetHeal,
  // batches (issue 19): apply --from FILE
  kApplyFrom,
};

// Which creating subcommand was used; only changes how the positional value is
// read and how messages name things, the request shape is the same.
enum class FaultKind {
  kDelay,
  kLoss,
  kDuplicate,
  kCorrupt,
  kReorder,
  kRate,
  kPartition,
  kApply,
  kJam,
};

struct GlobalOptions {
  std::string server = kDefaultServer;
  std::string output = "table";
  std::string timeout = "10s";
  // For a HOST:PORT server; empty = not given. Ignored for unix: sockets.
  std::string tls_ca;
  std::string tls_cert;
  std::string tls_key;
  std::string tls_server_name;
  bool insecure = false;
};

// Link models (issue 18), as typed; empty: not given.
struct LinkModelOptions {
  std::string loss_model;  // tc's words: "gemodel 1% 10% 70% 0.1%", "state 1% 30%"
  bool ecn = false;
  std::string slot;  // "MIN[,MAX]": "800us,10ms"
  std::string slot_packets;
  std::string slot_bytes;
  std::string slot_distribution;
  std::string slot_delay;
  std::string slot_jitter;
  std::string link_rate;
  std::string overhead;
  std::string cell_size;
  std::string cell_overhead;
  bool in_order = false;
  bool jam = false;
  std::string queue_bytes;  // a jam's queue
  std::string profile;
};

// Programs (client/program_flags.cc), as typed; empty: not given.
struct ProgramOptions {
  std::vector<std::string> ramp;  // PARAM FROM..TO
  std::string over;
  std::string step;
  std::string steps;         // 'DUR:KEY=VAL[ KEY=VAL...],...'
  std::string repeat;        // N or "forever"
  std::string flap;          // ON/OFF
  std::string trace;         // a file (client/trace/)
  std::string trace_format;  // csv, mahimahi; empty: from the file's name
  std::string trace_window;  // Mahimahi's rate windows (default 100ms)
};

// An empty string means "not given" for every optional field below.
struct CreateOptions {
  FaultKind kind = FaultKind::kApply;
  std::string interface;

  std::string delay;
  std::string jitter;
  std::string delay_correlation;
  std::string distribution;
  std::string loss;
  std::string loss_correlation;
  std::string duplicate;
  std::string duplicate_correlation;
  std::string corrupt;
  std::string corrupt_correlation;
  std::string reorder;
  std::string reorder_correlation;
  std::string gap;
  std::string rate;
  bool partition = false;

  std::string ttl;
  // Repeatable: one value is the singular match field (every daemon knows
  // it), several are a set (dst_cidrs/src_cidrs, feature cidr-sets).
  std::vector<std::string> dst;
  std::vector<std::string> src;
  std::string dport;
  std::string sport;
  std::string protocol;
  std::string direction;
  std::string netns;
  std::vector<std::string> labels;
  std::string limit;
  std::string request_id;
  bool dry_run = false;

  LinkModelOptions link;
  // Traffic the fault never touches, in chaosnetd's --protect syntax
  // (feature fault-exemptions).
  std::vector<std::string> exempt;

  // guards (client/guard_flags.cc)
  std::vector<std::string> guards;
  std::string guard_interval;
  std::string guard_timeout;
  std::string guard_failures;
  std::string guard_grace;

  // batches (issue 19): apply --from FILE (JSON lines, "-" for stdin)
  std::string from;

  // programs (client/program_flags.cc)
  ProgramOptions program;
  std::string netem_seed;  // netem's TCA_NETEM_PRNG_SEED (feature netem-seed)
};

struct ListOptions {
  std::string interface;
  std::vector<std::string> labels;
  bool all = false;
  bool mine = false;  // only the caller's own faults
};

// get, extend, revoke, revoke --all share this: an ID and what goes with it.
struct LeaseOptions {
  std::string id;
  std::string ttl;                  // extend
  bool all = false;                 // revoke --all
  std::vector<std::string> labels;  // revoke --all --label
};

struct WatchOptions {
  bool initial = false;
  bool mine = false;   // only events of the caller's own faults
  bool steps = false;  // also each program step (STEPPED)
};

// run: the fault comes from CreateOptions; this is the command to hold it for.
struct RunOptions {
  std::vector<std::string> command;  // CMD ARGS..., never empty
  bool halt_kills = false;           // a guard halted the fault: SIGTERM the command
};

// fleet: the experiment's nodes and shape; the effect and its --ttl, --label,
// --dry-run, ports and protocol are in CreateOptions.
struct FleetOptions {
  std::string fleet_file;
  std::string shape;    // --shape
  std::string between;  // --between 'n1,n2|n3' (delay, loss, apply)
  std::string shape_seed;
  std::string experiment;  // status, heal: only this experiment
  bool hold = false;       // keep the experiment bound to this process until SIGINT/SIGTERM
};

struct Invocation {
  Command command = Command::kInfo;
  GlobalOptions global;
  CreateOptions create;
  ListOptions list;
  LeaseOptions lease;
  WatchOptions watch;
  RunOptions run;
  FleetOptions fleet;
};

}  // namespace chaosnet::client
