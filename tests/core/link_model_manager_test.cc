// The link models through the fault manager: a profile becomes the fault's
// own impairments; a jam's plug is released before its class goes, on revoke
// and on expiry; a kernel without plug or a netem attribute is refused by
// name, leaving nothing behind.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "daemon/core/fault_manager.h"
#include "tests/core/fake_clock.h"
#include "tests/core/fake_kernel.h"
#include "tests/core/test_callers.h"

namespace chaosnet::core {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::Root;

class LinkModelManagerTest : public ::testing::Test {
 protected:
  LinkModelManagerTest() {
    eth0 = kernel.AddInterface("eth0");
    caps.netem = caps.tbf = caps.htb = caps.u32 = caps.ifb = caps.mirred = true;
    caps.plug = caps.netem_loss_models = caps.netem_ecn = caps.netem_slot = caps.netem_rate = true;
  }
  FaultManager& Manager() {
    manager = std::make_unique<FaultManager>(kernels, clock, caps, config,
                                             [this] { return "f" + std::to_string(++ids); });
    return *manager;
  }
  CreateRequest Request(model::FaultSpec spec) {
    spec.interface = "eth0";
    CreateRequest r;
    r.spec = std::move(spec);
    r.ttl = 30s;
    r.caller = Root();
    return r;
  }
  static model::FaultSpec Jam() {
    model::FaultSpec s;
    s.jam = model::JamFault{};
    return s;
  }

  testing::FakeKernel kernel;
  SingleKernelProvider kernels{kernel};
  testing::FakeClock clock;
  kernel::Capabilities caps;
  ManagerConfig config;
  int ids = 0;
  int eth0 = 0;
  std::unique_ptr<FaultManager> manager;
};

TEST_F(LinkModelManagerTest, AProfileBecomesTheFaultsOwnImpairments) {
  model::FaultSpec s;
  s.profile = "3g";
  s.loss = model::ProbabilityFault{2, 0};
  auto created = Manager().Create(Request(s));
  ASSERT_TRUE(created.ok()) << created.status().message();
  const model::FaultSpec& applied = created->fault.spec;
  EXPECT_EQ(applied.profile, "3g");
  EXPECT_EQ(applied.loss->percent, 2);  // the request's own
  ASSERT_TRUE(applied.delay && applied.link_rate);
  EXPECT_EQ(applied.delay->latency, 250ms);  // the profile's
  EXPECT_EQ(applied.link_rate->bits_per_second, 1'200'000u);
}

TEST_F(LinkModelManagerTest, UnknownProfileIsInvalidAndTouchesNothing) {
  model::FaultSpec s;
  s.profile = "carrier-pigeon";
  auto created = Manager().Create(Request(s));
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(created.status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(kernel.HasOwnedQdisc(eth0));
}

TEST_F(LinkModelManagerTest, AJamIsReleasedBeforeItIsRemoved) {
  auto created = Manager().Create(Request(Jam()));
  ASSERT_TRUE(created.ok()) << created.status().message();
  EXPECT_TRUE(kernel.releases.empty());
  ASSERT_TRUE(manager->Revoke(created->fault.id, Root()).ok());
  ASSERT_EQ(kernel.releases.size(), 1u);
  EXPECT_EQ(kernel.releases[0].first, eth0);
  EXPECT_FALSE(kernel.HasOwnedQdisc(eth0));
}

TEST_F(LinkModelManagerTest, AnExpiringJamIsReleasedToo) {
  ASSERT_TRUE(Manager().Create(Request(Jam())).ok());
  clock.Advance(30s);
  EXPECT_EQ(manager->ExpireDue().size(), 1u);
  EXPECT_EQ(kernel.releases.size(), 1u);
  EXPECT_FALSE(kernel.HasOwnedQdisc(eth0));
}

TEST_F(LinkModelManagerTest, WhatTheKernelLacksIsRefusedByName) {
  caps.plug = false;
  auto jam = Manager().Create(Request(Jam()));
  ASSERT_FALSE(jam.ok());
  EXPECT_EQ(jam.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(jam.status().message(), HasSubstr("plug"));
  caps.netem_loss_models = false;
  model::FaultSpec ge;
  ge.loss_model = model::GilbertElliottLoss{1, 10, 100, 0};
  auto loss = Manager().Create(Request(ge));
  ASSERT_FALSE(loss.ok());
  EXPECT_THAT(loss.status().message(), HasSubstr("loss models"));
  EXPECT_FALSE(kernel.HasOwnedQdisc(eth0));
}

}  // namespace
}  // namespace chaosnet::core
