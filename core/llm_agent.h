// The LLM agent: a model plays the agent through the interact_with_env tool. It sees the
// environment's system prompt and opening, one tool call per turn, and the observations as tool
// messages. Portable: the native runner and the browser playground both drive it through Flow.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/agent.h"
#include "core/llm.h"

namespace rapport {

struct LlmAgentOptions {
  std::string name = "llm";  // recorded as the trajectory's agent
  Sampling sampling;         // the policy's sampling parameters (seed: set per episode by the host)
  std::string tool_choice = "auto";  // "", "auto" or "required"
  // Training shows the agent its step reward ("<observation>\nReward: <r>"); evaluation does not.
  bool reward_in_observation = false;
  // Local reasoning models expect their earlier reasoning back as "<think>...</think>" before the
  // content of their own messages; hosted APIs do not.
  bool resend_reasoning = false;
  // A reply without a usable tool call: false (the reference's behaviour) ends the episode there,
  // a format error; true passes the reply's text to the environment as the action (its answer to
  // a malformed action, or a bracket action written as text) and shows the model why its reply
  // was not a tool call, so that it goes on.
  bool observe_without_tool_call = false;
};

// What a policy completion asked for: the interact_with_env call it made, or a call of one of the
// environment's own tools (then `tool` names it and `arguments` holds its arguments).
struct ParsedToolCall {
  std::string choice;
  std::string content;
  std::string tool;
  json::object arguments;
  std::string call_id;
  bool from_text = false;  // written as a hermes <tool_call> block in the text, not in tool_calls
};
struct ParsedPolicyTurn {
  std::optional<ParsedToolCall> call;  // nullopt: no usable tool call
  std::string visible;                 // the text without reasoning and tool-call blocks
  std::string reasoning;
  std::string problem;  // why there is no usable call
};

// Reads a policy completion: the first structured tool call, else the first hermes
// `<tool_call>{"name": ..., "arguments": {...}}</tool_call>` block of the text. Arguments must be
// an object with a "choice" (and a "content", except for finish); scalars are turned into text as
// Python's str() would. Reasoning comes from the response (reasoning_content) and <think> blocks.
// A call of a tool named in `env_tools` is read as that tool's call (its arguments must be an
// object); any other name is a problem.
ParsedPolicyTurn parse_policy_turn(const LlmResponse& response, const std::vector<std::string>& env_tools = {});

class LlmAgent : public Agent {
 public:
  explicit LlmAgent(LlmAgentOptions options = {});

  std::string name() const override { return options_.name; }
  void start(const std::string& system_prompt, const std::string& opening) override;
  // The environment's tools are sent with interact_with_env; a call of one becomes the action
  // "[tool] name {json}" (core/tools.h) and its observation the tool message that answers it.
  void offer_tools(const std::vector<ToolSpec>& tools) override;
  // Asks the policy for its next move. A failed call ends the conversation (stop); so does a turn
  // without a usable tool call (a format error, as the reference evaluation aborts there) unless
  // options.observe_without_tool_call.
  Flow<AgentMove> next_move() override;
  void observe(const StepResult& result) override;

  // The conversation so far, as it is sent to the model.
  const MessageList& messages() const { return messages_; }

 private:
  AgentMove read_move(const LlmResponse& response);

  LlmAgentOptions options_;
  std::vector<ToolSpec> tools_;
  std::vector<std::string> tool_names_;
  MessageList messages_;  // shared with the requests made from it
  std::string pending_call_id_;  // tool_call_id the next observation answers
  std::string pending_note_;     // why the last reply was not a tool call (observe mode)
  int turn_ = 0;
};

}  // namespace rapport
