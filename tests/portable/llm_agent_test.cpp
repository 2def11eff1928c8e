// The LLM agent with canned completions: every way models write tool calls, reasoning kept apart,
// turns without a usable call, and a whole FunctionGym episode played through the Flow protocol.
#include <catch2/catch.hpp>

#include "core/action.h"
#include "core/llm_agent.h"
#include "core/registry.h"
#include "core/runner.h"

using namespace rapport;

namespace {

// An OpenAI response body whose message is `message` (a JSON object text).
LlmResponse reply(const std::string& message, const std::string& finish = "stop") {
  return parse_openai_response(R"({"choices":[{"index":0,"message":)" + message + R"(,"finish_reason":")" + finish +
                               R"("}],"usage":{"prompt_tokens":50,"completion_tokens":7}})");
}

LlmResponse tool_reply(const std::string& arguments_json_text) {
  json::object call{{"id", "call_x"},
                    {"type", "function"},
                    {"function", json::object{{"name", "interact_with_env"}, {"arguments", arguments_json_text}}}};
  return reply(to_json(json::object{{"role", "assistant"}, {"content", ""}, {"tool_calls", json::array{call}}}));
}

LlmResponse text_reply(const std::string& content) {
  return reply(to_json(json::object{{"role", "assistant"}, {"content", content}}));
}

// One move of a fresh agent answered by `response`.
AgentMove first_move(LlmAgent& agent, const LlmResponse& response) {
  agent.start("You are testing.", "Hello.");
  Flow<AgentMove> flow = agent.next_move();
  REQUIRE_FALSE(flow.ready());
  flow = flow.resume(response);
  REQUIRE(flow.ready());
  return flow.value();
}

}  // namespace

TEST_CASE("llm agent: the request carries the prompt, the opening and the tool", "[llm_agent]") {
  LlmAgentOptions options;
  options.sampling.temperature = 0.7;
  options.sampling.seed = 42;
  LlmAgent agent(options);
  agent.start("SYSTEM", "OPENING");
  Flow<AgentMove> flow = agent.next_move();
  REQUIRE_FALSE(flow.ready());
  const LlmRequest& r = flow.request();
  CHECK(r.role == LlmRole::Policy);
  REQUIRE(r.messages.size() == 2);
  CHECK(r.messages[0].role == "system");
  CHECK(r.messages[0].content == "SYSTEM");
  CHECK(r.messages[1].role == "user");
  CHECK(r.messages[1].content == "OPENING");
  REQUIRE(r.tools.size() == 1);
  CHECK(to_json(r.tools[0]) == to_json(interact_tool_schema()));
  CHECK(r.tool_choice == "auto");
  CHECK(r.sampling.temperature == 0.7);
  CHECK(r.sampling.seed == 42);
}

