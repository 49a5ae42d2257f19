// Who is calling: the identity the transport proved (the kernel's peer
// credentials on the Unix socket, the client certificate over TLS, only an
// address over plaintext TCP). `identity` is who it is (what owns faults and
// what limits count); `principal` is how records and the audit trail show it;
// the rest is what role rules match on.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "daemon/model/identity.h"

namespace chaosnet::core {

// SO_PEERCRED and SO_PEERGROUPS of a Unix socket connection.
struct LocalCredentials {
  uint32_t uid = 0;
  uint32_t gid = 0;
  int32_t pid = 0;
  std::vector<uint32_t> groups;  // supplementary groups
  std::string user;              // from the user database; "" when unknown
};

struct Caller {
  enum class Transport { kUnix, kTls, kPlaintextTcp, kUnknown };

  Transport transport = Transport::kUnknown;
  model::Identity identity;  // none for kUnknown
  std::string principal;
  std::optional<LocalCredentials> local;  // kUnix
  std::string subject;                    // kTls: the certificate's subject, RFC 2253
  std::string common_name;                // kTls: its CN
  std::string address;                    // kTls, kPlaintextTcp: "10.0.0.5" (no port)

  // For the operational log: the principal and, locally, the process.
  std::string Describe() const;
};

// "uid:1000(alice)", "uid:0(root)"; "uid:1000" when the name is unknown.
Caller LocalCaller(const LocalCredentials& credentials);
// "x509:CN=runner-1,O=chaos"
Caller CertificateCaller(std::string subject, std::string common_name, std::string address);
// "tcp:10.0.0.5": plaintext proves nothing but the address.
Caller PlaintextCaller(std::string address);
// A connection the daemon cannot place; refused for anything that changes state.
Caller UnknownCaller(std::string peer);

}  // namespace chaosnet::core
