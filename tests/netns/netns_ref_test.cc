// Naming and entering other network namespaces: the spec forms, identity
// across spellings, noticing a name that no longer names the namespace, and a
// socket made inside a namespace that sees that namespace's links only.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <csignal>
#include <string>

#include "daemon/netlink/link_requests.h"
#include "daemon/netns/in_netns.h"
#include "daemon/netns/netns_ref.h"
#include "tests/support/run_command.h"
#include "tests/support/test_netns.h"

namespace chaosnet::netns {
namespace {

using testing::IsRoot;
using testing::RunCommand;
using testing::TestNetns;

struct PathCase {
  const char* spec;
  const char* path;  // empty: INVALID_ARGUMENT
};

TEST(NetnsPath, SpellingsAndGarbage) {
  const PathCase cases[] = {
      {"blue", "/run/netns/blue"},
      {"/var/run/docker/netns/abc", "/var/run/docker/netns/abc"},
      {"pid:1", "/proc/1/ns/net"},
      {"pid:4194304", "/proc/4194304/ns/net"},
      {"", ""},
      {"a/b", ""},
      {"..", ""},
      {".", ""},
      {"pid:", ""},
      {"pid:abc", ""},
      {"pid:0", ""},
      {"pid:-1", ""},
      {"pid:99999999999", ""},
  };
  for (const auto& c : cases) {
    auto path = NetnsPath(c.spec);
    if (std::string(c.path).empty()) {
      EXPECT_FALSE(path.ok()) << c.spec;
      if (!path.ok()) EXPECT_EQ(path.status().code(), StatusCode::kInvalidArgument) << c.spec;
    } else {
      ASSERT_TRUE(path.ok()) << c.spec << ": " << path.status().message();
      EXPECT_EQ(*path, c.path);
    }
  }
}

TEST(NetnsRef, MissingAndWrongFilesAreNamed) {
  auto missing = NetnsRef::Open("cn-no-such-namespace");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("/run/netns/cn-no-such-namespace"), std::string::npos);
  auto no_process = NetnsRef::Open("pid:4194000");
  ASSERT_FALSE(no_process.ok());
  EXPECT_EQ(no_process.status().code(), StatusCode::kNotFound);
  EXPECT_NE(no_process.status().message().find("does not exist"), std::string::npos);
  auto not_ns = NetnsRef::Open("/etc/hostname");
  ASSERT_FALSE(not_ns.ok());
  EXPECT_EQ(not_ns.status().code(), StatusCode::kFailedPrecondition);
}

TEST(NetnsRef, OwnNamespaceByPid) {
  auto own = NetnsRef::Open("pid:" + std::to_string(::getpid()));
  ASSERT_TRUE(own.ok()) << own.status().message();
  EXPECT_TRUE(own->IsCallersNamespace());
  EXPECT_TRUE(own->StillNamesSameNamespace());
}

class NetnsKernelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!IsRoot()) GTEST_SKIP() << "needs root: creates network namespaces";
    ns_ = TestNetns::Create();
    ASSERT_TRUE(ns_);
  }
  void TearDown() override {
    if (sleeper_ > 0) ::kill(sleeper_, SIGKILL);
  }
  // A process living inside the test namespace; its pid.
  int StartSleeper() {
    int rc = -1;
    const std::string pid = RunCommand(
        "ip netns exec " + ns_->name() + " sh -c 'sleep 60 >/dev/null 2>&1 & echo $!'", &rc);
    EXPECT_EQ(rc, 0);
    sleeper_ = std::stoi(pid);
    return sleeper_;
  }
  std::unique_ptr<TestNetns> ns_;
  int sleeper_ = 0;
};

TEST_F(NetnsKernelTest, EverySpellingIsTheSameNamespace) {
  auto by_name = NetnsRef::Open(ns_->name());
  auto by_path = NetnsRef::Open(ns_->path());
  auto by_pid = NetnsRef::Open("pid:" + std::to_string(StartSleeper()));
  ASSERT_TRUE(by_name.ok()) << by_name.status().message();
  ASSERT_TRUE(by_path.ok()) << by_path.status().message();
  ASSERT_TRUE(by_pid.ok()) << by_pid.status().message();
  EXPECT_EQ(by_name->IdentityKey(), by_path->IdentityKey());
  EXPECT_EQ(by_name->IdentityKey(), by_pid->IdentityKey());
  EXPECT_FALSE(by_name->IsCallersNamespace());
  auto own = NetnsRef::Open("pid:" + std::to_string(::getpid()));
  ASSERT_TRUE(own.ok());
  EXPECT_NE(own->IdentityKey(), by_name->IdentityKey());
}

