// The chaosnet.v1.FaultService. Handlers run on gRPC's threads and do nothing
// but hand the request to the event loop, which owns all state, and finish the
// call from there.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <set>
#include <string>

#include <boost/asio/io_context.hpp>

#include "chaosnet/v1/chaosnet.grpc.pb.h"
#include "daemon/api/event_fanout.h"
#include "daemon/api/peer_registry.h"
#include "daemon/core/caller.h"
#include "daemon/core/fault_manager.h"

namespace chaosnet::api {

class AuditLog;
class Metrics;
class KeepAliveReactor;
class WatchReactor;

struct ServiceInfo {
  std::string version;
  std::string kernel_release;
  core::WallTime started_at{};
};

class FaultService final : public ::chaosnet::v1::FaultService::CallbackService {
 public:
  // Watch and keep-alive streams open at once, over all connections: each
  // holds a queue, so their number bounds what idle or stalled clients cost.
  static constexpr int kMaxOpenStreams = 4096;

  // `peers` tells who is behind each Unix socket connection.
  FaultService(boost::asio::io_context& loop, core::FaultManager& manager, ServiceInfo info,
               const PeerRegistry& peers);
  ~FaultService() override;

  // Records refused requests there too (not owned; may be null).
  void set_audit_log(AuditLog* audit) { audit_ = audit; }
  // Loop thread, after each Watch or KeepAlive stream is gone.
  void set_on_stream_done(std::function<void()> hook) { on_stream_done_ = std::move(hook); }
  // Counts every unary request and its latency there (not owned; may be null).
  void set_metrics(Metrics* metrics) { metrics_ = metrics; }

  int open_streams() const { return open_streams_.load(); }

  // On the loop: refuse new work and end every open stream (a keep-alive
  // stream's end rolls its faults back).
  void BeginShutdown();

  grpc::ServerUnaryReactor* CreateFault(grpc::CallbackServerContext* ctx,
                                        const v1::CreateFaultRequest* request,
                                        v1::CreateFaultResponse* response) override;
  grpc::ServerUnaryReactor* GetFault(grpc::CallbackServerContext* ctx,
                                     const v1::GetFaultRequest* request,
                                     v1::Fault* response) override;
  grpc::ServerUnaryReactor* ListFaults(grpc::CallbackServerContext* ctx,
                                       const v1::ListFaultsRequest* request,
                                       v1::ListFaultsResponse* response) override;
  grpc::ServerUnaryReactor* ExtendFault(grpc::CallbackServerContext* ctx,
                                        const v1::ExtendFaultRequest* request,
                                        v1::Fault* response) override;
  grpc::ServerUnaryReactor* RevokeFault(grpc::CallbackServerContext* ctx,
                                        const v1::RevokeFaultRequest* request,
                                        v1::Fault* response) override;
  grpc::ServerUnaryReactor* RevokeAllFaults(grpc::CallbackServerContext* ctx,
                                            const v1::RevokeAllFaultsRequest* request,
                                            v1::RevokeAllFaultsResponse* response) override;
  grpc::ServerWriteReactor<v1::FaultEvent>* Watch(grpc::CallbackServerContext* ctx,
                                                  const v1::WatchRequest* request) override;
  grpc::ServerBidiReactor<v1::KeepAliveRequest, v1::KeepAliveResponse>* KeepAlive(
      grpc::CallbackServerContext* ctx) override;
  grpc::ServerUnaryReactor* GetInfo(grpc::CallbackServerContext* ctx,
                                    const v1::GetInfoRequest* request, v1::Info* response) override;

  // ---- link models (issue 18)
  grpc::ServerUnaryReactor* ListProfiles(grpc::CallbackServerContext* ctx,
                                         const v1::ListProfilesRequest* request,
                                         v1::ListProfilesResponse* response) override;

  // ---- batches (issue 19)
  // At most this many requests in one CreateFaults (what 10,000 targeted
  // faults on 10 interfaces need; the request then stays well under the
  // daemon's 4 MiB message limit).
  static constexpr int kMaxBatch = 10'000;
  grpc::ServerUnaryReactor* CreateFaults(grpc::CallbackServerContext* ctx,
                                         const v1::CreateFaultsRequest* request,
                                         v1::CreateFaultsResponse* response) override;
  grpc::ServerUnaryReactor* RevokeFaults(grpc::CallbackServerContext* ctx,
                                         const v1::RevokeFaultsRequest* request,
                                         v1::RevokeFaultsResponse* response) override;

 private:
  friend class KeepAliveReactor;
  friend class WatchReactor;

  // Runs `work` on the loop and finishes the call with the status it returns.
  template <typename Work>
  grpc::ServerUnaryReactor* OnLoop(grpc::CallbackServerContext* ctx, const char* rpc, Work work);
  // Loop thread: a refused request, for the audit log.
  void AuditRefusal(const std::string& rpc, const core::Caller& caller, const Status& status,
                    const model::FaultSpec* spec = nullptr, const std::string& fault_id = "");
  // Loop thread: faults a revoke left alone, audited and added to `out`.
  void ReportNotRevoked(const std::string& rpc, const core::Caller& caller,
                        const std::vector<core::NotRevoked>& left,
                        google::protobuf::RepeatedPtrField<v1::NotRevoked>* out);
  // Loop thread: PERMISSION_DENIED (audited) when `caller` may not `action`.
  Status AuthorizeChange(const std::string& rpc, const core::Caller& caller,
                         const std::string& action, const model::FaultSpec* spec = nullptr,
                         const std::string& fault_id = "");
  // gRPC thread, at the start of a call.
  core::Caller CallerOf(grpc::CallbackServerContext& ctx) const;
  // gRPC thread: false (and nothing counted) when kMaxOpenStreams are open.
  bool AdmitStream();
  // Loop thread: a Watch stream stops reading; the last one takes the event
  // windows with it.
  void RemoveWatcher(WatchReactor* watcher);
  // Loop thread: a stream admitted by AdmitStream() is done.
  void StreamDone() {
    open_streams_.fetch_sub(1);
    if (on_stream_done_) on_stream_done_();
  }

  boost::asio::io_context& loop_;
  core::FaultManager& manager_;
  ServiceInfo info_;
  const PeerRegistry& peers_;
  bool shutting_down_ = false;  // loop thread only
  AuditLog* audit_ = nullptr;
  Metrics* metrics_ = nullptr;
  std::atomic<int> open_streams_ = 0;  // any thread
  std::function<void()> on_stream_done_;
  std::set<WatchReactor*> watchers_;  // loop thread only
  // Events in the form Watch streams send them, for all of them at once.
  EventFanout events_{4096};
  int subscription_ = 0;
  // programs: STEPPED events, for watchers that ask, in a window of their
  // own so that a fast program never pushes lease events out of events_.
  EventFanout steps_{4096};
  int step_subscription_ = 0;
  std::set<KeepAliveReactor*> keep_alives_;  // loop thread only
};

}  // namespace chaosnet::api
