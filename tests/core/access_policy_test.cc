// The operator's limits, as pure decisions: every rule refuses with the code
// and a message that names the flag, and lets through what it should.
#include "daemon/core/access_policy.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace chaosnet::core {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

model::FaultSpec On(const std::string& iface, const std::string& netns = "") {
  model::FaultSpec spec;
  spec.interface = iface;
  spec.netns = netns;
  spec.rate = model::RateFault{1'000'000};
  return spec;
}

TEST(AccessPolicy, AnEmptyPolicyAllowsEverything) {
  model::FaultSpec spec = On("eth0", "pid:42");
  spec.partition = true;
  spec.delay = model::DelayFault{1h};
  EXPECT_TRUE(CheckSpecAllowed({}, spec).ok());
  EXPECT_TRUE(CheckCapacity({}, 100000, 100000, "uid:0").ok());
}

TEST(AccessPolicy, DenyWinsOverAllowAndNamesThePattern) {
  AccessPolicy p;
  p.allow_interfaces = {"eth*", "veth*"};
  p.deny_interfaces = {"eth0"};
  EXPECT_TRUE(CheckSpecAllowed(p, On("eth1")).ok());
  EXPECT_TRUE(CheckSpecAllowed(p, On("veth9")).ok());
  Status denied = CheckSpecAllowed(p, On("eth0"));
  EXPECT_EQ(denied.code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(denied.message(), "interface eth0 may not be faulted (--deny-interface eth0)");
  Status unlisted = CheckSpecAllowed(p, On("lo"));
  EXPECT_EQ(unlisted.code(), StatusCode::kPermissionDenied);
  EXPECT_THAT(unlisted.message(), HasSubstr("matches no --allow-interface pattern"));
}

TEST(AccessPolicy, NamespaceRulesApplyToOtherNamespacesOnly) {
  AccessPolicy p;
  p.allow_netns = {"test-*"};
  p.deny_netns = {"test-prod*"};
  EXPECT_TRUE(CheckSpecAllowed(p, On("eth0")).ok()) << "the daemon's own namespace";
  EXPECT_TRUE(CheckSpecAllowed(p, On("eth0", "test-a")).ok());
  EXPECT_THAT(
      CheckSpecAllowed(p, On("eth0", "test-prod1")).message(),
      HasSubstr("network namespace test-prod1 may not be faulted (--deny-netns test-prod*)"));
  EXPECT_EQ(CheckSpecAllowed(p, On("eth0", "pid:1")).code(), StatusCode::kPermissionDenied);
}

TEST(AccessPolicy, DelayCountsLatencyPlusJitter) {
  AccessPolicy p;
  p.max_delay = 2s;
  model::FaultSpec spec = On("eth0");
  spec.delay = model::DelayFault{1500ms, 500ms};
  EXPECT_TRUE(CheckSpecAllowed(p, spec).ok()) << "exactly at the limit";
  spec.delay->jitter = 501ms;
  Status s = CheckSpecAllowed(p, spec);
  EXPECT_EQ(s.code(), StatusCode::kPermissionDenied);
  EXPECT_THAT(s.message(), HasSubstr("(--max-delay)"));
}

TEST(AccessPolicy, LossAndPartitionAgainstMaxLoss) {
  AccessPolicy p;
  p.max_loss_percent = 50;
  model::FaultSpec spec = On("eth0");
  spec.loss = model::ProbabilityFault{50};
  EXPECT_TRUE(CheckSpecAllowed(p, spec).ok());
  spec.loss->percent = 50.1;
  EXPECT_THAT(CheckSpecAllowed(p, spec).message(), HasSubstr("(--max-loss)"));
  model::FaultSpec partition = On("eth0");
  partition.partition = true;
  Status s = CheckSpecAllowed(p, partition);
  EXPECT_EQ(s.code(), StatusCode::kPermissionDenied);
  EXPECT_THAT(s.message(), HasSubstr("a partition (100% loss) is above the limit"));
}

TEST(AccessPolicy, CountLimitsAreResourceExhaustedAndNameTheFlag) {
  AccessPolicy p;
  p.max_faults = 3;
  p.max_faults_per_caller = 2;
  EXPECT_TRUE(CheckCapacity(p, 2, 1, "uid:1000").ok());
  Status all = CheckCapacity(p, 3, 0, "uid:1000");
  EXPECT_EQ(all.code(), StatusCode::kResourceExhausted);
  EXPECT_THAT(all.message(), HasSubstr("--max-faults 3"));
  Status mine = CheckCapacity(p, 2, 2, "uid:1000");
  EXPECT_EQ(mine.code(), StatusCode::kResourceExhausted);
  EXPECT_THAT(mine.message(), HasSubstr("uid:1000 has 2 live faults"));
  EXPECT_THAT(mine.message(), HasSubstr("--max-faults-per-caller 2"));
}

}  // namespace
}  // namespace chaosnet::core
