#include "daemon/model/loss_rate.h"

namespace chaosnet::model {
namespace {

constexpr double Fraction(double percent) { return percent / 100; }

// Long-run weights of the 4-state chain started in state 1 (see the header).
struct FourStateWeights {
  double w1 = 0, w2 = 0, w3 = 0, w4 = 0;
};

FourStateWeights Weights(const FourStateLoss& gi) {
  const double p13 = Fraction(gi.p13), p31 = Fraction(gi.p31), p32 = Fraction(gi.p32),
               p23 = Fraction(gi.p23), p14 = Fraction(gi.p14);
  if (p13 == 0) return {1, 0, 0, p14};  // bursts never start: 1 <-> 4 only
  if (p31 == 0) {
    // Trapped in {2, 3} once a burst starts.
    if (p32 == 0) return {0, 0, 1, 0};  // in 3 for good
    if (p23 == 0) return {0, 1, 0, 0};  // in 2 for good
    return {0, p32, p23, 0};            // w3 / w2 = p23 / p32
  }
  if (p23 == 0 && p32 > 0) return {0, 1, 0, 0};  // the first 3 -> 2 is for good
  const double w3 = p13 / p31;
  const double w2 = p32 == 0 ? 0 : w3 * p32 / p23;
  return {1, w2, w3, p14};
}

}  // namespace

double StationaryLossPercent(const GilbertElliottLoss& ge) {
  const double p = Fraction(ge.p), r = Fraction(ge.r);
  const double a = Fraction(ge.one_minus_k), b = Fraction(ge.one_minus_h);
  if (p + r == 0) return 100 * a;
  return 100 * (r * a + p * b) / (p + r);
}

double StationaryLossPercent(const FourStateLoss& gi) {
  const FourStateWeights w = Weights(gi);
  return 100 * (w.w3 + w.w4) / (w.w1 + w.w2 + w.w3 + w.w4);
}

double MeanLossBurstPackets(const GilbertElliottLoss& ge) {
  const double p = Fraction(ge.p), r = Fraction(ge.r);
  const double a = Fraction(ge.one_minus_k), b = Fraction(ge.one_minus_h);
  const double good = p + r == 0 ? 1 : r / (p + r);
  const double bad = 1 - good;
  const double lost = good * a + bad * b;
  if (lost == 0) return 0;
  const double ends =
      good * a * ((1 - p) * (1 - a) + p * (1 - b)) + bad * b * (r * (1 - a) + (1 - r) * (1 - b));
  return ends == 0 ? kEndlessBurst : lost / ends;
}

double MeanLossBurstPackets(const FourStateLoss& gi) {
  const FourStateWeights w = Weights(gi);
  const double lost = w.w3 + w.w4;
  if (lost == 0) return 0;
  const double ends = w.w3 * (Fraction(gi.p31) + Fraction(gi.p32)) + w.w4;
  return ends == 0 ? kEndlessBurst : lost / ends;
}

double StationaryLossPercent(const LossModel& model) {
  return std::visit([](const auto& m) { return StationaryLossPercent(m); }, model);
}

double MeanLossBurstPackets(const LossModel& model) {
  return std::visit([](const auto& m) { return MeanLossBurstPackets(m); }, model);
}

}  // namespace chaosnet::model
