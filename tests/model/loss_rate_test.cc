// The closed forms of model/loss_rate.h against a simulation of the kernel's
// own generators (sch_netem.c in 6.1, loss_gilb_ell and loss_4state, written
// here from their description: the state a packet meets decides its fate,
// one draw per transition), run for a million packets with a fixed seed.
#include "daemon/model/loss_rate.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>

namespace chaosnet::model {
namespace {

struct Observed {
  double loss_percent = 0;
  double mean_burst = 0;
};

// Counts losses and runs of consecutive losses over `n` packets.
template <typename Lost>
Observed Run(int n, Lost lost) {
  int losses = 0, bursts = 0;
  bool previous = false;
  for (int i = 0; i < n; ++i) {
    const bool l = lost();
    losses += l;
    if (l && !previous) ++bursts;
    previous = l;
  }
  return {100.0 * losses / n, bursts == 0 ? 0 : static_cast<double>(losses) / bursts};
}

// Gilbert-Elliott as the kernel runs it: a draw for the transition, a second
// for the loss, with the probability of the state the packet met.
Observed SimulateGe(const GilbertElliottLoss& ge, int n, uint32_t seed = 1) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0, 1);
  bool bad = false;
  return Run(n, [&] {
    const bool was_bad = bad;
    if (!was_bad && u(rng) < ge.p / 100) bad = true;
    if (was_bad && u(rng) < ge.r / 100) bad = false;
    return u(rng) < (was_bad ? ge.one_minus_h : ge.one_minus_k) / 100;
  });
}

// The 4-state chain: one draw per packet; the packet is lost when the chain
// enters (or stays in) 3, or enters 4; 4 always returns to 1.
Observed SimulateFourState(const FourStateLoss& gi, int n, uint32_t seed = 1) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0, 1);
  int state = 1;
  return Run(n, [&] {
    const double r = u(rng) * 100;
    switch (state) {
      case 1:
        if (r < gi.p14) return state = 4, true;
        if (r < gi.p14 + gi.p13) return state = 3, true;
        return false;
      case 2:
        if (r < gi.p23) return state = 3, true;
        return false;
      case 3:
        if (r < gi.p32) return state = 2, false;
        if (r < gi.p32 + gi.p31) return state = 1, false;
        return true;
      default: state = 1; return false;
    }
  });
}

constexpr int kPackets = 1'000'000;

TEST(LossRateTest, GilbertElliottMatchesTheGeneratorItDescribes) {
  const GilbertElliottLoss cases[] = {
      {1, 10, 70, 0.1},  // tc-netem(8)'s example numbers
      {5, 95, 100, 0},   // tc's "gemodel 5%" with its defaults
      {2, 30, 50, 1},   {20, 20, 100, 5}, {0.5, 50, 25, 0},
  };
  for (const auto& ge : cases) {
    const Observed o = SimulateGe(ge, kPackets);
    const double loss = StationaryLossPercent(ge);
    EXPECT_NEAR(o.loss_percent, loss, 0.05 * loss + 0.02) << ge.p << " " << ge.r;
    EXPECT_NEAR(o.mean_burst, MeanLossBurstPackets(ge), 0.05 * MeanLossBurstPackets(ge))
        << ge.p << " " << ge.r;
  }
}

