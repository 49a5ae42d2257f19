#include "daemon/core/fault_manager.h"

#include <cctype>

#include "daemon/core/stored_lease_conversion.h"
#include "daemon/program/validate.h"

#include <algorithm>
#include <random>

#include "common/units.h"
#include "daemon/linkmodel/kernel_support.h"
#include "daemon/linkmodel/profiles.h"
#include "daemon/plan/compiler.h"
#include "daemon/plan/describe.h"

namespace chaosnet::core {

namespace {

bool LabelsMatch(const Labels& labels, const Labels& selector) {
  return std::all_of(selector.begin(), selector.end(), [&](const auto& kv) {
    auto it = labels.find(kv.first);
    return it != labels.end() && it->second == kv.second;
  });
}

}  // namespace

const char* FaultStateName(FaultState s) {
  switch (s) {
    case FaultState::kPlanned: return "PLANNED";
    case FaultState::kActive: return "ACTIVE";
    case FaultState::kExpired: return "EXPIRED";
    case FaultState::kRevoked: return "REVOKED";
    case FaultState::kLost: return "LOST";
    case FaultState::kFailed: return "FAILED";
    case FaultState::kHalted: return "HALTED";
  }
  return "UNKNOWN";
}

const char* EventTypeName(EventType t) {
  switch (t) {
    case EventType::kApplied: return "APPLIED";
    case EventType::kExtended: return "EXTENDED";
    case EventType::kExpired: return "EXPIRED";
    case EventType::kRevoked: return "REVOKED";
    case EventType::kLost: return "LOST";
    case EventType::kFailed: return "FAILED";
    case EventType::kHalted: return "HALTED";
  }
  return "UNKNOWN";
}

std::string EventTypeLabel(EventType t) {
  std::string label = EventTypeName(t);
  for (char& c : label) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return label;
}

std::string RandomFaultId() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  uint64_t bits = rng();
  std::string id(12, '0');
  for (auto& c : id) {
    c = kHex[bits & 0xF];
    bits >>= 4;
  }
  return id;
}

FaultManager::FaultManager(KernelProvider& kernels, const Clock& clock, kernel::Capabilities caps,
                           ManagerConfig config, IdGenerator ids, LeaseStore* store)
    : trees_(kernels, config.protected_rules),
      clock_(clock),
      caps_(std::move(caps)),
      config_(std::move(config)),
      ids_(std::move(ids)),
      store_(store != nullptr ? *store : null_store_),
      ended_(config_.ended_history) {}

Status FaultManager::CheckTtl(std::chrono::nanoseconds ttl) const {
  if (ttl <= std::chrono::nanoseconds::zero()) {
    return InvalidArgument("ttl must be positive (e.g. 30s)");
  }
  if (ttl > config_.max_ttl) {
    return InvalidArgument("ttl " + units::FormatDuration(ttl) + " is above the maximum of " +
                           units::FormatDuration(config_.max_ttl) + " (the daemon's --max-ttl)");
  }
  return Status::Ok();
}

Status FaultManager::CheckKernelSupports(const model::FaultSpec& spec) const {
  using kernel::FeatureId;
  auto missing = [](FeatureId id) {
    return FailedPrecondition(kernel::MissingFeatureMessage(kernel::FeatureInfo(id)));
  };
  auto missing_for_ingress = [](FeatureId id, const char* what) {
    return FailedPrecondition(
        std::string("ingress faults need ") + what +
        " and the kernel has none: " + kernel::LoadHint(kernel::FeatureInfo(id)));
  };
  // Every fault lives in an htb tree whose u32 filters pick its packets.
  if (!caps_.htb) return missing(FeatureId::kHtb);
  if (!caps_.u32) return missing(FeatureId::kU32);
  if (spec.needs_netem() && !caps_.netem) return missing(FeatureId::kNetem);
  RETURN_IF_ERROR(linkmodel::CheckKernelSupportsLinkModels(caps_, spec));
  if (spec.direction != model::Direction::kEgress) {
    if (!caps_.ifb) return missing_for_ingress(FeatureId::kIfb, "IFB devices");
    if (!caps_.mirred) return missing_for_ingress(FeatureId::kMirred, "the mirred action");
  }
  return Status::Ok();
}

