#include "client/fleet/random_source.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <string>
#include <vector>

#include "tests/client/fleet/golden_vectors.h"

namespace chaosnet::fleet {
namespace {

using golden::GoldenVectors;

// The published first output of SplitMix64 from seed 0, independent of the
// vectors file (which could otherwise agree with a wrong implementation).
TEST(FleetSplitMix64, MatchesThePublishedReferenceOutput) {
  SplitMix64 random(0);
  EXPECT_EQ(random.Next(), 0xE220A8397B1DCDAFULL);
  EXPECT_EQ(random.Next(), 0x6E789E6AA1B965F4ULL);
}

TEST(FleetSplitMix64, ReproducesTheGoldenVectors) {
  const auto lines = GoldenVectors("splitmix64");
  ASSERT_GE(lines.size(), 5u);
  for (const auto& words : lines) {
    SplitMix64 random(std::stoull(words[1]));
    for (size_t i = 2; i < words.size(); ++i) {
      EXPECT_EQ(random.Next(), std::stoull(words[i], nullptr, 16))
          << "seed " << words[1] << ", output " << i - 1;
    }
  }
}

TEST(FleetShuffle, ReproducesTheGoldenVectors) {
  const auto lines = GoldenVectors("shuffle");
  ASSERT_GE(lines.size(), 40u);
  for (const auto& words : lines) {
    SplitMix64 random(std::stoull(words[1]));
    const size_t n = std::stoul(words[2]);
    std::vector<size_t> expected;
    for (size_t i = 3; i < words.size(); ++i) expected.push_back(std::stoul(words[i]));
    EXPECT_EQ(Shuffle(n, random), expected) << "seed " << words[1] << ", n " << n;
  }
}

TEST(FleetShuffle, DrawsExactlyNMinusOneValues) {
  // The contract Python must follow: one value per step, none for n <= 1.
  for (size_t n : {0u, 1u, 2u, 7u}) {
    SplitMix64 shuffled(99), counter(99);
    Shuffle(n, shuffled);
    for (size_t i = 0; i + 1 < n; ++i) counter.Next();
    EXPECT_EQ(shuffled.Next(), counter.Next()) << "n " << n;
  }
}

TEST(FleetShuffle, IsAPermutationAndDependsOnTheSeed) {
  std::vector<size_t> identity(9);
  std::iota(identity.begin(), identity.end(), size_t{0});
  std::vector<std::vector<size_t>> seen;
  for (uint64_t seed = 0; seed < 50; ++seed) {
    SplitMix64 random(seed);
    auto order = Shuffle(9, random);
    auto sorted = order;
    std::sort(sorted.begin(), sorted.end());
    EXPECT_EQ(sorted, identity);
    seen.push_back(order);
  }
  std::sort(seen.begin(), seen.end());
  // 50 seeds over 9! orders: a repeat would mean the seed is mostly ignored.
  EXPECT_EQ(std::unique(seen.begin(), seen.end()), seen.end());
}

}  // namespace
}  // namespace chaosnet::fleet
