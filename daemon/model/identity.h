// Who a caller is, as its transport proved it: a local uid (the kernel's peer
// credentials), a client certificate's subject, a plaintext caller's address.
// A fault's owner is one, and ownership is equality of identities, never of
// the text shown for them: "uid:1000(alice)" and "uid:1000" are one caller,
// and a user renamed in the user database still owns their faults. Pure data.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/enum_names.h"

namespace chaosnet::model {

struct Identity {
  enum class Kind { kNone, kUid, kCertificate, kAddress };

  Kind kind = Kind::kNone;
  uint32_t uid = 0;   // kUid
  std::string value;  // kCertificate: the subject (RFC 2253); kAddress: the IP address

  bool empty() const { return kind == Kind::kNone; }
  bool operator==(const Identity&) const = default;
};

// The word of each kind, in identity keys ("uid:1000") and in the lease
// journal; none has no word.
inline constexpr EnumNames<Identity::Kind, 3> kIdentityKindNames{{
    {Identity::Kind::kUid, "uid"},
    {Identity::Kind::kCertificate, "x509"},
    {Identity::Kind::kAddress, "tcp"},
}};

Identity UidIdentity(uint32_t uid);
Identity CertificateIdentity(std::string subject);
Identity AddressIdentity(std::string address);

// The identity alone, without names: "uid:1000", "x509:CN=runner-1,O=chaosnet",
// "tcp:10.0.0.5"; "" for none. Two identities are equal exactly when their
// keys are.
std::string IdentityKey(const Identity& identity);

// The identity a principal names, as the daemon writes principals
// ("uid:1000(alice)", "uid:1000", "x509:SUBJECT", "tcp:ADDRESS"); none for
// anything else. Only for records written before identities were kept apart
// from principals.
Identity IdentityOfPrincipal(std::string_view principal);

}  // namespace chaosnet::model
