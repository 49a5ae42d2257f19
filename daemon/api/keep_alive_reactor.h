// One KeepAlive stream, the dead man's switch: the faults a client names on it
// are rolled back the moment the stream ends for any reason (the client closes
// it, exits, crashes, or its connection drops). While it lasts, the client is
// sent the bound faults whenever it binds more and whenever one of them ends
// on its own (expiry, revoke, loss), so a runner learns its fault is gone.
#pragma once

#include <deque>
#include <set>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "chaosnet/v1/chaosnet.pb.h"
#include "daemon/api/fault_service.h"

namespace chaosnet::api {

class KeepAliveReactor final
    : public grpc::ServerBidiReactor<v1::KeepAliveRequest, v1::KeepAliveResponse> {
 public:
  // Updates a client does not read are not kept without bound.
  static constexpr std::size_t kMaxQueued = 1024;

  KeepAliveReactor(FaultService& service, core::Caller caller);

  // Loop thread only: rolls back the bound faults with `reason`, then
  // finishes the call with `status`.
  void FinishOnLoop(const grpc::Status& status, const std::string& reason);

 private:
  void Start();                                    // loop
  void Bind(const v1::KeepAliveRequest& request);  // loop
  // `changed`: a bound fault that just changed, as the event carries it.
  void SendBound(const core::FaultRecord* changed = nullptr);  // loop
  void WriteNext();                                            // loop

  void OnReadDone(bool ok) override;
  void OnWriteDone(bool ok) override;
  void OnCancel() override;
  void OnDone() override;

  FaultService& service_;
  const core::Caller caller_;
  v1::KeepAliveRequest incoming_;
  std::vector<std::string> bound_;  // in binding order
  std::set<std::string> bound_set_;
  int subscription_ = 0;
  std::deque<v1::KeepAliveResponse> queue_;
  bool writing_ = false;
  bool finished_ = false;
};

}  // namespace chaosnet::api
