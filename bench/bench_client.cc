#include "bench/bench_client.h"

#include <google/protobuf/util/time_util.h>

#include <stdexcept>

namespace chaosnet::bench {
namespace {

void Check(const grpc::Status& s, const char* what) {
  if (!s.ok()) throw std::runtime_error(std::string(what) + ": " + s.error_message());
}

std::unique_ptr<grpc::ClientContext> Context() {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  return ctx;
}

}  // namespace

BenchClient::BenchClient(const std::string& server)
    : channel_(grpc::CreateChannel(server, grpc::InsecureChannelCredentials())),
      stub_(v1::FaultService::NewStub(channel_)) {
  if (!channel_->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(10))) {
    throw std::runtime_error("cannot connect to " + server);
  }
}

std::string BenchClient::CreateRate(const std::string& iface, const std::string& dst,
                                    int ttl_seconds) {
  v1::CreateFaultRequest req;
  req.mutable_spec()->set_interface(iface);
  req.mutable_spec()->mutable_rate()->set_bits_per_second(100'000'000);
  if (!dst.empty()) req.mutable_spec()->mutable_match()->set_dst_cidr(dst);
  req.mutable_ttl()->set_seconds(ttl_seconds);
  v1::CreateFaultResponse resp;
  Check(stub_->CreateFault(Context().get(), req, &resp), "create");
  return resp.fault().id();
}

void BenchClient::Revoke(const std::string& id) {
  v1::RevokeFaultRequest req;
  req.set_id(id);
  v1::Fault f;
  Check(stub_->RevokeFault(Context().get(), req, &f), "revoke");
}

void BenchClient::Extend(const std::string& id, std::chrono::milliseconds ttl) {
  v1::ExtendFaultRequest req;
  req.set_id(id);
  *req.mutable_ttl() = google::protobuf::util::TimeUtil::MillisecondsToDuration(ttl.count());
  v1::Fault f;
  Check(stub_->ExtendFault(Context().get(), req, &f), "extend");
}

std::string TargetAddress(int i) {
  return "10." + std::to_string(128 + (i >> 16 & 127)) + "." + std::to_string(i >> 8 & 255) + "." +
         std::to_string(i & 255);
}

}  // namespace chaosnet::bench
