#include "core/rng.h"

#include <random>

namespace rapport {
namespace {

std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

}  // namespace

Rng::Rng(std::uint64_t seed) {
  std::uint64_t state = seed;
  for (auto& word : s_) word = splitmix64(state);
}

Rng Rng::derive(std::uint64_t seed, std::string_view stream, std::uint64_t index) {
  std::uint64_t mixed = seed ^ fnv1a64(stream);
  mixed = splitmix64(mixed) ^ index;
  return Rng(splitmix64(mixed));
}

std::uint64_t Rng::next() {
  const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
  const std::uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

std::uint64_t Rng::below(std::uint64_t n) {
  // Rejection sampling on the top of the range keeps every value equally likely.
  const std::uint64_t limit = ~std::uint64_t{0} - (~std::uint64_t{0} % n);
  std::uint64_t x;
  do x = next();
  while (x >= limit);
  return x % n;
}

std::int64_t Rng::range(std::int64_t lo, std::int64_t hi) {
  return lo + static_cast<std::int64_t>(below(static_cast<std::uint64_t>(hi - lo) + 1));
}

double Rng::uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

std::vector<std::size_t> numpy_legacy_permutation(std::size_t n, std::uint32_t seed) {
  // std::mt19937's engine (unlike the standard distributions) is specified bit for bit, so it
  // matches NumPy's MT19937 on every target.
  std::mt19937 mt(seed);
  std::vector<std::size_t> order(n);
  for (std::size_t i = 0; i < n; ++i) order[i] = i;
  for (std::size_t i = n; i-- > 1;) {
    std::uint32_t max = static_cast<std::uint32_t>(i), mask = max;
    for (int shift = 1; shift <= 16; shift <<= 1) mask |= mask >> shift;
    std::uint32_t j;
    do j = static_cast<std::uint32_t>(mt()) & mask;
    while (j > max);
    std::swap(order[i], order[j]);
  }
  return order;
}

std::uint64_t fnv1a64(std::string_view text, std::uint64_t basis) {
  std::uint64_t h = basis;
  for (unsigned char c : text) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

}  // namespace rapport
