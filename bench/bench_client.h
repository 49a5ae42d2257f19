// A connected gRPC client of chaosnetd, as an experiment runner would hold one.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "chaosnet/v1/chaosnet.grpc.pb.h"

namespace chaosnet::bench {

class BenchClient {
 public:
  explicit BenchClient(const std::string& server);

  // A rate fault (htb, which every kernel here has) on `iface`, to `dst`
  // ("" = the whole interface). Returns the id; throws on failure.
  std::string CreateRate(const std::string& iface, const std::string& dst, int ttl_seconds);
  void Revoke(const std::string& id);
  // Batches (CreateFaults, RevokeFaults): the ids in request order; throws
  // on a refusal or on an id not revoked.
  std::vector<std::string> CreateMany(const v1::CreateFaultsRequest& batch);
  void RevokeMany(const std::vector<std::string>& ids);
  void Extend(const std::string& id, std::chrono::milliseconds ttl);
  v1::FaultService::Stub& stub() { return *stub_; }

 private:
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::FaultService::Stub> stub_;
};

// The request CreateRate sends.
v1::CreateFaultRequest RateRequest(const std::string& iface, const std::string& dst,
                                   int ttl_seconds);

// The i-th address of 10.128.0.0/9, for faults that must not overlap.
std::string TargetAddress(int i);

}  // namespace chaosnet::bench
