// Callers for core tests, as the transports would establish them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "daemon/core/caller.h"

namespace chaosnet::testing {

// A local caller: uid (also its primary gid), supplementary groups.
inline core::Caller LocalUser(uint32_t uid, std::string name = "",
                              std::vector<uint32_t> groups = {}) {
  return core::LocalCaller(
      core::LocalCredentials{uid, uid, 4242, std::move(groups), std::move(name)});
}

inline core::Caller Root() { return LocalUser(0, "root"); }

// A TLS caller whose certificate says CN=<cn>,O=chaosnet.
inline core::Caller CertificateUser(const std::string& cn,
                                    const std::string& address = "10.0.0.5") {
  return core::CertificateCaller("CN=" + cn + ",O=chaosnet", cn, address);
}

}  // namespace chaosnet::testing
