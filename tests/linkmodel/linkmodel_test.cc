// The link-model policy pieces: the profile table and how a profile meets
// the request's own flags, what a spec counts against --max-loss and
// --max-delay, and which kernel features a spec needs.
#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <string>

#include "daemon/linkmodel/kernel_support.h"
#include "daemon/linkmodel/limits.h"
#include "daemon/linkmodel/profiles.h"
#include "daemon/model/loss_rate.h"
#include "daemon/model/validate.h"

namespace chaosnet::linkmodel {
namespace {

using namespace std::chrono_literals;
using model::FaultSpec;

FaultSpec On(const std::string& profile) {
  FaultSpec s;
  s.interface = "eth0";
  s.profile = profile;
  return s;
}

TEST(ProfilesTest, EveryProfileIsAValidFaultWithItsSources) {
  std::set<std::string> names;
  ASSERT_GE(Profiles().size(), 8u);
  for (const LinkProfile& p : Profiles()) {
    EXPECT_TRUE(names.insert(p.name).second) << "duplicate " << p.name;
    EXPECT_FALSE(p.description.empty()) << p.name;
    // Every number has a citable origin: a document and where in it.
    EXPECT_TRUE(p.source.find("http") != std::string::npos ||
                p.source.find("RFC") != std::string::npos ||
                p.source.find("commit") != std::string::npos)
        << p.name << ": " << p.source;
    auto applied = ApplyProfile(On(p.name));
    ASSERT_TRUE(applied.ok()) << p.name << ": " << applied.status().message();
    const Status valid = model::ValidateFaultSpec(*applied);
    EXPECT_TRUE(valid.ok()) << p.name << ": " << valid.message();
    EXPECT_EQ(applied->profile, p.name);
  }
}

TEST(ProfilesTest, TheTableHoldsTheSourcesNumbers) {
  // Loadero's 3G row: 1200 kbps, 0.5% loss, 250 ms, 50 ms jitter.
  auto g3 = ApplyProfile(On("3g"));
  ASSERT_TRUE(g3.ok());
  ASSERT_TRUE(g3->link_rate && g3->delay && g3->loss);
  EXPECT_EQ(g3->link_rate->bits_per_second, 1'200'000u);
  EXPECT_EQ(g3->delay->latency, 250ms);
  EXPECT_EQ(g3->delay->jitter, 50ms);
  EXPECT_DOUBLE_EQ(g3->loss->percent, 0.5);
  // RFC 2488: 279 ms for one geostationary hop, and nothing else.
  auto geo = ApplyProfile(On("satellite-geo"));
  ASSERT_TRUE(geo.ok());
  EXPECT_EQ(geo->delay->latency, 279ms);
  EXPECT_FALSE(geo->link_rate || geo->loss);
  // The netem commit's Wi-Fi example: slots of 800us..10ms, 64k and 42 packets.
  auto wifi = ApplyProfile(On("wifi-busy"));
  ASSERT_TRUE(wifi.ok() && wifi->slot);
  EXPECT_EQ(wifi->slot->min_delay, 800us);
  EXPECT_EQ(wifi->slot->max_delay, 10ms);
  EXPECT_EQ(wifi->slot->max_packets, 42u);
  EXPECT_EQ(wifi->slot->max_bytes, 65536u);
}

TEST(ProfilesTest, ExplicitFlagsWinImpairmentByImpairment) {
  FaultSpec s = On("3g");
  s.delay = model::DelayFault{10ms, 0ns, 0, model::DelayDistribution::kUniform};
  s.loss_model = model::GilbertElliottLoss{1, 10, 70, 0.1};
  s.ecn = true;
  auto applied = ApplyProfile(s);
  ASSERT_TRUE(applied.ok());
  EXPECT_EQ(applied->delay->latency, 10ms);  // the request's delay, jitter and all
  EXPECT_EQ(applied->delay->jitter, 0ns);
  EXPECT_FALSE(applied->loss);  // the model replaces the profile's loss
  EXPECT_TRUE(applied->loss_model);
  EXPECT_TRUE(applied->ecn);                                   // added to the result
  EXPECT_EQ(applied->link_rate->bits_per_second, 1'200'000u);  // the profile's own
  EXPECT_TRUE(model::ValidateFaultSpec(*applied).ok());
}

TEST(ProfilesTest, RefusesUnknownNamesAndWhatReplacesEverything) {
  auto unknown = ApplyProfile(On("5g-mmwave"));
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(unknown.status().message().find("known: 3g,"), std::string::npos)
      << unknown.status().message();
  FaultSpec jam = On("lte");
  jam.jam = model::JamFault{};
  EXPECT_EQ(ApplyProfile(jam).status().code(), StatusCode::kInvalidArgument);
  FaultSpec partition = On("lte");
  partition.partition = true;
  EXPECT_EQ(ApplyProfile(partition).status().code(), StatusCode::kInvalidArgument);
}

TEST(ProfilesTest, NoProfileLeavesTheSpecAlone) {
  FaultSpec s = On("");
  s.loss = model::ProbabilityFault{5, 0};
  auto applied = ApplyProfile(s);
  ASSERT_TRUE(applied.ok());
  EXPECT_EQ(*applied, s);
}

TEST(LimitsTest, LossCountsTheModelsLongRunRateAndAJamAsEverything) {
  FaultSpec s;
  EXPECT_EQ(LongRunLoss(s).percent, 0);
  s.loss = model::ProbabilityFault{5, 0};
  EXPECT_EQ(LongRunLoss(s).percent, 5);
  s.loss.reset();
  s.loss_model = model::GilbertElliottLoss{1, 10, 70, 0.1};
  EXPECT_NEAR(LongRunLoss(s).percent, 6.4545, 1e-3);
  EXPECT_NE(LongRunLoss(s).what.find("in the long run"), std::string::npos);
  FaultSpec jam;
  jam.jam = model::JamFault{};
  EXPECT_EQ(LongRunLoss(jam).percent, 100);
  FaultSpec partition;
  partition.partition = true;
  EXPECT_EQ(LongRunLoss(partition).percent, 100);
}

TEST(LimitsTest, DelayCountsTheLongestSlotWait) {
  FaultSpec s;
  s.delay = model::DelayFault{50ms, 10ms, 0, model::DelayDistribution::kUniform};
  EXPECT_EQ(WorstCaseDelay(s).worst, 60ms);
  model::SlotFault slot;
  slot.min_delay = 1ms;
  slot.max_delay = 20ms;
  s.slot = slot;
  EXPECT_EQ(WorstCaseDelay(s).worst, 80ms);
  EXPECT_EQ(WorstCaseDelay(s).parts, "latency + jitter + slot wait");
  model::SlotFault dist;
  dist.distribution = model::DelayDistribution::kNormal;
  dist.dist_delay = 10ms;
  dist.dist_jitter = 2ms;
  s.slot = dist;
  EXPECT_EQ(WorstCaseDelay(s).worst, 60ms + 18ms);  // delay + 4 jitters
}

TEST(KernelSupportTest, RefusesByNameWhatTheProbeDidNotFind) {
  kernel::Capabilities caps;
  caps.netem = caps.netem_loss_models = caps.netem_ecn = caps.netem_slot = caps.netem_rate = true;
  FaultSpec jam;
  jam.jam = model::JamFault{};
  const Status no_plug = CheckKernelSupportsLinkModels(caps, jam);
  EXPECT_EQ(no_plug.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(no_plug.message().find("plug"), std::string::npos) << no_plug.message();
  EXPECT_NE(no_plug.message().find("sch_plug"), std::string::npos) << no_plug.message();
  caps.plug = true;
  EXPECT_TRUE(CheckKernelSupportsLinkModels(caps, jam).ok());

  FaultSpec slot;
  slot.slot = model::SlotFault{};
  caps.netem_slot = false;
  const Status no_slot = CheckKernelSupportsLinkModels(caps, slot);
  EXPECT_EQ(no_slot.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(no_slot.message().find("slot"), std::string::npos) << no_slot.message();

  FaultSpec in_order;
  in_order.in_order = true;
  caps.netem_rate = false;
  EXPECT_EQ(CheckKernelSupportsLinkModels(caps, in_order).code(), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(CheckKernelSupportsLinkModels(caps, FaultSpec{}).ok());

  // netem's option parser ignores an attribute it does not know, so a kernel
  // without the seed would apply an unseeded fault: refused by name instead.
  FaultSpec seeded;
  seeded.loss = model::ProbabilityFault{1, 0};
  seeded.netem_seed = 7;
  const Status no_seed = CheckKernelSupportsLinkModels(caps, seeded);
  EXPECT_EQ(no_seed.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(no_seed.message().find("seed attribute in its netem (TCA_NETEM_PRNG_SEED)"),
            std::string::npos)
      << no_seed.message();
  EXPECT_NE(no_seed.message().find("Linux 6.6"), std::string::npos) << no_seed.message();
  caps.netem_seed = true;
  EXPECT_TRUE(CheckKernelSupportsLinkModels(caps, seeded).ok());
}

}  // namespace
}  // namespace chaosnet::linkmodel
