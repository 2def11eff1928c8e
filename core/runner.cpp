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

const LlmRequest* EpisodeRunner::advance() {
  while (!finished_) {
    if (step_) {
      if (!step_->ready()) return &step_->request();
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
      if (!move_->ready()) return &move_->request();
      AgentMove move = std::move(move_->value());
      move_.reset();
      Turn& turn = trajectory_.turns.back();
      turn.action = move.action;
      turn.choice = move.choice;
      turn.content = move.content;
      turn.reasoning = move.reasoning;
      turn.format_error = move.format_error;
      if (move.stop) {
        // The agent ended the conversation without acting: the turn stays, with no step.
        turn.observation = move.note;
        finish("agent_stopped");
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
      return nullptr;
    }
    paused_ = false;
    trajectory_.turns.emplace_back();
    move_.emplace(agent_->next_move());
  }
  return nullptr;
}

void EpisodeRunner::supply(const LlmResponse& response) {
  Turn& turn = trajectory_.turns.back();
  if (step_ && !step_->ready()) {
    turn.env_calls.push_back({step_->request(), response});
    step_.emplace(step_->resume(response));
  } else if (move_ && !move_->ready()) {
    turn.agent_calls.push_back({move_->request(), response});
    move_.emplace(move_->resume(response));
  } else {
    assert(false && "supply() without a pending request");
  }
}

Trajectory run_episode(const Game& game, const Task& task, const EpisodeOptions& options, std::unique_ptr<Agent> agent,
                       const RunSettings& settings, const std::function<LlmResponse(const LlmRequest&)>& respond) {
  EpisodeRunner runner(game, task, options, std::move(agent), settings);
  while (const LlmRequest* request = runner.advance()) runner.supply(respond(*request));
  return runner.take_trajectory();
}

}  // namespace rapport
