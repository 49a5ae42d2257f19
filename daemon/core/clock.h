// Time as the core sees it. Deadlines run on the monotonic clock; the wall
// clock only derives what users are shown. Tests inject a fake.
#pragma once

#include <chrono>

namespace chaosnet::core {

using SteadyTime = std::chrono::steady_clock::time_point;
using WallTime = std::chrono::system_clock::time_point;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual SteadyTime Now() const = 0;
  virtual WallTime WallNow() const = 0;

  // The wall-clock instant at which a monotonic deadline falls, as seen now.
  WallTime ToWall(SteadyTime t) const {
    return WallNow() + std::chrono::duration_cast<WallTime::duration>(t - Now());
  }
};

class SystemClock final : public Clock {
 public:
  SteadyTime Now() const override { return std::chrono::steady_clock::now(); }
  WallTime WallNow() const override { return std::chrono::system_clock::now(); }
};

}  // namespace chaosnet::core
