// Latency samples and their summary, for the benchmark's tables.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace chaosnet::bench {

using Clock = std::chrono::steady_clock;

struct Summary {
  std::size_t count = 0;
  double p50_us = 0, p99_us = 0, max_us = 0, mean_us = 0;
};

// Nearest-rank percentiles over the samples (microseconds).
Summary Summarize(std::vector<double> samples_us);

double MicrosSince(Clock::time_point start);

// "412 µs" / "3.61 ms" / "1.25 s": three significant digits.
std::string Human(double micros);

}  // namespace chaosnet::bench
