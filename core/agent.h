// The agent side: something that reads observations and chooses the next action, possibly by
// asking a model (through the same Flow protocol as environments).
#pragma once

#include <string>

#include "core/action.h"
#include "core/environment.h"
#include "core/flow.h"

namespace rapport {

struct AgentMove {
  std::string action;   // the bracket action given to the environment
  std::string choice;   // interact_with_env arguments, when the move came from a tool call
  std::string content;
  std::string reasoning;      // kept apart from the action; never shown to the environment
  bool stop = false;          // the agent ended the conversation (e.g. a turn without a tool call)
  bool format_error = false;  // the turn had no usable tool call
  std::string note;           // why it stopped, for the record

  // A move made through the interact_with_env tool: the action is built as the tool maps it.
  static AgentMove tool(std::string choice, std::string content);
  // A call of one of the environment's own tools (core/tools.h), recorded as an LLM agent records
  // it: choice = the tool's name, content = its arguments as JSON.
  static AgentMove call(const std::string& tool, const json::object& arguments);
};

class Agent {
 public:
  virtual ~Agent() = default;
  virtual std::string name() const = 0;
  // The episode's instructions and opening user message; called once before the first move.
  virtual void start(const std::string& system_prompt, const std::string& opening) = 0;
  // The environment's own tools (Episode::tools), offered after start() when there are any. An
  // agent that ignores them can still play through interact_with_env.
  virtual void offer_tools(const std::vector<ToolSpec>& tools) { (void)tools; }
  virtual Flow<AgentMove> next_move() = 0;
  // The environment's answer to the last move.
  virtual void observe(const StepResult& result) = 0;
};

}  // namespace rapport