Result<FaultManager::Admitted> FaultManager::Admit(const CreateRequest& asked,
                                                   std::size_t earlier_in_batch,
                                                   std::size_t earlier_guards) const {
  // A profile's impairments become the spec's own: what is journaled,
  // compared on retries and shown is the fault as applied.
  Admitted out;
  out.request = asked;
  CreateRequest& request = out.request;
  ASSIGN_OR_RETURN(request.spec, linkmodel::ApplyProfile(asked.spec));
  if (!request.request_id.empty() && !request.dry_run) {
    if (auto id = IdOfRequest(request.request_id)) {
      if (std::optional<FaultRecord> earlier = FindAny(*id)) {
        if (!(earlier->spec == request.spec)) {
          return AlreadyExists("request_id " + request.request_id + " was already used for fault " +
                               earlier->id + " with a different spec");
        }
        out.replay = std::move(earlier);
        return out;
      }
    }
  }

  RETURN_IF_ERROR(program::ValidateProgramFault(request.spec, config_.limits));
  ASSIGN_OR_RETURN(const guard::Guards guards, guard::ParseGuards(request.spec.guards));
  const auto ttl = request.ttl.value_or(config_.default_ttl);
  RETURN_IF_ERROR(CheckTtl(ttl));
  RETURN_IF_ERROR(CheckSpecAllowedThroughout(request.spec));
  RETURN_IF_ERROR(guard::CheckGuardsAllowed(config_.guards, guards.specs, config_.protected_rules));
  if (!request.dry_run) {
    std::size_t of_caller = earlier_in_batch;
    if (config_.policy.restricts_callers()) {
      for (const auto& [id, r] : active_) {
        of_caller += IsOwner(request.caller.identity, r.owner_identity) ? 1 : 0;
      }
    }
    const std::string caller =
        request.caller.principal.empty() ? "this caller" : request.caller.principal;
    RETURN_IF_ERROR(
        CheckCapacity(config_.policy, active_.size() + earlier_in_batch, of_caller, caller));
    // Counting the live guards walks every fault: only for a fault that adds some.
    if (!guards.specs.empty()) {
      RETURN_IF_ERROR(guard::CheckGuardCapacity(config_.guards, live_guards() + earlier_guards,
                                                guards.specs.size()));
    }
  }
  RETURN_IF_ERROR(CheckKernelSupports(request.spec));

  FaultRecord& record = out.record;
  record.spec = request.spec;
  record.labels = request.labels;
  record.owner = request.caller.principal;
  record.owner_identity = request.caller.identity;
  record.request_id = request.request_id;
  record.created_at = clock_.WallNow();
  record.deadline = clock_.Now() + ttl;
  record.expires_at = clock_.ToWall(record.deadline);
  record.guards = guard::UncheckedStatuses(request.spec.guards.checks);
  return out;
}

std::string FaultManager::NewId() const {
  std::string id = ids_();
  while (active_.contains(id) || ended_.Contains(id)) id = ids_();
  return id;
}

Result<CreateResult> FaultManager::Create(const CreateRequest& asked) {
  ASSIGN_OR_RETURN(Admitted admitted, Admit(asked));
  if (admitted.replay) return CreateResult{*admitted.replay, true};
  const CreateRequest& request = admitted.request;
  FaultRecord& record = admitted.record;
  record.id = request.dry_run ? std::string() : NewId();
  // A program's objects start as its first step.
  Placing placing = PlacingAt(request.spec, std::chrono::nanoseconds::zero());
  // Checks first (overlaps, foreign qdiscs): a refusal leaves nothing anywhere.
  ASSIGN_OR_RETURN(record.site, trees_.Place(record.id, placing.spec, /*dry_run=*/true));
  if (request.dry_run) return CreateResult{std::move(record), false};

  // Write-ahead: a crash from here on leaves a record that says what to undo.
  if (Status s = store_.Put(ToStoredLease(record, state::LeaseState::kPending)); !s.ok()) {
    return Unavailable("cannot record the lease durably: " + s.message());
  }
  // As the checks planned it: the interface's index and its root were just
  // read, and nothing on the loop changed the trees since.
  auto placed = trees_.PlacePlanned(record.id, placing.spec, record.site);
  if (!placed.ok()) {
    // Lost in a crash, it is a pending record without objects: discarded.
    store_.Remove(record.id);
    return placed.status();
  }
  record.site = *placed;
  // Failing does not harm: a pending record whose objects exist is re-armed at
  // start-up with the same deadline, so the lease still holds.
  store_.Put(ToStoredLease(record, state::LeaseState::kActive));

  record.state = FaultState::kActive;
  record.counters_read_at = record.created_at;
  StartProgram(record, std::move(placing),
               record.deadline - request.ttl.value_or(config_.default_ttl));
  const FaultRecord& tracked = Track(std::move(record));
  Publish(EventType::kApplied, tracked, request.caller.principal);
  return CreateResult{tracked, false};
}

