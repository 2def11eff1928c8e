#include "web/playground_agent.h"

#include "core/action.h"

namespace rapport::web {
namespace {

// A completion calling interact_with_env (or the environment's tool) as `move` did.
LlmResponse as_completion(const AgentMove& move, std::size_t index) {
  if (auto call = parse_tool_action(move.action); call && call->problem.empty()) {
    LlmResponse r = llm_text("");
    r.finish_reason = "tool_calls";
    r.message.reasoning = move.reasoning;
    r.message.tool_calls.push_back({"call_" + std::to_string(index), call->name, to_json(call->arguments)});
    return r;
  }
  std::string choice = move.choice, content = move.content;
  if (choice.empty()) {
    BracketAction a = parse_bracket_action(move.action);
    choice = a.choice ? to_string(*a.choice) : "action";
    content = a.choice ? a.payload : move.action;
  }
  LlmResponse r = llm_text("");
  r.finish_reason = "tool_calls";
  r.message.reasoning = move.reasoning;
  r.message.tool_calls.push_back({"call_" + std::to_string(index), "interact_with_env",
                                  to_json(json::object{{"choice", choice}, {"content", content}})});
  return r;
}

}  // namespace

void PlaygroundAgent::start(const std::string& system_prompt, const std::string& opening) {
  system_prompt_ = system_prompt;
  opening_ = opening;
  scripted_->start(system_prompt, opening);
}

void PlaygroundAgent::offer_tools(const std::vector<ToolSpec>& tools) {
  tools_ = tools;
  scripted_->offer_tools(tools);
}

void PlaygroundAgent::set_record(std::shared_ptr<const Trajectory> record) {
  replay_ = std::make_unique<ReplayAgent>(std::move(record), true);
  replay_->start(system_prompt_, opening_);
}

LlmAgent& PlaygroundAgent::model_with_history() {
  LlmAgentOptions options;
  options.name = "autopilot";
  model_ = std::make_unique<LlmAgent>(options);
  model_->start(system_prompt_, opening_);
  if (!tools_.empty()) model_->offer_tools(tools_);
  for (std::size_t i = 0; i < history_.size(); ++i) {
    Flow<AgentMove> flow = model_->next_move();
    if (!flow.ready()) flow.resume(history_[i].completion ? *history_[i].completion : as_completion(history_[i].move, i));
    model_->observe(history_[i].result);
  }
  return *model_;
}

Flow<AgentMove> PlaygroundAgent::next_move() {
  current_ = std::make_shared<Past>();
  auto remember = [current = current_](AgentMove move) {
    current->move = move;
    return move;
  };
  switch (next_.mover) {
    case Mover::Person: {
      AgentMove move;
      move.choice = next_.choice;
      move.content = next_.content;
      move.action = action_from_tool(move.choice, move.content);
      if (auto tool = typed_tool_action(move.content, tools_)) {
        move.action = *tool;
        auto call = parse_tool_action(*tool);
        move.choice = call->name;
        move.content = call->problem.empty() ? to_json(call->arguments) : move.content;
      }
      return remember(std::move(move));
    }
    case Mover::Scripted: return scripted_->next_move().then(remember);
    case Mover::Model: {
      Flow<AgentMove> flow = model_with_history().next_move();
      if (flow.ready()) return remember(std::move(flow.value()));
      // Keep the model's completion: a later model turn shows it back to the model as it was.
      return Flow<AgentMove>::need(flow.request(), [flow, current = current_](const LlmResponse& r) {
        current->completion = r;
        Flow<AgentMove> next = flow.resume(r);
        return std::move(next).then([current](AgentMove move) {
          current->move = move;
          return move;
        });
      });
    }
    case Mover::Recorded:
      if (!replay_) break;
      return replay_->next_move().then(remember);
  }
  AgentMove none;
  none.stop = true;
  none.note = "No move was given.";
  return remember(std::move(none));
}

void PlaygroundAgent::observe(const StepResult& result) {
  scripted_->observe(result);
  current_->result = result;
  history_.push_back(*current_);
}

}  // namespace rapport::web
