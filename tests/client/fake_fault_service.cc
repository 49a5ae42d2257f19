#include "tests/client/fake_fault_service.h"

#include <google/protobuf/util/time_util.h>
#include <grpcpp/grpcpp.h>
#include <stdlib.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "chaosnet/v1/chaosnet.grpc.pb.h"

namespace chaosnet::client::testing {
namespace {

namespace v1 = ::chaosnet::v1;
using google::protobuf::util::TimeUtil;

google::protobuf::Timestamp FromNow(int64_t seconds) {
  // Full precision, as the daemon sends it: the CLI rounds, it must not be fooled.
  auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                std::chrono::system_clock::now().time_since_epoch())
                .count();
  return TimeUtil::NanosecondsToTimestamp(ns) + TimeUtil::SecondsToDuration(seconds);
}

v1::Fault CannedFault(const std::string& id, const v1::FaultSpec& spec, int64_t ttl_seconds) {
  v1::Fault fault;
  fault.set_id(id);
  *fault.mutable_spec() = spec;
  fault.set_state(v1::FAULT_STATE_ACTIVE);
  *fault.mutable_created_at() = FromNow(0);
  *fault.mutable_expires_at() = FromNow(ttl_seconds);
  fault.mutable_counters()->set_packets(42);
  fault.mutable_counters()->set_drops(3);
  fault.mutable_owner()->set_identity("uid:0(root)");
  fault.mutable_owner()->set_key("uid:0");
  return fault;
}

v1::FaultSpec DelaySpec() {
  v1::FaultSpec spec;
  spec.set_interface("eth0");
  spec.mutable_delay()->mutable_latency()->set_seconds(3);
  return spec;
}

class Service final : public v1::FaultService::Service {
 public:
  grpc::Status CreateFault(grpc::ServerContext*, const v1::CreateFaultRequest* request,
                           v1::CreateFaultResponse* response) override {
    Count();
    {
      std::lock_guard lock(mu);
      last_create = *request;
    }
    const std::string& iface = request->spec().interface();
    if (iface == "missing0") {
      return {grpc::StatusCode::NOT_FOUND, "interface missing0 not found"};
    }
    if (iface == "invalid0") {
      return {grpc::StatusCode::INVALID_ARGUMENT, "loss: 150% is above 100%"};
    }
    int64_t ttl = request->has_ttl() ? request->ttl().seconds() : 30;
    *response->mutable_fault() = CannedFault(kFakeId, request->spec(), ttl);
    response->mutable_fault()->set_request_id(request->request_id());
    if (request->dry_run()) {
      response->set_dry_run(true);
      auto* step = response->mutable_fault()->mutable_plan()->add_steps();
      step->set_object("qdisc");
      step->set_kind("netem");
      step->set_interface(iface);
      step->set_handle("ca00:");
      step->set_parent("root");
      step->set_parameters("delay 3s limit 1000");
    }
    return grpc::Status::OK;
  }

  grpc::Status GetFault(grpc::ServerContext*, const v1::GetFaultRequest* request,
                        v1::Fault* response) override {
    Count();
    if (request->id() != kFakeId) return NotFound(request->id());
    *response = CannedFault(kFakeId, DelaySpec(), 30);
    return grpc::Status::OK;
  }

  grpc::Status ListFaults(grpc::ServerContext*, const v1::ListFaultsRequest*,
                          v1::ListFaultsResponse* response) override {
    Count();
    *response->add_faults() = CannedFault(kFakeId, DelaySpec(), 30);
    v1::FaultSpec loss;
    loss.set_interface("veth1");
    loss.mutable_loss()->set_percent(5);
    *response->add_faults() = CannedFault("f-5678", loss, 600);
    return grpc::Status::OK;
  }

  grpc::Status ExtendFault(grpc::ServerContext*, const v1::ExtendFaultRequest* request,
                           v1::Fault* response) override {
    Count();
    if (request->id() != kFakeId) return NotFound(request->id());
    *response = CannedFault(kFakeId, DelaySpec(), request->ttl().seconds());
    return grpc::Status::OK;
  }

  grpc::Status RevokeFault(grpc::ServerContext*, const v1::RevokeFaultRequest* request,
                           v1::Fault* response) override {
    Count();
    if (request->id() != kFakeId) return NotFound(request->id());
    *response = CannedFault(kFakeId, DelaySpec(), 30);
    response->set_state(v1::FAULT_STATE_REVOKED);
    *response->mutable_ended_at() = FromNow(0);
    return grpc::Status::OK;
  }

