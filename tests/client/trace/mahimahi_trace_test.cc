// Mahimahi traces (client/trace/mahimahi_trace.h): delivery opportunities
// counted per window into rates, equal windows merged, outages as a loss of
// 100%, the period's wrap, and bad lines refused by their number.
#include "client/trace/mahimahi_trace.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "client/trace/trace_file.h"

namespace chaosnet::trace {
namespace {

using std::chrono::milliseconds;
using ::testing::HasSubstr;
using ::testing::StartsWith;

// `per_ms` opportunities every millisecond from `from` (exclusive) to `to`
// (inclusive).
std::string Opportunities(int from, int to, int per_ms = 1) {
  std::string text;
  for (int t = from + 1; t <= to; ++t) {
    for (int i = 0; i < per_ms; ++i) text += std::to_string(t) + "\n";
  }
  return text;
}

struct Expected {
  int64_t ms;
  std::optional<uint64_t> rate;
  std::optional<double> loss;
};

void ExpectSteps(const program::StepList& list, const std::vector<Expected>& expected) {
  ASSERT_EQ(list.steps.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    SCOPED_TRACE("step " + std::to_string(i + 1));
    EXPECT_EQ(list.steps[i].duration, milliseconds(expected[i].ms));
    EXPECT_EQ(list.steps[i].values.rate, expected[i].rate);
    EXPECT_EQ(list.steps[i].values.loss, expected[i].loss);
    EXPECT_FALSE(list.steps[i].values.delay);
  }
}

TEST(MahimahiTraceTest, RatePerWindowEqualWindowsMerged) {
  // 1 packet/ms for 300 ms (12 Mbit/s), 2/ms for 200 ms, 1 every 4 ms for 100 ms.
  std::string text = Opportunities(0, 300) + Opportunities(300, 500, 2);
  for (int t = 504; t <= 600; t += 4) text += std::to_string(t) + "\n";
  auto list = ParseMahimahiTrace(text, milliseconds(100));
  ASSERT_TRUE(list.ok()) << list.status().message();
  // No outage: rates only, no loss, so the fault needs no netem leaf.
  ExpectSteps(*list, {{300, 12'000'000, {}}, {200, 24'000'000, {}}, {100, 3'000'000, {}}});
  EXPECT_EQ(list->steps[0].source_line, 0u);
}

TEST(MahimahiTraceTest, AnEmptyWindowIsAnOutageOfLoss100) {
  // 200 ms at 12 Mbit/s, 300 ms without a delivery, 100 ms at 12 Mbit/s.
  const std::string text = Opportunities(0, 200) + Opportunities(500, 600);
  auto list = ParseMahimahiTrace(text, milliseconds(100));
  ASSERT_TRUE(list.ok()) << list.status().message();
  ExpectSteps(*list, {{200, 12'000'000, 0.0}, {300, {}, 100.0}, {100, 12'000'000, 0.0}});
}

TEST(MahimahiTraceTest, TheLastTimestampIsThePeriodAndWrapsToZero) {
  // Windows are (0, 100], (100, 200]: the period's own timestamp is in the
  // last, and one at 0 is the period's (mm-link loops). A trace that starts
  // with an outage.
  auto list = ParseMahimahiTrace("150\n160\n200\n", milliseconds(100));
  ASSERT_TRUE(list.ok()) << list.status().message();
  ExpectSteps(*list, {{100, {}, 100.0}, {100, 360'000, 0.0}});
  list = ParseMahimahiTrace("0\n150\n160\n200\n", milliseconds(100));
  ASSERT_TRUE(list.ok()) << list.status().message();
  ExpectSteps(*list, {{100, {}, 100.0}, {100, 480'000, 0.0}});
}

TEST(MahimahiTraceTest, ShortLastWindowJoinsTheOneBefore) {
  // Period 305 ms: windows 0-100, 100-200, 200-305 (5 ms is below the
  // shortest step); 250 ms at the window 100 ms, and a shorter last one.
  auto list = ParseMahimahiTrace(Opportunities(0, 305), milliseconds(100));
  ASSERT_TRUE(list.ok()) << list.status().message();
  ExpectSteps(*list, {{305, 12'000'000, {}}});
  list = ParseMahimahiTrace(Opportunities(0, 250), milliseconds(100));
  ASSERT_TRUE(list.ok()) << list.status().message();
  ExpectSteps(*list, {{250, 12'000'000, {}}});
  // A window longer than the trace is the trace.
  list = ParseMahimahiTrace("10\n20\n30\n40\n50\n", milliseconds(1000));
  ASSERT_TRUE(list.ok()) << list.status().message();
  ExpectSteps(*list, {{50, 1'200'000, {}}});
}

TEST(MahimahiTraceTest, BadLinesAreRefusedByNumber) {
  auto bad = [](const std::string& text) {
    auto list = ParseMahimahiTrace(text, milliseconds(100));
    EXPECT_FALSE(list.ok());
    return list.ok() ? std::string() : list.status().message();
  };
  EXPECT_THAT(bad("1\n2\n3.5\n"), StartsWith("line 3: \"3.5\" is not a millisecond timestamp"));
  EXPECT_THAT(bad("1\n# note\n\n-4\n"), StartsWith("line 4: \"-4\""));
  EXPECT_THAT(bad("1\n5 6\n"), StartsWith("line 2:"));
  EXPECT_THAT(bad("10\n20\n15\n"), StartsWith("line 3: 15 is before the timestamp above it (20)"));
  EXPECT_THAT(bad("0\n0\n"), HasSubstr("period, is 0"));
  EXPECT_THAT(bad("\n"), StartsWith("no timestamps"));
  EXPECT_THAT(ParseMahimahiTrace("100\n", milliseconds(5)).status().message(),
              HasSubstr("at least 10ms"));
}

TEST(TraceFileTest, TooManyStepsIsRefusedWithAWindowThatFits) {
  // 5,000 windows of 10 ms alternating between 1 and 2 opportunities: 5,000
  // steps at 10 ms; at 20 ms every window has 3 (the last 4): 2 steps.
  std::string text;
  for (int k = 0; k < 5000; ++k) {
    text += std::to_string(k * 10 + 1) + "\n";
    if (k % 2 == 1) text += std::to_string(k * 10 + 2) + "\n";
  }
  text += "50000\n";
  auto list = ParseTrace(text, TraceFormat::kMahimahi, milliseconds(10));
  ASSERT_FALSE(list.ok());
  EXPECT_THAT(list.status().message(),
              HasSubstr("more than the daemon takes in one program (4096)"));
  EXPECT_THAT(list.status().message(), HasSubstr("--trace-window 20ms fits"));
  EXPECT_TRUE(ParseTrace(text, TraceFormat::kMahimahi, milliseconds(20)).ok());

  std::string rows;
  for (int i = 0; i < 4097; ++i) rows += "1s,1ms\n";
  EXPECT_THAT(ParseTrace(rows, TraceFormat::kCsv).status().message(),
              HasSubstr("4097 rows is more than the daemon takes"));
}

TEST(TraceFileTest, FormatFromTheFlagOrTheName) {
  EXPECT_EQ(*TraceFormatFor("a/lte.csv", ""), TraceFormat::kCsv);
  EXPECT_EQ(*TraceFormatFor("Verizon-LTE.down", ""), TraceFormat::kMahimahi);
  EXPECT_EQ(*TraceFormatFor("x.mahimahi", ""), TraceFormat::kMahimahi);
  EXPECT_EQ(*TraceFormatFor("x.txt", "csv"), TraceFormat::kCsv);
  EXPECT_THAT(TraceFormatFor("x.txt", "").status().message(), HasSubstr("--trace-format"));
  EXPECT_THAT(TraceFormatFor("x.csv", "pcap").status().message(), HasSubstr("not csv or mahimahi"));
  EXPECT_EQ(TraceSource("/tmp/dir/lte.csv"), "trace lte.csv");
}

TEST(TraceFileTest, ReadErrorsNameTheFile) {
  auto list = ReadTrace("/nonexistent/lte.csv", TraceFormat::kCsv);
  ASSERT_FALSE(list.ok());
  EXPECT_THAT(list.status().message(), StartsWith("--trace /nonexistent/lte.csv: cannot be read"));
}

}  // namespace
}  // namespace chaosnet::trace
