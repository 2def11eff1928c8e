// Reward shaping: UserRL's multi-turn GRPO advantage (reference §9). The turn rewards of a group
// of rollouts of one prompt become trajectory scores, group z-scores, per-turn credits and the
// per-token advantage a trainer puts on every loss-masked token of each turn.
//
// UserRL computes in float32 tensors; we compute in double, so we agree with it to float32
// precision (the tests check 4 decimals), and exactly where it rounds with Python's round(x, 4)
// (the "mean" score and EM credits).
#pragma once

#include <cmath>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace rapport {

// How a trajectory's advantage is spread over its turns (credit c_t of turn t).
enum class TurnCredit {
  Naive,      // c_t = 1: plain GRPO, every token gets z. UserRL has no such branch; its baseline is
              // adv_estimator=grpo on Σ r_t, i.e. naive with score Sum. The score choice still applies.
  Equalized,  // c_t = 1 (UserRL "Equalized"); the same numbers as Naive under its own name.
  R2G,        // reward-to-go c_t = Σ_{k≥t} γ^(k−t) r_k: turns after the last reward get nothing.
  EM,         // exponential mapping c_t = round(0.5 + 0.5·(1 − e^(−k·r_t)) / (1 − e^(−k)), 4).
};

// How a trajectory's turn rewards become the one number that is compared within its group.
enum class TrajectoryScore {
  Sum,   // Σ r_t, unrounded (ours: the outcome plain GRPO compares).
  Mean,  // round(mean r_t, 4), 0 with no turns: what UserRL calls "Sum".
  R2G,   // Σ γ^(t−1) r_t.
};

struct ShapingConfig {
  TurnCredit turn = TurnCredit::Equalized;
  TrajectoryScore score = TrajectoryScore::Mean;
  double gamma = 0.8;  // one γ for both R2G credits and the R2G score, as UserRL's algorithm.gamma
  double em_k = 2.0;   // EM exponent k; UserRL fixes 2
  bool normalize_by_std = true;
  double epsilon = 1e-6;
};

// Method names for CLI flags and JSON. Turn: "naive", "equalized", "r2g", "em", "em(k)" (k > 0,
// sets em_k), "r2g(γ)" (0 ≤ γ ≤ 1, sets gamma). Score: "sum", "mean", "r2g", "r2g(γ)". Names are
// case-insensitive so UserRL's "Equalized", "EM", "R2G" work; but UserRL's "Sum" (spelt exactly
// so) means its mean score and is read as "mean", while "sum" is our true sum and other casings
// ("SUM") are rejected as ambiguous. False on anything else, leaving cfg unchanged.
bool parse_turn_credit(std::string_view text, ShapingConfig& cfg);
bool parse_trajectory_score(std::string_view text, ShapingConfig& cfg);
std::string_view to_string(TurnCredit method);       // "naive", "equalized", "r2g", "em"
std::string_view to_string(TrajectoryScore method);  // "sum", "mean", "r2g"

// One trajectory's score; 0 for no turns.
double trajectory_score(std::span<const double> rewards, const ShapingConfig& cfg);
// One trajectory's credit per turn.
std::vector<double> turn_credits(std::span<const double> rewards, const ShapingConfig& cfg);
// z-scores of one group: (S − μ)/(σ + ε) with Bessel's σ (or S − μ without normalize_by_std);
// a group of one has μ = 0, σ = 1; a group whose scores are all equal gets exactly 0.
std::vector<double> group_normalize(std::span<const double> scores, const ShapingConfig& cfg);
// The advantage of each token of turn t, c_t·z·N/E, where E = Σ_t c_t·tokens[t] and N counts the
// tokens with nonzero credit; all 0 when E = 0. Empty tokens means one token per turn.
std::vector<double> turn_advantages(std::span<const double> credits, std::span<const int> tokens, double z);

struct ShapedTrajectory {
  double score = 0;
  double z = 0;
  std::vector<double> credits;         // per turn
  std::vector<double> turn_advantage;  // per turn: the value of every loss-masked token of it
};