TEST_CASE("llm agent: structured tool calls", "[llm_agent]") {
  LlmAgent agent;
  SECTION("action") {
    AgentMove m = first_move(agent, tool_reply(R"({"choice": "action", "content": "1 2 3 4"})"));
    CHECK(m.action == "[action] 1 2 3 4");
    CHECK(m.choice == "action");
    CHECK(m.content == "1 2 3 4");
    CHECK_FALSE(m.stop);
    CHECK_FALSE(m.format_error);
    // The assistant turn goes back to the model with its call, the observation as a tool message.
    agent.observe(StepResult{"For numbers ..., the function gives 24.0.", 0.0});
    const auto& ms = agent.messages();
    REQUIRE(ms.size() == 4);
    REQUIRE(ms[2].tool_calls.size() == 1);
    CHECK(ms[2].tool_calls[0].id == "call_x");
    CHECK(ms[3].role == "tool");
    CHECK(ms[3].tool_call_id == "call_x");
    CHECK(ms[3].content == "For numbers ..., the function gives 24.0.");
  }
  SECTION("content already carrying its prefix") {
    CHECK(first_move(agent, tool_reply(R"({"choice": "answer", "content": "[answer] 7"})")).action == "[answer] 7");
  }
  SECTION("finish needs no content") {
    CHECK(first_move(agent, tool_reply(R"({"choice": "finish"})")).action == "[finish]");
  }
  SECTION("numbers and Python literals as arguments") {
    CHECK(first_move(agent, tool_reply(R"({"choice": "answer", "content": 225})")).action == "[answer] 225");
    LlmAgent other;
    CHECK(first_move(other, tool_reply("{'choice': 'answer', 'content': 2.5}")).action == "[answer] 2.5");
  }
  SECTION("arguments sent as an object rather than a string") {
    auto r = reply(R"({"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function",
        "function":{"name":"interact_with_env","arguments":{"choice":"search","content":"test"}}}]})");
    CHECK(first_move(agent, r).action == "[search] test");
  }
  SECTION("only the first call is used") {
    auto r = reply(R"({"role":"assistant","content":"","tool_calls":[
        {"id":"a","type":"function","function":{"name":"interact_with_env","arguments":"{\"choice\":\"search\",\"content\":\"test\"}"}},
        {"id":"b","type":"function","function":{"name":"interact_with_env","arguments":"{\"choice\":\"answer\",\"content\":\"1\"}"}}]})");
    CHECK(first_move(agent, r).action == "[search] test");
    CHECK(agent.messages().back().tool_calls.size() == 1);
  }
  SECTION("reasoning_content is kept apart") {
    auto r = reply(R"({"role":"assistant","content":"","reasoning_content":"I should look up the test case.",
        "tool_calls":[{"id":"c","type":"function","function":{"name":"interact_with_env","arguments":"{\"choice\":\"search\",\"content\":\"test\"}"}}]})");
    AgentMove m = first_move(agent, r);
    CHECK(m.reasoning == "I should look up the test case.");
    CHECK(m.action == "[search] test");
    CHECK(agent.messages().back().content.empty());
  }
}

TEST_CASE("llm agent: hermes tool calls written as text", "[llm_agent]") {
  LlmAgent agent;
  SECTION("with reasoning and prose") {
    AgentMove m = first_move(agent, text_reply("<think>Probe first.</think>Let me probe.\n<tool_call>\n"
                                               R"({"name": "interact_with_env", "arguments": {"choice": "action", "content": "2 3 5 7"}})"
                                               "\n</tool_call>"));
    CHECK(m.action == "[action] 2 3 5 7");
    CHECK(m.reasoning == "Probe first.");
    CHECK_FALSE(m.format_error);
    const ChatMessage& said = agent.messages().back();
    CHECK(said.content == "Let me probe.");
    REQUIRE(said.tool_calls.size() == 1);  // echoed back as a structured call
    CHECK(said.tool_calls[0].name == "interact_with_env");
    CHECK(said.tool_calls[0].id == "call_1");
    agent.observe(StepResult{"ok", 0.0});
    CHECK(agent.messages().back().tool_call_id == "call_1");
  }
  SECTION("arguments as JSON text, block cut off at the end") {
    AgentMove m = first_move(
        agent, text_reply(R"(<tool_call>{"name": "interact_with_env", "arguments": "{\"choice\": \"answer\", \"content\": \"12\"}"})"));
    CHECK(m.action == "[answer] 12");
  }
  SECTION("a second block is ignored") {
    AgentMove m = first_move(
        agent, text_reply(R"(<tool_call>{"name":"interact_with_env","arguments":{"choice":"search","content":"test"}}</tool_call>)"
                          R"(<tool_call>{"name":"interact_with_env","arguments":{"choice":"answer","content":"1"}}</tool_call>)"));
    CHECK(m.action == "[search] test");
    CHECK(agent.messages().back().content.empty());
  }
}

TEST_CASE("llm agent: a turn without a usable call ends the episode as a format error", "[llm_agent]") {
  struct Case {
    const char* name;
    LlmResponse response;
    const char* problem;
  };
  std::vector<Case> cases{
      {"plain text", text_reply("I think the answer is 12."), "no tool call"},
      {"cut off", reply(R"({"role":"assistant","content":"Let me think about"})", "length"), "cut off"},
      {"no choice", tool_reply(R"({"content": "1 2 3 4"})"), "no 'choice'"},
      {"no content", tool_reply(R"({"choice": "action"})"), "no 'content'"},
      {"not an object", tool_reply("[1, 2]"), "not a JSON object"},
      {"unknown tool", reply(R"({"role":"assistant","content":"","tool_calls":[{"id":"c","type":"function",
          "function":{"name":"search_web","arguments":"{\"choice\":\"search\",\"content\":\"x\"}"}}]})"),
       "unknown tool 'search_web'"},
      {"broken block", text_reply("<tool_call>not json</tool_call>"), "does not hold a JSON object"},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    LlmAgent agent;
    AgentMove m = first_move(agent, c.response);
    CHECK(m.stop);
    CHECK(m.format_error);
    CHECK(m.action.empty());
    CHECK(m.note.find(c.problem) != std::string::npos);
  }
  LlmAgent agent;
  AgentMove m = first_move(agent, text_reply("<think>hmm</think>The answer is 12."));
  CHECK(m.content == "The answer is 12.");
  CHECK(m.reasoning == "hmm");
}

