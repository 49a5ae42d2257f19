#include "daemon/core/caller_pattern.h"

#include <fnmatch.h>

#include <algorithm>
#include <charconv>

#include "common/units.h"

namespace chaosnet::core {
namespace {

constexpr char kForms[] =
    "use uid:N, user:NAME, gid:N, group:NAME, cn:GLOB, subject:GLOB, tcp:GLOB or *";

std::optional<uint32_t> ParseId(std::string_view digits) {
  uint32_t value = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc() || end != digits.data() + digits.size() || digits.empty()) {
    return std::nullopt;
  }
  return value;
}

bool Glob(const std::string& pattern, const std::string& text) {
  return ::fnmatch(pattern.c_str(), text.c_str(), 0) == 0;
}

}  // namespace

Result<CallerPattern> ParseCallerPattern(std::string_view text, const IdResolver& users,
                                         const IdResolver& groups) {
  CallerPattern p;
  p.text = std::string(text);
  if (text == "*") return p;
  const auto colon = text.find(':');
  if (colon == std::string_view::npos) {
    return InvalidArgument("caller pattern " + units::QuoteInput(text) + " has no kind: " + kForms);
  }
  const std::string_view kind = text.substr(0, colon);
  const std::string value(text.substr(colon + 1));
  if (value.empty()) {
    return InvalidArgument("caller pattern " + units::QuoteInput(text) + " is empty after " +
                           std::string(kind) + ":");
  }
  if (kind == "uid" || kind == "gid") {
    auto id = ParseId(value);
    if (!id) {
      return InvalidArgument("caller pattern " + units::QuoteInput(text) + ": " +
                             std::string(kind) + " takes a number");
    }
    p.kind = kind == "uid" ? CallerPattern::Kind::kUid : CallerPattern::Kind::kGid;
    p.id = *id;
    return p;
  }
  if (kind == "user" || kind == "group") {
    auto id = (kind == "user" ? users : groups)(value);
    if (!id) {
      return InvalidArgument("caller pattern " + units::QuoteInput(text) + ": no such " +
                             std::string(kind));
    }
    p.kind = kind == "user" ? CallerPattern::Kind::kUid : CallerPattern::Kind::kGid;
    p.id = *id;
    return p;
  }
  p.glob = value;
  if (kind == "cn") {
    p.kind = CallerPattern::Kind::kCommonName;
  } else if (kind == "subject") {
    p.kind = CallerPattern::Kind::kSubject;
  } else if (kind == "tcp") {
    p.kind = CallerPattern::Kind::kPlaintextAddress;
  } else {
    return InvalidArgument("caller pattern " + units::QuoteInput(text) + " has an unknown kind " +
                           units::QuoteInput(kind) + ": " + kForms);
  }
  return p;
}

bool Matches(const CallerPattern& pattern, const Caller& caller) {
  using Kind = CallerPattern::Kind;
  using Transport = Caller::Transport;
  switch (pattern.kind) {
    case Kind::kAnyone: return true;
    case Kind::kUid: return caller.local && caller.local->uid == pattern.id;
    case Kind::kGid:
      return caller.local && (caller.local->gid == pattern.id ||
                              std::find(caller.local->groups.begin(), caller.local->groups.end(),
                                        pattern.id) != caller.local->groups.end());
    case Kind::kCommonName:
      return caller.transport == Transport::kTls && Glob(pattern.glob, caller.common_name);
    case Kind::kSubject:
      return caller.transport == Transport::kTls && Glob(pattern.glob, caller.subject);
    case Kind::kPlaintextAddress:
      return caller.transport == Transport::kPlaintextTcp && Glob(pattern.glob, caller.address);
  }
  return false;
}

const CallerPattern* FirstMatch(const std::vector<CallerPattern>& patterns, const Caller& caller) {
  for (const auto& p : patterns) {
    if (Matches(p, caller)) return &p;
  }
  return nullptr;
}

}  // namespace chaosnet::core
