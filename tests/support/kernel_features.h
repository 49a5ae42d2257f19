// Does the running kernel have a qdisc kind? For GTEST_SKIP with a reason.
#pragma once

#include <string>

namespace chaosnet::testing {

// Tries `modprobe sch_<kind>` (works in the qemu guest; harmless where
// modules are built in or absent), then adds the kind as root of lo in a
// throwaway namespace. Cached per kind. Needs root.
bool KernelHasQdisc(const std::string& kind);

// "kernel has no netem qdisc (modprobe sch_netem failed or it is not built);
// this test runs in the qemu guest": the message for GTEST_SKIP.
std::string MissingQdiscSkipMessage(const std::string& kind);

}  // namespace chaosnet::testing
