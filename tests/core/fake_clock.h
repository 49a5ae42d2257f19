// A clock for tests: time moves only when the test advances it, both clocks
// together.
#pragma once

#include <chrono>

#include "daemon/core/clock.h"

namespace chaosnet::testing {

class FakeClock : public core::Clock {
 public:
  core::SteadyTime Now() const override { return steady; }
  core::WallTime WallNow() const override { return wall; }
  void Advance(std::chrono::nanoseconds d) {
    steady += d;
    wall += std::chrono::duration_cast<core::WallTime::duration>(d);
  }
  core::SteadyTime steady{std::chrono::hours(1000)};
  core::WallTime wall{std::chrono::seconds(1'800'000'000)};
};

}  // namespace chaosnet::testing
