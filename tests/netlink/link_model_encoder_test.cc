// The link models (issue 18) against the bytes iproute2 6.1's tc sends for
// the same command (fixtures/netem_{gemodel,state,ecn,slot,rate}*.txt and
// plug_*.txt, captured with strace as kernel-vm.md describes), and read back
// by our own parser from our own request (the kernel's dump has the same
// attributes).
#include <gtest/gtest.h>
#include <linux/netlink.h>

#include <chrono>
#include <string>

#include "daemon/netlink/netem_encoder.h"
#include "daemon/netlink/plug_encoder.h"
#include "daemon/netlink/qdisc_parser.h"
#include "daemon/plan/qdisc_plan.h"
#include "tests/netlink/fixture.h"

namespace chaosnet::netlink {
namespace {

using namespace std::chrono_literals;
using model::DelayDistribution;
using testing::LoadFixture;
using testing::SameRequest;

constexpr uint32_t kCa00 = 0xCA000000;
const QdiscTarget kRoot{7, kCa00, plan::kRootParent};

struct Case {
  const char* fixture;
  plan::NetemQdisc netem;
};

plan::NetemQdisc Netem(auto&& edit) {
  plan::NetemQdisc n;
  edit(n);
  return n;
}

model::SlotFault Slot(std::chrono::nanoseconds min, std::chrono::nanoseconds max,
                      uint32_t packets = 0, uint32_t bytes = 0) {
  model::SlotFault s;
  s.min_delay = min;
  s.max_delay = max;
  s.max_packets = packets;
  s.max_bytes = bytes;
  return s;
}

model::SlotFault SlotDistribution(DelayDistribution d, std::chrono::nanoseconds delay,
                                  std::chrono::nanoseconds jitter, uint32_t packets) {
  model::SlotFault s;
  s.distribution = d;
  s.dist_delay = delay;
  s.dist_jitter = jitter;
  s.max_packets = packets;
  return s;
}

const Case kCases[] = {
    // tc's 1-h = 70% is the kernel's h = 30%.
    {"netem_gemodel.txt", Netem([](auto& n) {
       n.loss_model = model::GilbertElliottLoss{1, 10, 70, 0.1};
     })},
    // "gemodel 5%": tc fills in r = 95%, 1-h = 100%, 1-k = 0%.
    {"netem_gemodel_p_only.txt", Netem([](auto& n) {
       n.loss_model = model::GilbertElliottLoss{5, 95, 100, 0};
     })},
    {"netem_state.txt", Netem([](auto& n) {
       n.loss_model = model::FourStateLoss{1, 30, 5, 40, 0.5};
     })},
    {"netem_ecn.txt", Netem([](auto& n) {
       n.loss = 5;
       n.ecn = true;
     })},
    {"netem_ecn_gemodel.txt", Netem([](auto& n) {
       n.loss_model = model::GilbertElliottLoss{1, 10, 100, 0};
       n.ecn = true;
     })},
    {"netem_slot.txt", Netem([](auto& n) { n.slot = Slot(800us, 10ms, 8, 64000); })},
    {"netem_slot_min.txt", Netem([](auto& n) {
       n.latency = 10ms;
       n.slot = Slot(5ms, 5ms);
     })},
    {"netem_slot_distribution.txt",
     Netem([](auto& n) { n.slot = SlotDistribution(DelayDistribution::kPareto, 10ms, 5ms, 16); })},
    {"netem_rate.txt", Netem([](auto& n) { n.rate.bytes_per_second = 1'250'000; })},
    {"netem_rate_overhead.txt", Netem([](auto& n) {
       n.rate = {625, 20, 100, 5};
     })},
    // 100gbit is 12.5 GB/s, past 32 bits: TCA_NETEM_RATE64.
    {"netem_rate64.txt", Netem([](auto& n) {
       n.latency = 50ms;
       n.jitter = 20ms;
       n.rate.bytes_per_second = 12'500'000'000ULL;
     })},
    {"netem_link_everything.txt", Netem([](auto& n) {
       n.limit = 5000;
       n.latency = 100ms;
       n.jitter = 10ms;
       n.delay_correlation = 25;
       n.distribution = DelayDistribution::kNormal;
       n.loss_model = model::FourStateLoss{1, 30, 0, 100, 0};
       n.duplicate = 1;
       n.corrupt = 0.1;
       n.ecn = true;
       n.rate = {125'000, 24, 0, 0};
       n.slot = SlotDistribution(DelayDistribution::kNormal, 5ms, 1ms, 10);
     })},
};

bool NeedsTables(const plan::NetemQdisc& n) {
  return n.distribution != DelayDistribution::kUniform || (n.slot && n.slot->uses_distribution());
}

class LinkModelFixtureTest : public ::testing::TestWithParam<Case> {};

TEST_P(LinkModelFixtureTest, MatchesTcByteForByte) {
  const Case& c = GetParam();
  const auto fixture = LoadFixture(c.fixture);
  const DistributionTables tables =
      NeedsTables(c.netem) ? DistributionTables::Load() : DistributionTables{};
  auto msg = EncodeNetemAdd(kRoot, c.netem, tables);
  if (!msg.ok() && msg.status().code() == StatusCode::kFailedPrecondition) {
    GTEST_SKIP() << msg.status().message();  // no iproute2 tables on this host
  }
  ASSERT_TRUE(msg.ok()) << msg.status().message();
  EXPECT_TRUE(SameRequest(fixture.bytes, msg->Bytes())) << "tc " << fixture.command;
}

// What we send, the parser reads back as the same parameters (a slot's
// distribution table is never dumped: it reads back as its delay and jitter).
TEST_P(LinkModelFixtureTest, ParserReadsBackWhatWasEncoded) {
  const Case& c = GetParam();
  const DistributionTables tables =
      NeedsTables(c.netem) ? DistributionTables::Load() : DistributionTables{};
  auto msg = EncodeNetemAdd(kRoot, c.netem, tables);
  if (!msg.ok()) GTEST_SKIP() << msg.status().message();
  const std::vector<uint8_t> bytes = msg->Bytes();
  auto info = ParseQdiscMessage(reinterpret_cast<const nlmsghdr*>(bytes.data()));
  ASSERT_TRUE(info.ok()) << info.status().message();
  ASSERT_TRUE(info->netem.has_value());
  plan::NetemQdisc expected = c.netem;
  expected.distribution = DelayDistribution::kUniform;
  if (expected.slot) expected.slot->distribution = DelayDistribution::kUniform;
  plan::NetemQdisc got = *info->netem;
  EXPECT_EQ(got.loss_model, expected.loss_model) << c.fixture;
  EXPECT_EQ(got.ecn, expected.ecn) << c.fixture;
  EXPECT_EQ(got.slot, expected.slot) << c.fixture;
  EXPECT_EQ(got.rate, expected.rate) << c.fixture;
}

INSTANTIATE_TEST_SUITE_P(Tc61, LinkModelFixtureTest, ::testing::ValuesIn(kCases),
                         [](const auto& info) {
                           std::string name = info.param.fixture;
                           return name.substr(0, name.find('.'));
                         });

TEST(PlugEncoderTest, AddMatchesTc) {
  const auto fixture = LoadFixture("plug_add.txt");
  const QdiscTarget leaf{7, 0x10010000, 0xCA000001};
  EXPECT_TRUE(SameRequest(fixture.bytes, EncodePlugAdd(leaf, {16u << 20}).Bytes()))
      << "tc " << fixture.command;
}

TEST(PlugEncoderTest, ReleaseMatchesTc) {
  const auto fixture = LoadFixture("plug_release.txt");
  const QdiscTarget leaf{7, 0x10010000, 0xCA000001};
  EXPECT_TRUE(SameRequest(fixture.bytes, EncodePlugRelease(leaf).Bytes()))
      << "tc " << fixture.command;
}

TEST(LinkModelEncoderTest, RefusesWhatTcRefuses) {
  const DistributionTables none;
  struct Bad {
    const char* why;
    plan::NetemQdisc netem;
  } cases[] = {
      {"two losses", Netem([](auto& n) {
         n.loss = 5;
         n.loss_model = model::GilbertElliottLoss{1, 10, 100, 0};
       })},
      {"ecn without a loss", Netem([](auto& n) {
         n.latency = 10ms;
         n.ecn = true;
       })},
      {"slot distribution without jitter",
       Netem([](auto& n) { n.slot = SlotDistribution(DelayDistribution::kNormal, 5ms, 0ns, 0); })},
  };
  for (const auto& c : cases) {
    auto msg = EncodeNetemAdd(kRoot, c.netem, none);
    ASSERT_FALSE(msg.ok()) << c.why;
    EXPECT_EQ(msg.status().code(), StatusCode::kInvalidArgument) << c.why;
  }
}

}  // namespace
}  // namespace chaosnet::netlink
