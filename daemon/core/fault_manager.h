// The daemon's state: every fault and its lease. Single-threaded by design —
// only the event loop calls it — so it holds no locks. It talks to the kernel
// only through kernel::Kernel and reads time only through Clock.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/result.h"
#include "daemon/core/access_policy.h"
#include "daemon/core/clock.h"
#include "daemon/core/ended_history.h"
#include "daemon/core/fault_record.h"
#include "daemon/core/fault_trees.h"
#include "daemon/core/kernel_provider.h"
#include "daemon/core/lease_store.h"
#include "daemon/guard/guard_policy.h"
#include "daemon/kernel/kernel.h"
#include "daemon/lease/lease_table.h"
#include "daemon/model/validate.h"
#include "daemon/program/program_plan.h"

namespace chaosnet::core {

struct ManagerConfig {
  std::chrono::nanoseconds default_ttl = std::chrono::minutes(5);
  std::chrono::nanoseconds max_ttl = std::chrono::hours(24);
  model::ValidationLimits limits;
  std::size_t ended_history = 1024;  // ended faults kept for get/list
  // Traffic no fault ever touches (default: SSH). The daemon adds the ports
  // of its own remote API listeners.
  std::vector<plan::ProtectedRule> protected_rules = plan::DefaultProtectedRules();
  AccessPolicy policy;        // what callers may fault, how hard, how many
  guard::GuardPolicy guards;  // where guards may connect, how many
};

struct CreateRequest {
  model::FaultSpec spec;
  std::optional<std::chrono::nanoseconds> ttl;
  Labels labels;
  std::string request_id;
  bool dry_run = false;
  Caller caller;  // becomes the owner
};

struct CreateResult {
  FaultRecord fault;
  bool replayed = false;  // an earlier request with the same request_id made it
};

// A batch refused: nothing of it was applied. `index` is the refused item's
// position in the request (-1 when the batch as a whole was refused), and
// the status's message starts with "item <index>: ".
struct BatchRefusal {
  long index = -1;
  Status status;
};

struct ListFilter {
  std::string interface;
  Labels label_selector;
  bool include_ended = false;
  // Only the faults this identity owns (--mine); unset: everyone's.
  std::optional<model::Identity> owner;
};

// A fault RevokeAll left in place, and why.
struct NotRevoked {
  FaultRecord fault;
  Status why;
};

struct RevokeAllResult {
  std::vector<FaultRecord> revoked;
  std::vector<NotRevoked> not_revoked;
};

// What RevokeMany did with the ids asked for.
struct RevokeManyResult {
  std::vector<FaultRecord> revoked;
  std::vector<std::string> not_found;   // no such fault, active or recently ended
  std::vector<NotRevoked> not_revoked;  // ended already, or not the caller's to revoke
};

class FaultManager {
 public:
  using IdGenerator = std::function<std::string()>;
  using Listener = std::function<void(const FaultEvent&)>;

  // `store` (not owned) records every lease before the kernel is touched;
  // null: nothing is recorded (a NullLeaseStore).
  FaultManager(KernelProvider& kernels, const Clock& clock, kernel::Capabilities caps,
               ManagerConfig config, IdGenerator ids, LeaseStore* store = nullptr);

