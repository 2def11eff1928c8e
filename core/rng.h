// The engine's only source of randomness: a seeded generator with our own distributions, so that
// a seed gives the same episode with libstdc++ natively and libc++ in WebAssembly.
#pragma once

#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

namespace rapport {

// xoshiro256** seeded through SplitMix64.
class Rng {
 public:
  explicit Rng(std::uint64_t seed);

  // A generator for a named sub-stream: same (seed, name) gives the same stream, and adding a new
  // consumer of randomness does not shift the others.
  static Rng derive(std::uint64_t seed, std::string_view stream, std::uint64_t index = 0);

  std::uint64_t next();
  // Uniform integer in [0, n), n > 0, without modulo bias.
  std::uint64_t below(std::uint64_t n);
  // Uniform integer in [lo, hi] (inclusive).
  std::int64_t range(std::int64_t lo, std::int64_t hi);
  // Uniform double in [0, 1) with 53 random bits.
  double uniform();
  bool chance(double p) { return uniform() < p; }

  template <class T>
  void shuffle(std::vector<T>& items) {
    for (std::size_t i = items.size(); i > 1; --i) std::swap(items[i - 1], items[below(i)]);
  }
  template <class T>
  const T& pick(const std::vector<T>& items) {
    return items[below(items.size())];
  }

 private:
  std::uint64_t s_[4];
};

// The permutation NumPy's legacy `np.random.seed(seed); np.random.shuffle(range(n))` produces
// (MT19937 with masked rejection sampling). The reference splits its data files this way.
std::vector<std::size_t> numpy_legacy_permutation(std::size_t n, std::uint32_t seed);

// FNV-1a 64-bit: stable hashing of names and texts into seeds and fingerprints.
std::uint64_t fnv1a64(std::string_view text, std::uint64_t basis = 0xcbf29ce484222325ULL);

}  // namespace rapport
