// The RPC invoker: one channel to chaosnetd, a deadline per call, and the
// translation of gRPC failures into the CLI's words and exit codes. gRPC stays
// behind the pimpl so that only rpc.cc pays for its headers.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "chaosnet/v1/chaosnet.pb.h"
#include "client/connection_settings.h"
#include "client/outcome.h"
#include "client/tls_files.h"

namespace chaosnet::client {

namespace v1 = ::chaosnet::v1;

// gRPC's status code (grpc::StatusCode value) in words: "invalid argument".
std::string GrpcCodeName(int grpc_code);

// A failed call as the user sees it. `reached_server` says whether the channel
// ever connected: a deadline that passes while still connecting means the
// daemon is unreachable (exit 3), one that passes on a live connection is a
// slow server (exit 1). Over TLS, a failed handshake looks the same as an
// absent daemon, so the hint names the certificate flags too.
Outcome DescribeRpcFailure(int grpc_code, const std::string& message, const std::string& server,
                           bool reached_server, Transport transport);

// For a process that ends with _Exit once its work is done (chaosnetctl):
// every channel outlives its FaultClient. gRPC's event engine goes with the
// last channel, and tearing it down joins its threads with sleeps in between
// (3 ms of a `chaosnetctl info`, issue 19); kept, it never is. Connections
// stay open until the process ends; a test process should not call this.
void KeepChannelsUntilExit();

class FaultClient {
 public:
  // `pem` is what ReadTlsFiles(settings) read; empty unless settings.transport is kTls.
  FaultClient(const Settings& settings, const TlsPem& pem);
  ~FaultClient();
  FaultClient(const FaultClient&) = delete;
  FaultClient& operator=(const FaultClient&) = delete;

  // Refuses (exit 2, naming the feature) a request that sets a field whose
  // feature the daemon does not announce (chaosnet.proto, compatibility).
  Outcome CreateFault(const v1::CreateFaultRequest& request, v1::CreateFaultResponse* response);
  Outcome GetFault(const v1::GetFaultRequest& request, v1::Fault* response);
  Outcome ListFaults(const v1::ListFaultsRequest& request, v1::ListFaultsResponse* response);
  Outcome ExtendFault(const v1::ExtendFaultRequest& request, v1::Fault* response);
  Outcome RevokeFault(const v1::RevokeFaultRequest& request, v1::Fault* response);
  Outcome RevokeAllFaults(const v1::RevokeAllFaultsRequest& request,
                          v1::RevokeAllFaultsResponse* response);
  Outcome GetInfo(v1::Info* response);
  // The daemon's named link conditions (issue 18). A daemon without them
  // answers UNIMPLEMENTED, said in words.
  Outcome ListProfiles(v1::ListProfilesResponse* response);

  // ---- batches (issue 19). Checked for features as CreateFault is. A daemon
  // without the batch API (UNIMPLEMENTED) is said so in one line, exit 2.
  Outcome CreateFaults(const v1::CreateFaultsRequest& request, v1::CreateFaultsResponse* response);
  Outcome RevokeFaults(const v1::RevokeFaultsRequest& request, v1::RevokeFaultsResponse* response);

  // Streams events into `on_event` until the server ends the stream or
  // Cancel() is called; a cancelled watch is a success. No deadline applies.
  Outcome Watch(const v1::WatchRequest& request,
                const std::function<void(const v1::FaultEvent&)>& on_event);
  // Thread-safe; also effective when called before Watch() starts.
  void Cancel();

  // Binds `fault_id` to a keep-alive stream, runs `body` while the stream
  // holds it, then closes the stream, which makes the daemon roll the fault
  // back before the call returns. `on_update` gets every answer the daemon
  // sends (the first binding, a bound fault ending early), on another thread.
  // `body` does not run when binding fails. `stream_end` reports how the
  // stream ended if it broke before `body` was done (the daemon went away).
  Outcome HoldWhile(const std::string& fault_id,
                    const std::function<void(const v1::KeepAliveResponse&)>& on_update,
                    const std::function<void()>& body, std::string* stream_end);

 private:
  // OK when the daemon announces every feature `request` uses; asks for its
  // Info (once) only when the request uses any.
  Outcome CheckFeatures(const google::protobuf::Message& request);
  // An UNIMPLEMENTED answer to batch RPC `rpc` as a usage error naming it.
  Outcome WithoutBatches(Outcome o, const char* rpc) const;

  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace chaosnet::client
