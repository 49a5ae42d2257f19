// The link models in the plan: what netem gets, a jam's plug leaf, the queue
// limit with slots, and the dry run's words (tc-netem(8)'s syntax).
#include <gtest/gtest.h>

#include <chrono>
#include <variant>

#include "daemon/plan/compiler.h"
#include "daemon/plan/describe.h"
#include "daemon/plan/interface_tree.h"
#include "daemon/plan/link_model_compiler.h"

namespace chaosnet::plan {
namespace {

using namespace std::chrono_literals;
using model::FaultSpec;

FaultSpec Base() {
  FaultSpec s;
  s.interface = "veth-t";
  return s;
}

TEST(LinkModelPlanTest, NetemCarriesTheLinkModels) {
  FaultSpec s = Base();
  s.loss_model = model::GilbertElliottLoss{1, 10, 70, 0.1};
  s.ecn = true;
  model::SlotFault slot;
  slot.min_delay = 800us;
  slot.max_delay = 10ms;
  slot.max_packets = 8;
  s.slot = slot;
  s.link_rate = model::LinkRateFault{10'000'000, 24, 0, 0};
  const NetemQdisc n = NetemForFault(s);
  EXPECT_EQ(n.loss_model, s.loss_model);
  EXPECT_TRUE(n.ecn);
  EXPECT_EQ(n.slot, s.slot);
  EXPECT_EQ(n.rate, (NetemRate{1'250'000, 24, 0, 0}));
  EXPECT_EQ(DescribeNetem(n),
            "limit " + std::to_string(n.limit) +
                " loss gemodel 1% 10% 70% 0.1% ecn rate 10mbit 24 slot 800us 10ms packets 8");
}

TEST(LinkModelPlanTest, InOrderIsNetemsRateModeFarAboveTheLink) {
  FaultSpec s = Base();
  s.delay = model::DelayFault{50ms, 20ms, 0, model::DelayDistribution::kUniform};
  s.in_order = true;
  EXPECT_EQ(NetemForFault(s).rate.bytes_per_second, kInOrderRateBytesPerSecond);
  // An explicit link rate is the rate; it keeps order by itself.
  s.link_rate = model::LinkRateFault{1'000'000, 0, 0, 0};
  EXPECT_EQ(NetemForFault(s).rate.bytes_per_second, 125'000u);
}

TEST(LinkModelPlanTest, ACellRateIsWrittenByPosition) {
  NetemQdisc n;
  n.rate = {625, 0, 48, 5};
  EXPECT_EQ(DescribeNetemLinkModels(n), " rate 5kbit 0 48 5");
  model::SlotFault slot;
  slot.distribution = model::DelayDistribution::kPareto;
  slot.dist_delay = 10ms;
  slot.dist_jitter = 5ms;
  slot.max_bytes = 64000;
  n = {};
  n.slot = slot;
  n.loss_model = model::FourStateLoss{1, 30, 5, 40, 0.5};
  EXPECT_EQ(DescribeNetemLinkModels(n),
            " loss state 1% 30% 5% 40% 0.5% slot distribution pareto 10ms 5ms bytes 64000");
}

TEST(LinkModelPlanTest, SlotWaitsCountInTheQueueLimit) {
  FaultSpec s = Base();
  s.link_rate = model::LinkRateFault{1'000'000'000, 0, 0, 0};
  const uint32_t without = NetemQueueLimit(s);
  model::SlotFault slot;
  slot.min_delay = 100ms;
  slot.max_delay = 200ms;
  s.slot = slot;
  EXPECT_GT(NetemQueueLimit(s), without);
}

TEST(LinkModelPlanTest, AJamIsAPlugLeafOfItsDefaultSize) {
  InterfaceTree tree(DefaultProtectedRules(), "veth-t");
  FaultSpec s = Base();
  s.jam = model::JamFault{};
  auto objects = tree.PlanFault("f1", s);
  ASSERT_TRUE(objects.ok()) << objects.status().message();
  ASSERT_TRUE(objects->leaf.has_value());
  const auto* plug = std::get_if<PlugQdisc>(&objects->leaf->params);
  ASSERT_NE(plug, nullptr);
  EXPECT_EQ(plug->limit_bytes, kJamDefaultLimitBytes);
  EXPECT_EQ(objects->leaf->parent, objects->cls.classid);
  s.jam->limit_bytes = 1 << 20;
  EXPECT_EQ(std::get<PlugQdisc>(tree.PlanFault("f2", s)->leaf->params).limit_bytes, 1u << 20);
  EXPECT_EQ(DescribePlug(PlugQdisc{4096}), "limit 4096");
}

}  // namespace
}  // namespace chaosnet::plan
