// The frame TauGym's scripted agents of every domain share: tool calls in the form the episode
// offers (native calls, or UserRL's "[answer] name: {json}" text), counted messages, the pending
// call whose result the next observation is, and taking over someone else's moves. A domain's agent
// derives as `class A : public ScriptedToolAgent<A>` and has hear(said), decide() and observe(result).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "core/tools.h"
#include "envs/tau/tau.h"

namespace rapport::tau {

// Record fields as what the scripted players read: data can be anything, so a missing or
// mistyped field reads as empty.
inline const json::object& object_in(const json::object& record, std::string_view key) {
  static const json::object kEmpty;
  auto it = record.find(key);
  return it != record.end() && it->value().is_object() ? it->value().get_object() : kEmpty;
}
inline const json::object& object_in(const json::value& record, std::string_view key) {
  static const json::object kEmpty;
  return record.is_object() ? object_in(record.get_object(), key) : kEmpty;
}
inline const json::array& array_in(const json::object& record, std::string_view key) {
  static const json::array kEmpty;
  auto it = record.find(key);
  return it != record.end() && it->value().is_array() ? it->value().get_array() : kEmpty;
}

template <class Self>
class ScriptedToolAgent : public Agent {
 public:
  std::string name() const override { return "scripted"; }
  void start(const std::string&, const std::string& opening) override {
    self() = Self();
    self().hear(opening);
  }
  void offer_tools(const std::vector<ToolSpec>& tools) override { native_tools_ = !tools.empty(); }
  Flow<AgentMove> next_move() override { return self().decide(); }

  // Someone else's move: the one this agent would have made counts as its own; another tool call
  // still teaches what its result says; anything else is heard as the conversation going on.
  void observe_move(const AgentMove& move, const StepResult& result) override {
    Self before = self();
    if (self().decide().action == move.action) return self().observe(result);
    self() = std::move(before);
    last_tool_.clear();
    if (auto call = parse_tool_action(move.action); call && call->problem.empty()) {
      last_tool_ = call->name;
      self().saw_call(*call);
    }
    self().observe(result);
  }

 protected:
  // Another player's tool call, about to be observed (a domain may note its arguments).
  void saw_call(const ToolInvocation&) {}

  // The tool whose result the next observation is; empty after a message.
  std::string take_pending_tool() { return std::exchange(last_tool_, ""); }

  AgentMove call(const std::string& tool, json::object args) {
    last_tool_ = tool;
    if (native_tools_) return AgentMove::call(tool, args);
    return AgentMove::tool("answer", tool + ": " + rapport::to_json(args));  // UserRL's [answer] form
  }
  AgentMove say(const std::string& text) {
    last_tool_.clear();
    ++messages_;
    return AgentMove::tool("action", text);
  }
  // The last word on the request at hand.
  AgentMove done_with(const std::string& text) {
    goal_done_ = true;
    return say(text);
  }

  int messages_ = 0;
  bool goal_done_ = false;

 private:
  Self& self() { return static_cast<Self&>(*this); }
  bool native_tools_ = false;
  std::string last_tool_;
};

}  // namespace rapport::tau
