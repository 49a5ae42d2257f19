// A tiny in-process FaultService with canned answers, served on a Unix socket
// and on a plaintext loopback TCP port (what a daemon's --insecure-listen
// serves), so the real chaosnetctl binary can be run against it. It records what it was
// asked, to prove what did (and did not) reach the server.
//
// Canned behaviour, keyed on the request:
//  - CreateFault on interface "missing0": NOT_FOUND; on "invalid0": INVALID_ARGUMENT
//    "loss: 150% is above 100%". Otherwise fault "f-1234" with the request's spec,
//    expiring after the request's TTL (30s if none); a dry run gets a plan.
//  - GetFault/ExtendFault/RevokeFault know only "f-1234"; others are NOT_FOUND.
//  - ListFaults returns two faults; RevokeAllFaults one, and with the label
//    selector owned-by=OWNER reports "f-5678" of OWNER as not revoked.
//  - Watch sends one APPLIED event (after a SNAPSHOT with send_initial), then
//    ends the stream or, with HoldWatch(true), waits until the client cancels.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "chaosnet/v1/chaosnet.pb.h"

namespace chaosnet::client::testing {

inline constexpr char kFakeId[] = "f-1234";

class FakeServer {
 public:
  FakeServer();
  ~FakeServer();
  FakeServer(const FakeServer&) = delete;
  FakeServer& operator=(const FakeServer&) = delete;

  std::string address() const;      // "unix:/tmp/.../fake.sock"
  std::string tcp_address() const;  // "127.0.0.1:PORT", plaintext
  const std::string& dir() const;

  void HoldWatch(bool hold);
  // Info.features: none unless set (a daemon from before any feature).
  void AnnounceFeatures(const std::vector<std::string>& features);
  int calls() const;  // RPCs received so far
  ::chaosnet::v1::CreateFaultRequest last_create() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace chaosnet::client::testing
