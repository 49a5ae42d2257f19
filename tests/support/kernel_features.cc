#include "tests/support/kernel_features.h"

#include <map>
#include <mutex>

#include "tests/support/run_command.h"
#include "tests/support/test_netns.h"

namespace chaosnet::testing {

bool KernelHasQdisc(const std::string& kind) {
  static std::mutex mu;
  static std::map<std::string, bool> cache;
  std::lock_guard<std::mutex> lock(mu);
  if (auto it = cache.find(kind); it != cache.end()) return it->second;

  RunCommand("modprobe -q sch_" + kind);
  bool has = false;
  if (auto ns = TestNetns::Create()) {
    // Kinds whose add needs parameters get the smallest valid ones.
    std::string args;
    if (kind == "tbf") args = " rate 1mbit burst 10kb limit 10kb";
    int rc = 0;
    ns->Exec("tc qdisc add dev lo root handle 1: " + kind + args, &rc);
    has = rc == 0;
  }
  cache[kind] = has;
  return has;
}

std::string MissingQdiscSkipMessage(const std::string& kind) {
  return "kernel has no " + kind + " qdisc (modprobe sch_" + kind +
         " did not help); this test runs in the qemu guest with a distribution kernel";
}

}  // namespace chaosnet::testing
