#include "daemon/app/program_timer.h"

#include <spdlog/spdlog.h>

namespace chaosnet::app {

ProgramTimer::ProgramTimer(boost::asio::io_context& loop, core::FaultManager& manager,
                           StepCounter on_step)
    : manager_(manager), timer_(loop), on_step_(std::move(on_step)) {
  subscription_ = manager_.Subscribe([this](const core::FaultEvent&) { Rearm(); });
  step_subscription_ = manager_.SubscribeSteps([this](const core::FaultRecord& record) {
    const core::ProgramProgress& p = *record.program;
    if (on_step_) on_step_(p.last_lag);
    spdlog::info("fault {} on {}: program step {} of cycle {} applied, step lag {}us", record.id,
                 record.spec.interface, p.position.index, p.position.cycle,
                 std::chrono::duration_cast<std::chrono::microseconds>(p.last_lag).count());
  });
  Rearm();
}

ProgramTimer::~ProgramTimer() {
  manager_.Unsubscribe(subscription_);
  manager_.Unsubscribe(step_subscription_);
}

void ProgramTimer::Rearm() {
  auto next = manager_.NextProgramStep();
  if (next == armed_for_) return;
  armed_for_ = next;
  if (!next) {
    timer_.cancel();
    return;
  }
  timer_.expires_at(*next);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec == boost::asio::error::operation_aborted) return;
    OnFire();
  });
}

void ProgramTimer::OnFire() {
  armed_for_.reset();
  manager_.AdvancePrograms();
  Rearm();
}

}  // namespace chaosnet::app
