// What a command ends with: an exit code and, when it failed, the one line the
// user sees on stderr (without the "chaosnetctl: " prefix).
#pragma once

#include <string>
#include <utility>

#include "client/options.h"

namespace chaosnet::client {

struct Outcome {
  int exit_code = kExitOk;
  std::string message;

  bool ok() const { return exit_code == kExitOk; }
  static Outcome Ok() { return {}; }
};

inline Outcome UsageError(std::string message) { return {kExitUsage, std::move(message)}; }

}  // namespace chaosnet::client
