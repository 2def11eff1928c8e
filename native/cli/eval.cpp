// `rapport eval FILE...`: paper-style metrics per environment for trajectory files, the means of
// each environment's own metrics, and (with --verify) a check of every group's shaping.
#include <fmt/format.h>

#include <iostream>

#include "core/params.h"
#include "native/cli/command.h"
#include "native/evaluation.h"
#include "native/trajectory_files.h"

namespace rapport::cli {
namespace {

struct EvalFlags {
  std::vector<std::string> files;
  bool json_output = false;
  bool verify = false;
};

void print_text(const std::vector<EnvEvaluation>& results) {
  std::cout << fmt::format("{:<28} {:>8} {:>6} {:>5} {:>8} {:>7} {:>9} {:>9} {:>7} {:>7} {:>6} {:>8}\n", "environment",
                           "episodes", "tasks", "k", "success", "score", "micro_avg", "micro_max", "pass@1", "pass@k",
                           "turns", "fmt_err");
  for (const auto& r : results) {
    std::string k = r.k_min == r.k_max ? std::to_string(r.k_min) : fmt::format("{}-{}", r.k_min, r.k_max);
    std::cout << fmt::format("{:<28} {:>8} {:>6} {:>5} {:>8.4f} {:>7.4f} {:>9.4f} {:>9.4f} {:>7.4f} {:>7.4f} {:>6.2f} {:>8.3f}\n",
                             r.env, r.episodes, r.tasks, k, r.success, r.score, r.micro_avg, r.micro_max, r.pass_at_1,
                             r.pass_at_k, r.turns, r.format_errors);
  }
  for (const auto& r : results) {
    std::cout << fmt::format("\n{}\n", r.env);
    std::string metrics;
    for (const auto& [key, mean] : r.metrics) metrics += fmt::format("{}{} {:.4f}", metrics.empty() ? "" : " · ", key, mean);
    std::cout << fmt::format("  metrics (means): {}\n", metrics.empty() ? "-" : metrics);
    std::string hat;
    for (std::size_t k = 0; k < r.pass_hat.size(); ++k) hat += fmt::format("{}k={} {:.4f}", hat.empty() ? "" : " · ", k + 1, r.pass_hat[k]);
    std::cout << fmt::format("  pass^k (tau-bench: all of k samples succeed): {}\n", hat.empty() ? "-" : hat);
    std::cout << fmt::format("  step rewards: mean {:.4f} · max {:.4f} · steps at 1.0 {:.3f} · at 0.8 {:.3f} per episode\n",
                             r.step_avg, r.step_max, r.steps_at_1, r.steps_at_08);
    std::string stops;
    for (const auto& [reason, n] : r.stop_reasons) stops += fmt::format("{}{} {}", stops.empty() ? "" : " · ", reason, n);
    std::cout << fmt::format("  episodes with format errors {:.1f}% · with failed model calls {:.1f}% · stop: {}\n",
                             100 * r.format_error_episodes, 100 * r.failed_call_episodes, stops);
    std::cout << fmt::format("  episode reward sums: mean {:.4f} · max over samples {:.4f}\n", r.reward_avg, r.reward_max);
    if (r.infra_excluded > 0)
      std::cout << fmt::format("  {} episodes left out: a model call failed for good (stop_reason infra_error)\n",
                               r.infra_excluded);
    if (r.duplicates > 0)
      std::cout << fmt::format("  warning: {} records repeat a (task, sample) pair seen before (a file given twice?): "
                               "left out, the first of each counts\n",
                               r.duplicates);
  }
  if (results.size() > 1)
    std::cout << fmt::format("\noverall mean reward sum, weighted by tasks: {:.4f}\n", Evaluator::overall(results));
}

int eval(const EvalFlags& f) {
  Evaluator evaluator;
  ShapingVerifier verifier;
  for (const auto& file : f.files) {
    for_each_trajectory(file, [&](const Trajectory& t, const json::object& calls) {
      evaluator.add(t, calls);
      if (f.verify) verifier.add(t);
    });
  }
  auto results = evaluator.results();
  if (results.empty()) throw ConfigError("no trajectories in the given files");
  int code = kExitOk;
  ShapingVerifier::Report report;
  if (f.verify) {
    report = verifier.verify();
    if (report.mismatch_count > 0) code = kExitFailed;
  }
  if (f.json_output) {
    json::array envs;
    for (const auto& r : results) envs.push_back(to_json_record(r));
    json::object out{{"environments", std::move(envs)}, {"overall_micro_avg", Evaluator::overall(results)}};
    if (f.verify) {
      json::array lines;
      for (const auto& m : report.mismatches) lines.push_back(json::value(m));
      out["shaping"] = json::object{{"groups_verified", report.groups},
                                    {"unshaped", report.unshaped},
                                    {"mismatches", report.mismatch_count},
                                    {"examples", std::move(lines)}};
    }
    std::cout << to_json(out) << "\n";
    return code;
  }
  print_text(results);
  if (f.verify) {
    std::cout << fmt::format("\nshaping: {} groups recomputed, {} mismatches, {} trajectories without shaping\n",
                             report.groups, report.mismatch_count, report.unshaped);
    for (const auto& m : report.mismatches) std::cout << "  " << m << "\n";
  }
  return code;
}

void install(CLI::App& app) {
  auto f = std::make_shared<EvalFlags>();
  auto* cmd = app.add_subcommand(
      "eval",
      "Summarise trajectory files per environment: success, score, micro_avg/micro_max as UserRL's evaluation defines\n"
      "them (TravelGym: mean and max step reward of each task's last sample; others: mean and max over samples of\n"
      "the episode's reward sum, also reported for every environment as reward_avg/reward_max), pass@1 and pass@k\n"
      "(k = samples per task), turns, format errors, and the means of every environment metric. Episodes whose model\n"
      "calls failed for good (stop_reason infra_error) are left out and counted.");
  cmd->add_option("files", f->files, "Trajectory JSONL files (from rapport run)")->required()->check(CLI::ExistingFile);
  cmd->add_flag("--json", f->json_output, "Print one JSON object instead of tables");
  cmd->add_flag("--verify", f->verify,
                "Recompute every group's shaping from its rewards and check the recorded advantages (exit 1 on a mismatch)");
  cmd->callback([f] {
    if (int code = eval(*f); code != kExitOk) throw CLI::RuntimeError(code);
  });
}

RAPPORT_CLI_COMMAND(40, install);

}  // namespace
}  // namespace rapport::cli