// Shapes one group. tokens_per_turn[i] holds trajectory i's loss-masked token count per turn; an
// empty outer or inner vector means one token per turn. Throws std::invalid_argument when a count
// is negative or a trajectory's counts don't match its turns.
std::vector<ShapedTrajectory> shape_group(const std::vector<std::vector<double>>& rewards,
                                          const std::vector<std::vector<int>>& tokens_per_turn,
                                          const ShapingConfig& cfg);

// Many groups in flat arrays, the layout a GPU wants (native/cuda/ implements the same contract).
// Trajectory i owns turns [turn_offsets[i], turn_offsets[i+1]); group g owns trajectories
// [group_offsets[g], group_offsets[g+1]). Offsets start at 0 and end at the element count; both
// empty is an empty batch.
struct ShapingBatch {
  std::vector<double> rewards;              // per turn
  std::vector<int> tokens;                  // per turn; empty means one token per turn
  std::vector<std::uint32_t> turn_offsets;  // trajectories + 1
  std::vector<std::uint32_t> group_offsets;  // groups + 1

  std::size_t trajectory_count() const { return turn_offsets.empty() ? 0 : turn_offsets.size() - 1; }
  std::size_t group_count() const { return group_offsets.empty() ? 0 : group_offsets.size() - 1; }
  // Appends a group, with shape_group's conventions for tokens (always stored, 1 where missing).
  void add_group(const std::vector<std::vector<double>>& group_rewards,
                 const std::vector<std::vector<int>>& group_tokens = {});
};

struct ShapingBatchOut {
  std::vector<double> score;      // per trajectory
  std::vector<double> z;          // per trajectory
  std::vector<double> credit;     // per turn
  std::vector<double> advantage;  // per turn, per token
};

// Empty string when the batch is well formed, else what is wrong.
std::string_view check_batch(const ShapingBatch& in);
// Shapes every group of the batch; out is resized. Throws std::invalid_argument on a malformed batch.
void shape_batch(const ShapingBatch& in, ShapingBatchOut& out, const ShapingConfig& cfg);

// The arithmetic of one trajectory and one group, on raw pointers so that the CPU code and the
// CUDA kernels run the very same lines (compiled for the device under nvcc).
#if defined(__CUDACC__)
#define RAPPORT_HOST_DEVICE __host__ __device__
#else
#define RAPPORT_HOST_DEVICE
#endif

