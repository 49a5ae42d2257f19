#include "daemon/api/caller_identity.h"

#include <charconv>

#include <grpc/grpc_security_constants.h>

namespace chaosnet::api {
namespace {

std::string FirstProperty(const grpc::AuthContext& auth, const char* name) {
  auto values = auth.FindPropertyValues(name);
  return values.empty() ? std::string() : std::string(values.front().data(), values.front().size());
}

}  // namespace

std::string PeerAddress(std::string_view peer) {
  std::string_view rest;
  if (peer.starts_with("ipv4:")) {
    rest = peer.substr(5);
    return std::string(rest.substr(0, rest.rfind(':')));
  }
  if (peer.starts_with("ipv6:")) {
    rest = peer.substr(5);
    if (rest.starts_with("[")) {
      auto close = rest.find(']');
      if (close != std::string_view::npos) return std::string(rest.substr(1, close - 1));
    }
    return std::string(rest.substr(0, rest.rfind(':')));
  }
  return std::string(peer);
}

core::Caller CallerOf(const grpc::CallbackServerContext& ctx, const PeerRegistry& registry) {
  const std::string peer = ctx.peer();
  if (peer.starts_with("fd:")) {
    int fd = -1;
    auto [end, ec] = std::from_chars(peer.data() + 3, peer.data() + peer.size(), fd);
    if (ec == std::errc() && end == peer.data() + peer.size()) {
      if (auto credentials = registry.Find(fd)) return core::LocalCaller(*credentials);
    }
    return core::UnknownCaller(peer);
  }
  auto auth = ctx.auth_context();
  const std::string security =
      auth != nullptr ? FirstProperty(*auth, GRPC_TRANSPORT_SECURITY_TYPE_PROPERTY_NAME) : "";
  if (security == GRPC_SSL_TRANSPORT_SECURITY_TYPE ||
      security == GRPC_TLS_TRANSPORT_SECURITY_TYPE) {
    // Only a verified client certificate names a TLS caller.
    if (!auth->IsPeerAuthenticated()) return core::UnknownCaller(peer);
    std::string subject = FirstProperty(*auth, GRPC_X509_SUBJECT_PROPERTY_NAME);
    if (!subject.empty()) {
      return core::CertificateCaller(
          std::move(subject), FirstProperty(*auth, GRPC_X509_CN_PROPERTY_NAME), PeerAddress(peer));
    }
    return core::UnknownCaller(peer);
  }
  if ((security.empty() || security == "insecure") &&
      (peer.starts_with("ipv4:") || peer.starts_with("ipv6:"))) {
    return core::PlaintextCaller(PeerAddress(peer));
  }
  return core::UnknownCaller(peer);
}

}  // namespace chaosnet::api
