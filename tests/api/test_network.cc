#include "tests/api/test_network.h"

#include <unistd.h>

#include <atomic>
#include <utility>

namespace chaosnet::testing {

std::string TcQdiscJson(const std::string& ns, const std::string& iface) {
  return RunCommand("ip netns exec " + ns + " tc -j qdisc show dev " + iface);
}

TestNetwork::TestNetwork() {
  static std::atomic<int> counter{0};
  // Distinct subnets per process and instance, so parallel tests never collide.
  const int subnet = (::getpid() * 7 + counter++) % 250 + 1;
  const std::string v4 = "10.77." + std::to_string(subnet) + ".";
  const std::string v6 = "fd00:77:" + std::to_string(subnet) + "::";
  addr_b_ = v4 + "2";
  auto pair = CreateVethPair({"cn0", v4 + "1/24", "cn1", addr_b_ + "/24"});
  if (!pair) return;
  a_ = std::move(pair->a);
  b_ = std::move(pair->b);
  ok_ = InA("ip addr add " + v6 + "1/64 dev cn0 nodad") == 0 &&
        InB("ip addr add " + v6 + "2/64 dev cn1 nodad") == 0;
}

int TestNetwork::InA(const std::string& command, std::string* out) const {
  int rc = -1;
  std::string output = a_->Exec(command, &rc);
  if (out != nullptr) out->append(output);
  return rc;
}

int TestNetwork::InB(const std::string& command, std::string* out) const {
  int rc = -1;
  std::string output = b_->Exec(command, &rc);
  if (out != nullptr) out->append(output);
  return rc;
}

}  // namespace chaosnet::testing
