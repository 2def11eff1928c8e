// CUDA shape_batch. Build with nvcc -std=c++20 (core/shaping.h uses <span>) and --fmad=false:
// nvcc otherwise fuses a·b + c into fma, which changes last bits relative to the CPU build.
//
// Layout: one thread per trajectory. The work of a trajectory (score, the backward R2G recursion,
// credits, N and E) is inherently serial over its ≤ tens of turns, and a batch holds 10^4–10^6
// trajectories, enough threads to fill a GPU; one block per group would leave most lanes idle
// (groups are ~8). Group statistics need every score of the group, so scores come from a first
// kernel; in the second, each thread recomputes its group's mean and std itself: a group is a
// handful of cached reads, cheaper than a third launch, and it sums in the CPU's order, so z is
// bit-identical to shape_batch's. All per-trajectory arithmetic is core/shaping.h's shaping_math.
#include "native/cuda/shaping_cuda.h"

#include <cuda_runtime.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace rapport {

namespace {

constexpr int kThreadsPerBlock = 128;

__global__ void score_kernel(const double* rewards, const std::uint32_t* turn_offsets, std::uint32_t trajectories,
                             ShapingConfig cfg, double* scores) {
  const std::uint32_t i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= trajectories) return;
  const std::uint32_t begin = turn_offsets[i];
  scores[i] = shaping_math::score(rewards + begin, turn_offsets[i + 1] - begin, cfg);
}

__global__ void shape_kernel(const double* rewards, const int* tokens, const std::uint32_t* turn_offsets,
                             const std::uint32_t* group_offsets, std::uint32_t trajectories, std::uint32_t groups,
                             ShapingConfig cfg, const double* scores, double* z, double* credit, double* advantage) {
  const std::uint32_t i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= trajectories) return;
  // The group holding trajectory i: the last g with group_offsets[g] <= i (empty groups skipped).
  std::uint32_t lo = 0, hi = groups;
  while (hi - lo > 1) {
    const std::uint32_t mid = lo + (hi - lo) / 2;
    if (group_offsets[mid] <= i) lo = mid;
    else hi = mid;
  }
  const std::uint32_t first = group_offsets[lo], last = group_offsets[lo + 1];
  const auto stats = shaping_math::group_stats(scores + first, last - first, cfg);
  z[i] = shaping_math::z_score(scores[i], stats);
  const std::uint32_t begin = turn_offsets[i], n = turn_offsets[i + 1] - begin;
  shaping_math::credits(rewards + begin, n, cfg, credit + begin);
  shaping_math::advantages(credit + begin, tokens ? tokens + begin : nullptr, n, z[i], advantage + begin);
}

// The export's per-token advantages: one thread per turn writes its tokens' copies of the turn's
// advantage, at the turn's offset in the flat token array.
__global__ void token_kernel(const double* advantage, const int* tokens, const std::uint64_t* token_offsets,
                             std::uint64_t turns, double* per_token) {
  const std::uint64_t t = static_cast<std::uint64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (t >= turns) return;
  const std::uint64_t begin = token_offsets[t];
  const int n = tokens ? tokens[t] : 1;
  for (int k = 0; k < n; ++k) per_token[begin + k] = advantage[t];
}

// Device memory released on every return path.
template <class T>
struct DeviceArray {
  T* ptr = nullptr;
  ~DeviceArray() {
    if (ptr) cudaFree(ptr);
  }
};

}  // namespace

