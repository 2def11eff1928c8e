#include "native/scheduler.h"

#include <unistd.h>

#include <chrono>
#include <deque>
#include <ostream>
#include <set>
#include <unordered_map>

#include <fmt/format.h>

#include "core/cache_key.h"
#include "core/registry.h"
#include "core/replay.h"
#include "core/rng.h"
#include "core/text.h"
#include "core/runner.h"
#include "native/files.h"
#include "native/http_client.h"
#include "native/jsonl_file.h"
#include "native/search_backend.h"

namespace rapport {

std::pair<int, int> parse_shard(const std::string& text) {
  auto slash = text.find('/');
  auto bad = [&] {
    return ConfigError(fmt::format("--shard '{}': expected i/N with 0 <= i < N, e.g. 0/4 for the first of four shards", text));
  };
  if (slash == std::string::npos) throw bad();
  try {
    std::size_t used_i = 0, used_n = 0;
    int i = std::stoi(text.substr(0, slash), &used_i);
    int n = std::stoi(text.substr(slash + 1), &used_n);
    if (used_i != slash || used_n != text.size() - slash - 1 || n < 1 || i < 0 || i >= n) throw bad();
    return {i, n};
  } catch (const std::logic_error&) {
    throw bad();
  }
}

std::uint64_t episode_seed(std::uint64_t seed, const std::string& task_id, int sample) {
  // 31 bits: every server accepts it as a sampling seed, and every JSON reader as an exact number.
  return Rng::derive(seed, "episode/" + task_id, static_cast<std::uint64_t>(sample)).next() >> 33;
}

std::string turn_credit_name(const ShapingConfig& cfg) {
  if (cfg.turn == TurnCredit::EM && cfg.em_k != 2.0) return fmt::format("em({})", cfg.em_k);
  return std::string(to_string(cfg.turn));
}

namespace {

constexpr const char* kInfraError = "infra_error";

// Policy tokens per turn (completion tokens of the turn's agent calls), or empty (one token per
// turn) when no model played the agent.
std::vector<int> policy_tokens(const Trajectory& t) {
  std::vector<int> per_turn;
  bool any_calls = false;
  for (const auto& turn : t.turns) any_calls = any_calls || !turn.agent_calls.empty();
  if (!any_calls) return per_turn;
  for (const auto& turn : t.turns) {
    std::int64_t n = 0;
    // The recorded ids when there are some: the very tokens `rapport export rl` puts the advantages on.
    for (const auto& call : turn.agent_calls)
      n += !call.response.ok      ? 0
           : call.response.has_tokens() ? static_cast<std::int64_t>(call.response.completion_token_ids.size())
                                        : std::max<std::int64_t>(0, call.response.completion_tokens);
    per_turn.push_back(static_cast<int>(n));
  }
  return per_turn;
}

std::vector<ShapingRecord> shape_rewards(const std::vector<std::vector<double>>& rewards,
                                         const std::vector<std::vector<int>>& tokens, const ShapingConfig& cfg) {
  std::vector<ShapedTrajectory> shaped = shape_group(rewards, tokens, cfg);
  std::vector<ShapingRecord> out;
  for (auto& s : shaped) {
    ShapingRecord r;
    r.turn_credit = turn_credit_name(cfg);
    r.trajectory_score = std::string(to_string(cfg.score));
    r.gamma = cfg.gamma;
    r.score = s.score;
    r.advantage = s.z;
    r.credits = std::move(s.credits);
    r.turn_advantage = std::move(s.turn_advantage);
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace

std::vector<ShapingRecord> shape_trajectories(const std::vector<const Trajectory*>& group, const ShapingConfig& cfg,
                                              bool use_completion_tokens) {
  std::vector<std::vector<double>> rewards;
  std::vector<std::vector<int>> tokens;
  for (const Trajectory* t : group) {
    rewards.push_back(t->rewards());
    tokens.push_back(use_completion_tokens ? policy_tokens(*t) : std::vector<int>{});
  }
  return shape_rewards(rewards, tokens, cfg);
}

void RunTotals::add(const Trajectory& t, const json::object& llm_calls) {
  if (env.empty()) env = t.env;
  ++stop_reasons[t.stop_reason];
  if (t.stop_reason == kInfraError) {
    ++infra_failed;
    ++episodes_with_failed_calls;
    return;
  }
  ++episodes;
  if (get_bool(t.metrics, "success")) ++successes;
  reward_sum += t.total_reward();
  score_sum += get_number(t.metrics, "score");
  turns += static_cast<std::int64_t>(t.turns.size());
  int fe = t.format_errors();
  format_errors += fe;
  if (fe > 0) ++episodes_with_format_errors;
  if (get_int(llm_calls, "failed") > 0) ++episodes_with_failed_calls;
}

json::object run_header(const RunOptions& o, const std::string& fingerprint) {
  auto sampling = [](const Sampling& s) {
    return json::object{{"temperature", s.temperature}, {"top_p", s.top_p}, {"max_tokens", s.max_tokens}};
  };
  auto role = [](const std::optional<Endpoint>& e, const RoleSampling& r) {
    if (!e) return json::value(nullptr);
    return json::value(json::object{{"model", e->model},
                                    {"temperature", r.temperature},
                                    {"top_p", r.top_p},
                                    {"max_tokens", r.max_tokens},
                                    {"response_format", r.send_response_format}});
  };
  const bool llm_agent = o.agent == "llm";
  const bool llm_user = o.user == OracleKind::Llm;
  json::array ids;
  for (const auto& id : o.tasks.ids) ids.push_back(json::value(id));
  return json::object{
      {"format", "rapport-run/1"},
      {"env", o.env_spec},
      {"fingerprint", fingerprint},
      {"data", o.tasks.data_file},
      {"split", o.tasks.split},
      {"task_ids", std::move(ids)},
      {"task_count", o.tasks.count},
      {"seed", o.tasks.seed},
      {"samples", o.samples},
      {"max_turns", o.max_turns},
      {"shard", fmt::format("{}/{}", o.shard_index, o.shard_count)},
      {"agent", o.agent},
      {"policy", llm_agent && o.endpoints.policy
                     ? json::value(json::object{{"model", o.endpoints.policy->model},
                                                {"sampling", sampling(o.agent_options.sampling)},
                                                {"tool_choice", o.agent_options.tool_choice},
                                                {"reward_in_observation", o.agent_options.reward_in_observation},
                                                {"resend_reasoning", o.agent_options.resend_reasoning},
                                                {"observe_without_tool_call", o.agent_options.observe_without_tool_call}})
                     : json::value(nullptr)},
      {"user", to_string(o.user)},
      {"user_model", llm_user ? role(o.endpoints.user, o.user_sampling) : json::value(nullptr)},
      {"judge_model", llm_user ? role(o.endpoints.judge ? o.endpoints.judge : o.endpoints.user, o.judge_sampling)
                               : json::value(nullptr)},
      {"shaping", json::object{{"turn_credit", turn_credit_name(o.shaping)},
                               {"trajectory_score", to_string(o.shaping.score)},
                               {"gamma", o.shaping.gamma},
                               {"normalize_by_std", o.shaping.normalize_by_std}}},
  };
}

namespace {

using Clock = std::chrono::steady_clock;

// Per-trajectory call statistics, written as the line's "llm_calls" (only when there were calls).
struct CallTally {
  int calls = 0;
  int retries = 0;
  int failed = 0;
  std::array<int, kFailureKinds> failures{};
  std::int64_t prompt_tokens = 0;
  std::int64_t completion_tokens = 0;
  std::string first_error;  // of the first call that failed for good

  void add(const CallReport& report, const LlmResponse& response) {
    ++calls;
    retries += report.retries();
    for (std::size_t k = 0; k < kFailureKinds; ++k) failures[k] += report.failures[k];
    if (!response.ok) ++failed;
    if (!response.ok && first_error.empty()) first_error = response.error;
    prompt_tokens += response.prompt_tokens;
    completion_tokens += response.completion_tokens;
  }
  json::object record() const {
    if (calls == 0) return {};
    json::object f;
    for (std::size_t k = 0; k < kFailureKinds; ++k)
      if (failures[k]) f[to_string(static_cast<FailureKind>(k))] = failures[k];
    json::object out{{"calls", calls},
                     {"retries", retries},
                     {"failed", failed},
                     {"failures", std::move(f)},
                     {"prompt_tokens", prompt_tokens},
                     {"completion_tokens", completion_tokens}};
    if (!first_error.empty()) out["error"] = first_error;
    return out;
  }
};

// A finished trajectory, kept as text until its group is complete: serialised once, and the
// shaping record spliced in when the group is shaped.
struct Finished {
  std::string body;   // the record (no shaping, no llm_calls) without its closing brace
  std::string calls;  // ,"llm_calls":{...} or empty
  std::vector<double> rewards;
  std::vector<int> tokens;  // policy tokens per turn, or empty
  std::string pending_line() const { return body + calls + "}\n"; }
};

// Without an output file only what shaping needs is kept.
Finished finish_record(Trajectory t, const json::object& llm_calls, bool keep_text) {
  Finished f;
  f.rewards = t.rewards();
  f.tokens = policy_tokens(t);
  if (!keep_text) return f;
  t.shaping.reset();
  f.body = to_json(to_record(t));
  f.body.pop_back();  // the closing brace
  if (!llm_calls.empty()) f.calls = ",\"llm_calls\":" + to_json(llm_calls);
  return f;
}

// The final line: the record's own "shaping" field, as core writes it, between body and calls.
std::string shaped_line(const Finished& f, const ShapingRecord& shaping) {
  Trajectory only_shaping;
  only_shaping.shaping = shaping;
  json::object record = to_record(only_shaping);
  return f.body + ",\"shaping\":" + to_json(record.at("shaping")) + f.calls + "}\n";
}

struct Parsed {
  Trajectory trajectory;
  json::object llm_calls;
};

Parsed parse_line(std::string_view line, const std::string& where) {
  auto v = parse_json(line);
  if (!v || !v->is_object()) throw ConfigError(fmt::format("{}: not a JSON line", where));
  Parsed p;
  try {
    p.trajectory = trajectory_from_record(*v);
  } catch (const ConfigError& e) {
    throw ConfigError(fmt::format("{}: {}", where, e.what()));
  }
  if (auto it = v->get_object().find("llm_calls"); it != v->get_object().end() && it->value().is_object())
    p.llm_calls = it->value().get_object();
  return p;
}

struct Group {
  Task task;
  std::vector<std::optional<Finished>> samples;
  std::vector<bool> written;  // already in the output file
  int finished = 0;           // samples finished (held or written, or failed on infrastructure)
  bool failed = false;        // a sample failed on infrastructure: the group is not written
  bool complete() const { return finished == static_cast<int>(samples.size()); }
};

struct Slot {
  std::size_t group = 0;
  int sample = 0;
  std::unique_ptr<EpisodeRunner> runner;
  CallTally tally;
  std::size_t turns_seen = 0;
  CacheKeyChain keys;  // the episode's cache keys, each computed from the previous one of its conversation
};

std::string human_count(std::int64_t n) {
  if (n >= 10'000'000) return fmt::format("{:.1f}M", n / 1e6);
  if (n >= 10'000) return fmt::format("{:.1f}k", n / 1e3);
  return std::to_string(n);
}

class Batch {
 public:
  Batch(const RunOptions& options, std::ostream* progress, const std::function<void(const RunCounters&)>& tick,
        double tick_s)
      : o_(options), progress_(progress), tick_(tick), tick_s_(tick_s) {}

  RunResult run() {
    plan();
    connect();
    prepare_outputs();
    start_ = last_tick_ = last_line_ = Clock::now();
    write_ready_groups();
    main_loop();
    finish_outputs();
    RunResult r;
    r.totals = totals_;
    r.counters = counters();
    r.infra_failed = infra_failed_;
    r.first_infra_error = first_infra_error_;
    if (failed_.open()) r.failed_path = failed_path_;
    if (cache_) {
      r.cache_mode = cache_->mode();
      r.cache_hits = cache_->hits();
      r.cache_misses = cache_->misses();
      r.cache_stored = cache_->stored();
    }
    std::set<int> reported;
    for (const auto& [role, id] : endpoint_ids_)
      if (reported.insert(id).second && client_.replica_stats(id).size() > 1)
        r.replicas.emplace_back(client_.endpoint(id).name, client_.replica_stats(id));
    return r;
  }

 private:
  // ---- Setup -------------------------------------------------------------------------------------

  void plan() {
    if (o_.samples < 1 || o_.samples > kMaxSamples) throw ConfigError(fmt::format("--samples must be 1 to {}", kMaxSamples));
    if (o_.max_turns < 1 || o_.max_turns > kMaxTurns) throw ConfigError(fmt::format("--max-turns must be 1 to {}", kMaxTurns));
    if (o_.concurrency < 1 || o_.concurrency > kMaxConcurrency)
      throw ConfigError(fmt::format("--concurrency must be 1 to {}", kMaxConcurrency));
    if (o_.tasks.count > static_cast<std::size_t>(kMaxTasks))
      throw ConfigError(fmt::format("at most {} tasks per run (use --shard i/N to spread more over processes)", kMaxTasks));
    if (o_.resume && o_.out.empty()) throw ConfigError("--resume needs --out FILE (the file to continue)");
    samples_ = o_.samples;
    std::string spec = o_.env_spec;
    std::vector<Task> tasks;

    if (o_.agent.rfind("replay:", 0) == 0) {
      agent_kind_ = "replay";
      load_replay(o_.agent.substr(7), spec, tasks);
      game_ = make_game(spec);
    } else if (o_.agent == "scripted" || o_.agent == "llm") {
      agent_kind_ = o_.agent;
      game_ = make_game(spec);
      tasks = select_tasks(*game_, o_.tasks);
      if (!o_.tasks.data_file.empty() && o_.tasks.ids.empty() && o_.tasks.count > 0 && tasks.size() > o_.tasks.count)
        tasks.resize(o_.tasks.count);
    } else {
      throw ConfigError(fmt::format("--agent '{}': expected scripted, llm or replay:FILE", o_.agent));
    }
    if (tasks.empty()) throw ConfigError("no tasks to run");
    if (static_cast<std::int64_t>(tasks.size()) * samples_ / o_.shard_count > kMaxEpisodes)
      throw ConfigError(fmt::format("{} tasks × {} samples is more than {} episodes for one process: use --shard i/N to "
                                    "spread them over processes",
                                    tasks.size(), samples_, kMaxEpisodes));
    fingerprint_ = game_->fingerprint();
    std::set<std::string> seen;
    for (std::size_t i = 0; i < tasks.size(); ++i) {
      if (!seen.insert(tasks[i].id).second)
        throw ConfigError(fmt::format("task id '{}' appears twice: each task is one GRPO group and needs a unique id", tasks[i].id));
      if (static_cast<int>(i % static_cast<std::size_t>(o_.shard_count)) != o_.shard_index) continue;
      Group g;
      g.task = std::move(tasks[i]);
      g.samples.resize(static_cast<std::size_t>(samples_));
      g.written.assign(static_cast<std::size_t>(samples_), false);
      group_index_[g.task.id] = groups_.size();
      groups_.push_back(std::move(g));
    }
    counters_.episodes_total = static_cast<std::int64_t>(groups_.size()) * samples_;
  }

  void load_replay(const std::string& path, std::string& spec, std::vector<Task>& tasks) {
    require_regular_file(path);  // missing, a folder or a device: said as such
    auto lines = read_complete_lines(path, false);
    if (lines.empty()) throw ConfigError(fmt::format("replay file '{}' holds no trajectories", path));
    int max_sample = 0;
    for (std::size_t i = 0; i < lines.size(); ++i) {
      Parsed f = parse_line(lines[i], fmt::format("{}:{}", path, i + 1));
      const Trajectory& t = f.trajectory;
      if (!o_.env_given && spec.empty()) spec = t.env;
      if (!o_.env_given && t.env != spec)
        throw ConfigError(fmt::format("{}:{}: environment '{}' differs from '{}' of the first line; pass --env to choose",
                                      path, i + 1, t.env, spec));
      if (!replay_.count(t.task_id)) tasks.push_back(Task{t.task_id, t.task});
      max_sample = std::max(max_sample, t.sample);
      auto& slot = replay_[t.task_id][t.sample];
      slot = std::make_shared<const Trajectory>(std::move(f.trajectory));
    }
    if (!o_.tasks.ids.empty()) {
      std::vector<Task> chosen;
      for (const auto& id : o_.tasks.ids) chosen.push_back(find_task(tasks, id));
      tasks = std::move(chosen);
    }
    samples_ = max_sample + 1;
    for (const auto& task : tasks)
      for (int s = 0; s < samples_; ++s)
        if (!replay_[task.id].count(s))
          throw ConfigError(fmt::format("replay file '{}' has no sample {} of task '{}'", path, s, task.id));
  }

  void connect() {
    if (agent_kind_ == "llm" && !o_.endpoints.policy)
      throw ConfigError("--agent llm needs a policy model: pass --model NAME (and --base-url URL, or set OPENAI_BASE_URL)");
    if (uses_model(o_.user) && !o_.endpoints.user)
      throw ConfigError(fmt::format("--user {} needs a user-simulator model: pass --user-model NAME (and --user-base-url URL)",
                                    to_string(o_.user)));
    for (LlmRole role : {LlmRole::Policy, LlmRole::User, LlmRole::Judge}) {
      const Endpoint* e = o_.endpoints.for_role(role);
      if (!e) continue;
      if (role == LlmRole::Policy && agent_kind_ != "llm") continue;
      if (role != LlmRole::Policy && !uses_model(o_.user)) continue;
      // A judge on the user simulator's server and model is the same endpoint: one set of limits.
      if (role == LlmRole::Judge) {
        auto user = endpoint_ids_.find(static_cast<int>(LlmRole::User));
        const Endpoint* u = o_.endpoints.for_role(LlmRole::User);
        if (user != endpoint_ids_.end() && u && u->base_url == e->base_url && u->model == e->model &&
            u->api_key == e->api_key) {
          endpoint_ids_[static_cast<int>(role)] = user->second;
          continue;
        }
      }
      endpoint_ids_[static_cast<int>(role)] = client_.add_endpoint(*e);
    }
    secrets_ = o_.endpoints.secrets();
    if (o_.user == OracleKind::Llm)
      adjust_ = [this](LlmRequest& r) {
        if (r.role == LlmRole::User) o_.user_sampling.apply(r);
        else if (r.role == LlmRole::Judge) o_.judge_sampling.apply(r);
      };
    if (o_.cache_mode != CacheMode::Off) {
      if (o_.cache_path.empty()) throw ConfigError("a cache mode other than off needs --cache FILE");
      cache_ = std::make_unique<CompletionCache>(o_.cache_path, o_.cache_mode);
    }
    search_spec_ = parse_search_spec(o_.search);
    // Replaying from the cache needs no backend: no index, no server, no key.
    if (o_.cache_mode != CacheMode::Read)
      search_ = make_search_backend(search_spec_, client_);
  }

  void prepare_outputs() {
    if (o_.out.empty()) return;
    pending_path_ = o_.out + ".pending";
    failed_path_ = o_.out + ".failed";
    const std::string header_path = o_.out + ".run.json";
    for (const auto& path : {o_.out, pending_path_, failed_path_, header_path}) require_replaceable(path);
    const json::object header = run_header(o_, fingerprint_);
    if (!o_.resume) {
      if ((file_exists(o_.out) || file_exists(pending_path_) || file_exists(failed_path_)) && !o_.overwrite)
        throw ConfigError(fmt::format("'{}' already exists: pass --resume to continue it, or --overwrite to start over",
                                      o_.out));
      for (const auto& path : {pending_path_, failed_path_, o_.out}) ::unlink(path.c_str());
      write_text_file(header_path, to_json(header) + "\n");
    } else {
      if (file_exists(header_path)) check_header(header_path, header);
      resume_from(o_.out, true);
      resume_from(pending_path_, false);
      ::unlink(failed_path_.c_str());  // those episodes run again now
      if (!file_exists(header_path)) write_text_file(header_path, to_json(header) + "\n");
    }
    out_ = AppendFile(o_.out);
    pending_ = AppendFile(pending_path_);
  }

  // --resume continues a file only under the settings it was written with.
  void check_header(const std::string& path, const json::object& now) {
    auto before = parse_json(read_text_file(path, 1 << 20));
    if (!before || !before->is_object())
      throw ConfigError(fmt::format("'{}' is damaged (not a JSON object): remove it to resume without the check", path));
    std::string differences;
    for (const auto& [key, value] : now) {
      const auto& old = before->get_object();
      auto it = old.find(key);
      std::string was = it == old.end() ? "(absent)" : to_json(it->value());
      std::string is = to_json(value);
      if (was != is) differences += fmt::format("\n  {}: {} before, {} now", std::string(key), abbreviate(was), abbreviate(is));
    }
    if (!differences.empty())
      throw ConfigError(fmt::format("--resume: '{}' was written with other settings than this run's:{}\nRun with the "
                                    "same settings to continue it, or write to another --out.",
                                    o_.out, differences));
  }

  // Takes the finished trajectories of FILE (written: skipped) or FILE.pending (held: shaped and
  // written with their group).
  void resume_from(const std::string& path, bool written) {
    auto lines = read_complete_lines(path, true);
    std::string kept;  // FILE without duplicate (task, sample) lines
    std::size_t duplicates = 0;
    for (std::size_t i = 0; i < lines.size(); ++i) {
      std::string where = fmt::format("{}:{}", path, i + 1);
      Parsed f = parse_line(lines[i], where);
      const Trajectory& t = f.trajectory;
      if (t.fingerprint != fingerprint_)
        throw ConfigError(fmt::format("{}: written by environment '{}' ({}), but this run is '{}' ({}): resume with the "
                                      "same --env",
                                      where, t.env, t.fingerprint, game_->spec(), fingerprint_));
      auto it = group_index_.find(t.group);
      if (it == group_index_.end() || t.sample < 0 || t.sample >= samples_)
        throw ConfigError(fmt::format("{}: task '{}' sample {} is not part of this run: resume with the same task, "
                                      "--samples and --shard options as before",
                                      where, t.group, t.sample));
      if (t.seed != episode_seed(o_.tasks.seed, t.task_id, t.sample))
        throw ConfigError(fmt::format("{}: task '{}' sample {} was run with another --seed: resume with the same --seed",
                                      where, t.group, t.sample));
      if (t.shaping && (t.shaping->turn_credit != turn_credit_name(o_.shaping) ||
                        t.shaping->trajectory_score != to_string(o_.shaping.score) || t.shaping->gamma != o_.shaping.gamma))
        throw ConfigError(fmt::format("{}: shaped with --turn-credit {} --trajectory-score {} --gamma {}, but this run "
                                      "shapes with {}, {}, {}: resume with the same shaping flags",
                                      where, t.shaping->turn_credit, t.shaping->trajectory_score, t.shaping->gamma,
                                      turn_credit_name(o_.shaping), to_string(o_.shaping.score), o_.shaping.gamma));
      Group& g = groups_[it->second];
      auto s = static_cast<std::size_t>(t.sample);
      if (written && g.written[s]) {
        ++duplicates;  // the same (task, sample) twice in FILE: the first stays
        continue;
      }
      if (written) kept += lines[i] + "\n";
      if (g.written[s]) continue;  // already in FILE
      if (!written && t.stop_reason == kInfraError) continue;  // not a result: run again
      if (!written && g.samples[s]) continue;
      if (!g.samples[s]) {
        ++g.finished;
        ++counters_.episodes_done;
        ++counters_.episodes_resumed;
        totals_.add(t, f.llm_calls);
        if (!written) ++held_;
      }
      if (written) g.written[s] = true;
      g.samples[s] = finish_record(std::move(f.trajectory), f.llm_calls, true);
    }
    if (duplicates > 0) {
      write_text_file(path, kept);
      if (progress_)
        *progress_ << fmt::format("{}: dropped {} duplicate (task, sample) line{}\n", path, duplicates,
                                  duplicates == 1 ? "" : "s");
    }
    // Groups written whole need nothing more; partly written ones keep their records for shaping.
    if (written) {
      for (auto& g : groups_) {
        bool all = true;
        for (bool w : g.written) all = all && w;
        if (all)
          for (auto& s : g.samples) s.reset();
      }
    }
  }

  // ---- The loop ----------------------------------------------------------------------------------

  void main_loop() {
    const std::size_t max_held = static_cast<std::size_t>(4 * o_.concurrency + 2 * samples_);
    while (true) {
      while (static_cast<int>(in_flight_) < o_.concurrency && held_ + in_flight_ < max_held && launch_next()) {
      }
      if (!ready_.empty()) {
        std::deque<std::size_t> now;
        now.swap(ready_);
        for (std::size_t slot : now) drive(slot);
        maybe_tick();
        continue;
      }
      if (in_flight_ == 0 && next_group_ >= groups_.size()) break;
      if (client_.active() > 0) {
        client_.poll(200);
      } else if (in_flight_ > 0) {
        throw std::logic_error("scheduler: episodes wait for completions that were never requested");
      }
      maybe_tick();
    }
    maybe_tick(true);
  }

  // Starts the next unfinished (task, sample), in order; false when there is none.
  bool launch_next() {
    while (next_group_ < groups_.size()) {
      Group& g = groups_[next_group_];
      if (next_sample_ >= samples_) {
        ++next_group_;
        next_sample_ = 0;
        continue;
      }
      int s = next_sample_++;
      if (g.written[static_cast<std::size_t>(s)] || g.samples[static_cast<std::size_t>(s)]) continue;
      std::size_t id = take_slot();
      Slot& slot = slots_[id];
      slot.group = next_group_;
      slot.sample = s;
      slot.tally = {};
      slot.turns_seen = 0;
      slot.keys = {};
      std::uint64_t seed = episode_seed(o_.tasks.seed, g.task.id, s);
      RunSettings settings;
      settings.max_turns = o_.max_turns;
      settings.group = g.task.id;
      settings.sample = s;
      settings.adjust_request = adjust_;
      slot.runner = std::make_unique<EpisodeRunner>(*game_, g.task, EpisodeOptions{o_.user, seed},
                                                    make_agent(g, s, seed), settings);
      ++in_flight_;
      drive(id);
      return true;
    }
    return false;
  }

  std::unique_ptr<Agent> make_agent(const Group& g, int sample, std::uint64_t seed) {
    if (agent_kind_ == "scripted") return game_->scripted_agent(seed);
    if (agent_kind_ == "replay") return std::make_unique<ReplayAgent>(replay_.at(g.task.id).at(sample), false);
    LlmAgentOptions options = o_.agent_options;
    options.name = "llm:" + o_.endpoints.policy->model;
    options.sampling.seed = static_cast<std::int64_t>(seed);
    return std::make_unique<LlmAgent>(options);
  }

  std::size_t take_slot() {
    if (!free_slots_.empty()) {
      std::size_t id = free_slots_.back();
      free_slots_.pop_back();
      return id;
    }
    slots_.emplace_back();
    return slots_.size() - 1;
  }

  void count_turns(Slot& slot) {
    std::size_t n = slot.runner->trajectory().turns.size();
    counters_.turns += static_cast<std::int64_t>(n - slot.turns_seen);
    slot.turns_seen = n;
  }

  void supply(std::size_t id, const LlmResponse& response, const CallReport& report, LlmRole role) {
    if (role == LlmRole::Policy && response.ok && o_.endpoints.policy && o_.endpoints.policy->record_tokens)
      note_tokens(response);
    Slot& slot = slots_[id];
    slot.tally.add(report, response);
    ++counters_.calls;
    counters_.retries += report.retries();
    if (!response.ok) ++counters_.failed_calls;
    counters_.prompt_tokens += response.prompt_tokens;
    counters_.completion_tokens += response.completion_tokens;
    slot.runner->supply(response);
  }

  // --record-tokens: counts the policy completions with and without token records, and says once
  // (not per call) when the server gives none.
  void note_tokens(const LlmResponse& response) {
    if (response.has_tokens()) {
      ++counters_.token_records;
      return;
    }
    if (counters_.missing_token_records++ == 0 && progress_)
      *progress_ << fmt::format(
          "warning: --record-tokens: the policy server ({}) returned a completion without token ids and logprobs; it "
          "does not seem to support vLLM's return_token_ids/logprobs (or the completion came from a cache recorded "
          "without them). Trajectories are written without token records; `rapport export rl` needs them.\n",
          o_.endpoints.policy->base_url);
  }

  void supply_search(std::size_t id, const SearchResponse& response) {
    ++counters_.searches;
    if (!response.ok) ++counters_.failed_searches;
    slots_[id].runner->supply(response);
  }

  // Answers a search from the cache or the backend; false when the answer comes later (HTTP).
  bool search(std::size_t id, const SearchRequest& request) {
    std::string key;
    if (cache_) {
      key = search_cache_key(request, search_spec_.id);
      if (auto hit = cache_->find_search(key)) {
        ++counters_.cached;
        supply_search(id, *hit);
        return true;
      }
    }
    if (!search_) {
      supply_search(id, search_failure("not in the cache (cache mode read makes no searches)"));
      return true;
    }
    search_->search(request, [this, id, key](SearchResponse response) {
      if (cache_ && response.ok) cache_->put_search(key, search_spec_.id, response);
      supply_search(id, response);
      ready_.push_back(id);
    });
    return false;
  }

  // Runs the episode until it needs a completion or a search from the network, or ends.
  void drive(std::size_t id) {
    while (true) {
      Slot& slot = slots_[id];
      std::optional<HostCall> call = slot.runner->next_call();
      count_turns(slot);
      if (!call) {
        complete(id);
        return;
      }
      if (call->search) {
        if (search(id, *call->search)) continue;
        return;
      }
      const LlmRequest* request = call->completion;
      auto endpoint = endpoint_ids_.find(static_cast<int>(request->role));
      if (endpoint == endpoint_ids_.end()) {
        supply(id, llm_failure(fmt::format("no model is configured for the {} (run with --user llm and --user-model, "
                                           "or --agent llm and --model)",
                                           to_string(request->role))),
               failed_without_request(FailureKind::NotConfigured), request->role);
        continue;
      }
      std::string key;
      if (cache_) {
        key = slot.keys.key(*request, client_.endpoint(endpoint->second).model, fingerprint_);
        if (auto hit = cache_->find(key)) {
          ++counters_.cached;
          scrub(hit->response, secrets_);
          supply(id, hit->response, hit->report, request->role);
          continue;
        }
        if (!cache_->writes()) {
          supply(id,
                 llm_failure(fmt::format("{} (cache_miss): not in the cache (cache mode read makes no requests)",
                                         to_string(request->role))),
                 failed_without_request(FailureKind::CacheMiss), request->role);
          continue;
        }
      }
      const int endpoint_id = endpoint->second;
      const LlmRole role = request->role;
      client_.submit(endpoint_id, *request, [this, id, key, endpoint_id, role](LlmResponse response, const CallReport& report) {
        scrub(response, secrets_);
        if (cache_ && response.ok) cache_->put(key, client_.endpoint(endpoint_id).model, response, report);
        supply(id, response, report, role);
        ready_.push_back(id);
      });
      return;
    }
  }

  void complete(std::size_t id) {
    Slot& slot = slots_[id];
    Trajectory t = slot.runner->take_trajectory();
    // A call that failed for good makes the episode no result, whatever the episode did next.
    const bool infra = slot.tally.failed > 0;
    if (infra) t.stop_reason = kInfraError;
    json::object calls = slot.tally.record();
    totals_.add(t, calls);
    Finished f = finish_record(std::move(t), calls, !o_.out.empty());
    slot.runner.reset();
    free_slots_.push_back(id);
    --in_flight_;
    ++counters_.episodes_done;
    Group& g = groups_[slot.group];
    // The calls behind a trajectory are made durable before the trajectory is.
    if (cache_) cache_->commit();
    ++g.finished;
    if (infra) {
      ++infra_failed_;
      if (first_infra_error_.empty()) first_infra_error_ = slot.tally.first_error;
      g.failed = true;
      if (!o_.out.empty()) {
        if (!failed_.open()) failed_ = AppendFile(failed_path_);
        failed_.write(f.pending_line());
      }
    } else {
      if (pending_.open()) pending_.write(f.pending_line());
      if (!blocked_) {
        g.samples[static_cast<std::size_t>(slot.sample)] = std::move(f);
        ++held_;
      }
    }
    if (g.complete()) write_ready_groups();
  }

  // Shapes and writes every complete group at the head of the order.
  void write_ready_groups() {
    while (!blocked_ && written_groups_ < groups_.size() && groups_[written_groups_].complete()) {
      Group& g = groups_[written_groups_];
      if (g.failed) {
        // FILE stays the prefix of complete groups: this group and every later one wait in
        // FILE.pending for --resume, so nothing more is held in memory.
        blocked_ = true;
        for (std::size_t k = written_groups_; k < groups_.size(); ++k)
          for (auto& sample : groups_[k].samples) sample.reset();
        held_ = 0;
        return;
      }
      bool any_unwritten = false;
      for (bool w : g.written) any_unwritten = any_unwritten || !w;
      if (any_unwritten) {
        std::vector<std::vector<double>> rewards;
        std::vector<std::vector<int>> tokens;
        for (auto& s : g.samples) {
          rewards.push_back(s->rewards);
          tokens.push_back(s->tokens);
        }
        auto shaping = shape_rewards(rewards, tokens, o_.shaping);
        if (out_.open()) {
          std::string text;
          for (std::size_t s = 0; s < g.samples.size(); ++s)
            if (!g.written[s]) text += shaped_line(*g.samples[s], shaping[s]);
          out_.write(text);
        }
      }
      for (std::size_t s = 0; s < g.samples.size(); ++s) {
        if (g.samples[s] && !g.written[s] && held_ > 0) --held_;
        g.samples[s].reset();
        g.written[s] = true;
      }
      ++written_groups_;
    }
  }

  void finish_outputs() {
    if (cache_) cache_->commit();
    if (!blocked_ && written_groups_ != groups_.size())
      throw std::logic_error("scheduler: the run ended with unwritten groups");
    if (!o_.out.empty() && !blocked_) {
      pending_ = AppendFile();
      ::unlink(pending_path_.c_str());
    }
  }

  // ---- Progress ----------------------------------------------------------------------------------

  RunCounters counters() const {
    RunCounters c = counters_;
    c.in_flight = static_cast<std::int64_t>(in_flight_);
    c.elapsed_s = std::chrono::duration<double>(Clock::now() - start_).count();
    return c;
  }

  void maybe_tick(bool final = false) {
    auto now = Clock::now();
    if (tick_ && (final || now - last_tick_ >= std::chrono::duration<double>(tick_s_))) {
      last_tick_ = now;
      tick_(counters());
    }
    if (!progress_ || o_.progress == ProgressMode::Off) return;
    bool live = o_.progress == ProgressMode::On;
    auto every = live ? std::chrono::milliseconds(500) : std::chrono::milliseconds(10000);
    if (!final && now - last_line_ < every) return;
    last_line_ = now;
    RunCounters c = counters();
    double rate = c.elapsed_s > 0 ? (c.episodes_done - c.episodes_resumed) / c.elapsed_s : 0.0;
    std::string line = fmt::format(
        "{}/{} episodes · {:.1f}/s · in flight {} · calls {} (cached {}) · retries {} · errors {} · tokens {} in, {} out · {:.0f}s",
        c.episodes_done, c.episodes_total, rate, c.in_flight, c.calls, c.cached, c.retries, c.failed_calls,
        human_count(c.prompt_tokens), human_count(c.completion_tokens), c.elapsed_s);
    if (live) *progress_ << "\r\033[K" << line << (final ? "\n" : "") << std::flush;
    else *progress_ << line << "\n" << std::flush;
  }

  const RunOptions& o_;
  std::ostream* progress_;
  std::function<void(const RunCounters&)> tick_;
  double tick_s_;

  std::unique_ptr<Game> game_;
  std::string fingerprint_;
  std::string agent_kind_;
  int samples_ = 1;
  std::vector<Group> groups_;
  std::unordered_map<std::string, std::size_t> group_index_;
  std::unordered_map<std::string, std::map<int, std::shared_ptr<const Trajectory>>> replay_;

  HttpClient client_;
  std::map<int, int> endpoint_ids_;  // role → client endpoint
  std::unique_ptr<CompletionCache> cache_;
  SearchSpec search_spec_;
  std::unique_ptr<SearchBackend> search_;

  std::vector<Slot> slots_;
  std::vector<std::size_t> free_slots_;
  std::deque<std::size_t> ready_;
  std::size_t in_flight_ = 0;
  std::size_t held_ = 0;  // finished, not yet written
  std::size_t next_group_ = 0;
  int next_sample_ = 0;
  std::size_t written_groups_ = 0;

  std::string pending_path_;
  AppendFile out_, pending_;
  RunTotals totals_;
  RunCounters counters_;
  std::vector<std::string> secrets_;  // API keys, scrubbed from every response
  std::function<void(LlmRequest&)> adjust_;  // the oracles' sampling flags
  std::string failed_path_;
  AppendFile failed_;
  std::int64_t infra_failed_ = 0;
  std::string first_infra_error_;
  bool blocked_ = false;  // a failed group stops FILE from growing
  Clock::time_point start_, last_tick_, last_line_;
};

}  // namespace

RunResult run_batch(const RunOptions& options, std::ostream* progress, const std::function<void(const RunCounters&)>& tick,
                    double tick_s) {
  Batch batch(options, progress, tick, tick_s);
  return batch.run();
}

}  // namespace rapport
