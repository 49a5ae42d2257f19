// The program flags (--ramp, --steps, --repeat, --flap) → the request's
// Program, and the local errors that stop chaosnetctl (exit 2, one line
// naming the flag and the step) before it connects; how get and list show a
// program and its position.
#include <gmock/gmock.h>
#include <google/protobuf/text_format.h>
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "client/cli.h"
#include "client/commands.h"
#include "client/program_flags.h"
#include "client/request_builder.h"
#include "tests/client/parse_args.h"

namespace chaosnet::client {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

using Case = SpecCase;

class ProgramRequestTest : public ::testing::TestWithParam<Case> {
 protected:
  void SetUp() override { unsetenv("CHAOSNET_SERVER"); }
};

TEST_P(ProgramRequestTest, BuildsTheSpec) { ExpectSpec(GetParam()); }

INSTANTIATE_TEST_SUITE_P(
    Flags, ProgramRequestTest,
    ::testing::Values(
        // A delay of 0 is sent as given: inside a program the daemon allows it.
        Case{{"delay", "eth0", "0ms", "--ramp", "delay", "0ms..500ms", "--over", "60s"},
             R"(interface: "eth0" direction: DIRECTION_EGRESS delay { latency {} }
                program { ramp { from { delay {} } to { delay { nanos: 500000000 } }
                                 over { seconds: 60 } step { seconds: 1 } } })"},
        Case{{"apply", "eth0", "--ramp", "loss", "0%..20%", "--over", "10s", "--step", "500ms"},
             R"(interface: "eth0" direction: DIRECTION_EGRESS
                program { ramp { from { loss_percent: 0 } to { loss_percent: 20 }
                                 over { seconds: 10 } step { nanos: 500000000 } } })"},
        Case{{"apply", "eth0", "--steps", "10s:delay=50ms,10s:delay=200ms loss=1%,250ms:rate=1mbit",
              "--repeat", "3"},
             R"(interface: "eth0" direction: DIRECTION_EGRESS
                program { steps {
                  steps { duration { seconds: 10 } values { delay { nanos: 50000000 } } }
                  steps { duration { seconds: 10 }
                          values { delay { nanos: 200000000 } loss_percent: 1 } }
                  steps { duration { nanos: 250000000 } values { rate_bits_per_second: 1000000 } }
                } repeat: 3 })"},
        Case{{"apply", "eth0", "--steps", "1s:duplicate=1% corrupt=0.5% jitter=5ms", "--repeat",
              "forever"},
             R"(interface: "eth0" direction: DIRECTION_EGRESS
                program { steps { steps { duration { seconds: 1 }
                  values { jitter { nanos: 5000000 } duplicate_percent: 1 corrupt_percent: 0.5 }
                } } forever: true })"},
        Case{{"partition", "eth0", "--dst", "10.0.0.5", "--flap", "5s/10s"},
             R"(interface: "eth0" direction: DIRECTION_EGRESS partition: true
                match { dst_cidr: "10.0.0.5" }
                program { flap { on { seconds: 5 } off { seconds: 10 } } })"}));

using Bad = UsageCase;

class ProgramUsageTest : public ::testing::TestWithParam<Bad> {};

TEST_P(ProgramUsageTest, ExitsTwoWithOneLine) { ExpectUsageError(GetParam()); }

INSTANTIATE_TEST_SUITE_P(
    LocalErrors, ProgramUsageTest,
    ::testing::Values(
        Bad{{"apply", "eth0", "--ramp", "delay", "0ms..200ms"}, "needs --over"},
        Bad{{"apply", "eth0", "--ramp", "delay", "0ms-200ms", "--over", "10s"}, "is not FROM..TO"},
        Bad{{"apply", "eth0", "--ramp", "speed", "0..1", "--over", "10s"},
            "unknown parameter \"speed\""},
        Bad{{"apply", "eth0", "--ramp", "delay", "0ms..fast", "--over", "10s"}, "--ramp: delay"},
        Bad{{"apply", "eth0", "--steps", "10s:delay=50ms,10s delay=5ms"}, "--steps: step 2"},
        Bad{{"apply", "eth0", "--steps", "10s:delay=50ms,5x:loss=1%"}, "--steps: step 2"},
        Bad{{"apply", "eth0", "--steps", "10s:color=red"}, "unknown parameter \"color\""},
        Bad{{"apply", "eth0", "--steps", "10s:delay=50ms", "--repeat", "0"}, "--repeat"},
        Bad{{"apply", "eth0", "--steps", "10s:delay=50ms", "--repeat", "often"}, "--repeat"},
        Bad{{"partition", "eth0", "--flap", "0s/2s"}, "both durations must be above 0"},
        Bad{{"partition", "eth0", "--flap", "2s"}, "needs ON/OFF"},
        Bad{{"partition", "eth0", "--flap", "2s/2s", "--steps", "1s:loss=1%"},
            "one of --ramp, --steps, --flap or --trace"},
        Bad{{"delay", "eth0", "10ms", "--over", "10s"}, "--over and --step need --ramp"},
        Bad{{"delay", "eth0", "10ms", "--repeat", "2"}, "--repeat needs --steps"},
        Bad{{"delay", "eth0", "10ms", "--ramp", "delay", "0ms..1s", "--over", "10s", "--flap",
             "1s/1s"},
            "one of --ramp, --steps, --flap or --trace"}));

// --trace: the file read by chaosnetctl, its rows sent as steps with their
// lines; a bad line stops chaosnetctl before it connects (exit 2).
class TraceFlagTest : public ::testing::Test {
 protected:
  void SetUp() override { unsetenv("CHAOSNET_SERVER"); }
  std::string Write(const std::string& name, const std::string& text) {
    const std::string path = ::testing::TempDir() + "/" + name;
    std::ofstream(path) << text;
    return path;
  }
};

TEST_F(TraceFlagTest, CsvRowsBecomeTheSteps) {
  const std::string path = Write("steps.csv",
                                 "# rate steps\n"
                                 "duration,delay,jitter,loss,rate\n"
                                 "3s,,,,8mbit\n"
                                 "3s,20ms,,1%,\n");
  ExpectSpec(Case{{"apply", "eth0", "--trace", path, "--repeat", "2"},
                  R"(interface: "eth0" direction: DIRECTION_EGRESS
                     program { steps {
                       steps { duration { seconds: 3 } values { rate_bits_per_second: 8000000 }
                               source_line: 3 }
                       steps { duration { seconds: 3 }
                               values { delay { nanos: 20000000 } loss_percent: 1 }
                               source_line: 4 }
                     } repeat: 2 source: "trace steps.csv" })"});
}

TEST_F(TraceFlagTest, MahimahiWindowsBecomeRates) {
  std::string text;
  for (int t = 1; t <= 400; ++t) text += std::to_string(t) + "\n";       // 12 Mbit/s
  for (int t = 402; t <= 800; t += 2) text += std::to_string(t) + "\n";  // 6 Mbit/s
  const std::string path = Write("link.down", text);
  ExpectSpec(
      Case{{"apply", "eth0", "--trace", path, "--trace-window", "200ms", "--repeat", "forever"},
           R"(interface: "eth0" direction: DIRECTION_EGRESS
                     program { steps {
                       steps { duration { nanos: 400000000 } values { rate_bits_per_second: 12000000 } }
                       steps { duration { nanos: 400000000 } values { rate_bits_per_second: 6000000 } }
                     } repeat: 1 forever: true source: "trace link.down" })"});
}

TEST_F(TraceFlagTest, RefusalsNameTheFileAndTheLine) {
  const std::string csv = Write("bad.csv", "1s,10ms\n# two\n2s,10ms,,150%\n");
  ExpectUsageError(Bad{{"apply", "eth0", "--trace", csv}, "bad.csv: line 3: loss:"});
  const std::string mm = Write("bad.mahimahi", "1\n2\nthree\n");
  ExpectUsageError(Bad{{"apply", "eth0", "--trace", mm}, "bad.mahimahi: line 3:"});
  const std::string good = Write("good.csv", "1s,10ms\n");
  ExpectUsageError(Bad{{"apply", "eth0", "--trace", good, "--trace-window", "1s"},
                       "--trace-window: applies to Mahimahi traces"});
  ExpectUsageError(Bad{{"apply", "eth0", "--trace", mm, "--trace-window", "5ms"}, "at least 10ms"});
  ExpectUsageError(Bad{{"delay", "eth0", "10ms", "--trace-window", "1s"}, "need --trace"});
  ExpectUsageError(Bad{{"apply", "eth0", "--trace", good, "--flap", "1s/1s"},
                       "one of --ramp, --steps, --flap or --trace"});
  ExpectUsageError(
      Bad{{"apply", "eth0", "--trace", good, "--trace-format", "pcap"}, "not csv or mahimahi"});
  ExpectUsageError(Bad{{"apply", "eth0", "--trace", ::testing::TempDir() + "/none.csv"},
                       "none.csv: cannot be read"});
}

TEST(ProgramFormatTest, ADryRunListsEveryStep) {
  v1::Program program;
  ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(
      R"(steps { steps { duration { seconds: 3 } values { rate_bits_per_second: 8000000 }
                         source_line: 2 }
                 steps { duration { nanos: 500000000 } values { loss_percent: 100 } } }
         forever: true source: "trace t.csv")",
      &program));
  const auto lines = ProgramStepLines(program);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0], "+0s        3s       rate=8mbit  (line 2)");
  EXPECT_EQ(lines[1], "+3s        500ms    loss=100%");
  EXPECT_EQ(lines[2], "then again, until the lease ends");
  EXPECT_EQ(ProgramSummary(program), "2 steps (trace t.csv)");
}

TEST(ProgramFormatTest, DescribesEachShapeAndThePosition) {
  v1::Fault fault;
  ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(
      R"(spec { program { ramp { from { delay {} } to { delay { nanos: 200000000 } }
                                 over { seconds: 10 } step { seconds: 1 } } } }
         program { index: 3 steps_per_cycle: 11 values { delay { nanos: 60000000 } }
                   next_step_at { seconds: 5 } })",
      &fault));
  EXPECT_EQ(DescribeProgram(fault.spec().program()),
            "ramp delay=0s .. delay=200ms over 10s step 1s");
  EXPECT_EQ(DescribePosition(fault), "step 4/11 (delay=60ms)");
  fault.mutable_program()->clear_next_step_at();
  EXPECT_THAT(DescribePosition(fault), StartsWith("done 4/11"));

  v1::Program flap;
  ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(
      R"(flap { on { seconds: 2 } off { seconds: 2 } })", &flap));
  EXPECT_EQ(DescribeProgram(flap), "flap 2s/2s");
}

}  // namespace
}  // namespace chaosnet::client
