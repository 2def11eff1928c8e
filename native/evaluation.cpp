#include "native/evaluation.h"

#include <algorithm>
#include <set>

namespace rapport {

double pass_at_k(int n, int c, int k) {
  if (k <= 0 || n <= 0) return 0.0;
  if (n - c < k) return 1.0;
  // C(n−c, k)/C(n, k) = Π_{i=n−c+1..n} (1 − k/i), stable for large n.
  double fail = 1.0;
  for (int i = n - c + 1; i <= n; ++i) fail *= 1.0 - static_cast<double>(k) / i;
  return 1.0 - fail;
}

double pass_hat_k(int n, int c, int k) {
  if (k <= 0 || n < k) return 0.0;
  double p = 1.0;
  for (int i = 0; i < k; ++i) p *= static_cast<double>(c - i) / (n - i);
  return std::max(0.0, p);
}

void Evaluator::add(const Trajectory& t, const json::object& llm_calls) {
  EnvAcc& acc = envs_[t.env];
  if (t.stop_reason == "infra_error") {
    ++acc.infra_excluded;  // no result: the model infrastructure failed
    return;
  }
  const std::string& task = t.group.empty() ? t.task_id : t.group;
  if (!acc.seen.emplace(task, t.sample).second) {
    ++acc.duplicates;  // the same file given twice, or overlapping runs: counted once
    return;
  }
  Episode e{t.sample, t.total_reward(), 0.0, 0.0, get_bool(t.metrics, "success")};
  if (!t.turns.empty()) {
    double max = t.turns.front().reward;
    for (const auto& turn : t.turns) {
      max = std::max(max, turn.reward);
      if (turn.reward == 1.0) ++acc.steps_at_1;
      if (turn.reward == 0.8) ++acc.steps_at_08;
    }
    e.step_mean = e.reward_sum / static_cast<double>(t.turns.size());
    e.step_max = max;
  }
  acc.tasks[task].push_back(e);
  ++acc.episodes;
  acc.successes += e.success ? 1 : 0;
  acc.score += get_number(t.metrics, "score");
  acc.turns += static_cast<std::int64_t>(t.turns.size());
  int fe = t.format_errors();
  acc.format_errors += fe;
  acc.fe_episodes += fe > 0 ? 1 : 0;
  acc.failed += get_int(llm_calls, "failed") > 0 ? 1 : 0;
  acc.shaped += t.shaping ? 1 : 0;
  ++acc.stop_reasons[t.stop_reason];
  for (const auto& [key, value] : t.metrics) {
    double x;
    if (value.is_bool()) x = value.get_bool() ? 1.0 : 0.0;
    else if (value.is_double()) x = value.get_double();
    else if (value.is_int64()) x = static_cast<double>(value.get_int64());
    else if (value.is_uint64()) x = static_cast<double>(value.get_uint64());
    else continue;
    auto& [sum, count] = acc.metrics[std::string(key)];
    sum += x;
    ++count;
  }
}

std::vector<EnvEvaluation> Evaluator::results() const {
  std::vector<EnvEvaluation> out;
  for (const auto& [env, acc] : envs_) {
    EnvEvaluation r;
    r.env = env;
    r.episodes = acc.episodes;
    r.tasks = static_cast<std::int64_t>(acc.tasks.size());
    const double n = static_cast<double>(std::max<std::int64_t>(1, acc.episodes));
    r.success = acc.successes / n;
    r.score = acc.score / n;
    r.turns = acc.turns / n;
    r.format_errors = acc.format_errors / n;
    r.format_error_episodes = acc.fe_episodes / n;
    r.failed_call_episodes = acc.failed / n;
    r.steps_at_1 = acc.steps_at_1 / n;
    r.steps_at_08 = acc.steps_at_08 / n;
    r.shaped = acc.shaped;
    r.infra_excluded = acc.infra_excluded;
    r.duplicates = acc.duplicates;
    const bool travel = env.rfind("travel", 0) == 0;
    r.stop_reasons = acc.stop_reasons;
    for (const auto& [key, sc] : acc.metrics) r.metrics[key] = sc.first / static_cast<double>(sc.second);
    r.k_min = acc.tasks.empty() ? 0 : 1 << 30;
    for (const auto& [task, eps] : acc.tasks) {
      int k = static_cast<int>(eps.size());
      r.k_min = std::min(r.k_min, k);
      r.k_max = std::max(r.k_max, k);
    }
    for (const auto& [task, eps] : acc.tasks) {
      double sum = 0, max = eps.front().reward_sum, step_sum = 0, step_max = 0;
      int c = 0;
      const Episode* last = &eps.front();  // the task's last sample (UserRL's travel metrics use only it)
      for (const auto& e : eps) {
        if (e.sample >= last->sample) last = &e;
        sum += e.reward_sum;
        max = std::max(max, e.reward_sum);
        step_sum += e.step_mean;
        step_max += e.step_max;
        c += e.success ? 1 : 0;
      }
      const double k = static_cast<double>(eps.size());
      r.reward_avg += sum / k;
      r.reward_max += max;
      r.micro_avg += travel ? last->step_mean : sum / k;
      r.micro_max += travel ? last->step_max : max;
      r.step_avg += step_sum / k;
      r.step_max += step_max / k;
      r.pass_at_1 += pass_at_k(static_cast<int>(eps.size()), c, 1);
      r.pass_at_k += pass_at_k(static_cast<int>(eps.size()), c, r.k_min);
      r.pass_hat.resize(static_cast<std::size_t>(std::max(0, r.k_min)), 0.0);
      for (int kk = 1; kk <= r.k_min; ++kk)
        r.pass_hat[static_cast<std::size_t>(kk - 1)] += pass_hat_k(static_cast<int>(eps.size()), c, kk);
    }
    const double tasks = static_cast<double>(std::max<std::int64_t>(1, r.tasks));
    r.micro_avg /= tasks;
    r.micro_max /= tasks;
    r.reward_avg /= tasks;
    r.reward_max /= tasks;
    r.step_avg /= tasks;
    r.step_max /= tasks;
    r.pass_at_1 /= tasks;
    r.pass_at_k /= tasks;
    for (auto& p : r.pass_hat) p /= tasks;
    out.push_back(std::move(r));
  }
  return out;
}

double Evaluator::overall(const std::vector<EnvEvaluation>& results) {
  double sum = 0, weight = 0;
  for (const auto& r : results) {
    sum += r.reward_avg * static_cast<double>(r.tasks);
    weight += static_cast<double>(r.tasks);
  }
  return weight > 0 ? sum / weight : 0.0;
}

json::object to_json_record(const EnvEvaluation& e) {
  json::object metrics, stops;
  for (const auto& [k, v] : e.metrics) metrics[k] = v;
  for (const auto& [k, v] : e.stop_reasons) stops[k] = v;
  json::object pass_hat;
  for (std::size_t k = 0; k < e.pass_hat.size(); ++k) pass_hat[std::to_string(k + 1)] = e.pass_hat[k];
  return json::object{{"env", e.env},
                      {"episodes", e.episodes},
                      {"tasks", e.tasks},
                      {"k_min", e.k_min},
                      {"k_max", e.k_max},
                      {"success", e.success},
                      {"score", e.score},
                      {"micro_avg", e.micro_avg},
                      {"micro_max", e.micro_max},
                      {"reward_avg", e.reward_avg},
                      {"reward_max", e.reward_max},
                      {"infra_excluded", e.infra_excluded},
                      {"step_avg", e.step_avg},
                      {"step_max", e.step_max},
                      {"steps_at_1", e.steps_at_1},
                      {"steps_at_08", e.steps_at_08},
                      {"pass_at_1", e.pass_at_1},
                      {"pass_at_k", e.pass_at_k},
                      {"pass_hat_k", std::move(pass_hat)},
                      {"turns", e.turns},
                      {"format_errors", e.format_errors},
                      {"format_error_episodes", e.format_error_episodes},
                      {"failed_call_episodes", e.failed_call_episodes},
                      {"shaped", e.shaped},
                      {"duplicates", e.duplicates},
                      {"metrics", std::move(metrics)},
                      {"stop_reasons", std::move(stops)}};
}

}  // namespace rapport

