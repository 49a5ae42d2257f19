// The wire <-> model translation on its own: time values at their edges
// (negative, before the epoch, sub-second) and every enum value both ways.
#include "daemon/api/convert.h"

#include <google/protobuf/text_format.h>
#include <gtest/gtest.h>

#include <string>

#include "common/net_parse.h"

namespace chaosnet::api {
namespace {

using std::chrono::nanoseconds;

google::protobuf::Duration Duration(int64_t seconds, int32_t nanos) {
  google::protobuf::Duration d;
  d.set_seconds(seconds);
  d.set_nanos(nanos);
  return d;
}

pb::FaultSpec SpecFromText(const std::string& text) {
  pb::FaultSpec spec;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &spec)) << text;
  return spec;
}

// A time in nanoseconds and the seconds and nanos the wire carries for it.
struct TimeCase {
  int64_t ns;
  int64_t seconds;
  int32_t nanos;
};

class DurationTest : public ::testing::TestWithParam<TimeCase> {};

// Seconds and nanos carry the sign of the whole, as the Duration type requires.
TEST_P(DurationTest, GoesOutAndComesBackExactly) {
  const TimeCase& c = GetParam();
  google::protobuf::Duration out;
  ToProto(nanoseconds(c.ns), &out);
  EXPECT_EQ(out.seconds(), c.seconds);
  EXPECT_EQ(out.nanos(), c.nanos);
  auto back = FromProto(out);
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->count(), c.ns);
}

