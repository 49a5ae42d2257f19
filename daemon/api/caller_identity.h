// Who made a call, from what its transport proved: peer credentials for the
// Unix socket (through the PeerRegistry), the verified client certificate for
// TLS, the address alone for plaintext TCP. Called on gRPC's thread at the
// start of a call.
#pragma once

#include <string>
#include <string_view>

#include <grpcpp/grpcpp.h>

#include "daemon/api/peer_registry.h"
#include "daemon/core/caller.h"

namespace chaosnet::api {

core::Caller CallerOf(const grpc::CallbackServerContext& ctx, const PeerRegistry& registry);

// "ipv4:10.0.0.5:41234" -> "10.0.0.5", "ipv6:[::1]:41234" -> "::1"; other
// forms are returned unchanged.
std::string PeerAddress(std::string_view peer);

}  // namespace chaosnet::api