#include <cmath>

#include <fmt/format.h>

#include "core/shaping.h"
#include "native/scheduler.h"

namespace rapport {

void ShapingVerifier::add(const Trajectory& t) {
  if (!t.shaping) {
    ++unshaped_;
    return;
  }
  Trajectory light = t;  // keeps what shaping reads: rewards and the policy's token counts
  light.task = nullptr;
  light.system_prompt.clear();
  light.opening.clear();
  for (auto& turn : light.turns) {
    for (auto& call : turn.agent_calls) call.request = LlmRequest{};
    turn.env_calls.clear();
    turn.observation.clear();
  }
  groups_[{t.env, t.group}].push_back(std::move(light));
}

ShapingVerifier::Report ShapingVerifier::verify(double tolerance) const {
  Report report;
  report.unshaped = unshaped_;
  auto mismatch = [&](std::string line) {
    if (report.mismatches.size() < 20) report.mismatches.push_back(std::move(line));
    ++report.mismatch_count;
  };
  for (const auto& [key, members] : groups_) {
    std::vector<const Trajectory*> ordered(members.size(), nullptr);
    bool whole = true;
    for (const auto& t : members) {
      if (t.sample < 0 || static_cast<std::size_t>(t.sample) >= members.size() || ordered[t.sample]) whole = false;
      else ordered[t.sample] = &t;
    }
    if (!whole) {
      mismatch(fmt::format("{} group '{}': samples are not 0..{} exactly once", key.first, key.second, members.size() - 1));
      continue;
    }
    const ShapingRecord& first = *ordered[0]->shaping;
    ShapingConfig cfg;
    if (!parse_turn_credit(first.turn_credit, cfg) || !parse_trajectory_score(first.trajectory_score, cfg)) {
      mismatch(fmt::format("{} group '{}': unknown methods '{}' / '{}'", key.first, key.second, first.turn_credit,
                           first.trajectory_score));
      continue;
    }
    cfg.gamma = first.gamma;
    auto expected = shape_trajectories(ordered, cfg, true);
    auto close = [&](double a, double b) { return std::fabs(a - b) <= tolerance * std::max(1.0, std::fabs(b)); };
    for (std::size_t i = 0; i < ordered.size(); ++i) {
      const ShapingRecord& got = *ordered[i]->shaping;
      const ShapingRecord& want = expected[i];
      bool ok = close(got.score, want.score) && close(got.advantage, want.advantage) &&
                got.credits.size() == want.credits.size() && got.turn_advantage.size() == want.turn_advantage.size();
      for (std::size_t k = 0; ok && k < want.credits.size(); ++k) ok = close(got.credits[k], want.credits[k]);
      for (std::size_t k = 0; ok && k < want.turn_advantage.size(); ++k)
        ok = close(got.turn_advantage[k], want.turn_advantage[k]);
      if (!ok)
        mismatch(fmt::format("{} group '{}' sample {}: recorded advantage {} (score {}), recomputed {} (score {})",
                             key.first, key.second, i, got.advantage, got.score, want.advantage, want.score));
    }
    ++report.groups;
  }
  return report;
}

}  // namespace rapport
