// The Asio adapter over the programs' step table (programs): one timer,
// always armed for the earliest step due, re-armed after every step and
// whenever a lease event may have added or removed a program. Each step is
// made against the monotonic clock (FaultManager::AdvancePrograms), so a late
// wake-up never shifts the steps after it.
#pragma once

#include <chrono>
#include <functional>

#include <boost/asio/io_context.hpp>

#include "daemon/app/deadline_timer.h"
#include "daemon/core/fault_manager.h"

namespace chaosnet::app {

class ProgramTimer {
 public:
  // `on_step` hears the lag of each step made (due instant to change done).
  using StepCounter = std::function<void(std::chrono::nanoseconds lag)>;
  ProgramTimer(boost::asio::io_context& loop, core::FaultManager& manager, StepCounter on_step);
  ~ProgramTimer();

  void Rearm();

 private:
  void OnFire();

  core::FaultManager& manager_;
  DeadlineTimer timer_;
  StepCounter on_step_;
  int subscription_ = 0;
  int step_subscription_ = 0;
};

}  // namespace chaosnet::app