  Result<CreateResult> Create(const CreateRequest& request);
  // Many faults, all or nothing: every request is checked as Create checks
  // it, and against the ones before it in the batch, before anything is
  // recorded or placed; the leases are recorded with one store write; a
  // kernel failure half-way takes back what the batch placed. A request_id
  // keeps its meaning per item: an item whose id made a fault earlier is that
  // fault (replayed), so a retried batch creates nothing twice. `dry_run`
  // applies to the whole batch (the requests' own flags are ignored). On a
  // refusal nothing changed, and the refusal names the item.
  struct BatchResult {
    std::vector<CreateResult> created;  // in request order
    std::optional<BatchRefusal> refusal;
  };
  BatchResult CreateMany(const std::vector<CreateRequest>& requests, bool dry_run);
  Result<FaultRecord> Get(const std::string& id);
  std::vector<FaultRecord> List(const ListFilter& filter);
  // Every active fault, in no particular order, with the counters of its last
  // reading: reads nothing from the kernel, for callers that need only the
  // specs (a metrics scrape must not cost a netlink round trip per fault).
  void ForEachActive(const std::function<void(const FaultRecord&)>& visit) const;
  // Extending a fault (and binding it, below) is for its owner and admins;
  // revoking it, for every caller allowed to write unless --revoke-others
  // owner: PERMISSION_DENIED otherwise (CheckMayChangeFault).
  Result<FaultRecord> Extend(const std::string& id, std::chrono::nanoseconds ttl,
                             const Caller& caller);
  Result<FaultRecord> Revoke(const std::string& id, const Caller& caller);
  // Revokes the matching faults `caller` may revoke; reports the others.
  RevokeAllResult RevokeAll(const Labels& selector, const Caller& caller);
  // Revokes every active fault of `ids` that `caller` may revoke; reports
  // the ids not found and the faults left alone (with why).
  RevokeManyResult RevokeMany(const std::vector<std::string>& ids, const Caller& caller);

  // Dead man's switch: binds an active fault to a keep-alive stream, durably,
  // so that a restart ends it instead of re-arming it. NOT_FOUND for an
  // unknown id, FAILED_PRECONDITION for an ended or already bound fault,
  // PERMISSION_DENIED for a fault `caller` may not bind.
  Result<FaultRecord> BindKeepAlive(const std::string& id, const Caller& caller);
  // The stream ended: rolls back those of `ids` still active (REVOKED with
  // `reason`); returns them.
  std::vector<FaultRecord> EndKeepAlive(const std::vector<std::string>& ids,
                                        const std::string& reason);

  // Ends every lease whose deadline has passed; returns the ended faults.
  std::vector<FaultRecord> ExpireDue();
  std::optional<SteadyTime> NextDeadline() const { return leases_.NextDeadline(); }

  // Ends, as LOST, every fault whose network namespace is no longer named
  // (deleted with `ip netns del`, its container exited). Returns them.
  std::vector<FaultRecord> EndFaultsInVanishedNamespaces();

  // Drift: the kernel reported that a device, or one of the objects a fault
  // owns, went away or was changed by someone else. Ends the affected faults
  // as LOST with `reason`; returns them.
  std::vector<FaultRecord> EndFaultsOnDevice(const std::string& netns_key, int ifindex,
                                             const std::string& reason);
  std::vector<FaultRecord> EndFaultsOwning(const std::string& netns_key, int ifindex,
                                           uint32_t handle, const std::string& reason);
  // A filter event names a priority and a handle: a node of the shared host
  // classifier (plan/host_hash.h) ends the fault owning that node; any other
  // handle at that priority (0: the whole priority, the link, a table, a
  // node not ours) ends every fault with a filter or node there.
  std::vector<FaultRecord> EndFaultsFilteredBy(const std::string& netns_key, int ifindex,
                                               uint16_t priority, uint32_t handle,
                                               const std::string& reason);
  // After missed notifications: ends, as LOST, every fault whose class or
  // leaf can no longer be read from the kernel (FaultTrees::FindMissing: a
  // dump or two per device, not a read per fault).
  std::vector<FaultRecord> EndFaultsWithMissingObjects();

  // ---- guards (daemon/guard/: GuardRunner runs them and calls these)
  // A guard failed: ends the fault HALTED with `reason` (actor "guard"),
  // recorded before the rollback, as a revoke is, so that a crash in
  // between does not re-arm it. NOT_FOUND / FAILED_PRECONDITION when the
  // fault is not active.
  Result<FaultRecord> Halt(const std::string& id, const std::string& reason);
  // What the fault's guards last saw, for get/list/watch; ignored for a fault
  // that is not active.
  void SetGuardStatuses(const std::string& id, std::vector<guard::GuardStatus> statuses);
  // The fault's counters read now (and kept in its record): what counter
  // guards judge. NOT_FOUND when the fault or its objects are gone.
  Result<kernel::Counters> ReadCounters(const std::string& id);
  // Guards of the live faults, as --max-guards counts them.
  std::size_t live_guards() const;

