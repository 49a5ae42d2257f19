// Waiting in tests for something that happens on its own (a lease's end, a
// line in a log): read it again every `interval` until it is what the test
// waits for or `timeout` has passed, and return the last reading for the test
// to check. The bound can be wide for a loaded machine at no cost on a fast
// one; a fixed sleep is either too short or too long.
#pragma once

#include <chrono>
#include <thread>

namespace chaosnet::testing {

template <typename Read, typename Done>
auto PollUntil(Read read, Done done, std::chrono::milliseconds timeout,
               std::chrono::milliseconds interval = std::chrono::milliseconds(5)) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  auto value = read();
  while (!done(value) && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(interval);
    value = read();
  }
  return value;
}

}  // namespace chaosnet::testing
