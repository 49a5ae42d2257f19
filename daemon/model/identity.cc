#include "daemon/model/identity.h"

#include <charconv>

namespace chaosnet::model {
namespace {

constexpr std::string_view kUidPrefix = "uid:";
constexpr std::string_view kCertificatePrefix = "x509:";
constexpr std::string_view kAddressPrefix = "tcp:";

}  // namespace

Identity UidIdentity(uint32_t uid) { return Identity{Identity::Kind::kUid, uid, ""}; }

Identity CertificateIdentity(std::string subject) {
  return Identity{Identity::Kind::kCertificate, 0, std::move(subject)};
}

Identity AddressIdentity(std::string address) {
  return Identity{Identity::Kind::kAddress, 0, std::move(address)};
}

std::string IdentityKey(const Identity& identity) {
  switch (identity.kind) {
    case Identity::Kind::kNone: return "";
    case Identity::Kind::kUid: return std::string(kUidPrefix) + std::to_string(identity.uid);
    case Identity::Kind::kCertificate: return std::string(kCertificatePrefix) + identity.value;
    case Identity::Kind::kAddress: return std::string(kAddressPrefix) + identity.value;
  }
  return "";
}

Identity IdentityOfPrincipal(std::string_view principal) {
  if (principal.starts_with(kUidPrefix)) {
    std::string_view rest = principal.substr(kUidPrefix.size());
    uint32_t uid = 0;
    auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), uid);
    if (ec != std::errc() || end == rest.data()) return {};
    const std::string_view name = rest.substr(end - rest.data());
    // Nothing after the number, or the user's name in parentheses.
    if (name.empty() || (name.size() > 2 && name.front() == '(' && name.back() == ')')) {
      return UidIdentity(uid);
    }
    return {};
  }
  if (principal.starts_with(kCertificatePrefix) && principal.size() > kCertificatePrefix.size()) {
    return CertificateIdentity(std::string(principal.substr(kCertificatePrefix.size())));
  }
  if (principal.starts_with(kAddressPrefix) && principal.size() > kAddressPrefix.size()) {
    return AddressIdentity(std::string(principal.substr(kAddressPrefix.size())));
  }
  return {};
}

}  // namespace chaosnet::model
