// The link-model flags (issue 18) → the request, in tc-netem(8)'s words and
// with tc's defaults, and the local errors that stop chaosnetctl (exit 2)
// before it connects.
#include <gmock/gmock.h>
#include <google/protobuf/text_format.h>
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <sstream>

#include "client/cli.h"
#include "client/commands.h"
#include "client/link_model_flags.h"
#include "client/request_builder.h"
#include "tests/client/parse_args.h"

namespace chaosnet::client {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

using Case = SpecCase;

class LinkModelRequestTest : public ::testing::TestWithParam<Case> {
 protected:
  void SetUp() override { unsetenv("CHAOSNET_SERVER"); }
};

TEST_P(LinkModelRequestTest, BuildsTheSpec) { ExpectSpec(GetParam()); }

INSTANTIATE_TEST_SUITE_P(
    Flags, LinkModelRequestTest,
    ::testing::Values(
        // The loss command takes a model as its value; tc's 1-h stays 1-h.
        Case{{"loss", "eth0", "gemodel 1% 10% 70% 0.1%"},
             R"(interface: "eth0" direction: DIRECTION_EGRESS
                loss_model { gemodel { p_percent: 1 r_percent: 10 one_minus_h_percent: 70
                                       one_minus_k_percent: 0.1 } })"},
        // tc's defaults: r = 100% - p, 1-h = 100%, 1-k = 0%.
        Case{{"loss", "eth0", "gemodel 5%"},
             R"(interface: "eth0" direction: DIRECTION_EGRESS
                loss_model { gemodel { p_percent: 5 r_percent: 95 one_minus_h_percent: 100 } })"},
        // tc's defaults: p31 = 100% - p13, p32 = 0%, p23 = 100%, p14 = 0%.
        Case{{"apply", "eth0", "--loss-model", "state 1 30"},
             R"(interface: "eth0" direction: DIRECTION_EGRESS
                loss_model { state { p13_percent: 1 p31_percent: 30 p23_percent: 100 } })"},
        Case{{"loss", "eth0", "5%", "--ecn"},
             R"(interface: "eth0" direction: DIRECTION_EGRESS
                loss { percent: 5 } ecn: true)"},
        Case{{"delay", "eth0", "20ms", "--slot", "800us,10ms", "--slot-packets", "42",
              "--slot-bytes", "64kb"},
             R"(interface: "eth0" direction: DIRECTION_EGRESS
                delay { latency { nanos: 20000000 } }
                slot { min_delay { nanos: 800000 } max_delay { nanos: 10000000 }
                       max_packets: 42 max_bytes: 65536 })"},
        // One value is both ends, as tc reads "slot 5ms".
        Case{{"apply", "eth0", "--slot", "5ms"},
             R"(interface: "eth0" direction: DIRECTION_EGRESS
                slot { min_delay { nanos: 5000000 } max_delay { nanos: 5000000 } })"},
        Case{{"apply", "eth0", "--slot-distribution", "pareto", "--slot-delay", "10ms",
              "--slot-jitter", "5ms", "--slot-packets", "16"},
             R"(interface: "eth0" direction: DIRECTION_EGRESS
                slot { distribution: DELAY_DISTRIBUTION_PARETO
                       distribution_delay { nanos: 10000000 }
                       distribution_jitter { nanos: 5000000 } max_packets: 16 })"},
        Case{{"apply", "eth0", "--link-rate", "5kbit", "--overhead", "-14", "--cell-size", "48",
              "--cell-overhead", "5"},
             R"(interface: "eth0" direction: DIRECTION_EGRESS
                link_rate { bits_per_second: 5000 packet_overhead: -14 cell_size: 48
                            cell_overhead: 5 })"},
        Case{{"delay", "eth0", "50ms", "--jitter", "20ms", "--in-order"},
             R"(interface: "eth0" direction: DIRECTION_EGRESS
                delay { latency { nanos: 50000000 } jitter { nanos: 20000000 } }
                in_order: true)"},
        Case{{"loss", "eth0", "1%", "--netem-seed", "18446744073709551615"},
             R"(interface: "eth0" direction: DIRECTION_EGRESS loss { percent: 1 }
                netem_seed: 18446744073709551615)"},
        Case{{"jam", "eth0", "--dport", "5201"},
             R"(interface: "eth0" direction: DIRECTION_EGRESS
                match { dport { first: 5201 } } jam {})"},
        Case{{"jam", "eth0", "--queue-bytes", "1mb"},
             R"(interface: "eth0" direction: DIRECTION_EGRESS jam { limit_bytes: 1048576 })"},
        Case{{"apply", "eth0", "--profile", "3g", "--loss", "2%"},
             R"(interface: "eth0" direction: DIRECTION_EGRESS loss { percent: 2 }
                profile: "3g")"}));

using Bad = UsageCase;

class LinkModelUsageTest : public ::testing::TestWithParam<Bad> {};

TEST_P(LinkModelUsageTest, ExitsTwoWithOneLine) { ExpectUsageError(GetParam()); }

INSTANTIATE_TEST_SUITE_P(
    LocalErrors, LinkModelUsageTest,
    ::testing::Values(
        Bad{{"loss", "eth0", "gemodel"}, "gemodel takes 1 to 4 percentages, 0 given"},
        Bad{{"loss", "eth0", "gemodel 1 2 3 4 5"}, "gemodel takes 1 to 4 percentages, 5 given"},
        Bad{{"apply", "eth0", "--loss-model", "markov 1%"}, "is not a loss model"},
        Bad{{"apply", "eth0", "--loss-model", "gemodel 1% x"}, "loss-model"},
        Bad{{"apply", "eth0", "--slot-packets", "4"}, "need --slot or --slot-distribution"},
        Bad{{"apply", "eth0", "--slot", "5ms", "--slot-distribution", "normal"}, "not both"},
        Bad{{"apply", "eth0", "--slot-distribution", "normal"}, "needs --slot-delay"},
        Bad{{"apply", "eth0", "--slot-distribution", "uniform", "--slot-delay", "1ms",
             "--slot-jitter", "1ms"},
            "slot-distribution"},
        Bad{{"apply", "eth0", "--overhead", "4"}, "need --link-rate"},
        Bad{{"apply", "eth0", "--link-rate", "fast"}, "link-rate"},
        Bad{{"apply", "eth0", "--slot-bytes", "64xb", "--slot", "1ms"}, "is not a size"},
        Bad{{"jam", "eth0", "--queue-bytes", "8gb"}, "queue-bytes"}));

TEST(LossModelTextTest, TellsAModelFromAPercentage) {
  EXPECT_TRUE(LooksLikeLossModel("gemodel 1%"));
  EXPECT_TRUE(LooksLikeLossModel("  state 1"));
  EXPECT_FALSE(LooksLikeLossModel("5%"));
  EXPECT_FALSE(LooksLikeLossModel(""));
}

TEST(ByteSizeTest, ReadsTcSizes) {
  EXPECT_EQ(*ParseByteSize("x", "1500", UINT32_MAX), 1500u);
  EXPECT_EQ(*ParseByteSize("x", "64kb", UINT32_MAX), 65536u);
  EXPECT_EQ(*ParseByteSize("x", "16M", UINT32_MAX), 16u << 20);
  EXPECT_FALSE(ParseByteSize("x", "5gb", UINT32_MAX).ok());
  EXPECT_FALSE(ParseByteSize("x", "kb", UINT32_MAX).ok());
}

TEST(ProfilesCommandTest, Parses) { EXPECT_EQ(Parse({"profiles"}).command, Command::kProfiles); }

}  // namespace
}  // namespace chaosnet::client