namespace {

bool shape_on_device(const ShapingBatch& in, ShapingBatchOut& out, std::vector<double>* per_token, const ShapingConfig& cfg,
                     std::string* error) {
  auto fail = [&](std::string message) {
    if (error) *error = std::move(message);
    return false;
  };
  auto failed = [&](cudaError_t status, const char* what) {
    if (status == cudaSuccess) return false;
    fail(std::string("shape_batch_cuda: ") + what + ": " + cudaGetErrorString(status));
    return true;
  };
  int devices = 0;
  if (const cudaError_t status = cudaGetDeviceCount(&devices); status != cudaSuccess || devices == 0)
    return fail(std::string("shape_batch_cuda: no CUDA device (") +
                (status != cudaSuccess ? cudaGetErrorString(status) : "none found") + ")");
  if (const std::string_view problem = check_batch(in); !problem.empty())
    return fail("shape_batch_cuda: " + std::string(problem));

  const std::uint32_t trajectories = static_cast<std::uint32_t>(in.trajectory_count());
  const std::uint32_t groups = static_cast<std::uint32_t>(in.group_count());
  const std::size_t turns = in.rewards.size();
  out.score.assign(trajectories, 0.0);
  out.z.assign(trajectories, 0.0);
  out.credit.assign(turns, 0.0);
  out.advantage.assign(turns, 0.0);
  if (per_token) per_token->clear();
  if (trajectories == 0) return true;

  DeviceArray<double> rewards, scores, z, credit, advantage;
  DeviceArray<int> tokens;
  DeviceArray<std::uint32_t> turn_offsets, group_offsets;
  auto upload = [&](auto& device, const auto& host, const char* what) {
    using T = typename std::decay_t<decltype(host)>::value_type;
    if (host.empty()) return true;
    return !failed(cudaMalloc(&device.ptr, host.size() * sizeof(T)), what) &&
           !failed(cudaMemcpy(device.ptr, host.data(), host.size() * sizeof(T), cudaMemcpyHostToDevice), what);
  };
  auto allocate = [&](DeviceArray<double>& device, std::size_t count, const char* what) {
    return count == 0 || !failed(cudaMalloc(&device.ptr, count * sizeof(double)), what);
  };
  if (!upload(rewards, in.rewards, "copying rewards") || !upload(tokens, in.tokens, "copying tokens") ||
      !upload(turn_offsets, in.turn_offsets, "copying turn offsets") ||
      !upload(group_offsets, in.group_offsets, "copying group offsets") ||
      !allocate(scores, trajectories, "allocating scores") || !allocate(z, trajectories, "allocating z") ||
      !allocate(credit, turns, "allocating credits") || !allocate(advantage, turns, "allocating advantages"))
    return false;

  const unsigned blocks = (trajectories + kThreadsPerBlock - 1) / kThreadsPerBlock;
  score_kernel<<<blocks, kThreadsPerBlock>>>(rewards.ptr, turn_offsets.ptr, trajectories, cfg, scores.ptr);
  if (failed(cudaGetLastError(), "launching score_kernel")) return false;
  shape_kernel<<<blocks, kThreadsPerBlock>>>(rewards.ptr, tokens.ptr, turn_offsets.ptr, group_offsets.ptr,
                                             trajectories, groups, cfg, scores.ptr, z.ptr, credit.ptr, advantage.ptr);
  if (failed(cudaGetLastError(), "launching shape_kernel")) return false;

  DeviceArray<std::uint64_t> token_offsets;
  DeviceArray<double> tokens_out;
  if (per_token) {
    std::vector<std::uint64_t> offsets(turns);
    std::uint64_t total = 0;
    for (std::size_t t = 0; t < turns; ++t) {
      offsets[t] = total;
      total += in.tokens.empty() ? 1 : static_cast<std::uint64_t>(in.tokens[t]);
    }
    per_token->assign(total, 0.0);
    if (!upload(token_offsets, offsets, "copying token offsets") || !allocate(tokens_out, total, "allocating token advantages"))
      return false;
    const unsigned turn_blocks = static_cast<unsigned>((turns + kThreadsPerBlock - 1) / kThreadsPerBlock);
    token_kernel<<<turn_blocks, kThreadsPerBlock>>>(advantage.ptr, tokens.ptr, token_offsets.ptr, turns, tokens_out.ptr);
    if (failed(cudaGetLastError(), "launching token_kernel")) return false;
  }

  auto download = [&](std::vector<double>& host, const DeviceArray<double>& device, const char* what) {
    return host.empty() ||
           !failed(cudaMemcpy(host.data(), device.ptr, host.size() * sizeof(double), cudaMemcpyDeviceToHost), what);
  };
  // cudaMemcpy waits for the kernels, so a fault inside them surfaces here.
  return download(out.score, scores, "running the kernels / copying scores") && download(out.z, z, "copying z") &&
         download(out.credit, credit, "copying credits") && download(out.advantage, advantage, "copying advantages") &&
         (!per_token || download(*per_token, tokens_out, "copying token advantages"));
}

}  // namespace

bool shape_batch_cuda(const ShapingBatch& in, ShapingBatchOut& out, const ShapingConfig& cfg, std::string* error) {
  return shape_on_device(in, out, nullptr, cfg, error);
}

bool shape_batch_tokens_cuda(const ShapingBatch& in, ShapingBatchOut& out, std::vector<double>& per_token,
                             const ShapingConfig& cfg, std::string* error) {
  return shape_on_device(in, out, &per_token, cfg, error);
}

}  // namespace rapport