TEST_CASE("llm agent: a failed call stops without a format error", "[llm_agent]") {
  LlmAgent agent;
  AgentMove m = first_move(agent, llm_failure("HTTP 500 after 6 attempts"));
  CHECK(m.stop);
  CHECK_FALSE(m.format_error);
  CHECK(m.note.find("HTTP 500") != std::string::npos);
}

TEST_CASE("llm agent: observations, optional reward line and resent reasoning", "[llm_agent]") {
  LlmAgentOptions options;
  options.reward_in_observation = true;
  options.resend_reasoning = true;
  LlmAgent agent(options);
  auto r = reply(R"({"role":"assistant","content":"Answering.","reasoning_content":"It is 12.",
      "tool_calls":[{"id":"c","type":"function","function":{"name":"interact_with_env","arguments":"{\"choice\":\"answer\",\"content\":\"12\"}"}}]})");
  first_move(agent, r);
  CHECK(agent.messages().back().content == "<think>\nIt is 12.\n</think>\n\nAnswering.");
  agent.observe(StepResult{"Correct!", 1.0});
  CHECK(agent.messages().back().content == "Correct!\nReward: 1.0");
}

TEST_CASE("llm agent: plays a FunctionGym episode through the runner", "[llm_agent]") {
  auto game = make_game("function");
  Task task = game->task(7, 0);
  // A policy that looks up the test case, then reads the expected value from... nowhere: it
  // answers wrong once, then finishes; the third reply is plain text (never reached).
  std::vector<LlmResponse> script{tool_reply(R"({"choice": "search", "content": "test"})"),
                                  text_reply(R"(<tool_call>{"name":"interact_with_env","arguments":{"choice":"answer","content":"-123456.5"}}</tool_call>)"),
                                  tool_reply(R"({"choice": "finish"})"), text_reply("done")};
  std::size_t next = 0;
  std::vector<std::size_t> message_counts;
  RunSettings settings;
  Trajectory t = run_episode(*game, task, EpisodeOptions{}, std::make_unique<LlmAgent>(), settings,
                             [&](const LlmRequest& r) {
                               message_counts.push_back(r.messages.size());
                               return script.at(next++);
                             });
  REQUIRE(t.turns.size() == 3);
  CHECK(t.agent == "llm");
  CHECK(t.turns[0].action == "[search] test");
  CHECK(t.turns[0].observation.rfind("Test case: [", 0) == 0);
  CHECK(t.turns[1].action == "[answer] -123456.5");
  CHECK(t.turns[2].action == "[finish]");
  CHECK(t.stop_reason == "terminated");
  CHECK(t.format_errors() == 0);
  // Each turn's request holds the whole conversation: system, opening, then call + result pairs.
  CHECK(message_counts == std::vector<std::size_t>{2, 4, 6});
  REQUIRE(t.turns[0].agent_calls.size() == 1);
  CHECK(t.turns[0].agent_calls[0].response.completion_tokens == 7);
}

TEST_CASE("llm agent: an episode ended by a turn without a call counts one format error", "[llm_agent]") {
  auto game = make_game("function");
  Trajectory t = run_episode(*game, game->task(1, 0), EpisodeOptions{}, std::make_unique<LlmAgent>(), RunSettings{},
                             [&](const LlmRequest&) { return text_reply("I give up."); });
  REQUIRE(t.turns.size() == 1);
  CHECK(t.stop_reason == "agent_stopped");
  CHECK(t.format_errors() == 1);
  CHECK(t.turns[0].content == "I give up.");
  CHECK(t.turns[0].observation.find("no tool call") != std::string::npos);
  CHECK(t.total_reward() == 0.0);
}
