#include "daemon/api/event_fanout.h"

namespace chaosnet::api {

uint64_t EventFanout::Append(std::shared_ptr<const v1::FaultEvent> event) {
  std::lock_guard lock(mu_);
  events_.push_back(std::move(event));
  if (events_.size() > window_) {
    events_.pop_front();
    ++first_seq_;
  }
  return first_seq_ + events_.size() - 1;
}

uint64_t EventFanout::next_seq() const {
  std::lock_guard lock(mu_);
  return first_seq_ + events_.size();
}

EventFanout::Position EventFanout::At(uint64_t seq,
                                      std::shared_ptr<const v1::FaultEvent>* event) const {
  std::lock_guard lock(mu_);
  if (seq < first_seq_) return Position::kFellBehind;
  if (seq >= first_seq_ + events_.size()) return Position::kCaughtUp;
  *event = events_[seq - first_seq_];
  return Position::kReady;
}

void EventFanout::DropAll() {
  std::deque<std::shared_ptr<const v1::FaultEvent>> dropped;
  {
    std::lock_guard lock(mu_);
    first_seq_ += events_.size();
    dropped.swap(events_);  // a cleared deque keeps a block; a swapped-out one frees all
  }
}

}  // namespace chaosnet::api
