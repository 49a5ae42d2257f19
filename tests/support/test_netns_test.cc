#include "tests/support/test_netns.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "tests/support/run_command.h"

namespace chaosnet::testing {
namespace {

bool Exists(const std::string& name) { return std::filesystem::exists("/run/netns/" + name); }

// A pid that certainly belonged to a process which has exited.
pid_t DeadPid() {
  const pid_t child = fork();
  if (child == 0) _exit(0);
  waitpid(child, nullptr, 0);
  return child;
}

TEST(TestNetnsTest, OrphansOfDeadProcessesAreRemovedLiveOnesKept) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root for ip netns";
  const std::string orphan = "cn-test-" + std::to_string(DeadPid()) + "-7";
  // The parent (ctest or a shell) is alive while this runs.
  const std::string alive = "cn-test-" + std::to_string(getppid()) + "-4242";
  for (const auto& name : {orphan, alive}) {
    int rc = 0;
    ASSERT_EQ(RunCommand("ip netns add " + name, &rc), "");
    ASSERT_EQ(rc, 0);
  }
  const auto removed = RemoveOrphanedTestNamespaces();
  RunCommand("ip netns del " + alive);
  RunCommand("ip netns del " + orphan);  // only when the sweep failed
  EXPECT_NE(std::find(removed.begin(), removed.end(), orphan), removed.end());
  EXPECT_EQ(std::find(removed.begin(), removed.end(), alive), removed.end());
  EXPECT_FALSE(Exists(orphan));
}

TEST(TestNetnsTest, OwnNamespacesAndOtherNamesAreNeverSwept) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root for ip netns";
  auto own = TestNetns::Create();
  ASSERT_NE(own, nullptr);
  const std::string foreign = "cn-testx-" + std::to_string(DeadPid()) + "-1";
  int rc = 0;
  RunCommand("ip netns add " + foreign, &rc);
  ASSERT_EQ(rc, 0);
  const auto removed = RemoveOrphanedTestNamespaces();
  RunCommand("ip netns del " + foreign);
  EXPECT_EQ(std::find(removed.begin(), removed.end(), own->name()), removed.end());
  EXPECT_EQ(std::find(removed.begin(), removed.end(), foreign), removed.end());
  EXPECT_TRUE(Exists(own->name()));
}

}  // namespace
}  // namespace chaosnet::testing
