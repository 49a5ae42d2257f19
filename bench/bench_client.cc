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

// A batch's answer carries every fault (10,000 are about 10 MiB).
std::shared_ptr<grpc::Channel> Connect(const std::string& server) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(64 << 20);
  return grpc::CreateCustomChannel(server, grpc::InsecureChannelCredentials(), args);
}

}  // namespace

BenchClient::BenchClient(const std::string& server)
    : channel_(Connect(server)), stub_(v1::FaultService::NewStub(channel_)) {
  if (!channel_->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(10))) {
    throw std::runtime_error("cannot connect to " + server);
  }
}

v1::CreateFaultRequest RateRequest(const std::string& iface, const std::string& dst,
                                   int ttl_seconds) {
  v1::CreateFaultRequest req;
  req.mutable_spec()->set_interface(iface);
  req.mutable_spec()->mutable_rate()->set_bits_per_second(100'000'000);
  if (!dst.empty()) req.mutable_spec()->mutable_match()->set_dst_cidr(dst);
  req.mutable_ttl()->set_seconds(ttl_seconds);
  return req;
}

std::string BenchClient::CreateRate(const std::string& iface, const std::string& dst,
                                    int ttl_seconds) {
  const v1::CreateFaultRequest req = RateRequest(iface, dst, ttl_seconds);
  v1::CreateFaultResponse resp;
  Check(stub_->CreateFault(Context().get(), req, &resp), "create");
  return resp.fault().id();
}

std::vector<std::string> BenchClient::CreateMany(const v1::CreateFaultsRequest& batch) {
  v1::CreateFaultsResponse resp;
  Check(stub_->CreateFaults(Context().get(), batch, &resp), "create batch");
  std::vector<std::string> ids;
  for (const auto& r : resp.results()) ids.push_back(r.fault().id());
  return ids;
}

void BenchClient::RevokeMany(const std::vector<std::string>& ids) {
  v1::RevokeFaultsRequest req;
  for (const auto& id : ids) req.add_ids(id);
  v1::RevokeFaultsResponse resp;
  Check(stub_->RevokeFaults(Context().get(), req, &resp), "revoke batch");
  if (resp.faults_size() != static_cast<int>(ids.size())) {
    throw std::runtime_error("revoke batch: " + std::to_string(resp.faults_size()) + " of " +
                             std::to_string(ids.size()) + " revoked");
  }
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
