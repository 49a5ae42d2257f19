// The real chaosnetctl's apply --from (issue 19) against the fake daemon,
// which has no batch API (an older chaosnetd): a good file is refused in one
// line naming what is missing (exit 2); a bad line is refused with its number
// before anything is sent.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "tests/client/ctl_runner.h"
#include "tests/client/fake_fault_service.h"

namespace chaosnet::client::testing {
namespace {

using ::testing::HasSubstr;

class ApplyFromCtlTest : public ::testing::Test {
 protected:
  CtlResult Run(std::vector<std::string> args) {
    args.insert(args.begin(), {"--server", server_.address()});
    return RunCtl(args, server_.dir());
  }
  std::string Write(const std::string& name, const std::string& text) {
    const std::string path = server_.dir() + "/" + name;
    std::ofstream(path) << text;
    return path;
  }
  FakeServer server_;
};

constexpr char kLine[] = R"({"spec":{"interface":"eth0","rate":{"bitsPerSecond":"1000000"}}})";

TEST_F(ApplyFromCtlTest, AnOlderDaemonWithoutBatchesIsOneLineExit2) {
  const std::string file = Write("good.jsonl", std::string(kLine) + "\n" + kLine + "\n");
  const CtlResult r = Run({"apply", "--from", file});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_THAT(r.err, HasSubstr("has no batch API (CreateFaults; it predates it)"));
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_EQ(server_.last_create().spec().interface(), "") << "a single create was sent instead";
}

TEST_F(ApplyFromCtlTest, ABadLineIsRefusedWithItsNumberAndNothingIsSent) {
  const std::string file =
      Write("bad.jsonl", std::string(kLine) + "\n\n" + R"({"spec": nope})" + "\n");
  const int calls_before = server_.calls();
  const CtlResult r = Run({"apply", "--from", file});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_THAT(r.err, HasSubstr("bad.jsonl: line 3: not a CreateFaultRequest in JSON"));
  EXPECT_EQ(server_.calls(), calls_before);
  const CtlResult missing = Run({"apply", "--from", server_.dir() + "/nope.jsonl"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_THAT(missing.err, HasSubstr("cannot read"));
}

}  // namespace
}  // namespace chaosnet::client::testing
