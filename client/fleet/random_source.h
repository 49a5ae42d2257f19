// The fleet's one random source, specified bit for bit so that every client
// (this one, the Python one, a user's notebook) draws the same groups from the
// same seed. The standard library's engines and distributions are
// implementation-defined in the parts that matter here (std::shuffle,
// uniform_int_distribution), so neither is used.
//
//   SplitMix64, state = seed (unsigned 64-bit, all arithmetic modulo 2^64):
//     next():  state += 0x9E3779B97F4A7C15
//              z = state
//              z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
//              z = (z ^ (z >> 27)) * 0x94D049BB133111EB
//              return z ^ (z >> 31)
//
//   Shuffle(n), Fisher-Yates over the fleet file's order [0, 1, ..., n-1]:
//     for i from n-1 down to 1:
//       j = next() % (i + 1)      (the remainder of the unsigned 64-bit value,
//                                  no rejection loop: the bias is below 2^-50
//                                  for fleets of up to 16384 nodes, and taking
//                                  exactly one value per step is the contract)
//       swap(order[i], order[j])
//
// Every random shape draws exactly one Shuffle(n) from a fresh SplitMix64(seed)
// and takes what it needs from the shuffled order (client/fleet/shape.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace chaosnet::fleet {

class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}
  uint64_t Next();

 private:
  uint64_t state_;
};

// The permutation of 0..n-1 described above.
std::vector<size_t> Shuffle(size_t n, SplitMix64& random);

}  // namespace chaosnet::fleet
