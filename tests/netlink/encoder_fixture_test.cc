// Our encoders against the bytes iproute2 6.1's tc sends for the same command
// (fixtures/, captured with scripts/capture-tc-fixture.sh).
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "daemon/netlink/netem_encoder.h"
#include "daemon/netlink/tbf_encoder.h"
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

struct NetemCase {
  const char* fixture;
  QdiscTarget target;
  plan::NetemQdisc netem;
};

plan::NetemQdisc Netem(auto&& edit) {
  plan::NetemQdisc n;
  edit(n);
  return n;
}

const NetemCase kNetemCases[] = {
    {"netem_delay.txt", kRoot, Netem([](auto& n) { n.latency = 100ms; })},
    {"netem_delay_jitter_corr.txt", kRoot, Netem([](auto& n) {
       n.latency = 100ms;
       n.jitter = 10ms;
       n.delay_correlation = 25;
     })},
    {"netem_distribution_normal.txt", kRoot, Netem([](auto& n) {
       n.latency = 100ms;
       n.jitter = 20ms;
       n.distribution = DelayDistribution::kNormal;
     })},
    {"netem_distribution_pareto.txt", kRoot, Netem([](auto& n) {
       n.latency = 50ms;
       n.jitter = 5ms;
       n.delay_correlation = 10;
       n.distribution = DelayDistribution::kPareto;
     })},
    {"netem_distribution_paretonormal.txt", kRoot, Netem([](auto& n) {
       n.latency = 200ms;
       n.jitter = 30ms;
       n.distribution = DelayDistribution::kParetoNormal;
     })},
    {"netem_loss_corr.txt", kRoot, Netem([](auto& n) {
       n.loss = 5;
       n.loss_correlation = 25;
     })},
    {"netem_duplicate.txt", kRoot, Netem([](auto& n) { n.duplicate = 1; })},
    {"netem_corrupt.txt", kRoot, Netem([](auto& n) { n.corrupt = 0.1; })},
    {"netem_corrupt_corr.txt", kRoot, Netem([](auto& n) {
       n.corrupt = 1;
       n.corrupt_correlation = 5;
     })},
    {"netem_reorder_gap.txt", kRoot, Netem([](auto& n) {
       n.latency = 10ms;
       n.reorder = 25;
       n.reorder_correlation = 50;
       n.gap = 5;
     })},
    {"netem_combined.txt", kRoot, Netem([](auto& n) {
       n.limit = 5000;
       n.latency = 100ms;
       n.jitter = 10ms;
       n.delay_correlation = 25;
       n.loss = 1;
       n.loss_correlation = 10;
       n.duplicate = 2;
       n.duplicate_correlation = 5;
       n.corrupt = 0.5;
       n.corrupt_correlation = 1;
       n.reorder = 10;
     })},
    {"netem_large_delay.txt", kRoot, Netem([](auto& n) { n.latency = 3000ms; })},
    {"netem_huge_delay.txt", kRoot, Netem([](auto& n) {
       n.latency = 10s;
       n.jitter = 2s;
     })},
    {"netem_limit.txt", kRoot, Netem([](auto& n) {
       n.limit = 20000;
       n.latency = 50ms;
     })},
    {"netem_child.txt", QdiscTarget{7, 0xCA010000, 0xCA000001}, Netem([](auto& n) {
       n.latency = 10ms;
       n.jitter = 1ms;
     })},
    {"netem_partition.txt", kRoot, Netem([](auto& n) { n.loss = 100; })},
};

class NetemFixtureTest : public ::testing::TestWithParam<NetemCase> {};

TEST_P(NetemFixtureTest, MatchesTcByteForByte) {
  const NetemCase& c = GetParam();
  const auto fixture = LoadFixture(c.fixture);
  DistributionTables tables = DistributionTables::Load();
  if (c.netem.distribution != DelayDistribution::kUniform &&
      !tables.Get(c.netem.distribution).ok()) {
    GTEST_SKIP() << tables.Get(c.netem.distribution).status().message();
  }
  auto msg = EncodeNetemAdd(c.target, c.netem, tables);
  ASSERT_TRUE(msg.ok()) << msg.status().message();
  EXPECT_TRUE(SameRequest(fixture.bytes, msg->Bytes())) << "tc " << fixture.command;
}

