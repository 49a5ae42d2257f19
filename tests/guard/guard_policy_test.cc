#include "daemon/guard/guard_policy.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace chaosnet::guard {
namespace {

using ::testing::HasSubstr;

std::vector<GuardSpec> Specs(std::initializer_list<const char*> texts) {
  std::vector<GuardSpec> out;
  for (const char* t : texts) {
    auto spec = ParseGuardSpec(t);
    EXPECT_TRUE(spec.ok()) << spec.status().message();
    out.push_back(*spec);
  }
  return out;
}

GuardPolicy Allowing(std::initializer_list<const char*> targets) {
  GuardPolicy policy;
  for (const char* t : targets) {
    auto target = ParseAllowedTarget(t);
    EXPECT_TRUE(target.ok()) << target.status().message();
    policy.allowed_targets.push_back(*target);
  }
  return policy;
}

TEST(AllowedTargetTest, ParsesCidrsWithOptionalPorts) {
  for (const char* text : {"10.0.0.0/8", "10.0.0.5/32:8080", "10.0.0.0/24:8000-8100",
                           "2001:db8::/32", "[2001:db8::/32]:443", "[fd00::2/128]:80-90"}) {
    auto target = ParseAllowedTarget(text);
    ASSERT_TRUE(target.ok()) << text << ": " << target.status().message();
    EXPECT_EQ(FormatAllowedTarget(*target), text);
  }
  auto host = ParseAllowedTarget("10.0.0.5:80");
  ASSERT_TRUE(host.ok());
  EXPECT_EQ(FormatAllowedTarget(*host), "10.0.0.5/32:80");
  for (const char* bad : {"", "10.0.0.1/8", "10.0.0.0/8:", "10.0.0.0/8:0", "[2001:db8::/32",
                          "[2001:db8::/32]443", "example.com"}) {
    auto target = ParseAllowedTarget(bad);
    ASSERT_FALSE(target.ok()) << bad;
    EXPECT_THAT(target.status().message(), HasSubstr("--allow-guard-target"));
  }
}

TEST(GuardPolicyTest, NoNetworkGuardUntilTheOperatorAllowsTargets) {
  GuardPolicy none;
  Status s = CheckGuardsAllowed(none, Specs({"tcp:10.0.0.5:80"}), {});
  EXPECT_EQ(s.code(), StatusCode::kPermissionDenied);
  EXPECT_THAT(s.message(), HasSubstr("this daemon allows none"));
  EXPECT_THAT(s.message(), HasSubstr("--allow-guard-target"));
  // Counter guards connect nowhere.
  EXPECT_TRUE(
      CheckGuardsAllowed(none, Specs({"drops<5%", "backlog<10", "retransmits<5/s"}), {}).ok());
}

TEST(GuardPolicyTest, TargetsMustFallInAnAllowedPrefixAndPortRange) {
  GuardPolicy policy = Allowing({"10.0.0.0/24:8000-8100", "[fd00::/64]:443"});
  EXPECT_TRUE(CheckGuardsAllowed(policy, Specs({"http://10.0.0.5:8080/health"}), {}).ok());
  EXPECT_TRUE(CheckGuardsAllowed(policy, Specs({"tcp:[fd00::2]:443"}), {}).ok());
  Status port = CheckGuardsAllowed(policy, Specs({"http://10.0.0.5/health"}), {});
  EXPECT_EQ(port.code(), StatusCode::kPermissionDenied);
  EXPECT_THAT(port.message(), HasSubstr("10.0.0.5:80 matches no --allow-guard-target"));
  EXPECT_EQ(CheckGuardsAllowed(policy, Specs({"tcp:10.0.1.5:8000"}), {}).code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(CheckGuardsAllowed(policy, Specs({"tcp:[fd00:1::2]:443"}), {}).code(),
            StatusCode::kPermissionDenied);
  EXPECT_TRUE(CheckGuardsAllowed(Allowing({"0.0.0.0/0"}), Specs({"tcp:192.0.2.1:1"}), {}).ok());
}

TEST(GuardPolicyTest, AGuardAimedAtProtectedTrafficIsRefusedNamingTheRule) {
  GuardPolicy policy = Allowing({"10.0.0.0/8"});
  std::vector<plan::ProtectedRule> rules = plan::DefaultProtectedRules();  // tcp:22
  rules.push_back(*plan::ParseProtectedRule("10.9.0.0/16"));
  rules.push_back(*plan::ParseProtectedRule("udp:8080"));
  Status ssh = CheckGuardsAllowed(policy, Specs({"tcp:10.0.0.5:22"}), rules);
  EXPECT_EQ(ssh.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(ssh.message(), HasSubstr("--protect tcp:22"));
  EXPECT_EQ(CheckGuardsAllowed(policy, Specs({"http://10.9.1.1:8080/"}), rules).code(),
            StatusCode::kFailedPrecondition);
  // A UDP-only rule does not take a TCP guard's packets.
  EXPECT_TRUE(CheckGuardsAllowed(policy, Specs({"http://10.0.0.5:8080/"}), rules).ok());
}

TEST(GuardPolicyTest, CountsPerFaultAndInAll) {
  GuardPolicy policy;
  policy.max_per_fault = 2;
  policy.max_total = 5;
  Status many = CheckGuardsAllowed(policy, Specs({"drops<5%", "backlog<10", "drops<9%"}), {});
  EXPECT_EQ(many.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(many.message(), HasSubstr("--max-guards-per-fault"));
  EXPECT_TRUE(CheckGuardCapacity(policy, 3, 2).ok());
  Status full = CheckGuardCapacity(policy, 4, 2);
  EXPECT_EQ(full.code(), StatusCode::kResourceExhausted);
  EXPECT_THAT(full.message(), HasSubstr("--max-guards"));
  EXPECT_TRUE(CheckGuardCapacity(policy, 9, 0).ok()) << "an unguarded fault is not counted";
}

}  // namespace
}  // namespace chaosnet::guard
