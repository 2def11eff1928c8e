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
#include "core/runner.h"
#include "native/files.h"
#include "native/http_client.h"
#include "native/jsonl_file.h"

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

std::string turn_credit_name(const ShapingConfig& cfg) {
  if (cfg.turn == TurnCredit::EM && cfg.em_k != 2.0) return fmt::format("em({})", cfg.em_k);
  return std::string(to_string(cfg.turn));
}

namespace {

// Policy tokens per turn (completion tokens of the turn's agent calls), or empty (one token per
// turn) when no model played the agent.
std::vector<int> policy_tokens(const Trajectory& t) {
  std::vector<int> per_turn;
  bool any_calls = false;
  for (const auto& turn : t.turns) any_calls = any_calls || !turn.agent_calls.empty();
  if (!any_calls) return per_turn;
  for (const auto& turn : t.turns) {
    std::int64_t n = 0;
    for (const auto& call : turn.agent_calls)
      n += call.response.ok ? std::max<std::int64_t>(0, call.response.completion_tokens) : 0;
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
  ++episodes;
  if (get_bool(t.metrics, "success")) ++successes;
  reward_sum += t.total_reward();
  score_sum += get_number(t.metrics, "score");
  turns += static_cast<std::int64_t>(t.turns.size());
  int fe = t.format_errors();
  format_errors += fe;
  if (fe > 0) ++episodes_with_format_errors;
  if (get_int(llm_calls, "failed") > 0) ++episodes_with_failed_calls;
  ++stop_reasons[t.stop_reason];
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

  void add(const CallReport& report, const LlmResponse& response) {
    ++calls;
    retries += report.retries();
    for (std::size_t k = 0; k < kFailureKinds; ++k) failures[k] += report.failures[k];
    if (!response.ok) ++failed;
    prompt_tokens += response.prompt_tokens;
    completion_tokens += response.completion_tokens;
  }
  json::object record() const {
    if (calls == 0) return {};
    json::object f;
    for (std::size_t k = 0; k < kFailureKinds; ++k)
      if (failures[k]) f[to_string(static_cast<FailureKind>(k))] = failures[k];
    return json::object{{"calls", calls},
                        {"retries", retries},
                        {"failed", failed},
                        {"failures", std::move(f)},
                        {"prompt_tokens", prompt_tokens},
                        {"completion_tokens", completion_tokens}};
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
  int finished = 0;           // samples finished (held or written)
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

std::uint64_t episode_seed(std::uint64_t seed, const std::string& task_id, int sample) {
  // 31 bits: every server accepts it as a sampling seed, and every JSON reader as an exact number.
  return Rng::derive(seed, "episode/" + task_id, static_cast<std::uint64_t>(sample)).next() >> 33;
}

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
    if (cache_) {
      r.cache_mode = cache_->mode();
      r.cache_hits = cache_->hits();
      r.cache_misses = cache_->misses();
      r.cache_stored = cache_->stored();
    }
    return r;
  }

 private:
  // ---- Setup -------------------------------------------------------------------------------------

  void plan() {
    if (o_.samples < 1) throw ConfigError("--samples must be at least 1");
    if (o_.max_turns < 1) throw ConfigError("--max-turns must be at least 1");
    if (o_.concurrency < 1) throw ConfigError("--concurrency must be at least 1");
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
    if (o_.user == OracleKind::Llm && !o_.endpoints.user)
      throw ConfigError("--user llm needs a user-simulator model: pass --user-model NAME (and --user-base-url URL)");
    for (LlmRole role : {LlmRole::Policy, LlmRole::User, LlmRole::Judge}) {
      const Endpoint* e = o_.endpoints.for_role(role);
      if (!e) continue;
      if (role == LlmRole::Policy && agent_kind_ != "llm") continue;
      if (role != LlmRole::Policy && o_.user != OracleKind::Llm) continue;
      endpoint_ids_[static_cast<int>(role)] = client_.add_endpoint(*e);
    }
    if (o_.cache_mode != CacheMode::Off) {
      if (o_.cache_path.empty()) throw ConfigError("a cache mode other than off needs --cache FILE");
      cache_ = std::make_unique<CompletionCache>(o_.cache_path, o_.cache_mode);
    }
  }

  void prepare_outputs() {
    if (o_.out.empty()) return;
    pending_path_ = o_.out + ".pending";
    if (!o_.resume) {
      if ((file_exists(o_.out) || file_exists(pending_path_)) && !o_.overwrite)
        throw ConfigError(fmt::format("'{}' already exists: pass --resume to continue it, or --overwrite to start over",
                                      o_.out));
      ::unlink(pending_path_.c_str());
      ::unlink(o_.out.c_str());
    } else {
      resume_from(o_.out, true);
      resume_from(pending_path_, false);
    }
    out_ = AppendFile(o_.out);
    pending_ = AppendFile(pending_path_);
  }

  // Takes the finished trajectories of FILE (written: skipped) or FILE.pending (held: shaped and
  // written with their group).
  void resume_from(const std::string& path, bool written) {
    auto lines = read_complete_lines(path, true);
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
      Group& g = groups_[it->second];
      auto s = static_cast<std::size_t>(t.sample);
      if (g.written[s]) continue;  // already in FILE
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

  void supply(std::size_t id, const LlmResponse& response, const CallReport& report) {
    Slot& slot = slots_[id];
    slot.tally.add(report, response);
    ++counters_.calls;
    counters_.retries += report.retries();
    if (!response.ok) ++counters_.failed_calls;
    counters_.prompt_tokens += response.prompt_tokens;
    counters_.completion_tokens += response.completion_tokens;
    slot.runner->supply(response);
  }

  // Runs the episode until it needs a completion from the network, or ends.
  void drive(std::size_t id) {
    while (true) {
      Slot& slot = slots_[id];
      const LlmRequest* request = slot.runner->advance();
      count_turns(slot);
      if (!request) {
        complete(id);
        return;
      }
      auto endpoint = endpoint_ids_.find(static_cast<int>(request->role));
      if (endpoint == endpoint_ids_.end()) {
        CallReport none;
        supply(id, llm_failure(fmt::format("no model is configured for the {} (run with --user llm and --user-model, "
                                           "or --agent llm and --model)",
                                           to_string(request->role))),
               none);
        continue;
      }
      std::string key;
      if (cache_) {
        key = slot.keys.key(*request, client_.endpoint(endpoint->second).model, fingerprint_);
        if (auto hit = cache_->find(key)) {
          ++counters_.cached;
          supply(id, hit->response, hit->report);
          continue;
        }
        if (!cache_->writes()) {
          CallReport none;
          supply(id, llm_failure("not in the cache (cache mode read makes no requests)"), none);
          continue;
        }
      }
      const int endpoint_id = endpoint->second;
      client_.submit(endpoint_id, *request, [this, id, key, endpoint_id](LlmResponse response, const CallReport& report) {
        if (cache_ && response.ok) cache_->put(key, client_.endpoint(endpoint_id).model, response, report);
        supply(id, response, report);
        ready_.push_back(id);
      });
      return;
    }
  }

  void complete(std::size_t id) {
    Slot& slot = slots_[id];
    json::object calls = slot.tally.record();
    Trajectory t = slot.runner->take_trajectory();
    totals_.add(t, calls);
    Finished f = finish_record(std::move(t), calls, !o_.out.empty());
    slot.runner.reset();
    free_slots_.push_back(id);
    --in_flight_;
    ++counters_.episodes_done;
    Group& g = groups_[slot.group];
    // The calls behind a trajectory are made durable before the trajectory is.
    if (cache_) cache_->commit();
    if (pending_.open()) pending_.write(f.pending_line());
    g.samples[static_cast<std::size_t>(slot.sample)] = std::move(f);
    ++g.finished;
    ++held_;
    if (g.complete()) write_ready_groups();
  }

  // Shapes and writes every complete group at the head of the order.
  void write_ready_groups() {
    while (written_groups_ < groups_.size() && groups_[written_groups_].complete()) {
      Group& g = groups_[written_groups_];
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
    if (written_groups_ != groups_.size())
      throw std::logic_error("scheduler: the run ended with unwritten groups");
    if (!o_.out.empty()) {
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
  Clock::time_point start_, last_tick_, last_line_;
};

}  // namespace

RunResult run_batch(const RunOptions& options, std::ostream* progress, const std::function<void(const RunCounters&)>& tick,
                    double tick_s) {
  Batch batch(options, progress, tick, tick_s);
  return batch.run();
}

}  // namespace rapport