  grpc::Status RevokeAllFaults(grpc::ServerContext*, const v1::RevokeAllFaultsRequest* request,
                               v1::RevokeAllFaultsResponse* response) override {
    Count();
    v1::Fault* fault = response->add_faults();
    *fault = CannedFault(kFakeId, DelaySpec(), 30);
    fault->set_state(v1::FAULT_STATE_REVOKED);
    if (request->label_selector().contains("owned-by")) {
      v1::NotRevoked* left = response->add_not_revoked();
      *left->mutable_fault() = CannedFault("f-5678", DelaySpec(), 30);
      left->mutable_fault()->mutable_owner()->set_identity(
          request->label_selector().at("owned-by"));
      left->set_reason("not yours");
    }
    return grpc::Status::OK;
  }

  grpc::Status Watch(grpc::ServerContext* context, const v1::WatchRequest* request,
                     grpc::ServerWriter<v1::FaultEvent>* writer) override {
    Count();
    v1::FaultEvent event;
    *event.mutable_fault() = CannedFault(kFakeId, DelaySpec(), 30);
    event.mutable_at()->set_seconds(1795464845);  // 2026-11-23T20:14:05Z
    if (request->send_initial()) {
      event.set_type(v1::EVENT_TYPE_SNAPSHOT);
      event.set_sequence(1);
      writer->Write(event);
    }
    event.set_type(v1::EVENT_TYPE_APPLIED);
    event.set_sequence(2);
    writer->Write(event);
    // Sync API: no cancellation callback, so poll; this is a test double only.
    while (hold_watch && !context->IsCancelled()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return grpc::Status::OK;
  }

  grpc::Status GetInfo(grpc::ServerContext*, const v1::GetInfoRequest*,
                       v1::Info* response) override {
    Count();
    response->set_version("9.9.9-fake");
    response->set_kernel_release("6.18.0-test");
    response->mutable_default_ttl()->set_seconds(300);
    response->mutable_max_ttl()->set_seconds(3600);
    response->set_active_faults(2);
    auto* netem = response->add_capabilities();
    netem->set_name("netem");
    netem->set_available(false);
    netem->set_hint("load sch_netem");
    std::lock_guard lock(mu);
    for (const std::string& feature : features) response->add_features(feature);
    return grpc::Status::OK;
  }

  std::atomic<bool> hold_watch{false};
  mutable std::mutex mu;
  int calls = 0;
  v1::CreateFaultRequest last_create;
  std::vector<std::string> features;

 private:
  static grpc::Status NotFound(const std::string& id) {
    return {grpc::StatusCode::NOT_FOUND, "no fault with id " + id};
  }
  void Count() {
    std::lock_guard lock(mu);
    ++calls;
  }
};

}  // namespace

struct FakeServer::Impl {
  Service service;
  std::string dir;
  std::string address;
  int tcp_port = 0;
  std::unique_ptr<grpc::Server> server;
};

FakeServer::FakeServer() : impl_(std::make_unique<Impl>()) {
  std::string tmpl = (std::filesystem::temp_directory_path() / "chaosnetctl-test-XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  impl_->dir = tmpl;
  impl_->address = "unix:" + impl_->dir + "/fake.sock";
  grpc::ServerBuilder builder;
  builder.AddListeningPort(impl_->address, grpc::InsecureServerCredentials());
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &impl_->tcp_port);
  builder.RegisterService(&impl_->service);
  impl_->server = builder.BuildAndStart();
  if (!impl_->server || impl_->tcp_port == 0) {
    throw std::runtime_error("fake server did not start on " + impl_->address + " and 127.0.0.1");
  }
}

FakeServer::~FakeServer() {
  impl_->service.hold_watch = false;
  impl_->server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
  std::error_code ignored;
  std::filesystem::remove_all(impl_->dir, ignored);
}

std::string FakeServer::address() const { return impl_->address; }
std::string FakeServer::tcp_address() const {
  return "127.0.0.1:" + std::to_string(impl_->tcp_port);
}
const std::string& FakeServer::dir() const { return impl_->dir; }
void FakeServer::HoldWatch(bool hold) { impl_->service.hold_watch = hold; }
void FakeServer::AnnounceFeatures(const std::vector<std::string>& features) {
  std::lock_guard lock(impl_->service.mu);
  impl_->service.features = features;
}

int FakeServer::calls() const {
  std::lock_guard lock(impl_->service.mu);
  return impl_->service.calls;
}

::chaosnet::v1::CreateFaultRequest FakeServer::last_create() const {
  std::lock_guard lock(impl_->service.mu);
  return impl_->service.last_create;
}

}  // namespace chaosnet::client::testing
