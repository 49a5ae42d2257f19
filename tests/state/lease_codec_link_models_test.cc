// The link models (issue 18) in a lease record: each one round-trips, a
// record that uses one is written with format version 2 (so a daemon of
// format 1 refuses the state directory instead of re-arming a different
// fault), one without keeps version 1, and damaged members are named.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "daemon/state/lease_codec.h"
#include "tests/state/state_test_util.h"

namespace chaosnet::state {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using testing::SmallLease;
using ::testing::StartsWith;

struct Case {
  const char* name;
  std::function<void(model::FaultSpec&)> edit;
  int version;
};

model::SlotFault Slot() {
  model::SlotFault s;
  s.min_delay = 800us;
  s.max_delay = 10ms;
  s.max_packets = 42;
  s.max_bytes = 65536;
  return s;
}

const Case kCases[] = {
    {"gemodel",
     [](auto& s) {
       s.loss_model = model::GilbertElliottLoss{1, 10, 70, 0.1};
     },
     2},
    {"state",
     [](auto& s) {
       s.loss_model = model::FourStateLoss{1, 30, 5, 40, 0.5};
     },
     2},
    {"ecn",
     [](auto& s) {
       s.loss = model::ProbabilityFault{5, 0};
       s.ecn = true;
     },
     2},
    {"slot", [](auto& s) { s.slot = Slot(); }, 2},
    {"slot_distribution",
     [](auto& s) {
       model::SlotFault slot;
       slot.distribution = model::DelayDistribution::kPareto;
       slot.dist_delay = 10ms;
       slot.dist_jitter = 5ms;
       s.slot = slot;
     },
     2},
    {"link_rate",
     [](auto& s) {
       s.link_rate = model::LinkRateFault{5000, -14, 48, 5};
     },
     2},
    {"in_order",
     [](auto& s) {
       s.delay = model::DelayFault{50ms, 20ms, 0, model::DelayDistribution::kUniform};
       s.in_order = true;
     },
     2},
    {"jam", [](auto& s) { s.jam = model::JamFault{1u << 20}; }, 2},
    // A seed changes the fault (its draws), and a 64-bit one survives exactly.
    {"netem_seed",
     [](auto& s) {
       s.loss = model::ProbabilityFault{1, 0};
       s.netem_seed = 0xFFFFFFFFFFFFFFFFULL;
     },
     2},
    // The profile's name is information; its impairments are in the spec.
    {"profile_only_name",
     [](auto& s) {
       s.profile = "lte";
       s.loss = model::ProbabilityFault{0.2, 0};
     },
     1},
};

class LinkModelRecordTest : public ::testing::TestWithParam<Case> {};

TEST_P(LinkModelRecordTest, RoundTripsWithTheLowestVersionThatExpressesIt) {
  StoredLease lease = SmallLease("a1");
  GetParam().edit(lease.spec);
  EXPECT_EQ(RequiredFormatVersion(lease), GetParam().version);
  const std::string text = EncodeLease(lease);
  EXPECT_THAT(text, StartsWith("{\"v\":" + std::to_string(GetParam().version) + ","));
  auto decoded = DecodeLease(text);
  ASSERT_TRUE(decoded.ok()) << decoded.status().message();
  EXPECT_EQ(decoded->spec, lease.spec);
  EXPECT_EQ(EncodeLease(*decoded), text);
}

INSTANTIATE_TEST_SUITE_P(LinkModels, LinkModelRecordTest, ::testing::ValuesIn(kCases),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(LinkModelRecordTest, WithoutLinkModelsTheRecordStaysVersionOne) {
  const std::string text = EncodeLease(SmallLease("a1"));
  EXPECT_THAT(text, StartsWith("{\"v\":1,"));
  EXPECT_THAT(text, Not(HasSubstr("loss_model")));
  EXPECT_THAT(text, Not(HasSubstr("jam")));
}

TEST(LinkModelRecordTest, TheRecordKeysAreTheDocumentedOnes) {
  StoredLease lease = SmallLease("a1");
  lease.spec.loss_model = model::GilbertElliottLoss{1, 10, 70, 0.1};
  lease.spec.ecn = true;
  lease.spec.slot = Slot();
  const std::string text = EncodeLease(lease);
  EXPECT_THAT(text, HasSubstr(R"("loss_model":{"kind":"gemodel","p":1,"r":10,)"
                              R"("one_minus_h":70,"one_minus_k":0.1})"));
  EXPECT_THAT(text, HasSubstr(R"("ecn":true)"));
  EXPECT_THAT(text, HasSubstr(R"("slot":{"min_ns":800000,"max_ns":10000000,)"
                              R"("distribution":"uniform","delay_ns":0,"jitter_ns":0,)"
                              R"("packets":42,"bytes":65536})"));
}

TEST(LinkModelRecordTest, DamagedMembersAreNamed) {
  StoredLease lease = SmallLease("a1");
  lease.spec.loss_model = model::FourStateLoss{1, 30, 5, 40, 0.5};
  lease.spec.slot = Slot();
  const std::string good = EncodeLease(lease);
  struct Damage {
    std::string from, to, message;
  } damages[] = {
      {R"("kind":"state")", R"("kind":"markov")", "spec.loss_model.kind: unknown value"},
      {R"("p13":1,)", "", "spec.loss_model.p13: missing"},
      {R"("packets":42)", R"("packets":-1)", "spec.slot.packets"},
      {R"("distribution":"uniform")", R"("distribution":"cauchy")", "spec.slot.distribution"},
  };
  for (const auto& d : damages) {
    std::string bad = good;
    const size_t at = bad.find(d.from);
    ASSERT_NE(at, std::string::npos) << d.from;
    bad.replace(at, d.from.size(), d.to);
    auto decoded = DecodeLease(bad);
    ASSERT_FALSE(decoded.ok()) << d.from;
    EXPECT_THAT(decoded.status().message(), HasSubstr(d.message));
  }
}

}  // namespace
}  // namespace chaosnet::state
