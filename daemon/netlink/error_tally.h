// How often the kernel has answered a netlink request with an error, by
// errno, since the daemon started: for the metrics. Any thread (requests are
// also made from the threads that enter other network namespaces). Some
// errors are expected (ENOENT when rolling back what someone already
// deleted); a rising EBUSY or EINVAL is worth an alert.
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace chaosnet::netlink {

void CountKernelError(int errnum);

// errno name ("ENOENT") -> count.
std::map<std::string, uint64_t> KernelErrorCounts();

}  // namespace chaosnet::netlink
