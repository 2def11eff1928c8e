// Drives one episode: the agent moves, the environment answers, until the episode ends. Sans-I/O:
// whenever the agent or the environment needs a host call (a completion or a search) the runner
// hands it to the host, and records the call and its answer in the trajectory.
//
//   EpisodeRunner runner(game, task, options, agent, settings);
//   while (auto call = runner.next_call()) {
//     if (call->search) runner.supply(search(*call->search));
//     else runner.supply(call_model(*call->completion));
//   }
//   Trajectory t = runner.take_trajectory();
#pragma once

#include <functional>
#include <memory>
#include <optional>

#include "core/agent.h"
#include "core/environment.h"
#include "core/trajectory.h"

namespace rapport {

struct RunSettings {
  int max_turns = 16;  // agent moves; the environment's own max_steps also applies
  std::string group;
  int sample = 0;
  // For interactive hosts (the playground): advance() also returns nullptr before each agent move,
  // with finished() false and paused() true, so the host can decide who moves; the next advance()
  // makes the move.
  bool pause_between_turns = false;
  // The host's changes to every request before it is handed out and recorded (e.g. the simulated
  // user's sampling flags); empty: requests go out as the agent and the environment built them.
  std::function<void(LlmRequest&)> adjust_request;
};

// One call an episode needs from its host: exactly one of the two is set.
struct HostCall {
  const LlmRequest* completion = nullptr;
  const SearchRequest* search = nullptr;
  HostService service() const { return search ? HostService::Search : HostService::Completion; }
};

class EpisodeRunner {
 public:
  EpisodeRunner(const Game& game, const Task& task, const EpisodeOptions& options, std::unique_ptr<Agent> agent,
                const RunSettings& settings);

  // Runs until a host call is needed (returned; its requests are valid until the next supply), or
  // the episode is over or paused (nullopt).
  std::optional<HostCall> next_call();
  // For hosts that serve completions only: runs until a completion is needed (returned) or the
  // episode is over or paused (nullptr); searches are answered as failed ("this host serves no
  // searches"), which environments turn into an observation.
  const LlmRequest* advance();
  // The answer to the call next_call() (or advance()) returned. Failed calls are supplied too.
  void supply(const LlmResponse& response);
  void supply(const SearchResponse& response);

  bool finished() const { return finished_; }
  bool paused() const { return paused_; }
  const Trajectory& trajectory() const { return trajectory_; }
  Trajectory take_trajectory() { return std::move(trajectory_); }
  const Episode& episode() const { return *episode_; }

 private:
  void finish(std::string reason);
  const LlmRequest* hand_out(const LlmRequest& request);
  template <class T>
  HostCall pending_call(const Flow<T>& flow);

  std::unique_ptr<Episode> episode_;
  std::unique_ptr<Agent> agent_;
  RunSettings settings_;
  Trajectory trajectory_;
  std::optional<Flow<AgentMove>> move_;
  std::optional<Flow<StepResult>> step_;
  bool finished_ = false;
  bool paused_ = false;
  LlmRequest adjusted_;  // the request handed out, when settings_.adjust_request changes it
};

// Runs an episode to the end with no model: for scripted agents with scripted oracles, every
// completion is answered by `respond` and every search by `search` (either may return a failure;
// with no `search`, searches fail).
Trajectory run_episode(const Game& game, const Task& task, const EpisodeOptions& options, std::unique_ptr<Agent> agent,
                       const RunSettings& settings,
                       const std::function<LlmResponse(const LlmRequest&)>& respond,
                       const std::function<SearchResponse(const SearchRequest&)>& search = {});

}  // namespace rapport
