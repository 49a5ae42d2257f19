// The operator's limits, as pure decisions: every rule refuses with the code
// and a message that names the flag, and lets through what it should.
#include "daemon/core/access_policy.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/core/test_callers.h"

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

// --- Faults of others -----------------------------------------------------------

using testing::CertificateUser;
using testing::LocalUser;
using testing::Root;

FaultRecord OwnedBy(const Caller& owner) {
  FaultRecord f;
  f.id = "3f9c1a2b7d40";
  f.owner = owner.principal;
  f.owner_identity = owner.identity;
  return f;
}

TEST(FaultOwnership, TheOwnerIsTheIdentityNotItsName) {
  EXPECT_TRUE(IsOwner(LocalUser(1000).identity, LocalUser(1000, "alice").identity));
  EXPECT_FALSE(IsOwner(LocalUser(1001, "alice").identity, LocalUser(1000, "alice").identity));
  EXPECT_TRUE(IsOwner(CertificateUser("runner-1", "10.0.0.5").identity,
                      CertificateUser("runner-1", "10.0.0.9").identity))
      << "a certificate is the same caller from any address";
  EXPECT_FALSE(IsOwner(CertificateUser("runner-2").identity, CertificateUser("runner-1").identity));
  EXPECT_FALSE(IsOwner(PlaintextCaller("10.0.0.5").identity, PlaintextCaller("10.0.0.6").identity));
  EXPECT_TRUE(IsOwner(PlaintextCaller("10.0.0.5").identity, PlaintextCaller("10.0.0.5").identity));
  // Nobody owns a fault without a known owner, not even a caller without an identity.
  EXPECT_FALSE(IsOwner(UnknownCaller("x").identity, model::Identity{}));
}

TEST(FaultOwnership, RootIsAlwaysAnAdminAndOthersByPattern) {
  AccessPolicy p;
  EXPECT_TRUE(IsAdmin(p, Root()));
  EXPECT_FALSE(IsAdmin(p, LocalUser(1000, "alice", {27})));
  EXPECT_FALSE(IsAdmin(p, CertificateUser("ops-1")));
  p.admins = {*ParseCallerPattern("gid:27", nullptr, nullptr),
              *ParseCallerPattern("cn:ops-*", nullptr, nullptr)};
  EXPECT_TRUE(IsAdmin(p, LocalUser(1000, "alice", {27})));
  EXPECT_TRUE(IsAdmin(p, CertificateUser("ops-1")));
  EXPECT_FALSE(IsAdmin(p, CertificateUser("runner-1")));
  EXPECT_FALSE(IsAdmin(p, UnknownCaller("x")));
}

// The README's table: operation x (owner, admin, other writer); read-only
// callers are refused earlier, by CheckMayChange.
TEST(FaultOwnership, WhoMayChangeAFaultTheyDoNotOwn) {
  const Caller owner = LocalUser(1000, "alice");
  const Caller admin = CertificateUser("ops-1");
  const Caller other = LocalUser(1001, "mallory");
  const FaultRecord fault = OwnedBy(owner);
  struct Row {
    FaultChange change;
    RevokeOthers revoke_others;
    bool owner, admin, other;
  } rows[] = {
      {FaultChange::kExtend, RevokeOthers::kAny, true, true, false},
      {FaultChange::kBindKeepAlive, RevokeOthers::kAny, true, true, false},
      {FaultChange::kRevoke, RevokeOthers::kAny, true, true, true},
      {FaultChange::kExtend, RevokeOthers::kOwner, true, true, false},
      {FaultChange::kBindKeepAlive, RevokeOthers::kOwner, true, true, false},
      {FaultChange::kRevoke, RevokeOthers::kOwner, true, true, false},
  };
  for (const Row& row : rows) {
    AccessPolicy p;
    p.admins = {*ParseCallerPattern("cn:ops-*", nullptr, nullptr)};
    p.revoke_others = row.revoke_others;
    const auto what = ::testing::Message()
                      << "change " << static_cast<int>(row.change) << ", revoke-others "
                      << static_cast<int>(row.revoke_others);
    EXPECT_EQ(CheckMayChangeFault(p, owner, row.change, fault).ok(), row.owner) << what;
    EXPECT_EQ(CheckMayChangeFault(p, admin, row.change, fault).ok(), row.admin) << what;
    EXPECT_EQ(CheckMayChangeFault(p, Root(), row.change, fault).ok(), true) << what;
    Status s = CheckMayChangeFault(p, other, row.change, fault);
    EXPECT_EQ(s.ok(), row.other) << what;
    if (!s.ok()) EXPECT_EQ(s.code(), StatusCode::kPermissionDenied) << what;
  }
}

TEST(FaultOwnership, ARefusalNamesTheOwnerAndTheFlagThatWouldAllowIt) {
  AccessPolicy p;
  const FaultRecord fault = OwnedBy(Root());
  const Caller mallory = LocalUser(1001, "mallory");
  EXPECT_EQ(CheckMayChangeFault(p, mallory, FaultChange::kExtend, fault).message(),
            "uid:1001(mallory) may not extend fault 3f9c1a2b7d40: it belongs to uid:0(root), and "
            "only its owner or an admin may (--admin PATTERN would allow it)");
  EXPECT_EQ(CheckMayChangeFault(p, mallory, FaultChange::kBindKeepAlive, fault).message(),
            "uid:1001(mallory) may not bind fault 3f9c1a2b7d40 to a keep-alive stream: it belongs "
            "to uid:0(root), and only its owner or an admin may (--admin PATTERN would allow it)");
  p.revoke_others = RevokeOthers::kOwner;
  EXPECT_EQ(CheckMayChangeFault(p, mallory, FaultChange::kRevoke, fault).message(),
            "uid:1001(mallory) may not revoke fault 3f9c1a2b7d40: it belongs to uid:0(root), and "
            "only its owner or an admin may (--revoke-others owner is set; --admin PATTERN or "
            "--revoke-others any would allow it)");
}

}  // namespace
}  // namespace chaosnet::core
