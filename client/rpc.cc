#include "client/rpc.h"

#include <grpc/grpc.h>
#include <grpc/support/log.h>
#include <grpcpp/grpcpp.h>
#include <signal.h>

#include <atomic>
#include <cstdlib>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "chaosnet/v1/chaosnet.grpc.pb.h"
#include "proto/features/features.h"

namespace chaosnet::client {
namespace {

constexpr char kUnreachableHint[] = "is chaosnetd running? check --server or CHAOSNET_SERVER";

std::string TransportHint(Transport transport) {
  switch (transport) {
    case Transport::kUnixSocket: return "";
    case Transport::kTls:
      return "; or the TLS handshake failed: check --tls-ca and --tls-cert/--tls-key, that the "
             "daemon's certificate names the --server host (or --tls-server-name), and that "
             "the daemon trusts your certificate's CA";
    case Transport::kPlaintextTcp:
      return "; --insecure reaches only a daemon's --insecure-listen port, not its TLS one";
  }
  return "";
}

// Started by the first channel, not in main: a command that never calls the
// daemon starts none of gRPC's threads (issue 19). Held for the rest of the
// process, never shut down (see client/main.cc). The threads gRPC starts now
// inherit a mask blocking every signal: Ctrl-C and SIGTERM reach the calling
// thread, where the commands wait for them.
void StartGrpc() {
  static std::once_flag once;
  std::call_once(once, [] {
    sigset_t all, before;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &before);
    grpc_init();
    pthread_sigmask(SIG_SETMASK, &before, nullptr);
  });
}

std::atomic<bool> g_keep_channels = false;

// gRPC core logs on stderr (a failed TLS handshake alone makes several lines),
// which would break the CLI's one-line errors; the call's status carries what
// the user needs. Setting GRPC_VERBOSITY or GRPC_TRACE brings them back.
void SilenceGrpcLogs() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (std::getenv("GRPC_VERBOSITY") == nullptr && std::getenv("GRPC_TRACE") == nullptr) {
      gpr_set_log_function([](gpr_log_func_args*) {});
    }
  });
}

// A batch's answer carries every fault it made (10,000 are about 10 MiB),
// more than gRPC's default 4 MiB.
constexpr int kMaxResponseBytes = 64 << 20;

std::shared_ptr<grpc::Channel> MakeChannel(const Settings& s, const TlsPem& pem) {
  SilenceGrpcLogs();
  StartGrpc();
  if (s.transport != Transport::kTls) {
    grpc::ChannelArguments args;
    args.SetMaxReceiveMessageSize(kMaxResponseBytes);
    return grpc::CreateCustomChannel(s.server, grpc::InsecureChannelCredentials(), args);
  }
  grpc::SslCredentialsOptions ssl;
  ssl.pem_root_certs = pem.root_certs;
  ssl.pem_private_key = pem.private_key;
  ssl.pem_cert_chain = pem.cert_chain;
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(kMaxResponseBytes);
  if (!s.tls.server_name.empty()) args.SetSslTargetNameOverride(s.tls.server_name);
  return grpc::CreateCustomChannel(s.server, grpc::SslCredentials(ssl), args);
}

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
                           bool reached_server, Transport transport) {
  auto code = static_cast<grpc::StatusCode>(grpc_code);
  if (code == grpc::StatusCode::OK) return Outcome::Ok();
  bool unreachable = code == grpc::StatusCode::UNAVAILABLE ||
                     (code == grpc::StatusCode::DEADLINE_EXCEEDED && !reached_server);
  if (unreachable) {
    std::string text = "cannot reach chaosnetd at " + server;
    if (!message.empty()) text += ": " + message;
    return {kExitUnreachable, text + " (" + kUnreachableHint + TransportHint(transport) + ")"};
  }
  std::string text = GrpcCodeName(grpc_code);
  if (!message.empty()) text += ": " + message;
  if (code == grpc::StatusCode::DEADLINE_EXCEEDED) text += " (raise --timeout?)";
  return {kExitServerError, text};
}

void KeepChannelsUntilExit() { g_keep_channels = true; }

struct FaultClient::Impl {
  Settings settings;
  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<v1::FaultService::Stub> stub;

  // The daemon's Info.features, read once, when a request first needs them.
  std::optional<std::vector<std::string>> announced;

  std::mutex mu;
  bool cancelled = false;
  grpc::ClientContext* watch_context = nullptr;

