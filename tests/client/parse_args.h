// Parsing a command line the way chaosnetctl's main does, for the CLI tests.
#pragma once

#include <gmock/gmock.h>
#include <google/protobuf/text_format.h>
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <variant>
#include <vector>

#include "client/cli.h"
#include "client/commands.h"
#include "client/request_builder.h"

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

// A create command line and the FaultSpec it must build (text format).
struct SpecCase {
  std::vector<std::string> args;
  std::string spec;
};

// `c.args` parse to a create whose request's spec is `c.spec`.
inline void ExpectSpec(const SpecCase& c) {
  Invocation inv = Parse(c.args);
  ASSERT_EQ(inv.command, Command::kCreate);
  auto request = BuildCreateRequest(inv.create);
  ASSERT_TRUE(request.ok()) << request.status().message();
  v1::FaultSpec expected;
  ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(c.spec, &expected));
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(request->spec(), expected))
      << "actual:\n"
      << request->spec().DebugString() << "expected:\n"
      << expected.DebugString();
}

// A command line chaosnetctl refuses before it connects, and part of its message.
struct UsageCase {
  std::vector<std::string> args;
  std::string message_part;
};

// chaosnetctl exits 2 with one "chaosnetctl: ..." line holding the part.
inline void ExpectUsageError(const UsageCase& c) {
  auto args = c.args;
  args.insert(args.begin(), {"--server", "unix:/nonexistent/chaosnetctl-test.sock"});
  std::ostringstream out, err;
  const int code = Main(Argv(args), out, err);
  EXPECT_EQ(code, kExitUsage) << err.str();
  EXPECT_THAT(err.str(), ::testing::StartsWith("chaosnetctl: "));
  EXPECT_THAT(err.str(), ::testing::HasSubstr(c.message_part));
  EXPECT_EQ(err.str().find('\n'), err.str().size() - 1) << "one line: " << err.str();
  EXPECT_EQ(out.str(), "");
}

}  // namespace chaosnet::client
