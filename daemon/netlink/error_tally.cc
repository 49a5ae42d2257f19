#include "daemon/netlink/error_tally.h"

#include <cstring>
#include <mutex>

namespace chaosnet::netlink {
namespace {

std::mutex& Mutex() {
  static std::mutex mu;
  return mu;
}

std::map<int, uint64_t>& Counts() {
  static std::map<int, uint64_t> counts;
  return counts;
}

}  // namespace

void CountKernelError(int errnum) {
  std::lock_guard lock(Mutex());
  ++Counts()[errnum];
}

std::map<std::string, uint64_t> KernelErrorCounts() {
  std::lock_guard lock(Mutex());
  std::map<std::string, uint64_t> out;
  for (const auto& [errnum, n] : Counts()) {
    const char* name = ::strerrorname_np(errnum);
    out[name != nullptr ? name : "E" + std::to_string(errnum)] += n;
  }
  return out;
}

}  // namespace chaosnet::netlink
