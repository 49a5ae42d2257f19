// The baselines chaosnet is measured against: the tc binary run once per
// operation (as tools that shell out do, directly or through `ip netns exec`),
// and tc -batch (one process, one netlink socket, many operations).
#pragma once

#include <string>
#include <vector>

namespace chaosnet::bench {

// Wall time of running argv to completion, in microseconds; throws when it
// fails to run or exits non-zero.
double TimedRun(const std::vector<std::string>& argv);

// The operations of one apply + revoke, as tc commands: a root htb qdisc with
// one rate class (what a chaosnet rate fault is), then the root deleted.
std::vector<std::vector<std::string>> TcApplyCommands(const std::string& iface);
std::vector<std::string> TcRevokeCommand(const std::string& iface);

// Prefix that runs a tc command inside `netns`: {"tc", "-n", ns} or
// {"ip", "netns", "exec", ns, "tc"}.
std::vector<std::string> TcIn(const std::string& netns, bool through_ip_netns_exec);

// Microseconds per apply + revoke for `count` of them done in one tc -batch.
double TcBatchPerApplyRevoke(const std::string& netns, const std::string& iface, int count);

// Microseconds for one tc -batch to create the kernel objects of `faults`
// targeted rate faults, `per_iface` on each of `ifaces` in turn: a root htb
// per interface, then per fault a class and a u32 filter to
// TargetAddress(i)/32 (what chaosnet installs, less its protected-traffic
// filters). The roots are deleted afterwards, untimed.
double TcBatchTargetedFaults(const std::string& netns, const std::vector<std::string>& ifaces,
                             int faults, int per_iface);

}  // namespace chaosnet::bench
