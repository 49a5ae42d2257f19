// One Watch stream: lease events are queued on the loop and written one at a
// time. A client that stops reading is cut off once its queue is full, so a
// slow watcher can neither stall the daemon nor grow its memory without bound.
#pragma once

#include <deque>

#include <grpcpp/grpcpp.h>

#include "chaosnet/v1/chaosnet.pb.h"
#include "daemon/api/fault_service.h"

namespace chaosnet::api {

class WatchReactor final : public grpc::ServerWriteReactor<v1::FaultEvent> {
 public:
  static constexpr std::size_t kMaxQueued = 4096;

  WatchReactor(FaultService& service, bool send_initial);

  // Loop thread only.
  void FinishOnLoop(const grpc::Status& status);

 private:
  void Start(bool send_initial);  // loop
  void Enqueue(v1::FaultEvent event);  // loop
  void WriteNext();                // loop

  void OnWriteDone(bool ok) override;
  void OnCancel() override;
  void OnDone() override;

  FaultService& service_;
  int subscription_ = 0;
  std::deque<v1::FaultEvent> queue_;
  bool writing_ = false;
  bool finished_ = false;
};

}  // namespace chaosnet::api
