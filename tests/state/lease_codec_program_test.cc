// A fault's program in the lease record (feature "programs"): each shape
// round-trips exactly, a record with one says "v":2 (one without keeps 1),
// and a damaged program is refused naming its field.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "daemon/state/lease_codec.h"
#include "tests/state/state_test_util.h"

namespace chaosnet::state {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

StoredLease WithProgram(program::Program p) {
  StoredLease l = testing::SmallLease("abc");
  l.spec.program = std::move(p);
  return l;
}

program::Program Ramp() {
  program::Ramp r;
  r.from = {.delay = 0ms, .loss = 0.0};
  r.to = {.delay = 200ms, .loss = 2.5};
  r.over = 10s;
  r.step = 1s;
  return program::Program{r};
}

program::Program Steps() {
  program::StepList list;
  list.steps = {{10s, {.delay = 50ms}, 2},
                {10s, {.delay = 200ms, .jitter = 5ms, .loss = 1.0, .rate = 8'000'000}, 3},
                {250ms, {.duplicate = 0.5, .corrupt = 0.25}, 0}};
  program::Program p{list};
  p.repeat = 3;
  p.source = "trace lte-handover.csv";
  return p;
}

program::Program Flap() {
  program::Program p{program::Flap{2s, 3s}};
  p.forever = true;
  return p;
}

TEST(LeaseCodecProgram, EveryShapeRoundTripsAndNeedsVersionTwo) {
  for (const program::Program& p : {Ramp(), Steps(), Flap()}) {
    const StoredLease lease = WithProgram(p);
    EXPECT_EQ(RequiredFormatVersion(lease), 2);
    const std::string text = EncodeLease(lease);
    EXPECT_EQ(text.rfind(R"({"v":2,)", 0), 0u) << text;
    auto decoded = DecodeLease(text);
    ASSERT_TRUE(decoded.ok()) << decoded.status().message() << "\n" << text;
    EXPECT_EQ(*decoded, lease) << text;
  }
  EXPECT_EQ(RequiredFormatVersion(testing::SmallLease("abc")), 1);
}

TEST(LeaseCodecProgram, HasTheDocumentedForm) {
  EXPECT_THAT(EncodeLease(WithProgram(Ramp())),
              HasSubstr(R"("program":{"ramp":{"from":{"delay_ns":0,"loss":0},)"
                        R"("to":{"delay_ns":200000000,"loss":2.5},"over_ns":10000000000,)"
                        R"("step_ns":1000000000}}})"));
  EXPECT_THAT(EncodeLease(WithProgram(Flap())),
              HasSubstr(R"("program":{"flap":{"on_ns":2000000000,"off_ns":3000000000},)"
                        R"("forever":true}})"));
  EXPECT_THAT(EncodeLease(WithProgram(Steps())),
              HasSubstr(R"("program":{"steps":[{"duration_ns":10000000000,)"
                        R"("values":{"delay_ns":50000000},"line":2},)"));
}

TEST(LeaseCodecProgram, ADamagedProgramIsRefusedNamingItsField) {
  const std::string good = EncodeLease(WithProgram(Steps()));
  struct Case {
    std::string from, to, says;
  };
  for (const Case& c : {
           Case{R"("duration_ns":10000000000,"values":{"delay_ns":50000000})",
                R"("duration_ns":"x","values":{"delay_ns":50000000})", "spec.program.steps[0]"},
           Case{R"("program":{"steps")", R"("program":{"stairs")",
                "needs one of ramp, steps, flap"},
           Case{R"("repeat":3)", R"("repeat":-3)", "spec.program.repeat"},
       }) {
    std::string text = good;
    const auto at = text.find(c.from);
    ASSERT_NE(at, std::string::npos) << c.from;
    text.replace(at, c.from.size(), c.to);
    auto decoded = DecodeLease(text);
    ASSERT_FALSE(decoded.ok()) << c.says;
    EXPECT_THAT(decoded.status().message(), HasSubstr(c.says));
  }
}

}  // namespace
}  // namespace chaosnet::state