namespace shaping_math {

// Python's round(x, 4): the decimal nearest the exact binary value, ties to even, read back as the
// nearest double; not floor(x·10^4 + 0.5). Needs no printf, so it also runs on a GPU.
RAPPORT_HOST_DEVICE inline double round4(double x) {
  // From 2^39 on, doubles are spaced wider than 1e-4: the nearest decimal reads back as x itself.
  constexpr double kExactFrom = 549755813888.0;
  if (!(std::fabs(x) < kExactFrom)) return x;  // also inf and nan, as Python
  const double whole = std::trunc(x);
  const double frac = x - whole;  // exact
  // Nearest count q of 1e-4 steps in frac. The product frac·10^4 is off by at most 1e-12, so q is
  // right unless the product lies that close to a halfway point.
  const double scaled = frac * 1e4;
  double q = std::floor(scaled + 0.5);
  if (std::fabs(scaled - q) > 0.5 - 1e-9) {
    // fma gives the exact sign of frac·10^4 − (q ± 0.5): one rounding cannot flip a sign.
    if (std::fma(frac, 1e4, -(q - 0.5)) < 0) q -= 1;
    else if (std::fma(frac, 1e4, -(q + 0.5)) > 0) q += 1;
    // An exact tie (as 0.03125) goes to the even neighbour; whole·10^4 is even, so q decides.
    const bool odd = static_cast<int>(q) % 2 != 0;
    if (odd && std::fma(frac, 1e4, -(q - 0.5)) == 0) q -= 1;
    else if (odd && std::fma(frac, 1e4, -(q + 0.5)) == 0) q += 1;
  }
  // whole·10^4 + q is an exact integer below 2^53, so one division is the correctly rounded read.
  const double r = (whole * 1e4 + q) / 1e4;
  return r == 0 ? std::copysign(0.0, x) : r;
}

RAPPORT_HOST_DEVICE inline double em_credit(double r, double k) {
  if (k == 0) return round4(0.5 + 0.5 * r);  // the k → 0 limit, where the formula is 0/0
  return round4(0.5 + 0.5 * (1 - std::exp(-k * r)) / (1 - std::exp(-k)));
}

RAPPORT_HOST_DEVICE inline double score(const double* r, std::uint32_t n, const ShapingConfig& cfg) {
  double x = 0;
  switch (cfg.score) {
    case TrajectoryScore::Sum:
      for (std::uint32_t t = 0; t < n; ++t) x += r[t];
      return x;
    case TrajectoryScore::Mean:
      if (n == 0) return 0.0;
      for (std::uint32_t t = 0; t < n; ++t) x += r[t];  // left to right, as Python's sum
      return round4(x / n);
    case TrajectoryScore::R2G:
      for (std::uint32_t t = n; t-- > 0;) x = r[t] + cfg.gamma * x;
      return x;
  }
  return 0.0;
}

RAPPORT_HOST_DEVICE inline void credits(const double* r, std::uint32_t n, const ShapingConfig& cfg, double* out) {
  switch (cfg.turn) {
    case TurnCredit::Naive:
    case TurnCredit::Equalized:
      for (std::uint32_t t = 0; t < n; ++t) out[t] = 1.0;
      return;
    case TurnCredit::R2G: {
      double x = 0;
      for (std::uint32_t t = n; t-- > 0;) out[t] = x = r[t] + cfg.gamma * x;
      return;
    }
    case TurnCredit::EM:
      for (std::uint32_t t = 0; t < n; ++t) out[t] = em_credit(r[t], cfg.em_k);
      return;
  }
}

// z = flat ? 0 : (S − mean) / scale.
struct GroupStats {
  double mean = 0;
  double scale = 1;
  bool flat = false;
};

RAPPORT_HOST_DEVICE inline GroupStats group_stats(const double* s, std::uint32_t n, const ShapingConfig& cfg) {
  if (n == 1) return {0.0, cfg.normalize_by_std ? 1.0 + cfg.epsilon : 1.0, false};
  double sum = 0;
  bool flat = true;
  for (std::uint32_t i = 0; i < n; ++i) {
    sum += s[i];
    flat = flat && s[i] == s[0];
  }
  // Equal scores are flagged rather than left to S − mean, which rounding may make ±1e-17.
  if (flat) return {0.0, 1.0, true};
  const double mean = sum / n;
  double squares = 0;
  for (std::uint32_t i = 0; i < n; ++i) squares += (s[i] - mean) * (s[i] - mean);
  const double sd = std::sqrt(squares / (n - 1));
  return {mean, cfg.normalize_by_std ? sd + cfg.epsilon : 1.0, false};
}

RAPPORT_HOST_DEVICE inline double z_score(double s, const GroupStats& g) {
  return g.flat ? 0.0 : (s - g.mean) / g.scale;
}

// tokens may be null: one token per turn.
RAPPORT_HOST_DEVICE inline void advantages(const double* credit, const int* tokens, std::uint32_t n, double z,
                                           double* out) {
  double e = 0, credited = 0;
  for (std::uint32_t t = 0; t < n; ++t) {
    const double w = tokens ? tokens[t] : 1;
    e += credit[t] * w;
    if (credit[t] != 0) credited += w;
  }
  // N/E first: with equal credits it is exactly 1, so every token gets exactly z.
  const double scale = e != 0 ? z * (credited / e) : 0.0;
  for (std::uint32_t t = 0; t < n; ++t) out[t] = e != 0 ? credit[t] * scale : 0.0;
}

}  // namespace shaping_math

#undef RAPPORT_HOST_DEVICE

}  // namespace rapport
