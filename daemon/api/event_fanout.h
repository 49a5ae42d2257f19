// The recent lease events, each converted to its wire form once and shared by
// every Watch stream. A stream keeps only its position in this window, so
// watchers cost a cursor each, not a copy of every event: memory is bounded
// by the window whatever the number of watchers. Appended on the loop, read by
// the streams' writers on gRPC's threads.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>

#include "chaosnet/v1/chaosnet.pb.h"

namespace chaosnet::api {

class EventFanout {
 public:
  explicit EventFanout(std::size_t window) : window_(window) {}

  // Loop thread. Returns the event's sequence number.
  uint64_t Append(std::shared_ptr<const v1::FaultEvent> event);

  // The sequence number the next event will get: where a new watcher starts.
  uint64_t next_seq() const;

  enum class Position { kReady, kCaughtUp, kFellBehind };
  // The event with sequence number `seq`, if still in the window.
  Position At(uint64_t seq, std::shared_ptr<const v1::FaultEvent>* event) const;

  std::size_t window() const { return window_; }

  // Loop thread, when no stream reads the window any more: frees the events
  // and keeps the numbering, so the next watcher starts at next_seq() as ever.
  // (A window of 4,096 full events is megabytes: a burst of 10,000 ends would
  // otherwise keep them for the daemon's life.)
  void DropAll();

 private:
  const std::size_t window_;
  mutable std::mutex mu_;
  std::deque<std::shared_ptr<const v1::FaultEvent>> events_;
  uint64_t first_seq_ = 0;  // of events_.front()
};

}  // namespace chaosnet::api
