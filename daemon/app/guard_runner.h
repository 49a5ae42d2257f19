// The Asio adapter that runs the guards of live faults (daemon/guard/ holds
// the rules). One round timer per guarded fault, on the daemon's event loop:
// network guards connect asynchronously (a socket made in the fault's network
// namespace, then handed to Asio), counter guards read the fault's own class
// and leaf and its namespace's /proc/net/snmp. No thread per guard, no
// process: the daemon never execs. When a guard has failed often enough the
// fault is halted (FaultManager::Halt), at once, in the handler that saw it.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>

#include "daemon/core/clock.h"
#include "daemon/core/fault_manager.h"

namespace chaosnet::app {

class GuardRunner {
 public:
  // `count_check` is told the result name ("pass", "fail", "undecided") of
  // every check (the metrics).
  GuardRunner(boost::asio::io_context& loop, core::FaultManager& manager, const core::Clock& clock,
              std::function<void(const char*)> count_check);
  ~GuardRunner();
  GuardRunner(const GuardRunner&) = delete;
  GuardRunner& operator=(const GuardRunner&) = delete;

  struct Armed;  // one fault's guards (guard_runner.cc)

 private:
  void Arm(const core::FaultRecord& record);
  void Disarm(const std::string& id);
  void ScheduleRound(const std::shared_ptr<Armed>& armed);
  void RunRound(const std::shared_ptr<Armed>& armed);
  void CheckCounters(const std::shared_ptr<Armed>& armed, core::SteadyTime started);
  void StartNetworkCheck(const std::shared_ptr<Armed>& armed, size_t index,
                         core::SteadyTime started);
  void Conclude(const std::shared_ptr<Armed>& armed, size_t index,
                const guard::GuardOutcome& outcome, core::SteadyTime started);

  boost::asio::io_context& loop_;
  core::FaultManager& manager_;
  const core::Clock& clock_;
  std::function<void(const char*)> count_check_;
  std::map<std::string, std::shared_ptr<Armed>> armed_;  // by fault id
  int subscription_ = 0;
};

}  // namespace chaosnet::app
