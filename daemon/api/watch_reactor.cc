#include "daemon/api/watch_reactor.h"

#include <boost/asio/post.hpp>

#include "daemon/api/convert.h"

namespace chaosnet::api {

WatchReactor::WatchReactor(FaultService& service, bool send_initial) : service_(service) {
  boost::asio::post(service_.loop_, [this, send_initial] { Start(send_initial); });
}

void WatchReactor::Start(bool send_initial) {
  if (service_.shutting_down_) {
    finished_ = true;
    Finish({grpc::StatusCode::UNAVAILABLE, "chaosnetd is shutting down"});
    return;
  }
  service_.watchers_.insert(this);
  if (send_initial) {
    for (const auto& record : service_.manager_.List({})) {
      v1::FaultEvent event;
      event.set_type(v1::EVENT_TYPE_SNAPSHOT);
      ToProto(record, event.mutable_fault());
      ToProto(record.counters_read_at, event.mutable_at());
      Enqueue(std::move(event));
    }
  }
  subscription_ = service_.manager_.Subscribe([this](const core::FaultEvent& e) {
    v1::FaultEvent event;
    ToProto(e, &event);
    Enqueue(std::move(event));
  });
}

void WatchReactor::Enqueue(v1::FaultEvent event) {
  if (finished_) return;
  if (queue_.size() >= kMaxQueued) {
    FinishOnLoop({grpc::StatusCode::RESOURCE_EXHAUSTED,
                  "watch stream is not being read; dropped after " +
                      std::to_string(kMaxQueued) + " queued events"});
    return;
  }
  queue_.push_back(std::move(event));
  WriteNext();
}

void WatchReactor::WriteNext() {
  if (writing_ || finished_ || queue_.empty()) return;
  writing_ = true;
  StartWrite(&queue_.front());
}

void WatchReactor::OnWriteDone(bool ok) {
  boost::asio::post(service_.loop_, [this, ok] {
    writing_ = false;
    if (!queue_.empty()) queue_.pop_front();
    if (!ok) {
      FinishOnLoop(grpc::Status::CANCELLED);
      return;
    }
    WriteNext();
  });
}

void WatchReactor::FinishOnLoop(const grpc::Status& status) {
  if (finished_) return;
  finished_ = true;
  if (subscription_ != 0) service_.manager_.Unsubscribe(subscription_);
  subscription_ = 0;
  service_.watchers_.erase(this);
  Finish(status);
}

void WatchReactor::OnCancel() {
  boost::asio::post(service_.loop_, [this] { FinishOnLoop(grpc::Status::CANCELLED); });
}

void WatchReactor::OnDone() {
  // Deleted on the loop so that no loop task queued before this one can see a
  // dangling reactor; gRPC calls nothing on it after OnDone.
  boost::asio::post(service_.loop_, [this] {
    if (subscription_ != 0) service_.manager_.Unsubscribe(subscription_);
    service_.watchers_.erase(this);
    service_.StreamDone();
    delete this;
  });
}

}  // namespace chaosnet::api
