#include "daemon/model/identity.h"

#include <charconv>

namespace chaosnet::model {

Identity UidIdentity(uint32_t uid) { return Identity{Identity::Kind::kUid, uid, ""}; }

Identity CertificateIdentity(std::string subject) {
  return Identity{Identity::Kind::kCertificate, 0, std::move(subject)};
}

Identity AddressIdentity(std::string address) {
  return Identity{Identity::Kind::kAddress, 0, std::move(address)};
}

std::string IdentityKey(const Identity& identity) {
  if (identity.empty()) return "";
  const std::string kind = std::string(NameOf(kIdentityKindNames, identity.kind)) + ":";
  return kind +
         (identity.kind == Identity::Kind::kUid ? std::to_string(identity.uid) : identity.value);
}

Identity IdentityOfPrincipal(std::string_view principal) {
  const auto colon = principal.find(':');
  if (colon == std::string_view::npos || colon + 1 == principal.size()) return {};
  const auto kind = ValueOf(kIdentityKindNames, principal.substr(0, colon));
  const std::string_view rest = principal.substr(colon + 1);
  if (!kind) return {};
  if (*kind != Identity::Kind::kUid) return Identity{*kind, 0, std::string(rest)};
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

}  // namespace chaosnet::model