INSTANTIATE_TEST_SUITE_P(
    Values, DurationTest,
    ::testing::Values(TimeCase{0, 0, 0}, TimeCase{1, 0, 1}, TimeCase{1'500'000'000, 1, 500'000'000},
                      TimeCase{-1, 0, -1}, TimeCase{-1'500'000'000, -1, -500'000'000},
                      TimeCase{-2'000'000'000, -2, 0}, TimeCase{86'400'000'000'000, 86'400, 0}));

TEST(DurationFromProto, RefusesWhatIsNotADuration) {
  for (const auto& d :
       {Duration(1, -1), Duration(-1, 1), Duration(0, 1'000'000'000), Duration(0, -1'000'000'000),
        Duration(9'300'000'000, 0), Duration(-9'300'000'000, 0)}) {
    auto r = FromProto(d);
    EXPECT_FALSE(r.ok()) << d.ShortDebugString();
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  }
}

TEST(DurationFromProto, AcceptsTheLargestNanosOfEitherSign) {
  EXPECT_EQ(FromProto(Duration(2, 999'999'999))->count(), 2'999'999'999);
  EXPECT_EQ(FromProto(Duration(-2, -999'999'999))->count(), -2'999'999'999);
}

class TimestampTest : public ::testing::TestWithParam<TimeCase> {};

// A Timestamp's nanos are never negative: before the epoch, seconds round down.
TEST_P(TimestampTest, NanosAreAlwaysNonNegative) {
  const TimeCase& c = GetParam();  // ns since the epoch
  google::protobuf::Timestamp out;
  ToProto(core::WallTime(nanoseconds(c.ns)), &out);
  EXPECT_EQ(out.seconds(), c.seconds);
  EXPECT_EQ(out.nanos(), c.nanos);
}

INSTANTIATE_TEST_SUITE_P(
    Values, TimestampTest,
    ::testing::Values(TimeCase{0, 0, 0},
                      TimeCase{1'795'464'845'123'456'789, 1'795'464'845, 123'456'789},
                      TimeCase{-1, -1, 999'999'999}, TimeCase{-1'500'000'000, -2, 500'000'000},
                      TimeCase{-3'000'000'000, -3, 0}));

struct EnumCase {
  std::string wire;  // the spec in text form
  model::Direction direction;
  model::Protocol protocol;
  model::DelayDistribution distribution;
  std::string wire_back = "";  // what ToProto makes of the model again; "": `wire`
};

class EnumTest : public ::testing::TestWithParam<EnumCase> {};

TEST_P(EnumTest, EveryValueMapsBothWays) {
  const EnumCase& c = GetParam();
  auto spec = FromProto(SpecFromText(c.wire));
  ASSERT_TRUE(spec.ok()) << spec.status().message();
  EXPECT_EQ(spec->direction, c.direction);
  EXPECT_EQ(spec->match.protocol, c.protocol);
  ASSERT_TRUE(spec->delay.has_value());
  EXPECT_EQ(spec->delay->distribution, c.distribution);

  pb::FaultSpec back;
  ToProto(*spec, &back);
  const std::string& expected = c.wire_back.empty() ? c.wire : c.wire_back;
  EXPECT_EQ(back.ShortDebugString(), SpecFromText(expected).ShortDebugString());
}

INSTANTIATE_TEST_SUITE_P(
    Values, EnumTest,
    ::testing::Values(
        // Unspecified is the model's default; egress goes back out spelled.
        EnumCase{
            R"(interface: "eth0" delay { latency { seconds: 1 } })", model::Direction::kEgress,
            model::Protocol::kAny, model::DelayDistribution::kUniform,
            R"(interface: "eth0" direction: DIRECTION_EGRESS delay { latency { seconds: 1 } })"},
        EnumCase{R"(interface: "eth0" direction: DIRECTION_EGRESS match { protocol: PROTOCOL_TCP }
                    delay { latency { seconds: 1 } distribution: DELAY_DISTRIBUTION_NORMAL })",
                 model::Direction::kEgress, model::Protocol::kTcp,
                 model::DelayDistribution::kNormal},
        EnumCase{R"(interface: "eth0" direction: DIRECTION_INGRESS match { protocol: PROTOCOL_UDP }
                    delay { latency { seconds: 1 } distribution: DELAY_DISTRIBUTION_PARETO })",
                 model::Direction::kIngress, model::Protocol::kUdp,
                 model::DelayDistribution::kPareto},
        EnumCase{R"(interface: "eth0" direction: DIRECTION_BOTH match { protocol: PROTOCOL_ICMP }
                    delay { latency { seconds: 1 } distribution: DELAY_DISTRIBUTION_PARETONORMAL })",
                 model::Direction::kBoth, model::Protocol::kIcmp,
                 model::DelayDistribution::kParetoNormal}));

TEST(EnumFromProto, AValueThisBuildDoesNotKnowIsRefusedByName) {
  pb::FaultSpec spec = SpecFromText(R"(interface: "eth0" delay { latency { seconds: 1 } })");
  spec.set_direction(static_cast<pb::Direction>(9));
  EXPECT_EQ(FromProto(spec).status().message(), "direction: unknown value 9");

  spec = SpecFromText(R"(interface: "eth0" delay { latency { seconds: 1 } })");
  spec.mutable_match()->set_protocol(static_cast<pb::Protocol>(7));
  EXPECT_EQ(FromProto(spec).status().message(), "protocol: unknown value 7");

  spec = SpecFromText(R"(interface: "eth0" delay { latency { seconds: 1 } })");
  spec.mutable_delay()->set_distribution(static_cast<pb::DelayDistribution>(5));
  EXPECT_EQ(FromProto(spec).status().message(), "delay distribution: unknown value 5");
}

TEST(SpecFromProto, ErrorsNameTheField) {
  EXPECT_EQ(
      FromProto(SpecFromText(R"(interface: "eth0" delay { latency { seconds: 1 nanos: -1 } })"))
          .status()
          .message(),
      "delay latency: malformed duration (nanos out of range or sign mismatch)");
  EXPECT_EQ(FromProto(SpecFromText(R"(interface: "eth0" match { dst_cidr: "10.0.0.1/8" })"))
                .status()
                .code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(FromProto(SpecFromText(R"(interface: "eth0" match { dport { first: 70000 } })"))
                .status()
                .message(),
            "dport: ports are 1..65535");
  EXPECT_EQ(
      FromProto(SpecFromText(R"(interface: "eth0" loss { percent: nan })")).status().message(),
      "loss: not a number");
}

// fleet: the address sets and exemptions go both ways as their text, and a
// bad member is refused naming the field.
TEST(SpecFromProto, FleetFieldsRoundTrip) {
  const pb::FaultSpec in = SpecFromText(
      R"(interface: "eth0" partition: true
         match { dst_cidrs: "10.0.0.2/32" dst_cidrs: "fd00::2/128" src_cidrs: "10.9.0.0/16" }
         exemptions: "10.0.0.3:tcp:7443" exemptions: "[fd00::3]:tcp:7443" exemptions: "udp:53")");
  auto spec = FromProto(in);
  ASSERT_TRUE(spec.ok()) << spec.status().message();
  ASSERT_EQ(spec->match.dst_cidrs.size(), 2u);
  EXPECT_EQ(spec->match.dst_cidrs[1], *ParseCidr("fd00::2"));
  EXPECT_FALSE(spec->match.dst.has_value());
  ASSERT_EQ(spec->exemptions.size(), 3u);
  EXPECT_EQ(spec->exemptions[0].cidr, *ParseCidr("10.0.0.3"));
  EXPECT_EQ(spec->exemptions[0].ports, (model::PortRange{7443, 7443}));
  EXPECT_EQ(spec->exemptions[0].protocol, model::Protocol::kTcp);
  EXPECT_FALSE(spec->exemptions[2].cidr.has_value());
  pb::FaultSpec out;
  ToProto(*spec, &out);
  EXPECT_EQ(out.match().dst_cidrs_size(), 2);
  EXPECT_EQ(out.match().dst_cidrs(1), "fd00::2/128");
  EXPECT_EQ(out.match().src_cidrs(0), "10.9.0.0/16");
  ASSERT_EQ(out.exemptions_size(), 3);
  EXPECT_EQ(out.exemptions(0), "10.0.0.3/32:tcp:7443");  // the parser's own form
  EXPECT_EQ(out.exemptions(1), "[fd00::3/128]:tcp:7443");
  EXPECT_EQ(out.exemptions(2), "udp:53");
}

TEST(SpecFromProto, FleetFieldErrorsNameTheField) {
  auto bad_cidr = FromProto(
      SpecFromText(R"(interface: "eth0" match { dst_cidrs: "10.0.0.2" dst_cidrs: "10.0.0.300" })"));
  ASSERT_FALSE(bad_cidr.ok());
  EXPECT_EQ(bad_cidr.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad_cidr.status().message().rfind("dst_cidrs: ", 0), 0u) << bad_cidr.status().message();
  auto bad_rule = FromProto(SpecFromText(R"(interface: "eth0" exemptions: "10.0.0.2:sctp:9")"));
  ASSERT_FALSE(bad_rule.ok());
  EXPECT_EQ(
      bad_rule.status().message().rfind("exemptions: invalid exemption \"10.0.0.2:sctp:9\"", 0), 0u)
      << bad_rule.status().message();
}

}  // namespace
}  // namespace chaosnet::api
