// CSV traces (client/trace/csv_trace.h): rows to steps, empty fields kept,
// comments, the optional header, and every bad line refused by its number.
#include "client/trace/csv_trace.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace chaosnet::trace {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using ::testing::HasSubstr;
using ::testing::StartsWith;

TEST(CsvTraceTest, RowsBecomeStepsWithTheirLines) {
  auto list = ParseCsvTrace(
      "# synthetic\n"
      "duration,delay,jitter,loss,rate\n"
      "10s,40ms,5ms,0%,20mbit\r\n"
      "\n"
      "2s, 60ms ,,1.5%,\n"
      "500ms,0ms,0,100%,64kbit\n"
      "5s,80ms\n");
  ASSERT_TRUE(list.ok()) << list.status().message();
  ASSERT_EQ(list->steps.size(), 4u);
  const program::Step& a = list->steps[0];
  EXPECT_EQ(a.duration, seconds(10));
  EXPECT_EQ(a.values.delay, milliseconds(40));
  EXPECT_EQ(a.values.jitter, milliseconds(5));
  EXPECT_EQ(a.values.loss, 0.0);
  EXPECT_EQ(a.values.rate, 20'000'000u);
  EXPECT_EQ(a.source_line, 3u);
  // Empty fields and fields left out keep the previous value: unset here,
  // the daemon carries the previous step's.
  const program::Step& b = list->steps[1];
  EXPECT_EQ(b.values.delay, milliseconds(60));
  EXPECT_FALSE(b.values.jitter);
  EXPECT_EQ(b.values.loss, 1.5);
  EXPECT_FALSE(b.values.rate);
  EXPECT_EQ(b.source_line, 5u);
  // Zeros are allowed inside a program.
  EXPECT_EQ(list->steps[2].values.delay, milliseconds(0));
  EXPECT_EQ(list->steps[2].values.jitter, milliseconds(0));
  EXPECT_EQ(list->steps[2].values.rate, 64'000u);
  EXPECT_EQ(list->steps[3].duration, seconds(5));
  EXPECT_FALSE(list->steps[3].values.loss);
}

TEST(CsvTraceTest, TheHeaderIsOptional) {
  auto list = ParseCsvTrace("1s,10ms\n");
  ASSERT_TRUE(list.ok()) << list.status().message();
  EXPECT_EQ(list->steps.size(), 1u);
  EXPECT_EQ(list->steps[0].source_line, 1u);
}

struct Bad {
  std::string text;
  std::string message;  // the start of the error
};

class CsvTraceRefusalTest : public ::testing::TestWithParam<Bad> {};

TEST_P(CsvTraceRefusalTest, NamesTheLineAndTheReason) {
  auto list = ParseCsvTrace(GetParam().text);
  ASSERT_FALSE(list.ok());
  EXPECT_THAT(list.status().message(), StartsWith(GetParam().message));
  EXPECT_EQ(list.status().message().find('\n'), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(
    Lines, CsvTraceRefusalTest,
    ::testing::Values(
        Bad{"1s,10ms\n2s,10ms,1ms,1%,1mbit,7\n", "line 2: 6 fields"},
        Bad{"# c\n\n1s,10ms\nfast,10ms\n", "line 4: duration:"},
        Bad{"1s,10ms\n,10ms\n", "line 2: duration: required"},
        Bad{"0s,10ms\n", "line 1: duration:"}, Bad{"1s,ten\n", "line 1: delay:"},
        Bad{"1s,10ms,-1ms\n", "line 1: jitter:"}, Bad{"1s,10ms,,150%\n", "line 1: loss:"},
        Bad{"1s,10ms,,5\n", "line 1: loss:"}, Bad{"1s,,,,0mbit\n", "line 1: rate: 0 is no rate"},
        Bad{"1s,,,,0\n", "line 1: rate: 0 is no rate"}, Bad{"1s,,,,fast\n", "line 1: rate:"},
        Bad{"1s,10ms\nduration,delay,jitter,loss,rate\n", "line 2: a header"},
        Bad{"duration,delay\n1s,10ms\n", "line 1: a header"}, Bad{"# nothing\n\n", "no rows"},
        Bad{"duration,delay,jitter,loss,rate\n", "no rows"}));

}  // namespace
}  // namespace chaosnet::trace
