// Drives one episode: the agent moves, the environment answers, until the episode ends. Sans-I/O:
// whenever the agent or the environment needs a completion the runner hands it to the host.
//
//   EpisodeRunner runner(game, task, options, agent, settings);
//   while (const LlmRequest* request = runner.advance()) runner.supply(call_model(*request));
//   Trajectory t = runner.take_trajectory();
#pragma once

#include <functional>
#include <memory>

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

class EpisodeRunner {
 public:
  EpisodeRunner(const Game& game, const Task& task, const EpisodeOptions& options, std::unique_ptr<Agent> agent,
                const RunSettings& settings);

  // Runs until a completion is needed (returned; valid until the next supply) or the episode is
  // over (nullptr).
  const LlmRequest* advance();
  // The completion for the request advance() returned. Failed calls are supplied too.
  void supply(const LlmResponse& response);

  bool finished() const { return finished_; }
  bool paused() const { return paused_; }
  const Trajectory& trajectory() const { return trajectory_; }
  Trajectory take_trajectory() { return std::move(trajectory_); }
  const Episode& episode() const { return *episode_; }

 private:
  void finish(std::string reason);
  const LlmRequest* hand_out(const LlmRequest& request);

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
// request is answered by `respond` (which may return a failure).
Trajectory run_episode(const Game& game, const Task& task, const EpisodeOptions& options, std::unique_ptr<Agent> agent,
                       const RunSettings& settings,
                       const std::function<LlmResponse(const LlmRequest&)>& respond);

}  // namespace rapport