const FaultRecord& FaultManager::Track(FaultRecord record) {
  leases_.Add(record.id, record.deadline);
  if (!record.request_id.empty()) by_request_id_[record.request_id] = record.id;
  auto [it, inserted] = active_.insert_or_assign(record.id, std::move(record));
  return it->second;
}

Status FaultManager::Restore(FaultRecord record, std::chrono::nanoseconds remaining) {
  if (active_.contains(record.id))
    return AlreadyExists("fault " + record.id + " is already active");
  // A program resumes at the step the clock says, not at its first.
  const auto elapsed = std::max(
      std::chrono::nanoseconds::zero(),
      std::chrono::duration_cast<std::chrono::nanoseconds>(clock_.WallNow() - record.created_at));
  Placing placing = PlacingAt(record.spec, elapsed);
  ASSIGN_OR_RETURN(record.site, trees_.Place(record.id, placing.spec, /*dry_run=*/false));
  StartProgram(record, std::move(placing), clock_.Now() - elapsed);
  record.deadline = clock_.Now() + remaining;
  record.state = FaultState::kActive;
  record.state_reason.clear();
  record.guards = guard::UncheckedStatuses(record.spec.guards.checks);
  // The recorded wall deadline stays what the client was told.
  store_.Put(ToStoredLease(record, state::LeaseState::kActive));
  RefreshCounters(record);
  Track(std::move(record));
  return Status::Ok();
}

void FaultManager::RestoreEnded(FaultRecord record) {
  if (record.ended_at == WallTime{}) record.ended_at = clock_.WallNow();
  Remember(std::move(record));
}

FaultRecord* FaultManager::FindActive(const std::string& id) {
  auto it = active_.find(id);
  return it == active_.end() ? nullptr : &it->second;
}

Result<FaultRecord*> FaultManager::RequireActive(const std::string& id, std::string_view advice) {
  if (FaultRecord* record = FindActive(id)) return record;
  if (const std::optional<FaultRecord> ended = ended_.Find(id)) {
    return FailedPrecondition("fault " + id + " has already ended (" +
                              FaultStateName(ended->state) + ")" + std::string(advice));
  }
  return NotFound("no fault with id " + id);
}

std::optional<FaultRecord> FaultManager::FindAny(const std::string& id) const {
  if (auto it = active_.find(id); it != active_.end()) return it->second;
  return ended_.Find(id);
}

std::optional<std::string> FaultManager::IdOfRequest(const std::string& request_id) const {
  if (auto it = by_request_id_.find(request_id); it != by_request_id_.end()) return it->second;
  return ended_.IdOfRequest(request_id);
}

void FaultManager::RefreshCounters(FaultRecord& record) {
  auto counters = trees_.ReadCounters(record.site);
  if (!counters.ok()) return;  // keep the last good reading; drift handling reports loss
  record.counters = *counters;
  record.counters_read_at = clock_.WallNow();
}

Result<FaultRecord> FaultManager::Get(const std::string& id) {
  if (FaultRecord* active = FindActive(id)) {
    RefreshCounters(*active);
    return *active;
  }
  if (std::optional<FaultRecord> ended = ended_.Find(id)) return std::move(*ended);
  return NotFound("no fault with id " + id);
}

std::vector<FaultRecord> FaultManager::List(const ListFilter& filter) {
  auto wanted = [&](const FaultRecord& r) {
    return (filter.interface.empty() || r.spec.interface == filter.interface) &&
           LabelsMatch(r.labels, filter.label_selector) &&
           (!filter.owner || IsOwner(*filter.owner, r.owner_identity));
  };
  std::vector<FaultRecord> out;
  for (auto& [id, record] : active_) {
    if (!wanted(record)) continue;
    RefreshCounters(record);
    out.push_back(record);
  }
  std::sort(out.begin(), out.end(), [](const FaultRecord& a, const FaultRecord& b) {
    return a.created_at < b.created_at || (a.created_at == b.created_at && a.id < b.id);
  });
  if (filter.include_ended) {
    ended_.ForEach([&](const FaultRecord& record) {
      if (wanted(record)) out.push_back(record);
    });
  }
  return out;
}

