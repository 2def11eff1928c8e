#include "core/llm_agent.h"

#include <fmt/format.h>

#include "core/action.h"
#include "core/llm_output.h"
#include "core/pynum.h"

namespace rapport {
namespace {

constexpr std::string_view kToolName = "interact_with_env";
constexpr std::string_view kOpenTag = "<tool_call>";
constexpr std::string_view kCloseTag = "</tool_call>";

// str(value) as Python prints a decoded JSON argument.
std::string python_str(const json::value& v) {
  if (v.is_string()) return std::string(v.get_string());
  if (v.is_bool()) return v.get_bool() ? "True" : "False";
  if (v.is_null()) return "None";
  if (v.is_int64()) return std::to_string(v.get_int64());
  if (v.is_uint64()) return std::to_string(v.get_uint64());
  if (v.is_double()) return py_repr(v.get_double());
  return to_python_json(v);
}

// The arguments of a call, given as JSON text (or a Python literal, which some models write).
std::optional<json::object> arguments_object(std::string_view text) {
  auto v = parse_literal(text);
  if (v && v->is_object()) return v->get_object();
  return std::nullopt;
}

// Fills `call` from an arguments object; returns what is wrong, or "" when usable.
std::string read_arguments(const json::object& args, ParsedToolCall& call) {
  auto choice = args.find("choice");
  if (choice == args.end()) return "the tool call has no 'choice'";
  call.choice = python_str(choice->value());
  auto content = args.find("content");
  if (content == args.end()) {
    if (call.choice != "finish") return "the tool call has no 'content'";
    call.content.clear();
  } else {
    call.content = python_str(content->value());
  }
  return "";
}

// The first hermes block of `text`: its JSON, and the text around it.
struct TextBlock {
  std::string json;
  std::string rest;
};
std::optional<TextBlock> first_tool_call_block(std::string_view text) {
  std::size_t open = text.find(kOpenTag);
  if (open == std::string_view::npos) return std::nullopt;
  std::size_t begin = open + kOpenTag.size();
  std::size_t close = text.find(kCloseTag, begin);
  // A block cut off by max_tokens still carries a readable call more often than not.
  std::size_t end = close == std::string_view::npos ? text.size() : close + kCloseTag.size();
  TextBlock b;
  b.json = std::string(text.substr(begin, (close == std::string_view::npos ? text.size() : close) - begin));
  b.rest = std::string(text.substr(0, open)) + std::string(text.substr(end));
  // Everything after the first block (further calls) is not shown back as text either.
  if (std::size_t more = b.rest.find(kOpenTag, open); more != std::string::npos) b.rest.resize(more);
  b.rest = std::string(py_strip(b.rest));
  return b;
}

}  // namespace

namespace {

bool is_env_tool(std::string_view name, const std::vector<std::string>& env_tools) {
  for (const auto& t : env_tools)
    if (t == name) return true;
  return false;
}

}  // namespace

ParsedPolicyTurn parse_policy_turn(const LlmResponse& response, const std::vector<std::string>& env_tools) {
  ParsedPolicyTurn out;
  ThinkSplit think = split_think(response.message.content);
  out.reasoning = response.message.reasoning;
  if (!think.reasoning.empty()) out.reasoning += (out.reasoning.empty() ? "" : "\n") + think.reasoning;
  out.visible = think.visible;

  if (!response.message.tool_calls.empty()) {
    const ToolCall& first = response.message.tool_calls.front();  // only the first call is used
    ParsedToolCall call;
    call.call_id = first.id;
    if (is_env_tool(first.name, env_tools)) {
      // No arguments at all is a call without arguments; anything else must be an object.
      auto args = py_strip(first.arguments).empty() ? std::optional<json::object>(json::object{}) : arguments_object(first.arguments);
      if (!args) {
        out.problem = fmt::format("the arguments of the {} call are not a JSON object", first.name);
        return out;
      }
      call.tool = first.name;
      call.arguments = std::move(*args);
      out.call = std::move(call);
      return out;
    }
    if (!first.name.empty() && first.name != kToolName) {
      out.problem = fmt::format("the model called an unknown tool '{}'", first.name);
      return out;
    }
    auto args = arguments_object(first.arguments);
    if (!args) {
      out.problem = "the tool call's arguments are not a JSON object";
      return out;
    }
    out.problem = read_arguments(*args, call);
    if (out.problem.empty()) out.call = std::move(call);
    return out;
  }

  if (auto block = first_tool_call_block(out.visible)) {
    out.visible = block->rest;
    auto object = parse_llm_object(block->json);
    if (!object) {
      out.problem = "the <tool_call> block does not hold a JSON object";
      return out;
    }
    std::string name = get_string(*object, "name");
    if (!name.empty() && name != kToolName && !is_env_tool(name, env_tools)) {
      out.problem = fmt::format("the model called an unknown tool '{}'", name);
      return out;
    }
    // {"name": ..., "arguments": {...}}; "parameters" and JSON-text arguments are seen too.
    const json::value* args = nullptr;
    if (auto it = object->find("arguments"); it != object->end()) args = &it->value();
    else if (auto it2 = object->find("parameters"); it2 != object->end()) args = &it2->value();
    std::optional<json::object> args_object;
    if (args && args->is_object()) args_object = args->get_object();
    else if (args && args->is_string()) args_object = arguments_object(args->get_string());
    if (!args && is_env_tool(name, env_tools)) args_object = json::object{};
    if (!args_object) {
      out.problem = "the <tool_call> block has no arguments object";
      return out;
    }
    ParsedToolCall call;
    call.from_text = true;
    if (is_env_tool(name, env_tools)) {
      call.tool = name;
      call.arguments = std::move(*args_object);
      out.call = std::move(call);
      return out;
    }
    out.problem = read_arguments(*args_object, call);
    if (out.problem.empty()) out.call = std::move(call);
    return out;
  }

  out.problem = response.finish_reason == "length" ? "the reply was cut off at max_tokens before a tool call"
                                                   : "the reply has no tool call";
  return out;
}

LlmAgent::LlmAgent(LlmAgentOptions options) : options_(std::move(options)) {}

void LlmAgent::start(const std::string& system_prompt, const std::string& opening) {
  messages_.clear();
  messages_.push_back(ChatMessage{"system", system_prompt, "", {}, ""});
  messages_.push_back(ChatMessage{"user", opening, "", {}, ""});
  pending_call_id_.clear();
  turn_ = 0;
}

void LlmAgent::offer_tools(const std::vector<ToolSpec>& tools) {
  tools_ = tools;
  tool_names_.clear();
  for (const auto& t : tools_) tool_names_.push_back(t.name);
}

Flow<AgentMove> LlmAgent::next_move() {
  LlmRequest request;
  request.role = LlmRole::Policy;
  request.purpose = "policy";
  request.messages = messages_;
  request.sampling = options_.sampling;
  request.tools = json::array{interact_tool_schema()};
  for (const auto& t : tools_) request.tools.push_back(openai_tool_schema(t));
  request.tool_choice = options_.tool_choice;
  return Flow<AgentMove>::need(std::move(request), [this](const LlmResponse& r) { return Flow<AgentMove>(read_move(r)); });
}

AgentMove LlmAgent::read_move(const LlmResponse& response) {
  ++turn_;
  AgentMove move;
  if (!response.ok) {
    move.stop = true;
    move.note = "The policy call failed: " + response.error;
    return move;
  }
  ParsedPolicyTurn parsed = parse_policy_turn(response, tool_names_);
  move.reasoning = parsed.reasoning;

  ChatMessage said;
  said.role = "assistant";
  said.reasoning = parsed.reasoning;
  said.content = parsed.visible;
  if (options_.resend_reasoning && !parsed.reasoning.empty())
    said.content = "<think>\n" + parsed.reasoning + "\n</think>\n\n" + parsed.visible;

  if (!parsed.call) {
    move.stop = true;
    move.format_error = true;
    move.content = parsed.visible;
    move.note = "No usable interact_with_env call: " + parsed.problem + ".";
    messages_.push_back(std::move(said));
    return move;
  }

  const ParsedToolCall& call = *parsed.call;
  if (!call.tool.empty()) {
    // An environment tool: recorded as choice = its name, content = its arguments.
    move.choice = call.tool;
    move.content = to_json(call.arguments);
    move.action = tool_action(call.tool, call.arguments);
  } else {
    move.choice = call.choice;
    move.content = call.content;
    move.action = action_from_tool(call.choice, call.content);
  }

  // The call goes back to the model as a structured tool call, also when it was written as text,
  // so that the tool message that follows always answers a call.
  ToolCall echoed;
  echoed.id = call.call_id.empty() ? fmt::format("call_{}", turn_) : call.call_id;
  echoed.name = call.tool.empty() ? std::string(kToolName) : call.tool;
  if (!call.tool.empty() && call.from_text) {
    echoed.arguments = to_json(call.arguments);
  } else if (!call.from_text && !response.message.tool_calls.empty()) {
    echoed.arguments = response.message.tool_calls.front().arguments;
  } else {
    echoed.arguments = to_json(json::object{{"choice", call.choice}, {"content", call.content}});
  }
  pending_call_id_ = echoed.id;
  said.tool_calls.push_back(std::move(echoed));
  messages_.push_back(std::move(said));
  return move;
}

void LlmAgent::observe(const StepResult& result) {
  ChatMessage m;
  m.role = "tool";
  m.tool_call_id = pending_call_id_;
  m.content = result.observation;
  if (options_.reward_in_observation) m.content += "\nReward: " + py_repr(result.reward);
  messages_.push_back(std::move(m));
  pending_call_id_.clear();
}

}  // namespace rapport
