#include "client/rpc.h"

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "chaosnet/v1/chaosnet.grpc.pb.h"

namespace chaosnet::client {
namespace {

constexpr char kUnreachableHint[] = "is chaosnetd running? check --server or CHAOSNET_SERVER";

}  // namespace

std::string GrpcCodeName(int grpc_code) {
  switch (static_cast<grpc::StatusCode>(grpc_code)) {
    case grpc::StatusCode::OK: return "ok";
    case grpc::StatusCode::CANCELLED: return "cancelled";
    case grpc::StatusCode::UNKNOWN: return "unknown";
    case grpc::StatusCode::INVALID_ARGUMENT: return "invalid argument";
    case grpc::StatusCode::DEADLINE_EXCEEDED: return "deadline exceeded";
    case grpc::StatusCode::NOT_FOUND: return "not found";
    case grpc::StatusCode::ALREADY_EXISTS: return "already exists";
    case grpc::StatusCode::PERMISSION_DENIED: return "permission denied";
    case grpc::StatusCode::RESOURCE_EXHAUSTED: return "resource exhausted";
    case grpc::StatusCode::FAILED_PRECONDITION: return "failed precondition";
    case grpc::StatusCode::ABORTED: return "aborted";
    case grpc::StatusCode::OUT_OF_RANGE: return "out of range";
    case grpc::StatusCode::UNIMPLEMENTED: return "unimplemented";
    case grpc::StatusCode::INTERNAL: return "internal";
    case grpc::StatusCode::UNAVAILABLE: return "unavailable";
    case grpc::StatusCode::DATA_LOSS: return "data loss";
    case grpc::StatusCode::UNAUTHENTICATED: return "unauthenticated";
    default: return "code " + std::to_string(grpc_code);
  }
}

Outcome DescribeRpcFailure(int grpc_code, const std::string& message, const std::string& server,
                           bool reached_server) {
  auto code = static_cast<grpc::StatusCode>(grpc_code);
  if (code == grpc::StatusCode::OK) return Outcome::Ok();
  bool unreachable = code == grpc::StatusCode::UNAVAILABLE ||
                     (code == grpc::StatusCode::DEADLINE_EXCEEDED && !reached_server);
  if (unreachable) {
    std::string text = "cannot reach chaosnetd at " + server;
    if (!message.empty()) text += ": " + message;
    return {kExitUnreachable, text + " (" + kUnreachableHint + ")"};
  }
  std::string text = GrpcCodeName(grpc_code);
  if (!message.empty()) text += ": " + message;
  if (code == grpc::StatusCode::DEADLINE_EXCEEDED) text += " (raise --timeout?)";
  return {kExitServerError, text};
}

struct FaultClient::Impl {
  Settings settings;
  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<v1::FaultService::Stub> stub;

  std::mutex mu;
  bool cancelled = false;
  grpc::ClientContext* watch_context = nullptr;

  explicit Impl(const Settings& s)
      : settings(s),
        channel(grpc::CreateChannel(s.server, grpc::InsecureChannelCredentials())),
        stub(v1::FaultService::NewStub(channel)) {}

  Outcome Failure(const grpc::Status& status) {
    bool reached = channel->GetState(/*try_to_connect=*/false) == GRPC_CHANNEL_READY;
    return DescribeRpcFailure(status.error_code(), status.error_message(), settings.server,
                              reached);
  }

  template <typename Request, typename Response>
  Outcome Call(grpc::Status (v1::FaultService::Stub::*method)(grpc::ClientContext*,
                                                              const Request&, Response*),
               const Request& request, Response* response) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::duration_cast<std::chrono::microseconds>(settings.timeout));
    grpc::Status status = (stub.get()->*method)(&context, request, response);
    return status.ok() ? Outcome::Ok() : Failure(status);
  }
};

FaultClient::FaultClient(const Settings& settings) : impl_(std::make_unique<Impl>(settings)) {}
FaultClient::~FaultClient() = default;

