#include "core/runner.h"

namespace rapport {

EpisodeRunner::EpisodeRunner(const Game& game, const Task& task, const EpisodeOptions& options,
                             std::unique_ptr<Agent> agent, const RunSettings& settings)
    : episode_(game.new_episode(task, options)), agent_(std::move(agent)), settings_(settings) {
  trajectory_.env = game.spec();
  trajectory_.fingerprint = game.fingerprint();
  trajectory_.task_id = task.id;
  trajectory_.task = task.data;
  trajectory_.seed = options.seed;
  trajectory_.oracle = to_string(options.oracle);
  trajectory_.agent = agent_->name();
  trajectory_.group = settings.group;
  trajectory_.sample = settings.sample;
  trajectory_.system_prompt = episode_->system_prompt();
  trajectory_.opening = episode_->opening();
  agent_->start(trajectory_.system_prompt, trajectory_.opening);
  if (auto tools = episode_->tools(); !tools.empty()) {
    trajectory_.tools = openai_tool_schemas(tools);
    agent_->offer_tools(tools);
  }
}

void EpisodeRunner::finish(std::string reason) {
  finished_ = true;
  trajectory_.stop_reason = std::move(reason);
  trajectory_.metrics = episode_->metrics();
}

const LlmRequest* EpisodeRunner::hand_out(const LlmRequest& request) {
  if (!settings_.adjust_request) return &request;
  adjusted_ = request;
  settings_.adjust_request(adjusted_);
  return &adjusted_;
}

template <class T>
HostCall EpisodeRunner::pending_call(const Flow<T>& flow) {
  if (flow.service() == HostService::Search) return HostCall{nullptr, &flow.search_request()};
  return HostCall{hand_out(flow.request()), nullptr};
}

const LlmRequest* EpisodeRunner::advance() {
  while (auto call = next_call()) {
    if (call->completion) return call->completion;
    supply(search_failure("this host serves no searches"));
  }
  return nullptr;
}

std::optional<HostCall> EpisodeRunner::next_call() {
  while (!finished_) {
    if (step_) {
      if (!step_->ready()) return pending_call(*step_);
      StepResult result = std::move(step_->value());
      step_.reset();
      Turn& turn = trajectory_.turns.back();
      turn.observation = result.observation;
      turn.reward = result.reward;
      turn.terminated = result.terminated;
      turn.truncated = result.truncated;
      turn.format_error = turn.format_error || result.format_error;
      turn.info = std::move(result.info);
      agent_->observe(result);
      if (result.terminated) finish("terminated");
      else if (result.truncated) finish("truncated");
      continue;
    }
    if (move_) {
      if (!move_->ready()) return pending_call(*move_);
      AgentMove move = std::move(move_->value());
      move_.reset();
      Turn& turn = trajectory_.turns.back();
      turn.action = move.action;
      turn.choice = move.choice;
      turn.content = move.content;
      turn.reasoning = move.reasoning;
      turn.format_error = move.format_error;
      if (move.stop) {
        // The agent ended the conversation without acting: the turn stays, with no step. A policy
        // call that failed is the infrastructure's doing, not the agent's.
        turn.observation = move.note;
        const bool call_failed = !turn.agent_calls.empty() && !turn.agent_calls.back().response.ok;
        finish(call_failed ? "infra_error" : "agent_stopped");
        continue;
      }
      step_.emplace(episode_->step(move.action));
      continue;
    }
    if (static_cast<int>(trajectory_.turns.size()) >= settings_.max_turns) {
      finish("max_turns");
      continue;
    }
    if (settings_.pause_between_turns && !paused_) {
      paused_ = true;
      return std::nullopt;
    }
    paused_ = false;
    trajectory_.turns.emplace_back();
    move_.emplace(agent_->next_move());
  }
  return std::nullopt;
}

void EpisodeRunner::supply(const LlmResponse& response) {
  Turn& turn = trajectory_.turns.back();
  const bool adjusted = static_cast<bool>(settings_.adjust_request);
  if (step_ && !step_->ready()) {
    turn.env_calls.push_back({adjusted ? adjusted_ : step_->request(), response});
    step_.emplace(step_->resume(response));
  } else if (move_ && !move_->ready()) {
    turn.agent_calls.push_back({adjusted ? adjusted_ : move_->request(), response});
    move_.emplace(move_->resume(response));
  } else {
    assert(false && "supply() without a pending request");
  }
}

void EpisodeRunner::supply(const SearchResponse& response) {
  Turn& turn = trajectory_.turns.back();
  if (step_ && !step_->ready()) {
    turn.search_calls.push_back({step_->search_request(), response});
    step_.emplace(step_->resume(response));
  } else {
    // Agents reach retrieval through the environment ([search] actions), never directly.
    assert(false && "supply(SearchResponse) without a pending environment search");
  }
}

Trajectory run_episode(const Game& game, const Task& task, const EpisodeOptions& options, std::unique_ptr<Agent> agent,
                       const RunSettings& settings, const std::function<LlmResponse(const LlmRequest&)>& respond,
                       const std::function<SearchResponse(const SearchRequest&)>& search) {
  EpisodeRunner runner(game, task, options, std::move(agent), settings);
  while (auto call = runner.next_call()) {
    if (!call->search) runner.supply(respond(*call->completion));
    else if (search) runner.supply(search(*call->search));
    else runner.supply(search_failure("this host serves no searches"));
  }
  return runner.take_trajectory();
}

}  // namespace rapport
