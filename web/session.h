// One playground episode and how it advances: the same EpisodeRunner host loop as the native
// runner (advance → request → call → supply), paused before every move so the person decides
// who makes it, with model calls made through the browser's fetch. Also holds a viewed episode
// (a finished one, or a shared link replayed) and forks of either from any turn.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/environment.h"
#include "core/runner.h"
#include "core/replay.h"
#include "core/share_link.h"
#include "web/playground_agent.h"

namespace rapport::web {

// Where model calls go. Kept in browser storage only: never in links or exported files.
struct ModelSettings {
  std::string base_url;
  std::string model;       // the agent's model (autopilot)
  std::string user_model;  // the simulated user and judges; empty: the agent's model
  std::string api_key;
  // Live searches (SearchGym): a retrieval server's /retrieve in the standard protocol. Empty: live
  // searches fail with an observation saying so; replayed and forked turns need none.
  std::string search_url;
  std::string user_base_url;  // the simulated user's endpoint; empty: the agent's
  std::string user_api_key;   // empty: the agent's key (when the endpoint is the agent's)
  // The endpoint, model and key a call of `role` goes to.
  std::string base_for(LlmRole role) const {
    return role == LlmRole::Policy || user_base_url.empty() ? base_url : user_base_url;
  }
  std::string model_for(LlmRole role) const { return role == LlmRole::Policy || user_model.empty() ? model : user_model; }
  std::string key_for(LlmRole role) const {
    if (role == LlmRole::Policy || user_base_url.empty()) return api_key;
    return user_api_key;
  }
};

// How one model call went, for people (never in records: timing is not deterministic).
struct CallStat {
  std::size_t turn = 0;
  bool agent = true;
  double ms = 0;
  std::int64_t prompt_tokens = 0;
  std::int64_t completion_tokens = 0;
};

class Session {
 public:
  bool has_episode() const { return runner_ != nullptr || viewing_; }
  // The live episode's transcript so far, or the viewed one.
  const Trajectory& trajectory() const { return runner_ ? runner_->trajectory() : viewed_; }
  bool live() const { return runner_ != nullptr; }
  bool viewing() const { return viewing_; }
  bool finished() const { return runner_ ? runner_->finished() : viewing_ && !viewed_.stop_reason.empty(); }
  // Live, paused before a move, nothing pending: the person can move (or start the autopilot).
  bool awaiting_move() const { return runner_ && !runner_->finished() && !pending_ && !pending_search_; }
  bool calling_model() const { return in_flight_; }
  bool model_call_failed() const { return pending_ && !in_flight_ && !model_error_.empty(); }
  const std::string& model_error() const { return model_error_; }
  std::optional<LlmRole> pending_role() const {
    return pending_ ? std::optional<LlmRole>(pending_->role) : std::nullopt;
  }
  std::optional<Mover> autorun() const { return autorun_; }
  // The turns to show and count: a turn whose model call is pending or failed is not one yet.
  std::size_t complete_turns() const {
    const std::size_t n = trajectory().turns.size();
    return pending_ && n > 0 ? n - 1 : n;
  }
  // Who made each move of the live episode (empty for a viewed one).
  std::vector<Mover> movers() const { return agent_ ? agent_->movers() : std::vector<Mover>{}; }
  // Changes whenever another episode is shown (started, forked, opened, cleared).
  int serial() const { return serial_; }
  const ShareSettings& share_settings() const { return share_; }
  const std::optional<ReplayOutcome>& replay_check() const { return replay_check_; }
  // Turns replayed from the record at the start of a fork.
  std::size_t forked_turns() const { return fork_turns_; }
  // Finished episodes of this visit, for GRPO groups (same environment spec and task).
  const std::vector<Trajectory>& history() const { return history_; }

  // Starts a live episode. Throws ConfigError (bad task data).
  void start(std::unique_ptr<Game> game, Task task, EpisodeOptions options, int max_turns);
  // Shows an episode without a runner: a shared link's replay (with its check) or a finished run.
  void view(Trajectory trajectory, ShareSettings settings, std::optional<ReplayOutcome> check);
  // A new live episode that replays the first `turns` turns of the shown one, then continues.
  // Throws ConfigError when the environment is unknown to this build.
  void fork(std::size_t turns);

  void move(NextMove next);
  void run_to_end(Mover mover) { autorun_ = mover; }
  void stop_autorun() { autorun_.reset(); resume_autorun_.reset(); }
  // Shows no episode (the address bar went back to before the first one).
  void clear() { reset(); ++serial_; }
  // A failed or cancelled model call keeps the episode waiting: call again, or give the call
  // up (the agent or the environment then takes its documented fallback).
  void retry();
  void give_up();
  void cancel();

  // Called every frame: starts pending model calls, continues the autopilot; true when it did.
  bool pump(const ModelSettings& settings);
  void on_fetch_done(int id, int status, const std::string& body, const std::string& error, double ms);
  // The live episode's model calls so far.
  const std::vector<CallStat>& call_stats() const { return stats_; }

 private:
  void drive();
  void reset();
  // A failed or cancelled call stops the autopilot; Retry resumes it.
  void interrupt_autorun();

  std::unique_ptr<Game> game_;
  Task task_;
  EpisodeOptions options_;
  std::unique_ptr<EpisodeRunner> runner_;
  PlaygroundAgent* agent_ = nullptr;  // owned by runner_
  Trajectory viewed_;
  bool viewing_ = false;
  ShareSettings share_;
  std::optional<ReplayOutcome> replay_check_;

  std::size_t fork_turns_ = 0;
  std::unique_ptr<ReplayResponder> fork_responder_;  // answers the forked turns' model calls

  std::optional<LlmRequest> pending_;
  std::optional<SearchRequest> pending_search_;  // sent at the next pump, failures go to the episode
  bool call_needed_ = false;
  bool in_flight_ = false;
  int fetch_id_ = 0;
  std::string model_error_;
  std::optional<Mover> autorun_;
  std::optional<Mover> resume_autorun_;
  std::vector<CallStat> stats_;
  std::vector<Trajectory> history_;
  int serial_ = 0;
};

// "https://host/v1" + "/chat/completions", tolerating a trailing slash or a full endpoint URL.
std::string chat_completions_url(const std::string& base_url);
// A failed HTTP answer explained for people: the status, what it usually means, the server's message.
std::string explain_http_error(int status, const std::string& body);

}  // namespace rapport::web
