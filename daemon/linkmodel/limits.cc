#include "daemon/linkmodel/limits.h"

#include "common/units.h"
#include "daemon/model/loss_rate.h"

namespace chaosnet::linkmodel {

LossShare LongRunLoss(const model::FaultSpec& spec) {
  if (spec.partition) return {100, "a partition (100% loss)"};
  if (spec.jam) return {100, "a jam (nothing gets through while it holds: 100% loss)"};
  if (spec.loss_model) {
    const double percent = model::StationaryLossPercent(*spec.loss_model);
    return {percent, "a loss model losing " + units::FormatPercent(percent) + " in the long run"};
  }
  if (spec.loss) return {spec.loss->percent, "loss " + units::FormatPercent(spec.loss->percent)};
  return {};
}

DelayBound WorstCaseDelay(const model::FaultSpec& spec) {
  DelayBound bound;
  if (spec.delay) {
    bound.worst = spec.delay->latency + spec.delay->jitter;
    bound.parts = "latency + jitter";
  }
  if (spec.slot) {
    bound.worst += spec.slot->longest_wait();
    bound.parts += bound.parts.empty() ? "slot wait" : " + slot wait";
  }
  return bound;
}

}  // namespace chaosnet::linkmodel
