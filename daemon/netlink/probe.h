// What the running kernel offers, found by trying it: inside a network
// namespace unshared on a throwaway thread (so nothing the host uses is ever
// touched), add each qdisc as root of lo, create an ifb link, a u32 filter
// and a u32 filter with a mirred action. The namespace dies with the thread.
// Without CAP_SYS_ADMIN (no unshare), it falls back to what /sys/module and
// /lib/modules say, and says so in the notes.
#pragma once

#include <string>

#include "daemon/kernel/kernel.h"

namespace chaosnet::netlink {

kernel::Capabilities ProbeKernel();

// The fallback on its own, with the module tree to look at (tests point it
// at a fake tree). `sys_module` is /sys/module, `modules_dir` is
// /lib/modules/$(uname -r).
kernel::Capabilities ProbeFromModuleFiles(const std::string& sys_module,
                                          const std::string& modules_dir);

}  // namespace chaosnet::netlink
