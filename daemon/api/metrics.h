// What Prometheus scrapes: live faults by interface and by kind, lease events,
// API requests by RPC and code with their latency, the expiry lag, guard
// checks by result and the faults guards halted, program steps and their lag. Loop
// thread only; Render() writes the text exposition format (version 0.0.4). A
// scrape reads no kernel counters: it must not hold up the loop (and expiry)
// with a netlink round trip per live fault.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <utility>

#include "common/status.h"
#include "daemon/core/fault_manager.h"

namespace chaosnet::api {

class Histogram {
 public:
  static constexpr std::array<double, 12> kBounds = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                                     0.01,   0.025,   0.05,   0.1,   0.5,    1.0};
  void Observe(double seconds);
  // The _bucket, _sum and _count lines of `name` with `labels` ("" or `a="b",`).
  std::string Render(const std::string& name, const std::string& labels) const;

 private:
  std::array<uint64_t, kBounds.size()> buckets_{};  // non-cumulative
  uint64_t count_ = 0;
  double sum_ = 0;
};

class Metrics {
 public:
  explicit Metrics(core::FaultManager& manager);
  ~Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  void ObserveRequest(const std::string& rpc, StatusCode code, double seconds);
  // One guard check ended with `result` ("pass", "fail", "undecided").
  void CountGuardCheck(const std::string& result) { ++guard_checks_[result]; }
  // programs: one step made in place, `lag_seconds` after it was due.
  void CountProgramStep(double lag_seconds) {
    ++program_steps_;
    program_step_lag_.Observe(lag_seconds);
  }
  // Where the open stream count comes from (FaultService), if anywhere.
  void set_open_streams(std::function<int()> count) { open_streams_ = std::move(count); }
  // Where the netlink errors come from, by errno name ("ENOENT"): the kernel
  // boundary's tally, handed in by the wiring so that the API layer does not
  // depend on netlink. None: the counter has no series.
  using ErrorCounts = std::map<std::string, uint64_t>;
  void set_kernel_errors(std::function<ErrorCounts()> counts) {
    kernel_errors_ = std::move(counts);
  }
  std::string Render();

 private:
  void OnEvent(const core::FaultEvent& event);

  core::FaultManager& manager_;
  int subscription_ = 0;
  std::map<std::string, uint64_t> events_;
  std::map<std::pair<std::string, std::string>, uint64_t> requests_;  // (rpc, code)
  std::map<std::string, Histogram> latency_;                          // by rpc
  Histogram expiry_lag_;
  std::map<std::string, uint64_t> guard_checks_;  // by result
  uint64_t program_steps_ = 0;
  Histogram program_step_lag_;
  std::function<int()> open_streams_;
  std::function<ErrorCounts()> kernel_errors_;
};

// A label value with \, " and newline escaped.
std::string EscapeLabel(const std::string& value);

}  // namespace chaosnet::api