  Impl(const Settings& s, const TlsPem& pem)
      : settings(s), channel(MakeChannel(s, pem)), stub(v1::FaultService::NewStub(channel)) {}
  ~Impl() {
    if (!g_keep_channels.load()) return;
    static std::mutex kept_mu;
    // Never freed, never destroyed: the process ends with _Exit.
    static auto* kept = new std::vector<std::shared_ptr<grpc::Channel>>;
    std::lock_guard lock(kept_mu);
    kept->push_back(std::move(channel));
  }

  Outcome Failure(const grpc::Status& status) {
    bool reached = channel->GetState(/*try_to_connect=*/false) == GRPC_CHANNEL_READY;
    return DescribeRpcFailure(status.error_code(), status.error_message(), settings.server, reached,
                              settings.transport);
  }

  template <typename Request, typename Response>
  Outcome Call(grpc::Status (v1::FaultService::Stub::*method)(grpc::ClientContext*, const Request&,
                                                              Response*),
               const Request& request, Response* response) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::duration_cast<std::chrono::microseconds>(settings.timeout));
    grpc::Status status = (stub.get()->*method)(&context, request, response);
    return status.ok() ? Outcome::Ok() : Failure(status);
  }
};

FaultClient::FaultClient(const Settings& settings, const TlsPem& pem)
    : impl_(std::make_unique<Impl>(settings, pem)) {}
FaultClient::~FaultClient() = default;

Outcome FaultClient::CreateFault(const v1::CreateFaultRequest& request,
                                 v1::CreateFaultResponse* response) {
  if (Outcome o = CheckFeatures(request); !o.ok()) return o;
  return impl_->Call(&v1::FaultService::Stub::CreateFault, request, response);
}

Outcome FaultClient::CheckFeatures(const google::protobuf::Message& request) {
  // Only a request that sets a marked field costs the extra round trip.
  if (features::UsedBy(request).empty()) return Outcome::Ok();
  if (!impl_->announced) {
    v1::Info info;
    if (Outcome o = GetInfo(&info); !o.ok()) return o;
    impl_->announced.emplace(info.features().begin(), info.features().end());
  }
  const std::vector<std::string> missing = features::Missing(request, *impl_->announced);
  if (missing.empty()) return Outcome::Ok();
  std::string names;
  for (const std::string& name : missing) names += (names.empty() ? "" : ", ") + name;
  return UsageError("the daemon at " + impl_->settings.server + " does not implement the feature " +
                    names +
                    " this request needs (it would ignore it and apply a different fault): "
                    "upgrade chaosnetd there, or leave that option out");
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

Outcome FaultClient::ListProfiles(v1::ListProfilesResponse* response) {
  Outcome o =
      impl_->Call(&v1::FaultService::Stub::ListProfiles, v1::ListProfilesRequest{}, response);
  if (o.exit_code == kExitServerError && o.message.rfind("unimplemented", 0) == 0) {
    return {kExitServerError, "the daemon at " + impl_->settings.server +
                                  " has no link profiles (it predates them): upgrade chaosnetd"};
  }
  return o;
}

// ---- batches (issue 19)

Outcome FaultClient::WithoutBatches(Outcome o, const char* rpc) const {
  if (o.exit_code == kExitServerError && o.message.rfind("unimplemented", 0) == 0) {
    return UsageError("the daemon at " + impl_->settings.server + " has no batch API (" + rpc +
                      "; it predates it): upgrade chaosnetd, or create the faults one by one");
  }
  return o;
}

Outcome FaultClient::CreateFaults(const v1::CreateFaultsRequest& request,
                                  v1::CreateFaultsResponse* response) {
  if (Outcome o = CheckFeatures(request); !o.ok()) return o;
  return WithoutBatches(impl_->Call(&v1::FaultService::Stub::CreateFaults, request, response),
                        "CreateFaults");
}

Outcome FaultClient::RevokeFaults(const v1::RevokeFaultsRequest& request,
                                  v1::RevokeFaultsResponse* response) {
  return WithoutBatches(impl_->Call(&v1::FaultService::Stub::RevokeFaults, request, response),
                        "RevokeFaults");
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
    *stream_end =
        status.ok() ? "the daemon ended the keep-alive stream" : impl_->Failure(status).message;
  }
  return status.ok() || broke_early ? Outcome::Ok() : impl_->Failure(status);
}

void FaultClient::Cancel() {
  std::lock_guard lock(impl_->mu);
  impl_->cancelled = true;
  if (impl_->watch_context != nullptr) impl_->watch_context->TryCancel();
}

}  // namespace chaosnet::client
