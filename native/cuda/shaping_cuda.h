// shape_batch (core/shaping.h) on a CUDA device: the same contract and the same arithmetic, for
// trainers that hold very large batches. Callers need no CUDA headers.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/shaping.h"

namespace rapport {

// Shapes every group of the batch on the current CUDA device; out is resized. Returns false, with
// a message in *error when error is not null, when no device is usable, the batch is malformed
// or a CUDA call fails. Results equal shape_batch's, except that EM credits may differ where the
// device's exp() and the host's differ in the last bit right at a 4-decimal rounding boundary.
bool shape_batch_cuda(const ShapingBatch& in, ShapingBatchOut& out, const ShapingConfig& cfg, std::string* error);

// The per-token advantages of `rapport export rl`: every policy token of turn t (in.tokens[t] of
// them, turns in batch order) gets out.advantage[t]. The CPU reference.
inline std::vector<double> policy_token_advantages(const ShapingBatch& in, const ShapingBatchOut& out) {
  std::vector<double> per_token;
  std::size_t total = 0;
  for (std::size_t t = 0; t < out.advantage.size(); ++t) total += in.tokens.empty() ? 1 : static_cast<std::size_t>(in.tokens[t]);
  per_token.reserve(total);
  for (std::size_t t = 0; t < out.advantage.size(); ++t)
    per_token.insert(per_token.end(), in.tokens.empty() ? 1 : static_cast<std::size_t>(in.tokens[t]), out.advantage[t]);
  return per_token;
}

// shape_batch_cuda, then the per-token advantages on the device too (policy_token_advantages).
bool shape_batch_tokens_cuda(const ShapingBatch& in, ShapingBatchOut& out, std::vector<double>& per_token,
                             const ShapingConfig& cfg, std::string* error);

}  // namespace rapport
