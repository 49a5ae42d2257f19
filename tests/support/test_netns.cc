#include "tests/support/test_netns.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <mutex>

#include "tests/support/run_command.h"

namespace chaosnet::testing {

namespace {

constexpr std::string_view kPrefix = "cn-test-";

// The pid in "cn-test-<pid>-<n>", or -1 for any other name.
pid_t MakerOf(std::string_view name) {
  if (name.substr(0, kPrefix.size()) != kPrefix) return -1;
  name.remove_prefix(kPrefix.size());
  const size_t dash = name.find('-');
  if (dash == 0 || dash == std::string_view::npos) return -1;
  pid_t pid = 0;
  for (char c : name.substr(0, dash)) {
    if (c < '0' || c > '9' || pid > 4'000'000) return -1;
    pid = pid * 10 + (c - '0');
  }
  return pid;
}

}  // namespace

std::vector<std::string> RemoveOrphanedTestNamespaces() {
  std::vector<std::string> removed;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/run/netns", ec)) {
    const std::string name = entry.path().filename().string();
    const pid_t maker = MakerOf(name);
    if (maker <= 0 || maker == getpid()) continue;
    // Alive (or not ours to judge): still in use.
    if (kill(maker, 0) == 0 || errno != ESRCH) continue;
    int rc = 0;
    RunCommand("ip netns del " + name, &rc);
    if (rc == 0) removed.push_back(name);
  }
  return removed;
}

std::unique_ptr<TestNetns> TestNetns::Create(std::string* error) {
  static std::atomic<int> counter{0};
  // A test binary killed by SIGKILL (a ctest timeout) never ran its
  // destructors; the first namespace of every later process sweeps up after it.
  static std::once_flag swept;
  std::call_once(swept, [] { RemoveOrphanedTestNamespaces(); });
  const std::string name = "cn-test-" + std::to_string(getpid()) + "-" + std::to_string(counter++);
  int rc = 0;
  std::string out = RunCommand("ip netns add " + name, &rc);
  if (rc != 0) {
    if (error) *error = "ip netns add " + name + ": " + out;
    return nullptr;
  }
  std::unique_ptr<TestNetns> ns(new TestNetns(name));
  out = ns->Exec("ip link set lo up", &rc);
  if (rc != 0) {
    if (error) *error = "lo up in " + name + ": " + out;
    return nullptr;
  }
  return ns;
}

TestNetns::~TestNetns() { RunCommand("ip netns del " + name_); }

std::string TestNetns::Exec(const std::string& command, int* exit_code) const {
  return RunCommand("ip netns exec " + name_ + " sh -c " + ShellQuote(command), exit_code);
}

bool TestNetns::AddVeth(const std::string& local, const std::string& local_cidr, TestNetns* peer,
                        const std::string& remote, const std::string& remote_cidr,
                        std::string* error) {
  const TestNetns& other = peer ? *peer : *this;
  const std::string cmds[] = {
      "ip -n " + name_ + " link add " + local + " type veth peer name " + remote + " netns " +
          other.name_,
      local_cidr.empty() ? "" : "ip -n " + name_ + " addr add " + local_cidr + " dev " + local,
      remote_cidr.empty() ? ""
                          : "ip -n " + other.name_ + " addr add " + remote_cidr + " dev " + remote,
      "ip -n " + name_ + " link set " + local + " up",
      "ip -n " + other.name_ + " link set " + remote + " up",
  };
  for (const auto& c : cmds) {
    if (c.empty()) continue;
    int rc = 0;
    std::string out = RunCommand(c, &rc);
    if (rc != 0) {
      if (error) *error = c + ": " + out;
      return false;
    }
  }
  return true;
}

std::optional<NetnsPair> CreateVethPair(const VethEnds& ends, std::string* error) {
  NetnsPair pair{TestNetns::Create(error), nullptr};
  if (pair.a) pair.b = TestNetns::Create(error);
  if (!pair.b || !pair.a->AddVeth(ends.local, ends.local_cidr, pair.b.get(), ends.remote,
                                  ends.remote_cidr, error)) {
    return std::nullopt;
  }
  return pair;
}

EnterNetns::EnterNetns(const std::string& netns_path) {
  original_fd_ = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  if (original_fd_ < 0) {
    error_ = std::string("open own namespace: ") + std::strerror(errno);
    return;
  }
  const int target = open(netns_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (target < 0) {
    error_ = "open " + netns_path + ": " + std::strerror(errno);
    return;
  }
  if (setns(target, CLONE_NEWNET) != 0) {
    error_ = "setns " + netns_path + ": " + std::strerror(errno);
  } else {
    ok_ = true;
  }
  close(target);
}

EnterNetns::~EnterNetns() {
  if (ok_) setns(original_fd_, CLONE_NEWNET);
  if (original_fd_ >= 0) close(original_fd_);
}

}  // namespace chaosnet::testing
