// Caller patterns (--read-only) and the read-only decision, table-driven over
// every kind of caller the transports produce.
#include "daemon/core/caller_pattern.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "daemon/core/access_policy.h"

namespace chaosnet::core {
namespace {

using ::testing::HasSubstr;

std::optional<uint32_t> Users(const std::string& name) {
  if (name == "alice") return 1000;
  return std::nullopt;
}
std::optional<uint32_t> Groups(const std::string& name) {
  if (name == "chaos-observers") return 4242;
  return std::nullopt;
}

CallerPattern Parse(const std::string& text) {
  auto p = ParseCallerPattern(text, Users, Groups);
  EXPECT_TRUE(p.ok()) << text << ": " << p.status().message();
  return p.ok() ? *p : CallerPattern{};
}

Caller Local(uint32_t uid, uint32_t gid, std::vector<uint32_t> groups = {}) {
  return LocalCaller({uid, gid, 77, std::move(groups), uid == 0 ? "root" : ""});
}

TEST(CallerIdentity, PrincipalsNameTheProvenIdentity) {
  EXPECT_EQ(Local(0, 0).principal, "uid:0(root)");
  EXPECT_EQ(Local(1000, 1000).principal, "uid:1000");
  EXPECT_EQ(Local(0, 0).Describe(), "uid:0(root) pid 77");
  EXPECT_EQ(CertificateCaller("CN=runner-1,O=chaos", "runner-1", "10.0.0.5").principal,
            "x509:CN=runner-1,O=chaos");
  EXPECT_EQ(PlaintextCaller("127.0.0.1").principal, "tcp:127.0.0.1");
  EXPECT_EQ(UnknownCaller("fd:9").transport, Caller::Transport::kUnknown);
}

TEST(CallerPattern, EachKindMatchesItsCallersOnly) {
  const Caller root = Local(0, 0);
  const Caller alice = Local(1000, 1000, {27, 4242});
  const Caller runner =
      CertificateCaller("CN=runner-1,OU=observers,O=chaos", "runner-1", "10.0.0.5");
  const Caller plain = PlaintextCaller("10.1.2.3");
  struct Case {
    const char* pattern;
    bool root, alice, runner, plain;
  } cases[] = {
      {"*", true, true, true, true},
      {"uid:0", true, false, false, false},
      {"user:alice", false, true, false, false},
      {"uid:1000", false, true, false, false},
      {"gid:1000", false, true, false, false},
      {"gid:4242", false, true, false, false},  // supplementary group
      {"group:chaos-observers", false, true, false, false},
      {"cn:runner-*", false, false, true, false},
      {"cn:runner-2", false, false, false, false},
      {"subject:*OU=observers*", false, false, true, false},
      {"tcp:10.1.*", false, false, false, true},
      {"tcp:10.0.0.5", false, false, false, false},  // a TLS caller is not a plaintext one
  };
  for (const Case& c : cases) {
    const CallerPattern p = Parse(c.pattern);
    EXPECT_EQ(Matches(p, root), c.root) << c.pattern << " vs root";
    EXPECT_EQ(Matches(p, alice), c.alice) << c.pattern << " vs alice";
    EXPECT_EQ(Matches(p, runner), c.runner) << c.pattern << " vs runner";
    EXPECT_EQ(Matches(p, plain), c.plain) << c.pattern << " vs plaintext";
  }
}

TEST(CallerPattern, BadPatternsSayWhatIsWrong) {
  struct Case {
    const char* text;
    const char* message;
  } cases[] = {
      {"alice", "has no kind"},
      {"uid:", "is empty after uid:"},
      {"uid:abc", "uid takes a number"},
      {"uid:-1", "uid takes a number"},
      {"uid:99999999999", "uid takes a number"},
      {"user:mallory", "no such user"},
      {"group:nope", "no such group"},
      {"role:admin", "unknown kind \"role\""},
  };
  for (const Case& c : cases) {
    auto p = ParseCallerPattern(c.text, Users, Groups);
    ASSERT_FALSE(p.ok()) << c.text;
    EXPECT_EQ(p.status().code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(p.status().message(), HasSubstr(c.message)) << c.text;
  }
}

TEST(CheckMayChange, ReadOnlyCallersAreRefusedNamingTheRule) {
  AccessPolicy policy;
  policy.read_only = {Parse("uid:1000"), Parse("cn:observer-*")};
  EXPECT_TRUE(CheckMayChange(policy, Local(0, 0), "create faults").ok());
  EXPECT_TRUE(CheckMayChange(policy, CertificateCaller("CN=runner", "runner", "a"), "x").ok());

  Status s = CheckMayChange(policy, Local(1000, 1000), "create faults");
  EXPECT_EQ(s.code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(s.message(),
            "uid:1000 is read-only (--read-only uid:1000): it may get, list, watch and read "
            "info, not create faults");
  s = CheckMayChange(policy, CertificateCaller("CN=observer-7", "observer-7", "a"),
                     "revoke faults");
  EXPECT_THAT(s.message(), HasSubstr("(--read-only cn:observer-*)"));
}

TEST(CheckMayChange, AnUnknownCallerChangesNothing) {
  Status s = CheckMayChange({}, UnknownCaller("fd:9"), "create faults");
  EXPECT_EQ(s.code(), StatusCode::kPermissionDenied);
  EXPECT_THAT(s.message(), HasSubstr("cannot tell who is calling"));
}

}  // namespace
}  // namespace chaosnet::core
