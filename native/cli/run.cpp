// `rapport run`: a batch of episodes (G samples per task as GRPO groups) with a scripted, LLM or
// replayed agent and a scripted or LLM user, written as JSONL with shaped rewards, and a results
// table. With no arguments: 100 FunctionGym episodes, scripted agent and user, no model needed.
#include <fmt/format.h>
#include <unistd.h>

#include <iostream>

#include "core/params.h"
#include "native/cli/command.h"
#include "native/scheduler.h"
#include "native/search_backend.h"

namespace rapport::cli {
namespace {

constexpr const char* kDefaultOut = "rapport-run.jsonl";

struct RunFlags {
  RunOptions run;
  std::size_t episodes = 100;
  std::size_t tasks = 0;
  std::string user = "scripted";
  std::string shard;
  std::string turn_credit = "equalized";
  std::string trajectory_score = "mean";
  double gamma = 0.8;
  double em_k = 2.0;
  bool no_std = false;
  EndpointFlags policy, user_endpoint, judge;
  ClientFlags client;
  double temperature = 1.0;
  double top_p = 1.0;
  int max_tokens = 2048;
  std::string tool_choice = "auto";
  std::string cache_mode;
  std::string progress = "auto";
  bool quiet = false;
};

void print_table(const RunResult& r, const RunOptions& o) {
  const RunTotals& t = r.totals;
  const double n = static_cast<double>(std::max<std::int64_t>(1, t.episodes));
  std::cout << fmt::format("\n{:<28} {:>9} {:>8} {:>12} {:>11} {:>14}\n", "environment", "episodes", "success",
                           "mean reward", "mean turns", "format errors");
  std::cout << fmt::format("{:<28} {:>9} {:>8.3f} {:>12.4f} {:>11.2f} {:>14}\n", t.env.empty() ? o.env_spec : t.env,
                           t.episodes, t.successes / n, t.reward_sum / n, t.turns / n,
                           fmt::format("{} in {}", t.format_errors, t.episodes_with_format_errors));
  std::string stops;
  for (const auto& [reason, count] : t.stop_reasons) stops += fmt::format("{}{} {}", stops.empty() ? "" : " · ", reason, count);
  std::cout << fmt::format("\nmean score {:.4f} · stop reasons: {}\n", t.score_sum / n, stops.empty() ? "-" : stops);
  const RunCounters& c = r.counters;
  const double ran = static_cast<double>(c.episodes_done - c.episodes_resumed);
  std::cout << fmt::format("{} episodes run in {:.1f} s ({:.1f}/s){}\n", c.episodes_done - c.episodes_resumed, c.elapsed_s,
                           c.elapsed_s > 0 ? ran / c.elapsed_s : 0.0,
                           c.episodes_resumed ? fmt::format(", {} resumed from earlier runs", c.episodes_resumed) : "");
  if (c.searches > 0)
    std::cout << fmt::format("searches {} · failed {} ({})\n", c.searches, c.failed_searches, o.search);
  if (c.calls > 0 || r.cache_mode != CacheMode::Off) {
    std::cout << fmt::format("model calls {} · from cache {} · retries {} · failed {} (in {} episodes) · tokens {} in, {} out\n",
                             c.calls, c.cached, c.retries, c.failed_calls, t.episodes_with_failed_calls, c.prompt_tokens,
                             c.completion_tokens);
  }
  if (r.cache_mode != CacheMode::Off)
    std::cout << fmt::format("cache ({}): {} hits, {} misses, {} stored\n", to_string(r.cache_mode), r.cache_hits,
                             r.cache_misses, r.cache_stored);
  std::cout << fmt::format("trajectories: {}\n", o.out);
}

int run(RunFlags& f, CLI::App& cmd) {
  RunOptions& o = f.run;
  o.env_given = cmd.count("--env") > 0 || o.agent.rfind("replay:", 0) != 0;
  if (!o.env_given) o.env_spec.clear();
  if (cmd.count("--tasks") && cmd.count("--episodes"))
    throw ConfigError("give --tasks (tasks, each run --samples times) or --episodes (total), not both");
  if (f.tasks > 0) {
    o.tasks.count = f.tasks;
  } else if (!o.tasks.data_file.empty() && !cmd.count("--episodes")) {
    o.tasks.count = 0;  // every task of the data file
  } else {
    if (f.episodes == 0) throw ConfigError("--episodes must be at least 1");
    o.tasks.count = (f.episodes + static_cast<std::size_t>(std::max(1, o.samples)) - 1) / static_cast<std::size_t>(std::max(1, o.samples));
  }
  auto user = parse_oracle_kind(f.user);
  if (!user) throw ConfigError(fmt::format("--user '{}': expected scripted or llm", f.user));
  o.user = *user;
  if (!f.shard.empty()) std::tie(o.shard_index, o.shard_count) = parse_shard(f.shard);
  ShapingConfig& s = o.shaping;
  s.gamma = f.gamma;
  s.em_k = f.em_k;
  s.normalize_by_std = !f.no_std;
  if (!parse_turn_credit(f.turn_credit, s))
    throw ConfigError(fmt::format("--turn-credit '{}': expected naive, equalized, r2g, r2g(γ), em or em(k)", f.turn_credit));
  if (!parse_trajectory_score(f.trajectory_score, s))
    throw ConfigError(fmt::format("--trajectory-score '{}': expected sum, mean, r2g or r2g(γ)", f.trajectory_score));

  o.endpoints.policy = resolve_endpoint("policy", f.policy, nullptr, f.client);
  o.endpoints.user = resolve_endpoint("user", f.user_endpoint, nullptr, f.client);
  o.endpoints.judge = resolve_endpoint("judge", f.judge, &f.user_endpoint, f.client);
  o.agent_options.sampling.temperature = f.temperature;
  o.agent_options.sampling.top_p = f.top_p;
  o.agent_options.sampling.max_tokens = f.max_tokens;
  o.agent_options.tool_choice = f.tool_choice == "none" ? "" : f.tool_choice;

  if (!f.cache_mode.empty()) {
    auto mode = parse_cache_mode(f.cache_mode);
    if (!mode) throw ConfigError(fmt::format("--cache-mode '{}': expected off, read, write or read-write", f.cache_mode));
    o.cache_mode = *mode;
  } else {
    o.cache_mode = o.cache_path.empty() ? CacheMode::Off : CacheMode::ReadWrite;
  }
  if (f.progress == "off" || f.quiet) o.progress = ProgressMode::Off;
  else if (f.progress == "on") o.progress = ProgressMode::On;
  else o.progress = isatty(STDERR_FILENO) ? ProgressMode::On : ProgressMode::Auto;

  // Without --out the batch still leaves its trajectories behind, in a file each plain run replaces.
  // (--resume still needs an explicit --out.)
  if (o.out.empty() && !o.resume) {
    o.out = kDefaultOut;
    o.overwrite = true;
  }
  RunResult result = run_batch(o, &std::cerr);
  if (!f.quiet) print_table(result, o);
  return kExitOk;
}

void install(CLI::App& app) {
  auto f = std::make_shared<RunFlags>();
  auto* cmd = app.add_subcommand(
      "run",
      "Run a batch of episodes and write trajectories (JSONL) with shaped rewards.\n"
      "With no arguments: 100 FunctionGym episodes, scripted agent and user (no model needed).");
  cmd->add_option("--env", f->run.env_spec, "Environment spec, e.g. 'function(difficulty=hard)' (see `rapport envs`)")
      ->capture_default_str();
  cmd->add_option("--episodes", f->episodes, "Total episodes: tasks = episodes / samples, rounded up")->capture_default_str();
  cmd->add_option("--tasks", f->tasks, "Number of tasks (instead of --episodes); with --data, at most this many");
  cmd->add_option("--samples,-G", f->run.samples, "Samples per task: one GRPO group")->check(CLI::PositiveNumber)->capture_default_str();
  add_task_options(*cmd, f->run.tasks);
  cmd->add_option("--agent", f->run.agent, "Who plays the agent: scripted, llm (the policy model) or replay:FILE (moves of recorded trajectories)")
      ->capture_default_str();
  cmd->add_option("--user", f->user, "Who plays the user and the judges: scripted or llm")
      ->check(CLI::IsMember({"scripted", "llm"}))
      ->capture_default_str();
  cmd->add_option("--max-turns", f->run.max_turns, "Agent turns per episode (the environment's max_steps also applies)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--concurrency,-j", f->run.concurrency, "Episodes in flight at once")->check(CLI::PositiveNumber)->capture_default_str();
  cmd->add_option("--out,-o", f->run.out,
                  fmt::format("Write trajectories to this JSONL file, one per line (default {}, replaced by each run)", kDefaultOut));
  cmd->add_flag("--resume", f->run.resume, "Continue --out: skip the (task, sample) pairs it holds, run the rest");
  cmd->add_flag("--overwrite", f->run.overwrite, "Replace an existing --out file");
  cmd->add_option("--shard", f->shard, "Run only shard i of N (tasks i, i+N, ...), e.g. 0/4 ... 3/4");

  const std::string shaping = "Reward shaping";
  cmd->add_option("--turn-credit", f->turn_credit, "Turn credit: naive, equalized, r2g, r2g(γ), em, em(k)")->capture_default_str()->group(shaping);
  cmd->add_option("--trajectory-score", f->trajectory_score, "Trajectory score: sum, mean (UserRL's 'Sum'), r2g, r2g(γ)")
      ->capture_default_str()
      ->group(shaping);
  cmd->add_option("--gamma", f->gamma, "γ of the r2g credit and score")->check(CLI::Range(0.0, 1.0))->capture_default_str()->group(shaping);
  cmd->add_option("--em-k", f->em_k, "k of the em credit")->check(CLI::PositiveNumber)->capture_default_str()->group(shaping);
  cmd->add_flag("--no-std-normalize", f->no_std, "Group advantage S − mean instead of (S − mean)/(std + ε)")->group(shaping);

  add_endpoint_flags(*cmd, "", "policy", f->policy);
  const std::string policy = "Policy model";
  cmd->add_option("--temperature", f->temperature, "Policy sampling temperature (0 for evaluation)")->capture_default_str()->group(policy);
  cmd->add_option("--top-p", f->top_p, "Policy nucleus sampling")->capture_default_str()->group(policy);
  cmd->add_option("--max-tokens", f->max_tokens, "Policy completion limit per turn")->check(CLI::PositiveNumber)->capture_default_str()->group(policy);
  cmd->add_option("--tool-choice", f->tool_choice, "tool_choice sent to the policy: auto, required or none (omitted)")
      ->check(CLI::IsMember({"auto", "required", "none"}))
      ->capture_default_str()
      ->group(policy);
  cmd->add_flag("--reward-in-observation", f->run.agent_options.reward_in_observation,
                "Show the policy each step's reward after the observation, as in UserRL training")
      ->group(policy);
  cmd->add_flag("--resend-reasoning", f->run.agent_options.resend_reasoning,
                "Send the policy's earlier reasoning back as <think>...</think> (local reasoning models)")
      ->group(policy);
  add_endpoint_flags(*cmd, "user-", "user simulator", f->user_endpoint);
  add_endpoint_flags(*cmd, "judge-", "judge", f->judge);
  add_client_flags(*cmd, f->client);
  cmd->add_option("--search", f->run.search, std::string(kSearchFlagHelp) + "; cached and replayed like completions")
      ->capture_default_str();

  const std::string cache = "Record/replay cache";
  cmd->add_option("--cache", f->run.cache_path, "SQLite file of recorded completions")->group(cache);
  cmd->add_option("--cache-mode", f->cache_mode,
                  "off, read (replay only: no network), write (record) or read-write (default with --cache)")
      ->group(cache);
  cmd->add_option("--progress", f->progress, "Progress line on stderr: auto, on or off")
      ->check(CLI::IsMember({"auto", "on", "off"}))
      ->capture_default_str();
  cmd->add_flag("--quiet,-q", f->quiet, "No progress line and no results table");
  cmd->callback([f, cmd] {
    if (int code = run(*f, *cmd); code != kExitOk) throw CLI::RuntimeError(code);
  });
}

RAPPORT_CLI_COMMAND(20, install);

}  // namespace
}  // namespace rapport::cli
