// The rollout scheduler behind `rapport run`: keeps many EpisodeRunners in flight on one thread,
// routes their completions through the cache and the HTTP client, forms GRPO groups (G samples
// of a task), shapes them with core/shaping.h, and writes trajectories out.
//
// Writing never loses work and never duplicates it:
//  - every finished trajectory is appended at once to FILE.pending (flushed);
//  - once its group is complete it is shaped, and groups are appended to FILE in task order, so
//    FILE is always a prefix of the full, deterministic result;
//  - --resume truncates a torn last line, skips the (task, sample) pairs FILE holds, takes the
//    finished ones from FILE.pending, and runs the rest. FILE.pending is removed at the end.
//  - an episode with a model call that failed for good (after retries: a dead server, a wrong URL,
//    a cache miss in read mode) is no result: it is marked (stop_reason "infra_error", the error
//    in llm_calls), written to FILE.failed instead, kept out of shaping and of FILE, and run again
//    by --resume. Its group, and every later one, stays in FILE.pending until then.
//  - FILE.run.json records the settings that define the run (environment, tasks, agent, models,
//    sampling, shaping); --resume refuses to continue a file under other settings.
#pragma once

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/environment.h"
#include "core/llm_agent.h"
#include "core/shaping.h"
#include "core/trajectory.h"
#include "native/cache.h"
#include "native/endpoint.h"
#include "native/http_client.h"
#include "native/task_source.h"

namespace rapport {

// Bounds on a run's counts (one process; --shard spreads larger jobs over processes).
inline constexpr std::int64_t kMaxEpisodes = 1'000'000;  // tasks × samples
inline constexpr std::int64_t kMaxTasks = 1'000'000;
inline constexpr std::int64_t kMaxSamples = 1024;
inline constexpr std::int64_t kMaxTurns = 10'000;
inline constexpr std::int64_t kMaxConcurrency = 100'000;

enum class ProgressMode { Auto, On, Off };  // auto: on a terminal, a live line; otherwise a line every 10 s

struct RunOptions {
  std::string env_spec = "function";
  bool env_given = true;  // false: a replay agent takes the environment from its file
  TaskOptions tasks;      // tasks.count: how many tasks (a data file: at most that many, 0 = all)
  int samples = 1;        // G: samples per task, one GRPO group
  std::string agent = "scripted";  // scripted | llm | replay:FILE
  OracleKind user = OracleKind::Scripted;
  int max_turns = 16;
  int concurrency = 256;  // episodes in flight
  ShapingConfig shaping;
  int shard_index = 0;
  int shard_count = 1;
  std::string out;  // JSONL output; empty: nothing is written
  bool resume = false;
  bool overwrite = false;
  Endpoints endpoints;
  LlmAgentOptions agent_options;  // sampling.seed is set per episode
  RoleSampling user_sampling, judge_sampling;  // the host's changes to oracle requests
  std::string search = "builtin";  // where searches go: see native/search_backend.h
  std::string cache_path;
  CacheMode cache_mode = CacheMode::Off;
  ProgressMode progress = ProgressMode::Auto;
};

// Live counters, for the progress line and benchmarks.
struct RunCounters {
  std::int64_t episodes_total = 0;    // in this run (this shard), including resumed ones
  std::int64_t episodes_done = 0;     // finished, including those found in FILE and FILE.pending
  std::int64_t episodes_resumed = 0;  // found finished on start
  std::int64_t in_flight = 0;         // episodes running now
  std::int64_t turns = 0;             // agent turns completed in this process
  std::int64_t calls = 0;             // completions obtained or given up, in this process
  std::int64_t cached = 0;            // of which answered from the cache
  std::int64_t retries = 0;
  std::int64_t failed_calls = 0;      // gave up after retries (the episode saw an error)
  std::int64_t searches = 0;          // searches answered (from the backend or the cache)
  std::int64_t failed_searches = 0;
  std::int64_t prompt_tokens = 0;
  std::int64_t completion_tokens = 0;
  std::int64_t token_records = 0;     // policy completions that came with token ids (--record-tokens)
  std::int64_t missing_token_records = 0;  // policy completions that did not, though asked for
  double elapsed_s = 0;
};

// Aggregates over the trajectories of the run (for the results table).
struct RunTotals {
  std::string env;
  std::int64_t episodes = 0;
  std::int64_t successes = 0;
  double reward_sum = 0;
  double score_sum = 0;
  std::int64_t turns = 0;
  std::int64_t format_errors = 0;
  std::int64_t episodes_with_format_errors = 0;
  std::int64_t episodes_with_failed_calls = 0;
  std::int64_t infra_failed = 0;  // not results: left out of every other total
  std::map<std::string, std::int64_t> stop_reasons;
  void add(const Trajectory& t, const json::object& llm_calls);
};

struct RunResult {
  RunTotals totals;
  RunCounters counters;
  CacheMode cache_mode = CacheMode::Off;
  std::int64_t cache_hits = 0, cache_misses = 0, cache_stored = 0;
  std::int64_t infra_failed = 0;  // episodes with a model call that failed for good
  std::string first_infra_error;
  std::string failed_path;        // where they were written (FILE.failed), if anywhere
  // Load spread of every endpoint with more than one replica: (endpoint name, replicas).
  std::vector<std::pair<std::string, std::vector<ReplicaStats>>> replicas;
};

// Run-defining settings, as FILE.run.json holds them.
json::object run_header(const RunOptions& options, const std::string& fingerprint);

// Runs the batch. Throws ConfigError for bad options, files or endpoints (before any work when
// possible). `progress` receives the live line (nullptr: none). `tick` (optional) is called about
// every `tick_s` seconds with the counters, e.g. by benchmarks.
RunResult run_batch(const RunOptions& options, std::ostream* progress,
                    const std::function<void(const RunCounters&)>& tick = {}, double tick_s = 1.0);

// The seed of an episode (its oracle's choices, the policy's sampling seed) for sample `sample` of
// task `task_id` in a run with --seed `seed`. `rapport serve` derives it the same way, so a served
// episode replays under `rapport run --agent replay:FILE --seed seed`.
std::uint64_t episode_seed(std::uint64_t seed, const std::string& task_id, int sample);

// "i/N" → (i, N), 0 ≤ i < N; throws ConfigError.
std::pair<int, int> parse_shard(const std::string& text);

// The shaping record for a group of trajectories (rewards per turn; policy tokens per turn when
// known, else one per turn), in sample order.
std::vector<ShapingRecord> shape_trajectories(const std::vector<const Trajectory*>& group, const ShapingConfig& cfg,
                                              bool use_completion_tokens);
// Method names as recorded: "equalized", "em(3)" (k other than 2), "r2g"; "mean", "sum", "r2g".
std::string turn_credit_name(const ShapingConfig& cfg);

}  // namespace rapport