void FaultManager::ForEachActive(const std::function<void(const FaultRecord&)>& visit) const {
  for (const auto& [id, record] : active_) visit(record);
}

Result<FaultRecord> FaultManager::Extend(const std::string& id, std::chrono::nanoseconds ttl,
                                         const Caller& caller) {
  ASSIGN_OR_RETURN(auto* record, RequireActive(id, "; create a new one"));
  RETURN_IF_ERROR(CheckMayChangeFault(config_.policy, caller, FaultChange::kExtend, *record));
  RETURN_IF_ERROR(CheckTtl(ttl));
  FaultRecord extended = *record;
  extended.deadline = clock_.Now() + ttl;
  extended.expires_at = clock_.ToWall(extended.deadline);
  // Acknowledge only a deadline that survives a crash; otherwise keep the old one.
  if (Status s = store_.Put(ToStoredLease(extended, state::LeaseState::kActive)); !s.ok()) {
    return Unavailable("cannot record the lease durably: " + s.message());
  }
  record->deadline = extended.deadline;
  record->expires_at = extended.expires_at;
  leases_.Reschedule(id, record->deadline);
  RefreshCounters(*record);
  Publish(EventType::kExtended, *record, caller.principal);
  return *record;
}

Result<FaultRecord> FaultManager::Revoke(const std::string& id, const Caller& caller) {
  ASSIGN_OR_RETURN(const auto* record, RequireActive(id));
  RETURN_IF_ERROR(CheckMayChangeFault(config_.policy, caller, FaultChange::kRevoke, *record));
  return RevokeAs(id, caller);
}

std::string FaultManager::RevokeReason(const FaultRecord& record, const Caller& caller,
                                       const std::string& how) const {
  std::string reason = "revoked by " + (caller.principal.empty() ? "a client" : caller.principal);
  if (!how.empty()) reason += " (" + how + ")";
  // Someone else's fault: its end names both, so the owner learns who stopped it.
  if (!IsOwner(caller.identity, record.owner_identity)) {
    reason += ", owner " + (record.owner.empty() ? "unknown" : record.owner);
  }
  return reason;
}

FaultRecord FaultManager::RevokeAs(const std::string& id, const Caller& caller,
                                   const std::string& how) {
  const std::string reason = RevokeReason(active_.at(id), caller, how);
  return End(id, FaultState::kRevoked, reason, "", caller.principal);
}

Result<FaultRecord> FaultManager::BindKeepAlive(const std::string& id, const Caller& caller) {
  ASSIGN_OR_RETURN(auto* record, RequireActive(id));
  RETURN_IF_ERROR(
      CheckMayChangeFault(config_.policy, caller, FaultChange::kBindKeepAlive, *record));
  if (record->keep_alive) {
    return FailedPrecondition("fault " + id + " is already bound to a keep-alive stream");
  }
  FaultRecord bound = *record;
  bound.keep_alive = true;
  // A binding a crash could forget would let a restart re-arm the fault.
  if (Status s = store_.Put(ToStoredLease(bound, state::LeaseState::kActive)); !s.ok()) {
    return Unavailable("cannot record the binding durably: " + s.message());
  }
  record->keep_alive = true;
  return *record;
}

std::vector<FaultRecord> FaultManager::EndKeepAlive(const std::vector<std::string>& ids,
                                                    const std::string& reason) {
  std::vector<FaultRecord> out;
  for (const auto& id : ids) {
    const FaultRecord* record = FindActive(id);
    if (record == nullptr || !record->keep_alive) continue;
    out.push_back(End(id, FaultState::kRevoked, reason, "", "keep-alive stream"));
  }
  return out;
}

RevokeAllResult FaultManager::RevokeAll(const Labels& selector, const Caller& caller) {
  std::vector<std::string> ids;
  for (const auto& [id, record] : active_) {
    if (LabelsMatch(record.labels, selector)) ids.push_back(id);
  }
  std::sort(ids.begin(), ids.end());
  RevokeAllResult out;
  std::vector<std::string> revoking;
  std::vector<std::string> reasons;
  for (const auto& id : ids) {
    const FaultRecord& record = active_.at(id);
    if (Status s = CheckMayChangeFault(config_.policy, caller, FaultChange::kRevoke, record);
        !s.ok()) {
      out.not_revoked.push_back({record, s});
      continue;
    }
    revoking.push_back(id);
    reasons.push_back(RevokeReason(record, caller, "revoke all"));
  }
  out.revoked = EndTogether(revoking, FaultState::kRevoked, reasons, caller.principal);
  return out;
}

