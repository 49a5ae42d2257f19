#include "tests/api/test_network.h"

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cstdio>

namespace chaosnet::testing {

int Shell(const std::string& command, std::string* out) {
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return -1;
  std::array<char, 4096> buf{};
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0) {
    if (out != nullptr) out->append(buf.data(), n);
  }
  int status = ::pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

bool IsRoot() { return ::geteuid() == 0; }

std::string TcQdiscJson(const std::string& ns, const std::string& iface) {
  std::string out;
  Shell("ip netns exec " + ns + " tc -j qdisc show dev " + iface + " 2>&1", &out);
  return out;
}

TestNetwork::TestNetwork() {
  static std::atomic<int> counter{0};
  int k = counter++;
  // Distinct subnets per process and instance, so parallel tests never collide.
  int subnet = (::getpid() * 7 + k) % 250 + 1;
  std::string base = "cn-api-" + std::to_string(::getpid()) + "-" + std::to_string(k);
  ns_a_ = base + "-a";
  ns_b_ = base + "-b";
  addr_b_ = "10.77." + std::to_string(subnet) + ".2";
  std::string addr_a = "10.77." + std::to_string(subnet) + ".1";
  std::string v6 = "fd00:77:" + std::to_string(subnet) + "::";
  std::string setup =
      "set -e; ip netns add " + ns_a_ + "; ip netns add " + ns_b_ +
      "; ip -n " + ns_a_ + " link add cn0 type veth peer name cn1 netns " + ns_b_ +
      "; ip -n " + ns_a_ + " addr add " + addr_a + "/24 dev cn0" +
      "; ip -n " + ns_b_ + " addr add " + addr_b_ + "/24 dev cn1" +
      "; ip -n " + ns_a_ + " addr add " + v6 + "1/64 dev cn0 nodad" +
      "; ip -n " + ns_b_ + " addr add " + v6 + "2/64 dev cn1 nodad" +
      "; ip -n " + ns_a_ + " link set lo up; ip -n " + ns_b_ + " link set lo up" +
      "; ip -n " + ns_a_ + " link set cn0 up; ip -n " + ns_b_ + " link set cn1 up";
  ok_ = Shell("(" + setup + ") 2>&1") == 0;
}

TestNetwork::~TestNetwork() {
  Shell("ip netns del " + ns_a_ + " 2>/dev/null; ip netns del " + ns_b_ + " 2>/dev/null");
}

int TestNetwork::InA(const std::string& command, std::string* out) const {
  return Shell("ip netns exec " + ns_a_ + " sh -c '" + command + "' 2>&1", out);
}

int TestNetwork::InB(const std::string& command, std::string* out) const {
  return Shell("ip netns exec " + ns_b_ + " sh -c '" + command + "' 2>&1", out);
}

}  // namespace chaosnet::testing