TEST_F(NetnsKernelTest, DeletedNameAndExitedProcessAreNoticed) {
  auto by_pid = NetnsRef::Open("pid:" + std::to_string(StartSleeper()));
  auto by_name = NetnsRef::Open(ns_->name());
  ASSERT_TRUE(by_pid.ok() && by_name.ok());
  EXPECT_TRUE(by_name->StillNamesSameNamespace());
  EXPECT_TRUE(by_pid->StillNamesSameNamespace());
  ::kill(sleeper_, SIGKILL);
  for (int i = 0; i < 100 && by_pid->StillNamesSameNamespace(); ++i) ::usleep(20'000);
  EXPECT_FALSE(by_pid->StillNamesSameNamespace());
  sleeper_ = 0;
  int rc = -1;
  RunCommand("ip netns del " + ns_->name(), &rc);
  ASSERT_EQ(rc, 0);
  EXPECT_FALSE(by_name->StillNamesSameNamespace());
}

TEST_F(NetnsKernelTest, SocketInsideSeesThatNamespaceOnlyAndTheThreadStaysHome) {
  int rc = -1;
  ns_->Exec("ip link add cnns0 type veth peer name cnns1", &rc);
  ASSERT_EQ(rc, 0);
  struct stat before {
  }, after{};
  ASSERT_EQ(::stat("/proc/thread-self/ns/net", &before), 0);
  auto ref = NetnsRef::Open(ns_->name());
  ASSERT_TRUE(ref.ok());
  auto inside = OpenNetlinkSocketIn(*ref);
  ASSERT_TRUE(inside.ok()) << inside.status().message();
  ASSERT_EQ(::stat("/proc/thread-self/ns/net", &after), 0);
  EXPECT_EQ(before.st_ino, after.st_ino) << "the calling thread moved";

  auto links = netlink::ListLinks(*inside);
  ASSERT_TRUE(links.ok()) << links.status().message();
  bool seen = false;
  for (const auto& [name, index] : *links) seen |= name == "cnns0";
  EXPECT_TRUE(seen) << "the socket does not act in the namespace";

  auto home = netlink::NetlinkSocket::Open();
  ASSERT_TRUE(home.ok());
  auto home_links = netlink::ListLinks(*home);
  ASSERT_TRUE(home_links.ok());
  for (const auto& [name, index] : *home_links) EXPECT_NE(name, "cnns0");
}

TEST_F(NetnsKernelTest, IfbLinksAreCreatedUpListedAndDeleted) {
  auto ref = NetnsRef::Open(ns_->name());
  ASSERT_TRUE(ref.ok());
  auto sock = OpenNetlinkSocketIn(*ref);
  ASSERT_TRUE(sock.ok());
  auto created = netlink::CreateIfbLink(*sock, "cnifb-t");
  ASSERT_TRUE(created.ok()) << created.status().message();
  int rc = -1;
  const std::string shown = ns_->Exec("ip -o link show cnifb-t", &rc);
  ASSERT_EQ(rc, 0);
  EXPECT_NE(shown.find(",UP"), std::string::npos) << shown;
  EXPECT_NE(shown.find(std::to_string(*created) + ": cnifb-t"), std::string::npos) << shown;

  auto again = netlink::CreateIfbLink(*sock, "cnifb-t");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), StatusCode::kAlreadyExists);

  auto links = netlink::ListLinks(*sock);
  ASSERT_TRUE(links.ok());
  bool listed = false;
  for (const auto& [name, index] : *links) listed |= name == "cnifb-t" && index == *created;
  EXPECT_TRUE(listed);

  EXPECT_TRUE(netlink::DeleteLinkByIndex(*sock, *created).ok());
  ns_->Exec("ip link show cnifb-t 2>/dev/null", &rc);
  EXPECT_NE(rc, 0) << "IFB device still there";
  Status gone = netlink::DeleteLinkByIndex(*sock, *created);
  EXPECT_EQ(gone.code(), StatusCode::kNotFound) << gone.message();
}

}  // namespace
}  // namespace chaosnet::netns
