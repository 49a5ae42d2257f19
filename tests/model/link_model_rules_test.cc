// Every rule of ValidateLinkModels (reached through ValidateFaultSpec, as the
// daemon reaches it), one case each: what is refused names the field and
// says why; what tc accepts and means something passes.
#include "daemon/model/link_model_rules.h"

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <string>

#include "daemon/model/validate.h"

namespace chaosnet::model {
namespace {

using namespace std::chrono_literals;

struct Case {
  const char* name;
  std::function<void(FaultSpec&)> edit;
  const char* error;  // nullptr: valid
};

SlotFault Slot(std::chrono::nanoseconds min, std::chrono::nanoseconds max) {
  SlotFault s;
  s.min_delay = min;
  s.max_delay = max;
  return s;
}

SlotFault SlotDistribution(std::chrono::nanoseconds delay, std::chrono::nanoseconds jitter) {
  SlotFault s;
  s.distribution = DelayDistribution::kPareto;
  s.dist_delay = delay;
  s.dist_jitter = jitter;
  return s;
}

const Case kCases[] = {
    // Loss models.
    {"gemodel",
     [](FaultSpec& s) {
       s.loss_model = GilbertElliottLoss{1, 10, 70, 0.1};
     },
     nullptr},
    {"state",
     [](FaultSpec& s) {
       s.loss_model = FourStateLoss{1, 30, 5, 40, 0.5};
     },
     nullptr},
    {"model and loss",
     [](FaultSpec& s) {
       s.loss_model = GilbertElliottLoss{1, 10, 100, 0};
       s.loss = ProbabilityFault{5, 0};
     },
     "--loss and --loss-model"},
    {"gemodel p above 100",
     [](FaultSpec& s) {
       s.loss_model = GilbertElliottLoss{101, 10, 100, 0};
     },
     "loss model p: 101% is above 100%"},
    {"gemodel 1-h negative",
     [](FaultSpec& s) {
       s.loss_model = GilbertElliottLoss{1, 10, -1, 0};
     },
     "loss model 1-h"},
    {"state p13 + p14 past 100",
     [](FaultSpec& s) {
       s.loss_model = FourStateLoss{60, 30, 0, 100, 50};
     },
     "p13 + p14"},
    {"state p31 + p32 past 100",
     [](FaultSpec& s) {
       s.loss_model = FourStateLoss{1, 70, 40, 100, 0};
     },
     "p31 + p32"},
    {"a model that never loses",
     [](FaultSpec& s) {
       s.loss_model = GilbertElliottLoss{0, 100, 100, 0};
     },
     "never loses a packet"},
    // ECN.
    {"ecn with loss",
     [](FaultSpec& s) {
       s.loss = ProbabilityFault{5, 0};
       s.ecn = true;
     },
     nullptr},
    {"ecn with a model",
     [](FaultSpec& s) {
       s.loss_model = GilbertElliottLoss{1, 10, 100, 0};
       s.ecn = true;
     },
     nullptr},
    {"ecn alone", [](FaultSpec& s) { s.ecn = true; }, "ecn: marks the packets a loss would drop"},
    {"ecn with delay only",
     [](FaultSpec& s) {
       s.delay = DelayFault{10ms, 0ns, 0, DelayDistribution::kUniform};
       s.ecn = true;
     },
     "needs --loss or --loss-model"},
    {"ecn with partition",
     [](FaultSpec& s) {
       s.partition = true;
       s.ecn = true;
     },
     "ecn: a partition must drop everything"},
    // Slots.
    {"slot min max", [](FaultSpec& s) { s.slot = Slot(800us, 10ms); }, nullptr},
    {"slot min only", [](FaultSpec& s) { s.slot = Slot(5ms, 5ms); }, nullptr},
    {"slot max below min", [](FaultSpec& s) { s.slot = Slot(10ms, 1ms); },
     "slot: the maximum 1ms is below the minimum 10ms"},
    {"slot of zero", [](FaultSpec& s) { s.slot = Slot(0ns, 0ns); }, "slots of 0 delay"},
    {"slot negative", [](FaultSpec& s) { s.slot = Slot(-1ms, 1ms); }, "must not be negative"},
    {"slot above max latency", [](FaultSpec& s) { s.slot = Slot(1ms, 3601s); },
     "above the maximum"},
    {"slot distribution", [](FaultSpec& s) { s.slot = SlotDistribution(10ms, 5ms); }, nullptr},
    {"slot distribution without jitter", [](FaultSpec& s) { s.slot = SlotDistribution(10ms, 0ns); },
     "needs a jitter above 0"},
    {"slot distribution jitter past 32 bits",
     [](FaultSpec& s) { s.slot = SlotDistribution(10ms, 3s); }, "slot jitter"},
    {"slot both forms",
     [](FaultSpec& s) {
       s.slot = SlotDistribution(10ms, 5ms);
       s.slot->max_delay = 1ms;
     },
     "either MIN[,MAX] or a distribution"},
    {"slot delay without distribution",
     [](FaultSpec& s) {
       s.slot = Slot(1ms, 2ms);
       s.slot->dist_jitter = 1ms;
     },
     "need --slot-distribution"},
    {"slot packets past int32",
     [](FaultSpec& s) {
       s.slot = Slot(1ms, 2ms);
       s.slot->max_packets = 0x80000000u;
     },
     "slot packets"},
    // Link rate.
    {"link rate",
     [](FaultSpec& s) {
       s.link_rate = LinkRateFault{10'000'000, 24, 0, 0};
     },
     nullptr},
    {"link rate atm cells",
     [](FaultSpec& s) {
       s.link_rate = LinkRateFault{5'000, 20, 48, 5};
     },
     nullptr},
    {"link rate below minimum",
     [](FaultSpec& s) {
       s.link_rate = LinkRateFault{4, 0, 0, 0};
     },
     "is below the minimum"},
    {"overhead below -14",
     [](FaultSpec& s) {
       s.link_rate = LinkRateFault{1'000'000, -15, 0, 0};
     },
     "overhead: -15 bytes is outside -14..65535"},
    {"cell overhead without cell size",
     [](FaultSpec& s) {
       s.link_rate = LinkRateFault{1'000'000, 0, 0, 5};
     },
     "needs --cell-size"},
    {"cell overhead eating the cell",
     [](FaultSpec& s) {
       s.link_rate = LinkRateFault{1'000'000, 0, 48, -48};
     },
     "a cell must stay at least one byte long"},
    {"cell size too big",
     [](FaultSpec& s) {
       s.link_rate = LinkRateFault{1'000'000, 0, 70000, 0};
     },
     "cell size"},
    // In order.
    {"in-order with jitter",
     [](FaultSpec& s) {
       s.delay = DelayFault{50ms, 20ms, 0, DelayDistribution::kUniform};
       s.in_order = true;
     },
     nullptr},
    {"in-order without jitter",
     [](FaultSpec& s) {
       s.delay = DelayFault{50ms, 0ns, 0, DelayDistribution::kUniform};
       s.in_order = true;
     },
     "in-order: keeps jittered packets in order"},
    {"in-order with reorder",
     [](FaultSpec& s) {
       s.delay = DelayFault{50ms, 20ms, 0, DelayDistribution::kUniform};
       s.reorder = ReorderFault{25, 0, 0};
       s.in_order = true;
     },
     "contradicts --reorder"},
    // netem's seed.
    {"seed with a loss",
     [](FaultSpec& s) {
       s.loss = ProbabilityFault{1, 0};
       s.netem_seed = 7;
     },
     nullptr},
    {"seed of a rate alone",
     [](FaultSpec& s) {
       s.rate = RateFault{1'000'000};
       s.netem_seed = 7;
     },
     "netem seed: seeds netem's random draws, and this fault has no netem impairment"},
    // Jam.
    {"jam", [](FaultSpec& s) { s.jam = JamFault{}; }, nullptr},
    {"jam with a queue", [](FaultSpec& s) { s.jam = JamFault{1u << 20}; }, nullptr},
    {"jam with delay",
     [](FaultSpec& s) {
       s.jam = JamFault{};
       s.delay = DelayFault{10ms, 0ns, 0, DelayDistribution::kUniform};
     },
     "jam: holds every matching packet until the lease ends, so it takes no other impairment "
     "(remove delay)"},
    {"jam with a slot",
     [](FaultSpec& s) {
       s.jam = JamFault{};
       s.slot = Slot(1ms, 2ms);
     },
     "(remove slot)"},
    {"jam queue too small", [](FaultSpec& s) { s.jam = JamFault{1000}; },
     "jam queue: 1000 bytes is outside"},
    // The link models count as impairments beside a partition.
    {"partition with slot",
     [](FaultSpec& s) {
       s.partition = true;
       s.slot = Slot(1ms, 2ms);
     },
     "partition"},
};

class LinkModelRulesTest : public ::testing::TestWithParam<Case> {};

TEST_P(LinkModelRulesTest, AcceptsOrNamesTheField) {
  FaultSpec spec;
  spec.interface = "eth0";
  GetParam().edit(spec);
  const Status s = ValidateFaultSpec(spec);
  if (GetParam().error == nullptr) {
    EXPECT_TRUE(s.ok()) << s.message();
    return;
  }
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find(GetParam().error), std::string::npos) << s.message();
}

INSTANTIATE_TEST_SUITE_P(Rules, LinkModelRulesTest, ::testing::ValuesIn(kCases),
                         [](const auto& info) {
                           std::string name = info.param.name;
                           for (char& c : name) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });

TEST(LinkModelNamesTest, ListsWhatTheSpecSets) {
  FaultSpec spec;
  EXPECT_TRUE(LinkModelNames(spec).empty());
  spec.loss_model = GilbertElliottLoss{};
  spec.ecn = true;
  spec.slot = Slot(1ms, 2ms);
  spec.link_rate = LinkRateFault{1'000'000, 0, 0, 0};
  spec.in_order = true;
  spec.jam = JamFault{};
  EXPECT_EQ(LinkModelNames(spec), (std::vector<std::string>{"loss model", "ecn", "slot",
                                                            "link rate", "in-order", "jam"}));
}

}  // namespace
}  // namespace chaosnet::model