Outcome FaultClient::CreateFault(const v1::CreateFaultRequest& request,
                                 v1::CreateFaultResponse* response) {
  return impl_->Call(&v1::FaultService::Stub::CreateFault, request, response);
}

Outcome FaultClient::GetFault(const v1::GetFaultRequest& request, v1::Fault* response) {
  return impl_->Call(&v1::FaultService::Stub::GetFault, request, response);
}

Outcome FaultClient::ListFaults(const v1::ListFaultsRequest& request,
                                v1::ListFaultsResponse* response) {
  return impl_->Call(&v1::FaultService::Stub::ListFaults, request, response);
}

Outcome FaultClient::ExtendFault(const v1::ExtendFaultRequest& request, v1::Fault* response) {
  return impl_->Call(&v1::FaultService::Stub::ExtendFault, request, response);
}

Outcome FaultClient::RevokeFault(const v1::RevokeFaultRequest& request, v1::Fault* response) {
  return impl_->Call(&v1::FaultService::Stub::RevokeFault, request, response);
}

Outcome FaultClient::RevokeAllFaults(const v1::RevokeAllFaultsRequest& request,
                                     v1::RevokeAllFaultsResponse* response) {
  return impl_->Call(&v1::FaultService::Stub::RevokeAllFaults, request, response);
}

Outcome FaultClient::GetInfo(v1::Info* response) {
  return impl_->Call(&v1::FaultService::Stub::GetInfo, v1::GetInfoRequest{}, response);
}

Outcome FaultClient::Watch(const v1::WatchRequest& request,
                           const std::function<void(const v1::FaultEvent&)>& on_event) {
  grpc::ClientContext context;
  {
    std::lock_guard lock(impl_->mu);
    if (impl_->cancelled) return Outcome::Ok();
    impl_->watch_context = &context;
  }
  auto reader = impl_->stub->Watch(&context, request);
  v1::FaultEvent event;
  while (reader->Read(&event)) on_event(event);
  grpc::Status status = reader->Finish();
  bool cancelled;
  {
    std::lock_guard lock(impl_->mu);
    impl_->watch_context = nullptr;
    cancelled = impl_->cancelled;
  }
  if (status.ok() || cancelled) return Outcome::Ok();
  return impl_->Failure(status);
}

Outcome FaultClient::HoldWhile(const std::string& fault_id,
                               const std::function<void(const v1::KeepAliveResponse&)>& on_update,
                               const std::function<void()>& body, std::string* stream_end) {
  // No deadline: the stream lasts as long as the command it guards.
  grpc::ClientContext context;
  auto stream = impl_->stub->KeepAlive(&context);
  v1::KeepAliveRequest bind;
  bind.add_fault_ids(fault_id);
  v1::KeepAliveResponse first;
  if (!stream->Write(bind) || !stream->Read(&first)) {
    return impl_->Failure(stream->Finish());
  }
  on_update(first);
  std::atomic<bool> body_done = false;
  bool broke_early = false;
  std::thread reader([&] {
    v1::KeepAliveResponse update;
    while (stream->Read(&update)) on_update(update);
    broke_early = !body_done.load();
  });
  body();
  body_done = true;
  // Closing our side is the switch: the daemon rolls the fault back, then
  // ends the stream, which ends the reader.
  stream->WritesDone();
  reader.join();
  grpc::Status status = stream->Finish();
  if (broke_early && stream_end != nullptr) {
    *stream_end = status.ok() ? "the daemon ended the keep-alive stream"
                              : impl_->Failure(status).message;
  }
  return status.ok() || broke_early ? Outcome::Ok() : impl_->Failure(status);
}

void FaultClient::Cancel() {
  std::lock_guard lock(impl_->mu);
  impl_->cancelled = true;
  if (impl_->watch_context != nullptr) impl_->watch_context->TryCancel();
}

}  // namespace chaosnet::client