std::vector<FaultRecord> FaultManager::ExpireDue() {
  const std::vector<std::string> due = leases_.TakeExpired(clock_.Now());
  if (due.size() == 1) return {End(due.front(), FaultState::kExpired, "lease expired")};
  // A batch's leases end together, as they were made.
  return EndTogether(due, FaultState::kExpired,
                     std::vector<std::string>(due.size(), "lease expired"), "chaosnetd");
}

std::vector<FaultRecord> FaultManager::EndFaultsInVanishedNamespaces() {
  std::vector<std::string> ids;
  for (const auto& [id, record] : active_) {
    if (!record.site.netns_key.empty() && !trees_.NamespaceStillNamed(record.site.netns_key)) {
      ids.push_back(id);
    }
  }
  std::sort(ids.begin(), ids.end());
  std::vector<FaultRecord> out;
  for (const auto& id : ids) {
    const std::string why = "network namespace " + active_.at(id).spec.netns +
                            " is gone (deleted, or its container exited)";
    out.push_back(End(id, FaultState::kLost, why, why));
  }
  return out;
}

std::vector<FaultRecord> FaultManager::EndFaultsOnDevice(const std::string& netns_key, int ifindex,
                                                         const std::string& reason) {
  std::vector<std::string> ids;
  for (const auto& [id, record] : active_) {
    if (record.site.netns_key != netns_key) continue;
    bool hit = record.site.ifindex == ifindex;
    for (const auto& p : record.site.placements) hit |= p.ifindex == ifindex;
    if (hit) ids.push_back(id);
  }
  return EndAllLost(std::move(ids), reason);
}

std::vector<FaultRecord> FaultManager::EndAllLost(std::vector<std::string> ids,
                                                  const std::string& reason) {
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  std::vector<FaultRecord> out;
  for (const auto& id : ids) out.push_back(End(id, FaultState::kLost, reason, reason));
  return out;
}

std::vector<FaultRecord> FaultManager::EndFaultsOwning(const std::string& netns_key, int ifindex,
                                                       uint32_t handle, const std::string& reason) {
  std::vector<std::string> ids;
  for (const auto& [id, record] : active_) {
    if (record.site.netns_key != netns_key) continue;
    for (const auto& p : record.site.placements) {
      if (p.ifindex != ifindex) continue;
      // The root takes every fault of its device with it.
      const bool root = handle == plan::kTreeRootHandle;
      const bool own =
          handle == p.objects.cls.classid || (p.objects.leaf && handle == p.objects.leaf->handle);
      if (root || own) ids.push_back(id);
    }
  }
  return EndAllLost(std::move(ids), reason);
}

std::vector<FaultRecord> FaultManager::EndFaultsFilteredBy(const std::string& netns_key,
                                                           int ifindex, uint16_t priority,
                                                           uint32_t handle,
                                                           const std::string& reason) {
  std::vector<std::string> owner;  // of the node `handle`, if it is one of ours
  std::vector<std::string> ids;    // everything at `priority`
  for (const auto& [id, record] : active_) {
    if (record.site.netns_key != netns_key) continue;
    for (const auto& p : record.site.placements) {
      if (p.ifindex != ifindex) continue;
      bool at_priority = false;
      for (const auto& f : p.objects.filters) at_priority |= f.priority == priority;
      for (const auto& n : p.objects.nodes) {
        if (n.priority != priority) continue;
        at_priority = true;
        if (handle != 0 && n.handle == handle) owner.push_back(id);
      }
      if (at_priority) ids.push_back(id);
    }
  }
  return EndAllLost(owner.empty() ? std::move(ids) : std::move(owner), reason);
}

std::vector<FaultRecord> FaultManager::EndFaultsWithMissingObjects() {
  std::vector<FaultTrees::Placed> placed;
  placed.reserve(active_.size());
  for (const auto& [id, record] : active_) placed.push_back({&id, &record.site});
  return EndAllLost(trees_.FindMissing(placed),
                    "its objects are gone from the kernel (found while re-checking after "
                    "missed notifications)");
}

Result<FaultRecord> FaultManager::Halt(const std::string& id, const std::string& reason) {
  RETURN_IF_ERROR(RequireActive(id));
  return End(id, FaultState::kHalted, reason, "", "guard");
}

void FaultManager::SetGuardStatuses(const std::string& id,
                                    std::vector<guard::GuardStatus> statuses) {
  if (FaultRecord* record = FindActive(id)) record->guards = std::move(statuses);
}

