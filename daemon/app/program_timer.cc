#include "daemon/app/program_timer.h"

#include <spdlog/spdlog.h>

namespace chaosnet::app {

ProgramTimer::ProgramTimer(boost::asio::io_context& loop, core::FaultManager& manager,
                           StepCounter on_step)
    : manager_(manager), timer_(loop, [this] { OnFire(); }), on_step_(std::move(on_step)) {
  subscription_ = manager_.Subscribe([this](const core::FaultEvent&) { Rearm(); });
  step_subscription_ = manager_.SubscribeSteps([this](const core::FaultRecord& record) {
    const core::ProgramProgress& p = *record.program;
    if (on_step_) on_step_(p.last_lag);
    spdlog::info("fault {} on {}: program step {}/{} of run {} applied, step lag {}us", record.id,
                 record.spec.interface, p.position.index + 1, p.steps_per_cycle,
                 p.position.cycle + 1,
                 std::chrono::duration_cast<std::chrono::microseconds>(p.last_lag).count());
  });
  Rearm();
}

ProgramTimer::~ProgramTimer() {
  manager_.Unsubscribe(subscription_);
  manager_.Unsubscribe(step_subscription_);
}

void ProgramTimer::Rearm() { timer_.ArmFor(manager_.NextProgramStep()); }

void ProgramTimer::OnFire() {
  manager_.AdvancePrograms();
  Rearm();
}

}  // namespace chaosnet::app
