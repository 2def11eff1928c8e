// Evaluation of trajectory files: the paper-style numbers per environment (UserRL's eval, see
// reference §10) plus the means of every environment's own metrics. Streaming: trajectories are
// added one at a time and only per-task summaries are kept.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/json.h"
#include "core/trajectory.h"

namespace rapport {

struct EnvEvaluation {
  std::string env;  // spec string
  std::int64_t episodes = 0;
  std::int64_t tasks = 0;
  int k_min = 0, k_max = 0;  // samples per task
  double success = 0;        // mean of metrics.success
  double score = 0;          // mean of metrics.score (the environment's paper-style scale)
  // UserRL's eval (reference §10.2): for TravelGym (specs travel...) the mean over tasks of the
  // mean and of the max step reward of the task's last sample; for the others reward_avg and
  // reward_max.
  double micro_avg = 0;
  double micro_max = 0;
  double reward_avg = 0;     // mean over tasks of the mean over samples of the episode's reward sum
  double reward_max = 0;     // mean over tasks of the max over samples of the episode's reward sum
  double step_avg = 0;       // mean over tasks of the mean over samples of the mean step reward (travel style)
  double step_max = 0;       // the same with the max step reward
  double steps_at_1 = 0;     // mean number of steps rewarded exactly 1.0 per episode
  double steps_at_08 = 0;    // ... exactly 0.8 (TravelGym's preferred-option reward)
  double pass_at_1 = 0;      // unbiased pass@k on metrics.success, over tasks
  double pass_at_k = 0;      // with k = k_min
  // tau-bench's pass^k for k = 1..k_min (index k-1): mean over tasks of C(c, k) / C(n, k), the
  // chance that k samples all succeed.
  std::vector<double> pass_hat;
  double turns = 0;          // mean agent turns per episode
  double format_errors = 0;  // mean per episode
  double format_error_episodes = 0;  // share of episodes with at least one
  double failed_call_episodes = 0;   // share of episodes where a model call failed for good
  std::map<std::string, double> metrics;  // mean of every number or boolean in metrics
  std::map<std::string, std::int64_t> stop_reasons;
  std::int64_t shaped = 0;  // episodes carrying shaping records
  std::int64_t duplicates = 0;  // records of a (task, sample) pair seen before: left out, the first one counts
  std::int64_t infra_excluded = 0;  // episodes left out: a model call failed for good (stop_reason infra_error)
};

class Evaluator {
 public:
  // Adds one trajectory; `llm_calls` is the line's call record, if any.
  void add(const Trajectory& t, const json::object& llm_calls = {});
  // One entry per environment spec, sorted by spec.
  std::vector<EnvEvaluation> results() const;
  // Mean of reward_avg over environments, weighted by their number of tasks (reference §10.3).
  static double overall(const std::vector<EnvEvaluation>& results);

 private:
  struct Episode {
    int sample;
    double reward_sum, step_mean, step_max;
    bool success;
  };
  struct EnvAcc {
    std::map<std::string, std::vector<Episode>> tasks;  // by task id (group)
    std::int64_t episodes = 0, successes = 0, turns = 0, format_errors = 0, fe_episodes = 0, failed = 0, shaped = 0;
    std::int64_t steps_at_1 = 0, steps_at_08 = 0, infra_excluded = 0, duplicates = 0;
    std::set<std::pair<std::string, int>> seen;  // (task id or group, sample)
    double score = 0;
    std::map<std::string, std::pair<double, std::int64_t>> metrics;  // sum, count
    std::map<std::string, std::int64_t> stop_reasons;
  };
  std::map<std::string, EnvAcc> envs_;
};

json::object to_json_record(const EnvEvaluation& e);

// pass@k over n samples of which c succeeded: 1 − C(n−c, k) / C(n, k).
double pass_at_k(int n, int c, int k);
// pass^k (tau-bench): C(c, k) / C(n, k).
double pass_hat_k(int n, int c, int k);

}  // namespace rapport

namespace rapport {

// Recomputes the shaping of every complete group (same env and group id, samples 0..G−1) from the
// recorded rewards and policy token counts with the recorded methods, and compares it with the
// recorded scores, advantages, credits and per-turn advantages.
class ShapingVerifier {
 public:
  void add(const Trajectory& t);
  struct Report {
    std::int64_t groups = 0;       // verified groups
    std::int64_t unshaped = 0;     // trajectories without a shaping record
    std::vector<std::string> mismatches;  // one line per disagreeing trajectory (first 20)
    std::int64_t mismatch_count = 0;
  };
  Report verify(double tolerance = 1e-9) const;

 private:
  std::map<std::pair<std::string, std::string>, std::vector<Trajectory>> groups_;
  std::int64_t unshaped_ = 0;
};

}  // namespace rapport