Result<kernel::Counters> FaultManager::ReadCounters(const std::string& id) {
  FaultRecord* record = FindActive(id);
  if (record == nullptr) return NotFound("no active fault with id " + id);
  ASSIGN_OR_RETURN(record->counters, trees_.ReadCounters(record->site));
  record->counters_read_at = clock_.WallNow();
  return record->counters;
}

std::size_t FaultManager::live_guards() const {
  std::size_t n = 0;
  for (const auto& [id, record] : active_) n += record.spec.guards.checks.size();
  return n;
}

std::vector<FaultRecord> FaultManager::RollbackAll(const std::string& reason) {
  std::vector<std::string> ids;
  for (const auto& [id, record] : active_) ids.push_back(id);
  std::vector<FaultRecord> out;
  for (const auto& id : ids) out.push_back(End(id, FaultState::kRevoked, reason));
  return out;
}

FaultRecord FaultManager::End(const std::string& id, FaultState state, const std::string& reason,
                              const std::string& lost_reason, const std::string& actor) {
  FaultRecord record = TakeForEnd(id, !lost_reason.empty());
  const Status removed = trees_.Remove(record.id, record.site);
  if (JournalMayForget(removed)) store_.Remove(record.id);
  return FinishEnd(std::move(record), removed, state, reason, lost_reason, actor);
}

FaultRecord FaultManager::TakeOutOfActive(const std::string& id) {
  auto node = active_.extract(id);
  FaultRecord record = std::move(node.mapped());
  leases_.Remove(id);
  StopProgram(id);
  return record;
}

FaultRecord FaultManager::TakeForEnd(const std::string& id, bool lost) {
  FaultRecord record = TakeOutOfActive(id);
  if (!lost) RefreshCounters(record);  // final reading while the objects exist
  // Ending early is harmless, so a failed write does not stop the rollback: a
  // crash then finds an active record without its objects and reports it lost.
  store_.Put(ToStoredLease(record, state::LeaseState::kEnded));
  return record;
}

FaultRecord FaultManager::FinishEnd(FaultRecord record, const Status& removed, FaultState state,
                                    const std::string& reason, const std::string& lost_reason,
                                    const std::string& actor) {
  record.ended_at = clock_.WallNow();
  EventType event;
  if (!lost_reason.empty()) {
    record.state = FaultState::kLost;
    record.state_reason = lost_reason;
    event = EventType::kLost;
  } else if (removed.ok()) {
    record.state = state;
    record.state_reason = reason;
    event = state == FaultState::kExpired  ? EventType::kExpired
            : state == FaultState::kHalted ? EventType::kHalted
                                           : EventType::kRevoked;
  } else if (removed.code() == StatusCode::kNotFound) {
    record.state = FaultState::kLost;
    record.state_reason = "the fault's objects were already gone from " + record.spec.interface +
                          " (removed by hand, or the interface disappeared)";
    event = EventType::kLost;
  } else {
    record.state = FaultState::kFailed;
    record.state_reason = "rollback failed: " + removed.message();
    event = EventType::kFailed;
  }
  Publish(event, record, actor);
  Remember(record);
  return record;
}

void FaultManager::CompactHistory() {
  ended_.Compact();
  // Buckets sized for the burst's peak stay allocated after the erases.
  if (active_.empty()) std::unordered_map<std::string, FaultRecord>().swap(active_);
  by_request_id_.rehash(0);
}

void FaultManager::Remember(const FaultRecord& record) {
  // The active fault's request id is the history's to answer for now.
  if (!record.request_id.empty()) {
    auto it = by_request_id_.find(record.request_id);
    if (it != by_request_id_.end() && it->second == record.id) by_request_id_.erase(it);
  }
  ended_.Add(record);
}

int FaultManager::Subscribe(Listener listener) {
  int token = next_listener_++;
  listeners_.emplace(token, std::move(listener));
  return token;
}

void FaultManager::Unsubscribe(int token) {
  listeners_.erase(token);
  step_listeners_.erase(token);
}

void FaultManager::Publish(EventType type, const FaultRecord& record, const std::string& actor) {
  FaultEvent event{type, record, clock_.WallNow(), ++sequence_, actor};
  // A listener may unsubscribe itself while being called.
  auto snapshot = listeners_;
  for (auto& [token, listener] : snapshot) listener(event);
}

}  // namespace chaosnet::core
