// One Watch stream. Its events come from the service's EventFanout; the
// stream keeps its position and writes the next event as soon as the last
// write is done, straight from gRPC's thread, so a reading client keeps up
// however busy the loop is. A client that stops reading falls out of the
// fan-out's window and is cut off; it never holds more than its snapshot.
// A stream for one owner's faults (--mine) passes over the others' events.
#pragma once

#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include <grpcpp/grpcpp.h>

#include "chaosnet/v1/chaosnet.pb.h"
#include "daemon/api/fault_service.h"

namespace chaosnet::api {

class WatchReactor final : public grpc::ServerWriteReactor<v1::FaultEvent> {
 public:
  // `owner`: only that identity's faults; unset: everyone's. `steps`: also
  // the STEPPED events of programs, each after the lease event it follows.
  WatchReactor(FaultService& service, bool send_initial, bool steps,
               std::optional<model::Identity> owner);

  // Loop thread only.
  void FinishOnLoop(const grpc::Status& status);
  // Any thread: new events may be waiting.
  void Wake();

 private:
  void Start(bool send_initial);  // loop
  bool Wanted(const v1::FaultEvent& event) const;

  void OnWriteDone(bool ok) override;
  void OnCancel() override;
  void OnDone() override;

  FaultService& service_;
  const bool steps_;
  const std::optional<model::Identity> owner_;
  const std::string owner_key_;  // model::IdentityKey(*owner_)
  std::mutex mu_;
  std::deque<v1::FaultEvent> snapshot_;            // written first (send_initial)
  uint64_t next_seq_ = 0;                          // in the service's fan-out
  uint64_t next_step_seq_ = 0;                     // in its steps' fan-out
  bool writing_step_ = false;                      // writing_ is from the steps' fan-out
  std::shared_ptr<const v1::FaultEvent> writing_;  // held until its write is done
  bool started_ = false;
  bool finished_ = false;
  bool snapshot_write_ = false;  // writing_ is snapshot_.front()
};

}  // namespace chaosnet::api
