#include "daemon/api/watch_reactor.h"

#include <boost/asio/post.hpp>

#include "daemon/api/convert.h"
#include "daemon/api/event_fanout.h"

namespace chaosnet::api {

WatchReactor::WatchReactor(FaultService& service, bool send_initial, bool steps,
                           std::optional<model::Identity> owner)
    : service_(service),
      steps_(steps),
      owner_(std::move(owner)),
      owner_key_(owner_ ? model::IdentityKey(*owner_) : "") {
  boost::asio::post(service_.loop_, [this, send_initial] { Start(send_initial); });
}

bool WatchReactor::Wanted(const v1::FaultEvent& event) const {
  // Keys are equal exactly when identities are; an unknown caller owns nothing.
  return !owner_ || (!owner_key_.empty() && event.fault().owner().key() == owner_key_);
}

void WatchReactor::Start(bool send_initial) {
  if (service_.shutting_down_) {
    finished_ = true;
    Finish({grpc::StatusCode::UNAVAILABLE, "chaosnetd is shutting down"});
    return;
  }
  {
    std::lock_guard lock(mu_);
    if (send_initial) {
      core::ListFilter filter;
      filter.owner = owner_;
      for (const auto& record : service_.manager_.List(filter)) {
        v1::FaultEvent& event = snapshot_.emplace_back();
        event.set_type(v1::EVENT_TYPE_SNAPSHOT);
        ToProto(record, event.mutable_fault());
        ToProto(record.counters_read_at, event.mutable_at());
      }
    }
    // On the loop, between events: the snapshot and the first event after it
    // leave nothing out and repeat nothing.
    next_seq_ = service_.events_.next_seq();
    next_step_seq_ = service_.steps_.next_seq();
    started_ = true;
  }
  service_.watchers_.insert(this);
  Wake();
}

void WatchReactor::Wake() {
  const v1::FaultEvent* next = nullptr;
  bool fell_behind = false;
  {
    std::lock_guard lock(mu_);
    if (!started_ || finished_ || writing_ || snapshot_write_) return;
    if (!snapshot_.empty()) {
      snapshot_write_ = true;
      next = &snapshot_.front();
    } else {
      while (next == nullptr && !fell_behind) {
        std::shared_ptr<const v1::FaultEvent> lease;
        const auto at = service_.events_.At(next_seq_, &lease);
        if (at == EventFanout::Position::kFellBehind) {
          fell_behind = true;
          break;
        }
        if (steps_) {
          std::shared_ptr<const v1::FaultEvent> step;
          const auto step_at = service_.steps_.At(next_step_seq_, &step);
          if (step_at == EventFanout::Position::kFellBehind) {
            fell_behind = true;
            break;
          }
          // A step goes before the next lease event unless that event came first.
          if (step_at == EventFanout::Position::kReady &&
              (at != EventFanout::Position::kReady || lease->sequence() > step->sequence())) {
            if (Wanted(*step)) {
              writing_ = std::move(step);
              writing_step_ = true;
              next = writing_.get();
            } else {
              ++next_step_seq_;
            }
            continue;
          }
        }
        if (at == EventFanout::Position::kCaughtUp) return;
        if (Wanted(*lease)) {
          writing_ = std::move(lease);
          writing_step_ = false;
          next = writing_.get();
        } else {
          ++next_seq_;
        }
      }
    }
  }
  if (fell_behind) {
    boost::asio::post(service_.loop_, [this] {
      FinishOnLoop({grpc::StatusCode::RESOURCE_EXHAUSTED,
                    "watch stream is not being read; dropped after falling " +
                        std::to_string(service_.events_.window()) + " events behind"});
    });
    return;
  }
  StartWrite(next);
}

void WatchReactor::OnWriteDone(bool ok) {
  {
    std::lock_guard lock(mu_);
    if (snapshot_write_) {
      snapshot_.pop_front();
      snapshot_write_ = false;
    } else {
      writing_.reset();
      ++(writing_step_ ? next_step_seq_ : next_seq_);
    }
  }
  if (!ok) {
    boost::asio::post(service_.loop_, [this] { FinishOnLoop(grpc::Status::CANCELLED); });
    return;
  }
  Wake();
}

void WatchReactor::FinishOnLoop(const grpc::Status& status) {
  {
    std::lock_guard lock(mu_);
    if (finished_) return;
    finished_ = true;
  }
  service_.RemoveWatcher(this);
  Finish(status);
}

void WatchReactor::OnCancel() {
  boost::asio::post(service_.loop_, [this] { FinishOnLoop(grpc::Status::CANCELLED); });
}

void WatchReactor::OnDone() {
  // Deleted on the loop so that no loop task queued before this one can see a
  // dangling reactor; gRPC calls nothing on it after OnDone.
  boost::asio::post(service_.loop_, [this] {
    service_.RemoveWatcher(this);
    service_.StreamDone();
    delete this;
  });
}

}  // namespace chaosnet::api
