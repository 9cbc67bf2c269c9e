// Deterministic pseudo-random numbers. The core never asks the platform for entropy (the mini-program
// has no crypto and Emscripten's getentropy would abort there): the host passes a seed, and the same
// seed gives the same backoff jitter and the same ids, which is what tests need.
#pragma once

#include <cstdint>

namespace echat::core {

class Rng {
 public:
  explicit Rng(std::uint64_t seed = 0x9E3779B97F4A7C15ull) : state_(seed) {}

  void reseed(std::uint64_t seed) { state_ = seed; }

  // splitmix64: tiny, fast, good enough statistical quality for jitter and ids (not for secrets).
  std::uint64_t next_u64() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }

  // Uniform in [0, 1).
  double next_unit() { return static_cast<double>(next_u64() >> 11) * (1.0 / 9007199254740992.0); }

 private:
  std::uint64_t state_;
};

}  // namespace echat::core
