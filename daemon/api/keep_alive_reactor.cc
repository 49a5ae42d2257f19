#include "daemon/api/keep_alive_reactor.h"

#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>

#include "daemon/api/convert.h"
#include "daemon/api/status_mapping.h"

namespace chaosnet::api {

KeepAliveReactor::KeepAliveReactor(FaultService& service, core::Caller caller)
    : service_(service), caller_(std::move(caller)) {
  boost::asio::post(service_.loop_, [this] { Start(); });
}

void KeepAliveReactor::Start() {
  if (service_.shutting_down_) {
    finished_ = true;
    Finish({grpc::StatusCode::UNAVAILABLE, "chaosnetd is shutting down"});
    return;
  }
  service_.keep_alives_.insert(this);
  subscription_ = service_.manager_.Subscribe([this](const core::FaultEvent& e) {
    if (e.type == core::EventType::kApplied || e.type == core::EventType::kExtended) return;
    if (bound_set_.contains(e.fault.id)) SendBound(&e.fault);
  });
  StartRead(&incoming_);
}

void KeepAliveReactor::OnReadDone(bool ok) {
  boost::asio::post(service_.loop_, [this, ok] {
    if (finished_) return;
    if (!ok) {
      // The client closed its side (or is gone): that is the switch.
      FinishOnLoop(grpc::Status::OK, "its keep-alive stream was closed by " + caller_.principal);
      return;
    }
    Bind(incoming_);
    if (!finished_) StartRead(&incoming_);
  });
}

void KeepAliveReactor::Bind(const v1::KeepAliveRequest& request) {
  if (request.fault_ids_size() == 0) {
    FinishOnLoop({grpc::StatusCode::INVALID_ARGUMENT, "fault_ids: name at least one fault"},
                 "its keep-alive stream was refused (no fault ids)");
    return;
  }
  // The stream's end revokes what it holds: binding is a change.
  if (Status s =
          service_.AuthorizeChange("KeepAlive", caller_, "bind faults to a keep-alive stream");
      !s.ok()) {
    FinishOnLoop(ToGrpc(s), "its keep-alive stream was refused: " + s.message());
    return;
  }
  for (const std::string& id : request.fault_ids()) {
    if (bound_set_.contains(id)) continue;
    auto bound = service_.manager_.BindKeepAlive(id, caller_);
    if (!bound.ok()) {
      // Ending the stream ends what it already holds, as it would on any
      // other end: a runner that named a wrong id must not keep a fault.
      // The fault it was refused is not its own to end.
      const Status& s = bound.status();
      service_.AuditRefusal("KeepAlive", caller_, s, nullptr, id);
      FinishOnLoop(ToGrpc(s), "its keep-alive stream ended on an error: " + s.message());
      return;
    }
    bound_.push_back(id);
    bound_set_.insert(id);
    spdlog::info("fault {} bound to a keep-alive stream of {}", id, caller_.Describe());
  }
  SendBound();
}

void KeepAliveReactor::SendBound(const core::FaultRecord* changed) {
  if (finished_) return;
  if (queue_.size() >= kMaxQueued) {
    FinishOnLoop({grpc::StatusCode::RESOURCE_EXHAUSTED,
                  "keep-alive stream is not being read; dropped after " +
                      std::to_string(kMaxQueued) + " queued updates"},
                 "its keep-alive stream was not read and was dropped");
    return;
  }
  v1::KeepAliveResponse response;
  for (const auto& id : bound_) {
    // The manager tells its listeners before it files an ended fault away.
    if (changed != nullptr && changed->id == id) {
      ToProto(*changed, response.add_faults());
      continue;
    }
    auto record = service_.manager_.Get(id);
    if (record.ok()) ToProto(*record, response.add_faults());
  }
  queue_.push_back(std::move(response));
  WriteNext();
}

void KeepAliveReactor::WriteNext() {
  if (writing_ || finished_ || queue_.empty()) return;
  writing_ = true;
  StartWrite(&queue_.front());
}

void KeepAliveReactor::OnWriteDone(bool ok) {
  boost::asio::post(service_.loop_, [this, ok] {
    writing_ = false;
    if (!queue_.empty()) queue_.pop_front();
    if (!ok) {
      FinishOnLoop(grpc::Status::CANCELLED, "its keep-alive stream broke (the client is gone)");
      return;
    }
    WriteNext();
  });
}

void KeepAliveReactor::FinishOnLoop(const grpc::Status& status, const std::string& reason) {
  if (finished_) return;
  finished_ = true;
  if (subscription_ != 0) service_.manager_.Unsubscribe(subscription_);
  subscription_ = 0;
  service_.keep_alives_.erase(this);
  for (const auto& record : service_.manager_.EndKeepAlive(bound_, reason)) {
    spdlog::info("fault {} on {} rolled back: {} ({})", record.id, record.spec.interface,
                 record.state_reason, core::FaultStateName(record.state));
  }
  Finish(status);
}

void KeepAliveReactor::OnCancel() {
  boost::asio::post(service_.loop_, [this] {
    FinishOnLoop(grpc::Status::CANCELLED, "its keep-alive stream broke (the client is gone)");
  });
}

void KeepAliveReactor::OnDone() {
  // Deleted on the loop, after every task queued before this one; gRPC calls
  // nothing on it after OnDone.
  boost::asio::post(service_.loop_, [this] {
    if (!finished_) {
      finished_ = true;
      service_.manager_.EndKeepAlive(bound_, "its keep-alive stream ended");
    }
    if (subscription_ != 0) service_.manager_.Unsubscribe(subscription_);
    service_.keep_alives_.erase(this);
    service_.StreamDone();
    delete this;
  });
}

}  // namespace chaosnet::api
