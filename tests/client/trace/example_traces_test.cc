// The example traces shipped in examples/traces/ parse into the steps their
// README describes.
#include <gtest/gtest.h>

#include "client/trace/trace_file.h"
#include "tests/support/test_env.h"

namespace chaosnet::trace {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(ExampleTracesTest, TrainTunnelIsSevenRateSteps) {
  auto list = ReadTrace(chaosnet::testing::SourceDir() + "/examples/traces/train-tunnel.mahimahi",
                        TraceFormat::kMahimahi);
  ASSERT_TRUE(list.ok()) << list.status().message();
  const struct {
    milliseconds length;
    std::optional<uint64_t> rate;
    double loss;
  } expected[] = {{seconds(5), 12'000'000, 0},     {seconds(1), 6'000'000, 0},
                  {seconds(1), 3'000'000, 0},      {seconds(1), 1'200'000, 0},
                  {seconds(3), std::nullopt, 100}, {seconds(1), 3'000'000, 0},
                  {seconds(3), 12'000'000, 0}};
  ASSERT_EQ(list->steps.size(), std::size(expected));
  for (size_t i = 0; i < list->steps.size(); ++i) {
    SCOPED_TRACE("step " + std::to_string(i + 1));
    EXPECT_EQ(list->steps[i].duration, expected[i].length);
    EXPECT_EQ(list->steps[i].values.rate, expected[i].rate);
    EXPECT_EQ(list->steps[i].values.loss, expected[i].loss);
  }
}

TEST(ExampleTracesTest, LteHandoverIsSevenRows) {
  auto list = ReadTrace(chaosnet::testing::SourceDir() + "/examples/traces/lte-handover.csv",
                        TraceFormat::kCsv);
  ASSERT_TRUE(list.ok()) << list.status().message();
  ASSERT_EQ(list->steps.size(), 7u);
  EXPECT_EQ(list->steps[3].duration, milliseconds(500));
  EXPECT_EQ(list->steps[3].values.delay, milliseconds(250));
  EXPECT_EQ(list->steps[3].values.loss, 10.0);
  EXPECT_EQ(list->steps[3].values.rate, 2'000'000u);
}

}  // namespace
}  // namespace chaosnet::trace
