// Patterns over callers, as operators write them in --read-only: uid:N,
// user:NAME, gid:N, group:NAME (primary or supplementary group of a local
// caller), cn:GLOB and subject:GLOB (a client certificate), tcp:GLOB (the
// address of a plaintext caller), and * (everyone). Pure: user and group names
// are resolved through functions the caller supplies, once, at start-up.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "daemon/core/caller.h"

namespace chaosnet::core {

struct CallerPattern {
  enum class Kind { kAnyone, kUid, kGid, kCommonName, kSubject, kPlaintextAddress };
  Kind kind = Kind::kAnyone;
  uint32_t id = 0;   // kUid, kGid
  std::string glob;  // kCommonName, kSubject, kPlaintextAddress
  std::string text;  // as the operator wrote it, for messages
};

// A name in the user or group database to its id; nullopt when unknown.
using IdResolver = std::function<std::optional<uint32_t>(const std::string& name)>;

Result<CallerPattern> ParseCallerPattern(std::string_view text, const IdResolver& users,
                                         const IdResolver& groups);

bool Matches(const CallerPattern& pattern, const Caller& caller);

// The first pattern that matches, or nullptr.
const CallerPattern* FirstMatch(const std::vector<CallerPattern>& patterns, const Caller& caller);

}  // namespace chaosnet::core
