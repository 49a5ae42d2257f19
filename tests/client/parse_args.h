// Parsing a command line the way chaosnetctl's main does, for the CLI tests.
#pragma once

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <variant>
#include <vector>

#include "client/cli.h"

namespace chaosnet::client {

// `args` with the program name in front.
inline std::vector<std::string> Argv(std::vector<std::string> args) {
  args.insert(args.begin(), "chaosnetctl");
  return args;
}

// The invocation `args` parse to; a parse error fails the test.
inline Invocation Parse(const std::vector<std::string>& args) {
  std::ostringstream out;
  auto parsed = ParseCommandLine(Argv(args), out);
  if (auto* outcome = std::get_if<Outcome>(&parsed)) {
    ADD_FAILURE() << "parse failed: " << outcome->message;
    return {};
  }
  return std::get<Invocation>(parsed);
}

}  // namespace chaosnet::client
