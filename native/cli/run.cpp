// `rapport run`: a batch of episodes (G samples per task as GRPO groups) with a scripted, LLM or
// replayed agent and a scripted or LLM user, written as JSONL with shaped rewards, and a results
// table. With no arguments: 100 FunctionGym episodes, scripted agent and user, no model needed.
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <iostream>

#include "core/params.h"
#include "native/cli/command.h"
#include "native/cli/flags.h"
#include "native/scheduler.h"
#include "native/search_backend.h"

namespace rapport::cli {
namespace {

constexpr const char* kDefaultOut = "rapport-run.jsonl";

struct RunFlags {
  RunOptions run;
  std::int64_t episodes = 100;
  std::int64_t tasks = 0;
  std::string user = "scripted";
  std::string shard;
  std::string turn_credit = "equalized";
  std::string trajectory_score = "mean";
  double gamma = 0.8;
  double em_k = 2.0;
  bool no_std = false;
  EndpointFlags policy, user_endpoint, judge;
  ClientFlags client;
  SamplingFlags sampling{1.0, 1.0, 2048, ""};
  SamplingFlags user_sampling, judge_sampling;
  std::string on_no_tool_call = "stop";
  std::string tool_choice = "auto";
  std::string cache_mode;
  std::string progress = "auto";
  bool quiet = false;
  bool record_tokens = false;
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
  if (c.token_records > 0 || c.missing_token_records > 0)
    std::cout << fmt::format("token records: {} of {} policy completions\n", c.token_records,
                             c.token_records + c.missing_token_records);
  for (const auto& [name, replicas] : r.replicas) {
    std::cout << fmt::format("{} replicas:\n", name);
    std::size_t width = 0;
    for (const auto& rep : replicas) width = std::max(width, rep.url.size());
    for (const auto& rep : replicas)
      std::cout << fmt::format("  {:<{}} {:>7} requests {:>5} failed {:>3} times out of service{}\n", rep.url, width,
                               rep.requests, rep.failures, rep.outages, rep.in_service ? "" : " (out now)");
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
  if (cmd.count("--tasks")) {
    o.tasks.count = static_cast<std::size_t>(f.tasks);
  } else if (!o.tasks.data_file.empty() && !cmd.count("--episodes")) {
    o.tasks.count = 0;  // every task of the data file
  } else {
    const std::int64_t samples = std::max(1, o.samples);
    o.tasks.count = static_cast<std::size_t>((f.episodes + samples - 1) / samples);
  }
  auto user = parse_oracle_kind(f.user);
  if (!user) throw ConfigError(fmt::format("--user '{}': expected {}", f.user, kOracleKindNames));
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
  if (f.record_tokens) {
    if (o.agent != "llm") throw ConfigError("--record-tokens records the policy model's tokens: it needs --agent llm");
    if (o.endpoints.policy) o.endpoints.policy->record_tokens = true;
  }
  o.endpoints.user = resolve_endpoint("user", f.user_endpoint, nullptr, f.client);
  o.endpoints.judge = resolve_endpoint("judge", f.judge, &f.user_endpoint, f.client);
  o.agent_options.sampling.temperature = f.sampling.temperature;
  o.agent_options.sampling.top_p = f.sampling.top_p;
  o.agent_options.sampling.max_tokens = f.sampling.max_tokens;
  o.agent_options.observe_without_tool_call = f.on_no_tool_call == "observe";
  o.user_sampling = resolve_sampling(f.user_sampling, nullptr, o.endpoints.user ? &*o.endpoints.user : nullptr);
  const Endpoint* judge = o.endpoints.judge ? &*o.endpoints.judge : (o.endpoints.user ? &*o.endpoints.user : nullptr);
  o.judge_sampling = resolve_sampling(f.judge_sampling, &f.user_sampling, judge);
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
  if (result.infra_failed > 0) {
    std::cerr << fmt::format(
        "error: {} episode{} failed on the model infrastructure and {} no result (first: {}).\n", result.infra_failed,
        result.infra_failed == 1 ? "" : "s", result.infra_failed == 1 ? "is" : "are", result.first_infra_error);
    if (!result.failed_path.empty())
      std::cerr << fmt::format("They are in {}, kept out of shaping and of {}; the groups after the first failed one wait "
                               "in {}.pending. Fix the endpoint and run again with --resume to retry them.\n",
                               result.failed_path, o.out, o.out);
    return kExitInfra;
  }
  return kExitOk;
}

void install(CLI::App& app) {
  auto f = std::make_shared<RunFlags>();
  auto* cmd = app.add_subcommand(
      "run",
      "Run a batch of episodes and write trajectories (JSONL) with shaped rewards.\n"
      "With no arguments: 100 FunctionGym episodes, scripted agent and user (no model needed).\n"
      "Exit status: 0 done; 2 bad flags, files or settings; 3 some episodes had a model call that failed for good\n"
      "(after retries, or a cache miss in read mode): they are no result, are written to FILE.failed, kept out of\n"
      "shaping and FILE, and --resume runs them again.");
  cmd->add_option("--env", f->run.env_spec, "Environment spec, e.g. 'function(difficulty=hard)' (see `rapport envs`)")
      ->capture_default_str();
  cmd->add_option("--episodes", f->episodes, "Total episodes: tasks = episodes / samples, rounded up")
      ->check(integer_in(1, kMaxEpisodes))
      ->capture_default_str();
  cmd->add_option("--tasks", f->tasks, "Number of tasks (instead of --episodes); with --data, at most this many")
      ->check(integer_in(1, kMaxTasks));
  cmd->add_option("--samples,-G", f->run.samples, "Samples per task: one GRPO group")
      ->check(integer_in(1, kMaxSamples))
      ->capture_default_str();
  add_task_options(*cmd, f->run.tasks);
  cmd->add_option("--agent", f->run.agent, "Who plays the agent: scripted, llm (the policy model) or replay:FILE (moves of recorded trajectories)")
      ->capture_default_str();
  cmd->add_option("--user", f->user, "Who plays the user and the judges: scripted, llm, reasoning (an LLM user who writes a rationale\n"
                  "before each reply, over the LLM judges) or reasoning-scripted (the rule-based reasoning user, no model)")
      ->check(CLI::IsMember({"scripted", "llm", "reasoning", "reasoning-scripted"}))
      ->capture_default_str();
  cmd->add_option("--max-turns", f->run.max_turns, "Agent turns per episode (the environment's max_steps also applies)")
      ->check(integer_in(1, kMaxTurns))
      ->capture_default_str();
  cmd->add_option("--concurrency,-j", f->run.concurrency, "Episodes in flight at once")
      ->check(integer_in(1, kMaxConcurrency))
      ->capture_default_str();
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
  cmd->add_option("--gamma", f->gamma, "γ of the r2g credit and score")->check(finite_number(0.0, 1.0))->capture_default_str()->group(shaping);
  cmd->add_option("--em-k", f->em_k, "k of the em credit")->check(finite_number(0.0, 1e6, true))->capture_default_str()->group(shaping);
  cmd->add_flag("--no-std-normalize", f->no_std, "Group advantage S − mean instead of (S − mean)/(std + ε)")->group(shaping);

  add_endpoint_flags(*cmd, "", "policy", f->policy);
  const std::string policy = "Policy model";
  add_sampling_flags(*cmd, "", "policy", f->sampling, false);
  cmd->add_option("--on-no-tool-call", f->on_no_tool_call,
                  "A policy reply without a tool call: stop (end the episode, a format error, as the reference "
                  "evaluation does) or observe (a format error; the reply's text goes to the environment and the model "
                  "is told why, and goes on)")
      ->check(CLI::IsMember({"stop", "observe"}))
      ->capture_default_str()
      ->group(policy);
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
  cmd->add_flag("--record-tokens", f->record_tokens,
                "Record the policy's prompt and completion token ids and logprobs (vLLM: return_token_ids, logprobs) "
                "for `rapport export rl`")
      ->group(policy);
  add_endpoint_flags(*cmd, "user-", "user simulator", f->user_endpoint);
  add_sampling_flags(*cmd, "user-", "user simulator", f->user_sampling, true);
  add_endpoint_flags(*cmd, "judge-", "judge", f->judge);
  add_sampling_flags(*cmd, "judge-", "judge", f->judge_sampling, true);
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
