// Measuring real traffic between the test namespaces with ping.
#pragma once

#include <optional>
#include <string>

#include "tests/api/test_network.h"

namespace chaosnet::testing {

struct PingResult {
  int sent = 0;
  int received = 0;
  double loss_percent = 100;
  double avg_ms = 0;
};

// `ping -c count -i interval` from namespace a to b; nullopt if ping failed to run.
std::optional<PingResult> PingAtoB(const TestNetwork& net, int count, double interval_s,
                                   bool ipv6 = false);

}  // namespace chaosnet::testing
