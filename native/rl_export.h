// Token-level training records for on-policy RL (`rapport export rl`), from trajectories recorded
// with `rapport run --record-tokens`: the exact ids the policy's server saw and produced, the loss
// mask (policy tokens only), the server's logprobs, and the per-token advantage of our shaping
// (A = c·z·N/E, as recorded in the trajectory's "shaping"), with per-turn rewards.
//
// Whole trajectory (default): one sequence per trajectory. The first policy call's prompt is
// prompt_ids; every later call's prompt must extend the previous prompt and completion (as a chat
// template does), its new tokens (tool results, the next generation prompt) entering with mask 0.
// Per turn: one record per policy call, its prompt and completion, every completion token masked in.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/json.h"
#include "core/trajectory.h"

namespace rapport {

struct RlSample {
  std::vector<std::int64_t> prompt_ids;
  std::vector<std::int64_t> completion_ids;  // everything after the prompt
  std::vector<int> loss_mask;                // per completion id: 1 where the policy produced it
  std::vector<double> old_logprobs;          // per completion id; 0 where masked out
  std::vector<double> advantages;            // per completion id; 0 where masked out
  std::vector<std::uint32_t> turn_starts;    // per policy call: where its completion starts
  std::vector<int> call_turns;               // per policy call: its turn
  int turn = -1;                             // per-turn samples: the turn
};

// Why a trajectory gives no record.
enum class RlSkip {
  None,
  NoTokens,     // a successful policy call has no token ids (not recorded with --record-tokens)
  NotShaped,    // no shaping record (not written by rapport run)
  NotPrefix,    // a later prompt does not extend the previous prompt and completion
  FailedCalls,  // a policy call failed: the trajectory was cut by the transport, not by the model
};
const char* to_string(RlSkip why);

// The samples of one trajectory: one (whole) or one per policy call (per_turn); empty with a reason.
std::vector<RlSample> rl_samples(const Trajectory& t, bool per_turn, RlSkip* why);

// The JSON line of a sample: ids, mask, logprobs, advantages, and the trajectory's uid (its GRPO
// group), task_id, sample, turn_starts, score (S), advantage (z), turn_rewards (r_t per turn) and
// turn_scores (per completion token: r_t on the last policy token of turn t, 0 elsewhere).
std::string rl_record_line(const Trajectory& t, const RlSample& s);

}  // namespace rapport
