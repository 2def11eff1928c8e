// LLM-played episodes with canned completions, for the record-format tests and their fixtures:
// FunctionGym and TravelGym played by core's LlmAgent, TravelGym's simulated user and judges
// answered by a stand-in model. Deterministic, no network.
#pragma once

#include <string>

#include <fmt/format.h>

#include "core/llm_agent.h"
#include "core/registry.h"
#include "core/runner.h"
#include "envs/travel/oracle.h"

namespace rapport::test {

inline int tool_messages(const LlmRequest& r) {
  int n = 0;
  for (const auto& m : r.messages) n += m.role == "tool" ? 1 : 0;
  return n;
}

// A structured interact_with_env call, as a server with a tool parser returns it.
inline LlmResponse tool_reply(const std::string& choice, const std::string& content, int turn) {
  LlmResponse r = llm_text("");
  r.finish_reason = "tool_calls";
  r.message.reasoning = fmt::format("Turn {}: {} next.", turn + 1, choice);
  r.message.tool_calls.push_back(ToolCall{fmt::format("call_{:04d}", turn), "interact_with_env",
                                          to_json(json::object{{"choice", choice}, {"content", content}})});
  r.prompt_tokens = 200 + 60 * turn;
  r.completion_tokens = 24;
  return r;
}

// FunctionGym: one search, probes, and a finish at the last turn.
inline LlmResponse function_policy(const LlmRequest& r, int turns) {
  int seen = tool_messages(r);
  if (seen == 0) return tool_reply("search", "test", seen);
  if (seen < turns - 1) return tool_reply("action", fmt::format("{} 2 3 4", seen + 1), seen);
  return tool_reply("finish", "", seen);
}

inline std::string between(const std::string& text, std::string_view from, std::string_view to) {
  auto a = text.find(from);
  if (a == std::string::npos) return "";
  a += from.size();
  auto b = text.find(to, a);
  return text.substr(a, b == std::string::npos ? std::string::npos : b - a);
}

// TravelGym: searches and questions about each aspect in turn, a finish at the last turn.
inline LlmResponse travel_policy(const LlmRequest& r, int turns) {
  static const char* kAspects[] = {"flight", "hotel", "restaurant", "apartment", "car rental"};
  int seen = tool_messages(r);
  if (seen >= turns - 1) return tool_reply("finish", "", seen);
  std::string aspect = kAspects[(seen / 3) % 5];
  if (seen % 3 == 0) return tool_reply("search", aspect + " options for the trip", seen);
  if (seen % 3 == 1) return tool_reply("action", "What matters most to you about the " + aspect + "?", seen);
  return tool_reply("action", "Would you pay more for a better " + aspect + ", or keep it cheap?", seen);
}

// TravelGym's simulated user and judges: searches judged by the aspect they name, questions read
// as questions about the first open preference, replies from the scenario's example statement.
inline LlmResponse travel_user(const LlmRequest& r) {
  const std::string& user = r.messages.at(1).content;
  if (r.purpose == "search_judge") {
    auto named = travel::aspects_named(between(user, "Search request:\n", "\n\nGround-truth"));
    if (named.size() != 1) return llm_text(R"({"alignment_judgement": "False"})");
    std::string aspect = named[0] == "rental_car" ? "rental car" : named[0];
    return llm_text(R"({"alignment_judgement": "True", "alignment_aspect": ")" + aspect + R"("})");
  }
  if (r.purpose == "utterance_judge") {
    std::string id = between(user, "Preference ID: ", "\n");
    if (id.empty()) return llm_text(R"({"type": "1"})");
    return llm_text(R"({"type": "2", "preference_id": ")" + id + R"(", "note": "asked concretely"})");
  }
  std::string hint = between(user, "Example of an indirect statement: ", "\n");
  if (hint.empty()) hint = "Okay.";
  LlmResponse reply = llm_text(R"({"thought": "hint it", "response": ")" + hint + R"("})");
  reply.message.reasoning = "Stay in character.";
  return reply;
}

inline Trajectory llm_episode(const std::string& spec, OracleKind oracle, int turns, bool travel) {
  auto game = make_game(spec);
  Task task = game->task(11, 0);
  LlmAgentOptions options;
  options.name = "llm:canned";
  options.sampling.seed = 1234;
  RunSettings settings;
  settings.max_turns = turns;
  settings.group = task.id;
  return run_episode(*game, task, EpisodeOptions{oracle, 11}, std::make_unique<LlmAgent>(options), settings,
                     [&](const LlmRequest& r) {
                       if (r.role != LlmRole::Policy) return travel_user(r);
                       return travel ? travel_policy(r, turns) : function_policy(r, turns);
                     });
}

// A FunctionGym episode played by the LLM agent (scripted oracle).
inline Trajectory llm_function_episode(int turns = 16) {
  return llm_episode("function(difficulty=easy)", OracleKind::Scripted, turns, false);
}
// A TravelGym episode with the LLM agent and the LLM user simulator.
inline Trajectory llm_travel_episode(int turns = 16) {
  return llm_episode("travel(tier=easy)", OracleKind::Llm, turns, true);
}

}  // namespace rapport::test
