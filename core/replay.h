// Replaying recorded episodes with no model and no search backend: an agent that repeats a
// trajectory's moves, a responder that answers LLM requests and searches from the trajectory's
// recorded calls, and
// replay_trajectory(), which re-runs a whole episode from its record. Used by
// `rapport run --agent replay:FILE` and by the browser's share links.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/agent.h"
#include "core/params.h"
#include "core/trajectory.h"

namespace rapport {

// The environment asked for something the record does not hold: its logic or prompts changed
// since the episode was recorded.
struct ReplayMismatch : ConfigError {
  using ConfigError::ConfigError;
};

// Plays the moves of `recorded`, turn by turn. With reissue_agent_calls, each turn first asks for
// the recorded agent calls again (answered by a ReplayResponder), so that the new trajectory
// carries them too; otherwise moves are made at once. When the record runs out (the environment
// now lasts longer), the agent stops with a note. A record whose agent requests are rebuilt as the
// replay goes (core/link_record.h) gives `request_of`, asked for each call's request when it is due.
class ReplayAgent : public Agent {
 public:
  using RequestOf = std::function<LlmRequest(std::size_t turn, std::size_t call)>;
  ReplayAgent(std::shared_ptr<const Trajectory> recorded, bool reissue_agent_calls, RequestOf request_of = {});

  std::string name() const override { return recorded_->agent; }
  void start(const std::string& system_prompt, const std::string& opening) override;
  Flow<AgentMove> next_move() override;
  void observe(const StepResult&) override {}

 private:
  Flow<AgentMove> issue(std::size_t turn, std::size_t call);
  AgentMove recorded_move(std::size_t turn) const;

  std::shared_ptr<const Trajectory> recorded_;
  bool reissue_;
  RequestOf request_of_;
  std::size_t turn_ = 0;
};

// Answers the LLM requests of a replayed episode with the recorded responses, in recorded order
// (per turn: the agent's calls, then the environment's; only the environment's when the agent
// does not reissue its calls), and searches with the recorded results, in recorded order. Throws
// ReplayMismatch, naming the turn and call, when a request differs from the recorded one or the
// record has no more calls.
class ReplayResponder {
 public:
  explicit ReplayResponder(std::shared_ptr<const Trajectory> recorded, bool include_agent_calls = true);
  LlmResponse respond(const LlmRequest& request);
  // Gives an oracle request the sampling and response_format of the next recorded call of its
  // role: those are the host's settings (e.g. --user-max-tokens), not the environment's, and a
  // replay reproduces them (RunSettings::adjust_request).
  void adopt_host_settings(LlmRequest& request) const;
  SearchResponse search(const SearchRequest& request);
  // Calls answered so far, and calls in the record.
  std::size_t used() const { return next_; }
  std::size_t size() const { return calls_.size(); }

 private:
  struct Call {
    const LlmExchange* exchange;
    std::size_t turn;
    bool agent;
  };
  std::shared_ptr<const Trajectory> recorded_;
  std::vector<Call> calls_;
  std::size_t next_ = 0;
  struct Search {
    const SearchExchange* exchange;
    std::size_t turn;
  };
  std::vector<Search> searches_;
  std::size_t next_search_ = 0;
};

// Re-runs the recorded episode (same environment spec, task, seed and oracle kind) with the
// recorded moves and LLM responses, and returns the new trajectory. While the environment's logic
// is unchanged, to_json_line of the result equals that of the record. Throws ConfigError when the
// environment is unknown, ReplayMismatch when the episode asks for a call the record lacks.
Trajectory replay_trajectory(const Trajectory& recorded);

}  // namespace rapport
