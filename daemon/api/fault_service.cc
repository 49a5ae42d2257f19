#include "daemon/api/fault_service.h"

#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>

#include "daemon/api/audit_log.h"
#include "daemon/api/caller_identity.h"
#include "daemon/api/convert.h"
#include "daemon/api/convert_guards.h"
#include "daemon/api/convert_link_models.h"
#include "daemon/api/keep_alive_reactor.h"
#include "daemon/api/metrics.h"
#include "daemon/api/status_mapping.h"
#include "daemon/api/watch_reactor.h"
#include "proto/features/features.h"

namespace chaosnet::api {
namespace {

// A stream turned away before it started: finished at once, deleted when
// gRPC is done with it.
template <typename Reactor>
class RefusedStream final : public Reactor {
 public:
  explicit RefusedStream(const grpc::Status& status) { this->Finish(status); }
  void OnDone() override { delete this; }
};

// ", owner uid:0(root)" when the caller acted on someone else's fault.
std::string OwnerUnlessCaller(const core::FaultRecord& record, const core::Caller& caller) {
  return core::IsOwner(caller.identity, record.owner_identity) ? "" : ", owner " + record.owner;
}

grpc::Status TooManyStreams() {
  return {grpc::StatusCode::RESOURCE_EXHAUSTED,
          std::to_string(FaultService::kMaxOpenStreams) +
              " watch and keep-alive streams are open, the daemon's limit; close some"};
}

}  // namespace

FaultService::FaultService(boost::asio::io_context& loop, core::FaultManager& manager,
                           ServiceInfo info, const PeerRegistry& peers)
    : loop_(loop), manager_(manager), info_(std::move(info)), peers_(peers) {
  // Each event is converted once, for every watcher; not at all without one.
  subscription_ = manager_.Subscribe([this](const core::FaultEvent& e) {
    if (watchers_.empty()) return;
    auto event = std::make_shared<v1::FaultEvent>();
    ToProto(e, event.get());
    events_.Append(std::move(event));
    for (WatchReactor* w : watchers_) w->Wake();
  });
  // A step takes no sequence number of its own: it carries the last lease
  // event's, so a watcher sends it after that event and before the next.
  step_subscription_ = manager_.SubscribeSteps([this](const core::FaultRecord& r) {
    if (watchers_.empty()) return;
    auto event = std::make_shared<v1::FaultEvent>();
    event->set_type(v1::EVENT_TYPE_STEPPED);
    ToProto(r, event->mutable_fault());
    ToProto(r.program->applied_at, event->mutable_at());
    event->set_sequence(manager_.last_sequence());
    steps_.Append(std::move(event));
    for (WatchReactor* w : watchers_) w->Wake();
  });
}

core::Caller FaultService::CallerOf(grpc::CallbackServerContext& ctx) const {
  return api::CallerOf(ctx, peers_);
}

void FaultService::RemoveWatcher(WatchReactor* watcher) {
  if (watchers_.erase(watcher) == 0 || !watchers_.empty()) return;
  events_.DropAll();
  steps_.DropAll();
}

bool FaultService::AdmitStream() {
  if (open_streams_.fetch_add(1) >= kMaxOpenStreams) {
    open_streams_.fetch_sub(1);
    return false;
  }
  return true;
}

FaultService::~FaultService() {
  manager_.Unsubscribe(subscription_);
  manager_.Unsubscribe(step_subscription_);
}

template <typename Work>
grpc::ServerUnaryReactor* FaultService::OnLoop(grpc::CallbackServerContext* ctx, const char* rpc,
                                               Work work) {
  auto* reactor = ctx->DefaultReactor();
  const auto arrived = std::chrono::steady_clock::now();
  boost::asio::post(loop_, [this, reactor, rpc, arrived, work = std::move(work)]() mutable {
    if (shutting_down_) {
      reactor->Finish({grpc::StatusCode::UNAVAILABLE, "chaosnetd is shutting down"});
      return;
    }
    const Status status = work();
    if (metrics_ != nullptr) {
      metrics_->ObserveRequest(
          rpc, status.code(),
          std::chrono::duration<double>(std::chrono::steady_clock::now() - arrived).count());
    }
    reactor->Finish(ToGrpc(status));
  });
  return reactor;
}

void FaultService::AuditRefusal(const std::string& rpc, const core::Caller& caller,
                                const Status& status, const model::FaultSpec* spec,
                                const std::string& fault_id) {
  if (audit_ != nullptr) audit_->Refused(rpc, caller, status, spec, fault_id);
}

void FaultService::ReportNotRevoked(const std::string& rpc, const core::Caller& caller,
                                    const std::vector<core::NotRevoked>& left,
                                    google::protobuf::RepeatedPtrField<v1::NotRevoked>* out) {
  for (const auto& [record, why] : left) {
    AuditRefusal(rpc, caller, why, nullptr, record.id);
    v1::NotRevoked* entry = out->Add();
    ToProto(record, entry->mutable_fault());
    entry->set_reason(why.message());
  }
}

Status FaultService::AuthorizeChange(const std::string& rpc, const core::Caller& caller,
                                     const std::string& action, const model::FaultSpec* spec,
                                     const std::string& fault_id) {
  Status s = core::CheckMayChange(manager_.config().policy, caller, action);
  if (!s.ok()) AuditRefusal(rpc, caller, s, spec, fault_id);
  return s;
}

void FaultService::BeginShutdown() {
  shutting_down_ = true;
  auto watchers = watchers_;
  for (WatchReactor* w : watchers) {
    w->FinishOnLoop({grpc::StatusCode::UNAVAILABLE, "chaosnetd is shutting down"});
  }
  auto keep_alives = keep_alives_;
  for (KeepAliveReactor* k : keep_alives) {
    k->FinishOnLoop({grpc::StatusCode::UNAVAILABLE, "chaosnetd is shutting down"},
                    "daemon shutdown");
  }
}

grpc::ServerUnaryReactor* FaultService::CreateFault(grpc::CallbackServerContext* ctx,
                                                    const v1::CreateFaultRequest* request,
                                                    v1::CreateFaultResponse* response) {
  return OnLoop(ctx, "CreateFault", [this, request, response, caller = CallerOf(*ctx)]() -> Status {
    auto converted = FromProto(*request);
    if (!converted.ok()) {
      AuditRefusal("CreateFault", caller, converted.status());
      return converted.status();
    }
    // A dry run changes nothing, so read-only callers may plan experiments.
    if (!request->dry_run()) {
      RETURN_IF_ERROR(AuthorizeChange("CreateFault", caller, "create faults", &converted->spec));
    }
    // A guard makes the daemon open connections on the caller's behalf: not
    // a read-only caller's to ask for, not even in a dry run.
    if (!converted->spec.guards.empty()) {
      RETURN_IF_ERROR(AuthorizeChange("CreateFault", caller, "set guards", &converted->spec));
    }
    converted->caller = caller;
    auto created = manager_.Create(*converted);
    if (!created.ok()) {
      AuditRefusal("CreateFault", caller, created.status(), &converted->spec);
      spdlog::info("create refused for {}: {} ({})", caller.Describe(), created.status().message(),
                   StatusCodeName(created.status().code()));
      return created.status();
    }
    ToProto(created->fault, response->mutable_fault());
    response->set_dry_run(request->dry_run());
    response->set_replayed(created->replayed);
    if (!request->dry_run() && !created->replayed) {
      spdlog::info("fault {} applied on {} for {}", created->fault.id,
                   created->fault.spec.interface, caller.Describe());
    }
    return Status::Ok();
  });
}

grpc::ServerUnaryReactor* FaultService::GetFault(grpc::CallbackServerContext* ctx,
                                                 const v1::GetFaultRequest* request,
                                                 v1::Fault* response) {
  return OnLoop(ctx, "GetFault", [this, request, response]() -> Status {
    ASSIGN_OR_RETURN(const core::FaultRecord record, manager_.Get(request->id()));
    ToProto(record, response);
    return Status::Ok();
  });
}

grpc::ServerUnaryReactor* FaultService::ListFaults(grpc::CallbackServerContext* ctx,
                                                   const v1::ListFaultsRequest* request,
                                                   v1::ListFaultsResponse* response) {
  return OnLoop(ctx, "ListFaults", [this, request, response, caller = CallerOf(*ctx)]() -> Status {
    core::ListFilter filter;
    filter.interface = request->interface();
    filter.label_selector = {request->label_selector().begin(), request->label_selector().end()};
    filter.include_ended = request->include_ended();
    if (request->mine()) filter.owner = caller.identity;
    for (const auto& record : manager_.List(filter)) ToProto(record, response->add_faults());
    return Status::Ok();
  });
}

grpc::ServerUnaryReactor* FaultService::ExtendFault(grpc::CallbackServerContext* ctx,
                                                    const v1::ExtendFaultRequest* request,
                                                    v1::Fault* response) {
  return OnLoop(ctx, "ExtendFault", [this, request, response, caller = CallerOf(*ctx)]() -> Status {
    RETURN_IF_ERROR(
        AuthorizeChange("ExtendFault", caller, "extend faults", nullptr, request->id()));
    if (!request->has_ttl()) return InvalidArgument("ttl is required (e.g. 30s)");
    auto ttl = FromProto(request->ttl());
    if (!ttl.ok()) return InvalidArgument("ttl: " + ttl.status().message());
    auto record = manager_.Extend(request->id(), *ttl, caller);
    if (!record.ok()) {
      AuditRefusal("ExtendFault", caller, record.status(), nullptr, request->id());
      return record.status();
    }
    spdlog::info("fault {} extended by {}{}", record->id, caller.Describe(),
                 OwnerUnlessCaller(*record, caller));
    ToProto(*record, response);
    return Status::Ok();
  });
}

grpc::ServerUnaryReactor* FaultService::RevokeFault(grpc::CallbackServerContext* ctx,
                                                    const v1::RevokeFaultRequest* request,
                                                    v1::Fault* response) {
  return OnLoop(ctx, "RevokeFault", [this, request, response, caller = CallerOf(*ctx)]() -> Status {
    RETURN_IF_ERROR(
        AuthorizeChange("RevokeFault", caller, "revoke faults", nullptr, request->id()));
    auto record = manager_.Revoke(request->id(), caller);
    if (!record.ok()) {
      AuditRefusal("RevokeFault", caller, record.status(), nullptr, request->id());
      return record.status();
    }
    spdlog::info("fault {} revoked by {}{}: {}", record->id, caller.Describe(),
                 OwnerUnlessCaller(*record, caller), core::FaultStateName(record->state));
    ToProto(*record, response);
    return Status::Ok();
  });
}

grpc::ServerUnaryReactor* FaultService::RevokeAllFaults(grpc::CallbackServerContext* ctx,
                                                        const v1::RevokeAllFaultsRequest* request,
                                                        v1::RevokeAllFaultsResponse* response) {
  return OnLoop(
      ctx, "RevokeAllFaults", [this, request, response, caller = CallerOf(*ctx)]() -> Status {
        RETURN_IF_ERROR(AuthorizeChange("RevokeAllFaults", caller, "revoke faults"));
        core::Labels selector{request->label_selector().begin(), request->label_selector().end()};
        core::RevokeAllResult result = manager_.RevokeAll(selector, caller);
        spdlog::info("revoke-all by {}: {} fault(s) revoked, {} not", caller.Describe(),
                     result.revoked.size(), result.not_revoked.size());
        for (const auto& record : result.revoked) ToProto(record, response->add_faults());
        ReportNotRevoked("RevokeAllFaults", caller, result.not_revoked,
                         response->mutable_not_revoked());
        return Status::Ok();
      });
}

grpc::ServerWriteReactor<v1::FaultEvent>* FaultService::Watch(grpc::CallbackServerContext* ctx,
                                                              const v1::WatchRequest* request) {
  if (!AdmitStream()) {
    return new RefusedStream<grpc::ServerWriteReactor<v1::FaultEvent>>(TooManyStreams());
  }
  std::optional<model::Identity> owner;
  if (request->mine()) owner = CallerOf(*ctx).identity;
  return new WatchReactor(*this, request->send_initial(), request->steps(), std::move(owner));
}

grpc::ServerBidiReactor<v1::KeepAliveRequest, v1::KeepAliveResponse>* FaultService::KeepAlive(
    grpc::CallbackServerContext* ctx) {
  if (!AdmitStream()) {
    return new RefusedStream<grpc::ServerBidiReactor<v1::KeepAliveRequest, v1::KeepAliveResponse>>(
        TooManyStreams());
  }
  return new KeepAliveReactor(*this, CallerOf(*ctx));
}

grpc::ServerUnaryReactor* FaultService::GetInfo(grpc::CallbackServerContext* ctx,
                                                const v1::GetInfoRequest* request,
                                                v1::Info* response) {
  return OnLoop(ctx, "GetInfo", [this, response, caller = CallerOf(*ctx)]() -> Status {
    response->set_caller(caller.principal);
    const core::AccessPolicy& policy = manager_.config().policy;
    const bool read_only = !core::CheckMayChange(policy, caller, "change faults").ok();
    response->set_caller_read_only(read_only);
    response->set_caller_admin(!read_only && core::IsAdmin(policy, caller));
    response->set_version(info_.version);
    ToProto(manager_.config().default_ttl, response->mutable_default_ttl());
    ToProto(manager_.config().max_ttl, response->mutable_max_ttl());
    ToProto(manager_.capabilities(), response);
    static const std::vector<std::string> kFeatures = features::DeclaredByApi();
    for (const std::string& name : kFeatures) response->add_features(name);
    response->set_active_faults(static_cast<uint32_t>(manager_.active_count()));
    GuardPolicyToProto(manager_.config().guards, manager_.live_guards(), response);
    response->set_kernel_release(info_.kernel_release);
    ToProto(info_.started_at, response->mutable_started_at());
    return Status::Ok();
  });
}

// ---- link models (issue 18)

grpc::ServerUnaryReactor* FaultService::ListProfiles(grpc::CallbackServerContext* ctx,
                                                     const v1::ListProfilesRequest*,
                                                     v1::ListProfilesResponse* response) {
  // The table is static; the loop only keeps metrics and shutdown uniform.
  return OnLoop(ctx, "ListProfiles", [response]() -> Status {
    ProfilesToProto(response);
    return Status::Ok();
  });
}

// ---- batches (issue 19)

grpc::ServerUnaryReactor* FaultService::CreateFaults(grpc::CallbackServerContext* ctx,
                                                     const v1::CreateFaultsRequest* request,
                                                     v1::CreateFaultsResponse* response) {
  return OnLoop(
      ctx, "CreateFaults", [this, request, response, caller = CallerOf(*ctx)]() -> Status {
        const bool dry_run = request->dry_run();
        auto refuse = [&](const Status& s, const model::FaultSpec* spec = nullptr) {
          AuditRefusal("CreateFaults", caller, s, spec);
          return s;
        };
        if (request->requests_size() > kMaxBatch) {
          return refuse(InvalidArgument(std::to_string(request->requests_size()) +
                                        " requests in one batch; at most " +
                                        std::to_string(kMaxBatch) + ": split it"));
        }
        std::vector<core::CreateRequest> requests;
        requests.reserve(request->requests_size());
        bool any_guards = false;
        for (int i = 0; i < request->requests_size(); ++i) {
          const std::string item = "item " + std::to_string(i) + ": ";
          const v1::CreateFaultRequest& r = request->requests(i);
          if (r.dry_run() && !dry_run) {
            return refuse(InvalidArgument(item + "dry_run is set for the whole batch "
                                                 "(CreateFaultsRequest.dry_run), not per item"));
          }
          auto converted = FromProto(r);
          if (!converted.ok()) {
            return refuse(Status(converted.status().code(), item + converted.status().message()));
          }
          converted->caller = caller;
          any_guards |= !converted->spec.guards.empty();
          requests.push_back(std::move(*converted));
        }
        // As for CreateFault: dry runs are for read-only callers too, guards are not.
        if (!dry_run) RETURN_IF_ERROR(AuthorizeChange("CreateFaults", caller, "create faults"));
        if (any_guards) RETURN_IF_ERROR(AuthorizeChange("CreateFaults", caller, "set guards"));

        core::FaultManager::BatchResult batch = manager_.CreateMany(requests, dry_run);
        if (batch.refusal) {
          const core::BatchRefusal& r = *batch.refusal;
          const model::FaultSpec* spec = r.index >= 0 ? &requests[r.index].spec : nullptr;
          spdlog::info("batch of {} refused for {}: {} ({})", requests.size(), caller.Describe(),
                       r.status.message(), StatusCodeName(r.status.code()));
          return refuse(r.status, spec);
        }
        std::size_t replayed = 0;
        for (const core::CreateResult& created : batch.created) {
          v1::CreateFaultResponse* out = response->add_results();
          ToProto(created.fault, out->mutable_fault());
          out->set_dry_run(dry_run);
          out->set_replayed(created.replayed);
          replayed += created.replayed ? 1 : 0;
        }
        if (!dry_run) {
          spdlog::info("batch of {} fault(s) applied for {} ({} replayed)", batch.created.size(),
                       caller.Describe(), replayed);
        }
        return Status::Ok();
      });
}

grpc::ServerUnaryReactor* FaultService::RevokeFaults(grpc::CallbackServerContext* ctx,
                                                     const v1::RevokeFaultsRequest* request,
                                                     v1::RevokeFaultsResponse* response) {
  return OnLoop(ctx, "RevokeFaults",
                [this, request, response, caller = CallerOf(*ctx)]() -> Status {
                  RETURN_IF_ERROR(AuthorizeChange("RevokeFaults", caller, "revoke faults"));
                  const std::vector<std::string> ids(request->ids().begin(), request->ids().end());
                  core::RevokeManyResult result = manager_.RevokeMany(ids, caller);
                  spdlog::info("revoke of {} id(s) by {}: {} revoked, {} not found, {} left",
                               ids.size(), caller.Describe(), result.revoked.size(),
                               result.not_found.size(), result.not_revoked.size());
                  for (const auto& record : result.revoked) ToProto(record, response->add_faults());
                  for (const auto& id : result.not_found) response->add_not_found(id);
                  ReportNotRevoked("RevokeFaults", caller, result.not_revoked,
                                   response->mutable_not_revoked());
                  return Status::Ok();
                });
}

}  // namespace chaosnet::api