  // Rolls back everything (clean shutdown).
  std::vector<FaultRecord> RollbackAll(const std::string& reason);

  // Start-up after a crash: takes over a lease of a previous run whose objects
  // were still in place, ending `remaining` from now on this run's monotonic
  // clock. Start-up has cleared what the previous run left, so the fault is
  // placed again (same spec, same id) without telling the listeners; the
  // lease is recorded as active.
  Status Restore(FaultRecord record, std::chrono::nanoseconds remaining);
  // Start-up after a crash: a lease of a previous run that ended while the
  // daemon was down (expired, lost), kept so that Get/List can still show it.
  void RestoreEnded(FaultRecord record);

  // After a burst of ends (the memory trimmer calls it before handing freed
  // heap back): the history of ended faults (one encoded buffer, see
  // ended_history.h) and the maps the burst grew get storage sized for what
  // they hold now.
  void CompactHistory();

  int Subscribe(Listener listener);
  void Unsubscribe(int token);

  // ---- programs (program/): faults whose parameters change over the lease.
  // Makes every program step that is due: each changes the fault's netem leaf
  // and htb class in place to the step the clock says now (a late call skips
  // to it; it never replays the steps it missed). A change the kernel refuses
  // ends its fault: LOST when its objects are gone, otherwise rolled back
  // (REVOKED). Returns how many steps were made.
  std::size_t AdvancePrograms();
  std::optional<SteadyTime> NextProgramStep() const { return program_steps_.NextDeadline(); }
  // Step listeners hear of every step made (the record as it is after it),
  // and of nothing else; lease events go to Subscribe's listeners only.
  // Unsubscribe ends either kind.
  using StepListener = std::function<void(const FaultRecord&)>;
  int SubscribeSteps(StepListener listener);
  // The sequence number of the last lease event: a step, which takes none of
  // its own, comes after that event and before the next.
  uint64_t last_sequence() const { return sequence_; }

  // The fault, active or recently ended (a copy, decoded from the history),
  // without reading the kernel; none when unknown.
  std::optional<FaultRecord> Find(const std::string& id) const { return FindAny(id); }

  std::size_t active_count() const { return leases_.size(); }
  const ManagerConfig& config() const { return config_; }
  const kernel::Capabilities& capabilities() const { return caps_; }