TEST(LossRateTest, GilbertElliottClosedFormByHand) {
  // pi_bad = 1 / 11; loss = 10/11 * 0.1% + 1/11 * 70% = 6.4545...%
  EXPECT_NEAR(StationaryLossPercent(GilbertElliottLoss{1, 10, 70, 0.1}), 6.4545, 1e-3);
  // Simple Gilbert (1-h = 100%, 1-k = 0%): loss = p / (p + r), bursts 1 / r.
  EXPECT_NEAR(StationaryLossPercent(GilbertElliottLoss{5, 95, 100, 0}), 5, 1e-9);
  EXPECT_NEAR(MeanLossBurstPackets(GilbertElliottLoss{5, 95, 100, 0}), 1 / 0.95, 1e-9);
  EXPECT_NEAR(MeanLossBurstPackets(GilbertElliottLoss{1, 25, 100, 0}), 4, 1e-9);
  // Never leaving the good state: its own loss, no more.
  EXPECT_NEAR(StationaryLossPercent(GilbertElliottLoss{0, 0, 100, 3}), 3, 1e-9);
  EXPECT_EQ(StationaryLossPercent(GilbertElliottLoss{0, 100, 100, 0}), 0);
  EXPECT_EQ(MeanLossBurstPackets(GilbertElliottLoss{0, 100, 100, 0}), 0);
  // A bad state that is never left and always loses: one endless burst.
  EXPECT_EQ(MeanLossBurstPackets(GilbertElliottLoss{50, 0, 100, 0}), kEndlessBurst);
  EXPECT_NEAR(StationaryLossPercent(GilbertElliottLoss{50, 0, 100, 0}), 100, 1e-9);
}

TEST(LossRateTest, FourStateMatchesTheGeneratorItDescribes) {
  const FourStateLoss cases[] = {
      {1, 30, 5, 40, 0.5},  // tc-netem(8)'s "state" example
      {1, 99, 0, 100, 0},   // tc's "state 1%" with its defaults
      {5, 20, 10, 50, 1},  {0, 100, 0, 100, 2}, {10, 50, 30, 20, 5},
  };
  for (const auto& gi : cases) {
    const Observed o = SimulateFourState(gi, kPackets);
    const double loss = StationaryLossPercent(gi);
    EXPECT_NEAR(o.loss_percent, loss, 0.05 * loss + 0.02) << gi.p13 << " " << gi.p31;
    EXPECT_NEAR(o.mean_burst, MeanLossBurstPackets(gi), 0.05 * MeanLossBurstPackets(gi))
        << gi.p13 << " " << gi.p31;
  }
}

TEST(LossRateTest, FourStateClosedFormByHandAndItsTraps) {
  // Isolated losses only: 1 -> 4 -> 1, loss p14 / (1 + p14).
  EXPECT_NEAR(StationaryLossPercent(FourStateLoss{0, 100, 0, 100, 2}), 100 * 0.02 / 1.02, 1e-9);
  EXPECT_NEAR(MeanLossBurstPackets(FourStateLoss{0, 100, 0, 100, 2}), 1, 1e-9);
  // Bernoulli-like: 1 -> 3 with p13, 3 -> 1 with p31 = 1 - p13: loss p13.
  EXPECT_NEAR(StationaryLossPercent(FourStateLoss{1, 99, 0, 100, 0}), 1, 1e-9);
  // Trapped in {2, 3} (p31 = 0): loss p23 / (p23 + p32).
  EXPECT_NEAR(StationaryLossPercent(FourStateLoss{1, 0, 30, 10, 0}), 25, 1e-9);
  // Trapped in 3: everything lost, one endless burst.
  EXPECT_NEAR(StationaryLossPercent(FourStateLoss{1, 0, 0, 100, 0}), 100, 1e-9);
  EXPECT_EQ(MeanLossBurstPackets(FourStateLoss{1, 0, 0, 100, 0}), kEndlessBurst);
  // The first 3 -> 2 is for good when p23 = 0: nothing lost in the long run.
  EXPECT_EQ(StationaryLossPercent(FourStateLoss{1, 50, 10, 0, 0}), 0);
}

TEST(LossRateTest, VariantDispatches) {
  EXPECT_NEAR(StationaryLossPercent(LossModel{GilbertElliottLoss{5, 95, 100, 0}}), 5, 1e-9);
  EXPECT_NEAR(StationaryLossPercent(LossModel{FourStateLoss{1, 99, 0, 100, 0}}), 1, 1e-9);
}

}  // namespace
}  // namespace chaosnet::model
