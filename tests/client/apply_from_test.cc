// apply --from (issue 19) without a daemon: the file of JSON lines, the
// grouping under the daemon's limits, the wording of a refused item, and the
// command line.
#include "client/apply_from.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

#include "tests/client/parse_args.h"

namespace chaosnet::client {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

constexpr char kLine[] =
    R"({"spec":{"interface":"eth0","delay":{"latency":"0.100s"},"match":{"dstCidr":"10.0.0.1/32"}},"ttl":"30s","requestId":"r1","labels":{"team":"sre"}})";

TEST(ParseBatchFile, EachLineIsACreateFaultRequestInProtobufJson) {
  std::istringstream in(std::string(kLine) + "\n\n  \n" +
                        R"({"spec":{"interface":"eth1","rate":{"bitsPerSecond":"1000000"}}})" +
                        "\n");
  auto file = ParseBatchFile(in);
  ASSERT_TRUE(file.ok()) << file.status().message();
  ASSERT_EQ(file->requests.size(), 2u);
  EXPECT_THAT(file->lines, ElementsAre(1, 4));  // blank lines are skipped, not counted away
  const v1::CreateFaultRequest& first = file->requests[0];
  EXPECT_EQ(first.spec().interface(), "eth0");
  EXPECT_EQ(first.spec().delay().latency().nanos(), 100'000'000);
  EXPECT_EQ(first.spec().match().dst_cidr(), "10.0.0.1/32");
  EXPECT_EQ(first.ttl().seconds(), 30);
  EXPECT_EQ(first.request_id(), "r1");
  EXPECT_EQ(first.labels().at("team"), "sre");
  EXPECT_EQ(file->requests[1].spec().rate().bits_per_second(), 1'000'000u);
}

TEST(ParseBatchFile, ABadLineIsRefusedWithItsNumber) {
  struct Case {
    std::string text;
    const char* message;
  } cases[] = {
      {std::string(kLine) + "\n" + kLine + "\n{\"spec\": {\"interface\": \"eth0\"\n", "line 3: "},
      {std::string(kLine) + "\n{\"spec\":{\"interfaec\":\"eth0\"}}\n", "line 2: "},  // misspelt
      {"[1,2]\n", "line 1: "},
      {"\n\n", "no requests"},
      {"", "no requests"},
  };
  for (const auto& c : cases) {
    std::istringstream in(c.text);
    auto file = ParseBatchFile(in);
    ASSERT_FALSE(file.ok()) << c.text;
    EXPECT_EQ(file.status().code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(file.status().message(), HasSubstr(c.message)) << c.text;
  }
}

TEST(SplitIntoGroups, GroupsStayUnderTheItemAndByteLimits) {
  std::vector<v1::CreateFaultRequest> requests(25);
  for (auto& r : requests) r.mutable_spec()->set_interface("eth0");  // 8 bytes, 14 framed
  EXPECT_THAT(SplitIntoGroups(requests, 10, 1 << 20),
              ElementsAre(Pair(0, 10), Pair(10, 20), Pair(20, 25)));
  EXPECT_THAT(SplitIntoGroups(requests, 100, 14 * 7),
              ElementsAre(Pair(0, 7), Pair(7, 14), Pair(14, 21), Pair(21, 25)));
  // One request over the byte limit still goes, alone: the daemon names it.
  requests[3].mutable_spec()->set_interface(std::string(200, 'x'));
  auto groups = SplitIntoGroups(requests, 100, 100);
  EXPECT_THAT(groups[0], Pair(0, 3));
  EXPECT_THAT(groups[1], Pair(3, 4));
  // 10,000 targeted faults fit one group of the real limits.
  std::istringstream in([] {
    std::string text;
    for (int i = 0; i < 10'000; ++i) text += std::string(kLine) + "\n";
    return text;
  }());
  auto file = ParseBatchFile(in);
  ASSERT_TRUE(file.ok());
  EXPECT_THAT(SplitIntoGroups(file->requests, kMaxGroupItems, kMaxGroupBytes),
              ElementsAre(Pair(0, 10'000)));
}

TEST(NameLine, TheDaemonsItemBecomesTheFilesLine) {
  const std::vector<int> lines = {1, 2, 5, 9, 12};
  EXPECT_EQ(NameLine("invalid argument: item 1: loss: 150% is above 100%", 2, lines),
            "invalid argument: line 9: loss: 150% is above 100%");
  EXPECT_EQ(NameLine("unavailable: cannot record", 0, lines), "unavailable: cannot record");
  EXPECT_EQ(NameLine("invalid argument: item 99: x", 0, lines), "invalid argument: item 99: x");
}

TEST(ApplyFromCommandLine, FromAFileOrStdinWithDryRun) {
  Invocation inv = Parse({"apply", "--from", "faults.jsonl"});
  EXPECT_EQ(inv.command, Command::kApplyFrom);
  EXPECT_EQ(inv.create.from, "faults.jsonl");
  EXPECT_FALSE(inv.create.dry_run);
  inv = Parse({"apply", "--dry-run", "--from", "-"});
  EXPECT_EQ(inv.command, Command::kApplyFrom);
  EXPECT_EQ(inv.create.from, "-");
  EXPECT_TRUE(inv.create.dry_run);
  // Without --from, apply is the single fault it always was.
  inv = Parse({"apply", "eth0", "--loss", "1%"});
  EXPECT_EQ(inv.command, Command::kCreate);
}

TEST(ApplyFromCommandLine, FaultFlagsBelongInTheFile) {
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"apply", "--from", "f", "eth0"},
           {"apply", "--from", "f", "--loss", "1%"},
           {"apply", "--from", "f", "--ttl", "30s"},
           {"apply"},
       }) {
    std::ostringstream out;
    auto parsed = ParseCommandLine(Argv(args), out);
    auto* outcome = std::get_if<Outcome>(&parsed);
    ASSERT_NE(outcome, nullptr) << args.size();
    EXPECT_EQ(outcome->exit_code, kExitUsage);
    EXPECT_THAT(outcome->message, ::testing::AnyOf(HasSubstr("belongs in its lines"),
                                                   HasSubstr("apply needs IFACE")));
  }
}

}  // namespace
}  // namespace chaosnet::client
