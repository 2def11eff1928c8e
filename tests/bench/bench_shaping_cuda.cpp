// CPU vs GPU for the batched shaping of `rapport export rl`: 1M trajectories × 16 turns in groups
// of 8, with the per-token advantages of every policy token (1–8 a turn). Prints both times, or why
// the GPU cannot run (no device, or a build without CUDA).
#include <chrono>
#include <ctime>
#include <cstdint>
#include <cstdio>
#include <string>

#include "core/shaping.h"
#include "native/cuda/shaping_cuda.h"

using namespace rapport;

namespace {

constexpr int kTrajectories = 1'000'000;
constexpr int kTurns = 16;
constexpr int kGroupSize = 8;

ShapingBatch make_batch() {
  std::uint64_t state = 0x5eed;
  auto next = [&] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<std::uint32_t>(state >> 33);
  };
  ShapingBatch batch;
  batch.rewards.reserve(static_cast<std::size_t>(kTrajectories) * kTurns);
  batch.tokens.reserve(batch.rewards.capacity());
  batch.turn_offsets.push_back(0);
  batch.group_offsets.push_back(0);
  for (int i = 0; i < kTrajectories; ++i) {
    for (int t = 0; t < kTurns; ++t) {
      batch.rewards.push_back(next() % 3 == 0 ? static_cast<double>(next() % 7) / 6 : 0.0);
      batch.tokens.push_back(1 + static_cast<int>(next() % 8));
    }
    batch.turn_offsets.push_back(static_cast<std::uint32_t>(batch.rewards.size()));
    if ((i + 1) % kGroupSize == 0) batch.group_offsets.push_back(static_cast<std::uint32_t>(i + 1));
  }
  return batch;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int main() {
  const ShapingBatch batch = make_batch();
  ShapingConfig cfg;
  cfg.turn = TurnCredit::EM;
  std::printf("shaping + per-token advantages: %d trajectories x %d turns, groups of %d, em/mean\n", kTrajectories, kTurns,
              kGroupSize);

  ShapingBatchOut cpu;
  auto start = std::chrono::steady_clock::now();
  const std::clock_t cpu_start = std::clock();
  shape_batch(batch, cpu, cfg);
  const std::vector<double> cpu_tokens = policy_token_advantages(batch, cpu);
  const double cpu_s = seconds_since(start);
  // Processor time too: on a shared machine the wall time includes waiting for a core.
  const double busy_s = static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC;
  std::printf("CPU (1 thread): %8.1f ms wall, %8.1f ms processor time  (%zu tokens)\n", cpu_s * 1e3, busy_s * 1e3,
              cpu_tokens.size());

  ShapingBatchOut gpu;
  std::vector<double> gpu_tokens;
  std::string error;
  if (!shape_batch_tokens_cuda(batch, gpu, gpu_tokens, cfg, &error)) {  // the first call also starts the device
    std::printf("GPU: not run: %s\n", error.c_str());
    return 0;
  }
  start = std::chrono::steady_clock::now();
  shape_batch_tokens_cuda(batch, gpu, gpu_tokens, cfg, &error);
  const double gpu_s = seconds_since(start);
  std::size_t mismatches = 0;
  for (std::size_t j = 0; j < cpu_tokens.size(); ++j) mismatches += gpu_tokens[j] != cpu_tokens[j];
  std::printf("GPU (with transfers): %8.1f ms  (%.1fx; %zu of %zu token advantages differ)\n", gpu_s * 1e3, cpu_s / gpu_s,
              mismatches, cpu_tokens.size());
  return 0;
}