 private:
  // A create request checked (everything but the trees) and turned into its
  // record, without an id or a site yet.
  struct Admitted {
    CreateRequest request;  // the profile applied
    FaultRecord record;
    std::optional<FaultRecord> replay;  // request_id made this fault earlier
  };
  // `earlier_in_batch`/`earlier_guards`: faults and guards of the same batch
  // admitted before this one, which count against the capacity limits.
  Result<Admitted> Admit(const CreateRequest& asked, std::size_t earlier_in_batch = 0,
                         std::size_t earlier_guards = 0) const;
  // A fresh id no fault, active or remembered, has.
  std::string NewId() const;
  Status CheckTtl(std::chrono::nanoseconds ttl) const;
  Status CheckKernelSupports(const model::FaultSpec& spec) const;
  // Takes the kernel objects away and moves the fault to its final state.
  // `lost_reason`: the objects are known to be gone or foreign (drift).
  // `actor`: who ended it, for the event (see FaultEvent::actor).
  FaultRecord End(const std::string& id, FaultState state, const std::string& reason,
                  const std::string& lost_reason = "", const std::string& actor = "chaosnetd");
  // End for several active faults (reasons[i] is ids[i]'s), in that order:
  // their final counters read with one dump per device, their objects
  // removed together (one netlink batch per device), two journal writes in
  // all instead of two per fault. Revoking or expiring thousands at once
  // would otherwise cost thousands of round trips and writes.
  std::vector<FaultRecord> EndTogether(const std::vector<std::string>& ids, FaultState state,
                                       const std::vector<std::string>& reasons,
                                       const std::string& actor);
  // End in its halves, around the removal of the objects: the record taken
  // out of the active set, recorded as ended (TakeForEnd), then, once the
  // journal has forgotten it where the objects are gone, its final state
  // from `removed` (FinishEnd).
  FaultRecord TakeOutOfActive(const std::string& id);
  FaultRecord TakeForEnd(const std::string& id, bool lost);
  static bool JournalMayForget(const Status& removed) {
    // A failed rollback keeps its ended record, so the next start-up retries it.
    return removed.ok() || removed.code() == StatusCode::kNotFound;
  }
  FaultRecord FinishEnd(FaultRecord record, const Status& removed, FaultState state,
                        const std::string& reason, const std::string& lost_reason,
                        const std::string& actor);
  void RefreshCounters(FaultRecord& record);
  void Publish(EventType type, const FaultRecord& record, const std::string& actor);
  void Remember(const FaultRecord& record);
  // Puts an active record under its lease; returns it as stored.
  const FaultRecord& Track(FaultRecord record);
  FaultRecord* FindActive(const std::string& id);
  // The active fault a change is for; FAILED_PRECONDITION naming how it ended
  // (then `advice`), NOT_FOUND when there is no such fault.
  Result<FaultRecord*> RequireActive(const std::string& id, std::string_view advice = "");
  std::vector<FaultRecord> EndAllLost(std::vector<std::string> ids, const std::string& reason);
  std::optional<FaultRecord> FindAny(const std::string& id) const;
  // The id of the active or remembered fault `request_id` made.
  std::optional<std::string> IdOfRequest(const std::string& request_id) const;
  // Ends `id` as revoked by `caller`; `how` qualifies the reason.
  FaultRecord RevokeAs(const std::string& id, const Caller& caller, const std::string& how = "");
  std::string RevokeReason(const FaultRecord& record, const Caller& caller,
                           const std::string& how) const;

  // programs (fault_manager_programs.cc). A fault's objects are placed from
  // its spec, or for a program from its step `elapsed` after its start.
  struct Placing {
    model::FaultSpec spec;
    std::optional<program::ProgramPlan> plan;
    program::Position position;
  };
  static Placing PlacingAt(const model::FaultSpec& spec, std::chrono::nanoseconds elapsed);
  // The operator's limits (CheckSpecAllowed) for the spec, or for every step.
  Status CheckSpecAllowedThroughout(const model::FaultSpec& spec) const;
  // Files the placed program under the fault (record.program) and schedules
  // its next step; `started` on this run's clock.
  void StartProgram(FaultRecord& record, Placing placing, SteadyTime started);
  void StopProgram(const std::string& id);
  void MakeStep(const std::string& id, SteadyTime now);

  FaultTrees trees_;
  const Clock& clock_;
  kernel::Capabilities caps_;
  ManagerConfig config_;
  IdGenerator ids_;
  NullLeaseStore null_store_;
  LeaseStore& store_;

  lease::LeaseTable leases_;
  std::unordered_map<std::string, FaultRecord> active_;
  EndedHistory ended_;
  // Request ids of the active faults; ended_ indexes those of ended ones.
  std::unordered_map<std::string, std::string> by_request_id_;

  std::map<int, Listener> listeners_;
  std::map<int, StepListener> step_listeners_;
  int next_listener_ = 1;
  // programs: each active program's plan, and when its next step is due.
  std::unordered_map<std::string, program::ProgramPlan> programs_;
  lease::LeaseTable program_steps_;
  uint64_t sequence_ = 0;
};

// 12 random hex digits: short enough to type, unique enough for one host.
std::string RandomFaultId();

}  // namespace chaosnet::core