INSTANTIATE_TEST_SUITE_P(Tc61, NetemFixtureTest, ::testing::ValuesIn(kNetemCases),
                         [](const auto& info) {
                           std::string name = info.param.fixture;
                           return name.substr(0, name.find('.'));
                         });

struct TbfCase {
  const char* fixture;
  plan::TbfQdisc tbf;
};

const TbfCase kTbfCases[] = {
    {"tbf_1mbit.txt", {125'000, 32 * 1024, 100 * 1024}},
    {"tbf_small.txt", {8'000, 3200, 3200}},
    // 40gbit: beyond 32 bits of bytes/s, so TCA_TBF_RATE64 appears.
    {"tbf_rate64.txt", {5'000'000'000ull, 1024 * 1024, 10 * 1024 * 1024}},
};

class TbfFixtureTest : public ::testing::TestWithParam<TbfCase> {};

TEST_P(TbfFixtureTest, MatchesTcByteForByte) {
  const auto fixture = LoadFixture(GetParam().fixture);
  EXPECT_TRUE(SameRequest(fixture.bytes, EncodeTbfAdd(kRoot, GetParam().tbf).Bytes()))
      << "tc " << fixture.command;
}

INSTANTIATE_TEST_SUITE_P(Tc61, TbfFixtureTest, ::testing::ValuesIn(kTbfCases),
                         [](const auto& info) {
                           std::string name = info.param.fixture;
                           return name.substr(0, name.find('.'));
                         });

// tc refuses these before sending anything; so do we, with the reason.
TEST(NetemEncoderTest, RefusesWhatTcRefuses) {
  const DistributionTables none;
  struct Case {
    const char* why;
    plan::NetemQdisc netem;
  } cases[] = {
      {"reorder without delay", Netem([](auto& n) { n.reorder = 10; })},
      {"gap without reorder", Netem([](auto& n) {
         n.latency = 10ms;
         n.gap = 3;
       })},
      {"distribution without jitter", Netem([](auto& n) {
         n.latency = 10ms;
         n.distribution = DelayDistribution::kNormal;
       })},
  };
  for (const auto& c : cases) {
    auto msg = EncodeNetemAdd(kRoot, c.netem, none);
    ASSERT_FALSE(msg.ok()) << c.why;
    EXPECT_EQ(msg.status().code(), StatusCode::kInvalidArgument) << c.why;
  }
}

TEST(NetemEncoderTest, MissingDistributionTableNamesTheFileAndWhereItLooked) {
  const auto tables = DistributionTables::Load({"/nonexistent-chaosnet-dir"});
  auto msg = EncodeNetemAdd(kRoot, Netem([](auto& n) {
                              n.latency = 10ms;
                              n.jitter = 1ms;
                              n.distribution = DelayDistribution::kPareto;
                            }),
                            tables);
  ASSERT_FALSE(msg.ok());
  EXPECT_EQ(msg.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(msg.status().message().find("pareto.dist"), std::string::npos)
      << msg.status().message();
  EXPECT_NE(msg.status().message().find("/nonexistent-chaosnet-dir"), std::string::npos);
}

TEST(NetemEncoderTest, ReorderAloneGetsGapOneAsTcSends) {
  // netem with gap 0 never reorders; tc turns a bare reorder into gap 1.
  auto n = Netem([](auto& x) {
    x.latency = 10ms;
    x.reorder = 5;
  });
  EXPECT_EQ(EffectiveNetemGap(n), 1u);
  n.gap = 4;
  EXPECT_EQ(EffectiveNetemGap(n), 4u);
}

}  // namespace
}  // namespace chaosnet::netlink

namespace chaosnet::netlink {
namespace {

TEST(QdiscRequestFixtureTest, DeleteMatchesTc) {
  const auto fixture = testing::LoadFixture("qdisc_delete.txt");
  EXPECT_TRUE(testing::SameRequest(fixture.bytes,
                                   EncodeQdiscDelete({7, 0xCA000000, plan::kRootParent}).Bytes()))
      << "tc " << fixture.command;
}

TEST(QdiscRequestFixtureTest, DumpMatchesTc) {
  const auto fixture = testing::LoadFixture("qdisc_dump.txt");
  EXPECT_TRUE(testing::SameRequest(fixture.bytes, EncodeQdiscDump(7).Bytes()))
      << "tc " << fixture.command;
}

}  // namespace
}  // namespace chaosnet::netlink
