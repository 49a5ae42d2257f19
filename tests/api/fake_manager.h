// A fault manager on the fake kernel and clock, with every kernel feature
// present: for tests of what listens to the manager (metrics, audit log)
// without a daemon.
#pragma once

#include <utility>

#include "daemon/core/fault_manager.h"
#include "tests/core/fake_clock.h"
#include "tests/core/fake_kernel.h"

namespace chaosnet::testing {

struct FakeManager {
  explicit FakeManager(core::FaultManager::IdGenerator ids)
      : manager(kernels, clock, AllFeatures(), core::ManagerConfig{}, std::move(ids)) {}

  static kernel::Capabilities AllFeatures() {
    kernel::Capabilities caps;
    caps.netem = caps.tbf = caps.htb = caps.u32 = caps.ifb = caps.mirred = true;
    return caps;
  }

  FakeKernel kernel;
  core::SingleKernelProvider kernels{kernel};
  FakeClock clock;  // starts at 2027-01-15T08:00:00Z
  core::FaultManager manager;
};

}  // namespace chaosnet::testing
