// The CUDA shaping kernels agree with the CPU implementation where a GPU exists; elsewhere the
// entry point reports clearly why it cannot run.
#include <catch2/catch.hpp>

#include "native/cuda/shaping_cuda.h"

using namespace rapport;

TEST_CASE("cuda: shape_batch_cuda matches shape_batch, or explains why it cannot run", "[cuda]") {
  ShapingBatch batch;
  std::uint32_t lcg = 12345;
  auto next = [&] { return (lcg = lcg * 1664525u + 1013904223u) >> 8; };
  for (int g = 0; g < 300; ++g) {
    std::vector<std::vector<double>> rewards(8);
    for (auto& r : rewards) {
      r.resize(1 + next() % 16);
      for (auto& x : r) x = (next() % 6) * 0.2;
    }
    batch.add_group(rewards);
  }
  for (auto turn : {TurnCredit::Equalized, TurnCredit::R2G, TurnCredit::EM}) {
    for (auto score : {TrajectoryScore::Mean, TrajectoryScore::R2G}) {
      ShapingConfig cfg;
      cfg.turn = turn;
      cfg.score = score;
      ShapingBatchOut cpu, gpu;
      shape_batch(batch, cpu, cfg);
      std::string error;
      if (!shape_batch_cuda(batch, gpu, cfg, &error)) {
        // No device (or no CUDA build): the reason is stated, nothing is produced.
        CHECK_FALSE(error.empty());
        CHECK((error.find("CUDA") != std::string::npos || error.find("device") != std::string::npos));
        continue;
      }
      REQUIRE(gpu.z.size() == cpu.z.size());
      CHECK(gpu.score == cpu.score);
      CHECK(gpu.z == cpu.z);
      for (std::size_t i = 0; i < cpu.advantage.size(); ++i) CHECK(gpu.advantage[i] == Approx(cpu.advantage[i]).margin(1e-12));
    }
  }
}

TEST_CASE("cuda: the export's per-token advantages agree with the CPU, or the reason is stated", "[cuda]") {
  ShapingBatch batch;
  std::uint32_t lcg = 777;
  auto next = [&] { return (lcg = lcg * 1664525u + 1013904223u) >> 8; };
  for (int g = 0; g < 200; ++g) {
    std::vector<std::vector<double>> rewards(8);
    std::vector<std::vector<int>> tokens(8);
    for (std::size_t i = 0; i < rewards.size(); ++i) {
      rewards[i].resize(1 + next() % 16);
      for (auto& x : rewards[i]) {
        x = (next() % 6) * 0.2;
        tokens[i].push_back(static_cast<int>(next() % 40));  // 0 too: a turn with no policy tokens
      }
    }
    batch.add_group(rewards, tokens);
  }
  ShapingConfig cfg;
  cfg.turn = TurnCredit::EM;
  ShapingBatchOut cpu, gpu;
  shape_batch(batch, cpu, cfg);
  const std::vector<double> expected = policy_token_advantages(batch, cpu);
  std::size_t total = 0;
  for (int n : batch.tokens) total += static_cast<std::size_t>(n);
  REQUIRE(expected.size() == total);
  std::vector<double> per_token;
  std::string error;
  if (!shape_batch_tokens_cuda(batch, gpu, per_token, cfg, &error)) {
    CHECK((error.find("CUDA") != std::string::npos || error.find("device") != std::string::npos));
    return;
  }
  REQUIRE(per_token.size() == expected.size());
  for (std::size_t j = 0; j < expected.size(); ++j) CHECK(per_token[j] == Approx(expected[j]).margin(1e-12));
}
