// A stand-in for a guest test binary, for check-harness.sh: FAKE_GTEST says
// what its netem case does (pass, skip, fail, crash), so that the guest
// suite's verdicts can be checked on the host, without booting a guest.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

namespace {

std::string Mode() {
  const char* mode = std::getenv("FAKE_GTEST");
  return mode ? mode : "pass";
}

TEST(Fake, Passes) { EXPECT_EQ(1 + 1, 2); }

TEST(FakeNetem, NeedsNetem) {
  const std::string mode = Mode();
  if (mode == "skip") GTEST_SKIP() << "kernel has no netem qdisc";
  if (mode == "fail") FAIL() << "asked to fail";
  if (mode == "crash") std::abort();
}

TEST(Fake, AlsoPasses) { SUCCEED(); }

}  // namespace
