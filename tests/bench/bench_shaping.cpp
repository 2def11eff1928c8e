// Throughput of shape_batch: 100 000 trajectories of 1–16 turns in groups of 8, for every turn
// credit × trajectory score pair. Native only (it reads the clock).
#include "core/shaping.h"

#include <chrono>
#include <cstdint>
#include <cstdio>

using namespace rapport;

namespace {

constexpr int kTrajectories = 100000;
constexpr int kGroupSize = 8;
constexpr double kMinSeconds = 0.3;  // per method pair: repeat until timing noise is small

// A fixed LCG: the same batch on every run and platform.
struct Lcg {
  std::uint64_t state = 0x5eed;
  std::uint32_t next() {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<std::uint32_t>(state >> 33);
  }
};

ShapingBatch make_batch() {
  Lcg rng;
  ShapingBatch batch;
  batch.turn_offsets.push_back(0);
  batch.group_offsets.push_back(0);
  for (int i = 0; i < kTrajectories; ++i) {
    const int turns = 1 + static_cast<int>(rng.next() % 16);
    for (int t = 0; t < turns; ++t) {
      // UserRL-like: most turns score 0, the rest a fraction in [0, 1].
      batch.rewards.push_back(rng.next() % 3 == 0 ? static_cast<double>(rng.next() % 7) / 6 : 0.0);
      batch.tokens.push_back(20 + static_cast<int>(rng.next() % 400));
    }
    batch.turn_offsets.push_back(static_cast<std::uint32_t>(batch.rewards.size()));
    if ((i + 1) % kGroupSize == 0 || i + 1 == kTrajectories)
      batch.group_offsets.push_back(static_cast<std::uint32_t>(i + 1));
  }
  return batch;
}

}  // namespace

int main() {
  const ShapingBatch batch = make_batch();
  std::printf("shape_batch: %d trajectories, %zu turns, %zu groups of %d\n\n", kTrajectories, batch.rewards.size(),
              batch.group_count(), kGroupSize);
  std::printf("%-10s %-6s %14s %12s\n", "turn", "score", "traj/s", "ms/batch");
  ShapingBatchOut out;
  double checksum = 0;  // keeps the work observable
  for (auto turn : {TurnCredit::Naive, TurnCredit::Equalized, TurnCredit::R2G, TurnCredit::EM}) {
    for (auto score : {TrajectoryScore::Sum, TrajectoryScore::Mean, TrajectoryScore::R2G}) {
      ShapingConfig cfg;
      cfg.turn = turn;
      cfg.score = score;
      shape_batch(batch, out, cfg);  // warm up: sizes out, touches memory
      int runs = 0;
      const auto start = std::chrono::steady_clock::now();
      double seconds = 0;
      do {
        shape_batch(batch, out, cfg);
        checksum += out.advantage[runs % out.advantage.size()];
        ++runs;
        seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      } while (seconds < kMinSeconds);
      const double per_batch = seconds / runs;
      std::printf("%-10.*s %-6.*s %14.0f %12.3f\n", static_cast<int>(to_string(turn).size()), to_string(turn).data(),
                  static_cast<int>(to_string(score).size()), to_string(score).data(), kTrajectories / per_batch,
                  per_batch * 1e3);
    }
  }
  std::printf("\n(checksum %.6f)\n", checksum);
  return 0;
}
