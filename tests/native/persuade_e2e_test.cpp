// PersuadeGym end to end: an LLM agent and the LLM user, both served over HTTP by the loopback fake
// server, through the rollout runner; the evaluation numbers of the result; and a reference-format
// statements file written to disk, played on its test split.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <fstream>

#include "native/evaluation.h"
#include "tests/native/fake_openai_server.h"
#include "tests/native/test_support.h"

using namespace rapport;
using rapport::testing::TempDir;
using rapport::testing::data_file_batch;
using rapport::testing::llm_batch;
using rapport::testing::run_episodes;

namespace {

int occurrences(const std::string& text, std::string_view what) {
  int n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// The agent makes three arguments, then finishes. The user answers in a different output form
// each round: up to Partly Agree, back to Agree, then on to Disagree.
FakeReply respond(const json::object& body) {
  if (fake::has_tools(body)) {
    int seen = fake::count_messages(body, "tool");
    if (seen < 3) return FakeReply::tool_call("action", fmt::format("Here is argument {}.", seen + 1));
    return FakeReply::tool_call("finish", "");
  }
  switch (occurrences(fake::last_content(body, "user"), "They said:")) {
    case 0: return FakeReply::text("{'thought': 'hm', 'response': 'You have a point.', 'stance': 'Partly Agree'}");
    case 1: return FakeReply::text("```json\n{\"thought\": \"no\", \"response\": \"On reflection, no.\", \"stance\": \"Agree\"}\n```");
    default: return FakeReply::text("<think>fine</think>{\"thought\": \"yes\", \"response\": \"Now I doubt it.\", \"stance\": \"Disagree\"}");
  }
}

}  // namespace

TEST_CASE("persuade e2e: the LLM user through the runner and the fake server", "[persuade][e2e]") {
  FakeOpenAiServer server(respond, FakeServerOptions{0.001});
  TempDir dir;
  auto ts = run_episodes(llm_batch(server, "persuade", 3, 5, 2, dir.file("persuade.jsonl")), 6);
  for (const auto& t : ts) {
    INFO(t.task_id);
    REQUIRE(t.turns.size() == 4);
    // Anti-farming: going back to Agree and up again pays only for progress past Partly Agree.
    CHECK(t.rewards() == std::vector<double>{0.333333, 0.0, 0.5, 0.0});
    CHECK(t.turns[0].observation == "You have a point.");
    CHECK(t.turns[1].observation == "On reflection, no.");
    REQUIRE(t.turns[2].env_calls.size() == 1);
    CHECK(t.turns[2].env_calls[0].request.purpose == "persuadee");
    CHECK(t.turns[2].env_calls[0].request.role == LlmRole::User);
    // The user's prompt carries the claim and the user's own argument.
    const std::string& prompt = t.turns[0].env_calls[0].request.messages.at(1).content;
    CHECK(prompt.find(std::string(t.task.at("claim").as_string())) != std::string::npos);
    CHECK(prompt.find(std::string(t.task.at("argument").as_string())) != std::string::npos);
    CHECK(t.turns[3].action == "[finish]");
    CHECK(t.stop_reason == "terminated");
    CHECK(get_string(t.metrics, "final_stance") == "Disagree");
    CHECK(t.oracle == "llm");
  }

  // The evaluation numbers of reference §10: the episode score is the sum of step rewards.
  Evaluator e;
  for (const auto& t : ts) e.add(t);
  auto results = e.results();
  REQUIRE(results.size() == 1);
  CHECK(results[0].tasks == 3);
  CHECK(results[0].micro_avg == Approx(0.833333));
  CHECK(results[0].score == Approx(0.833333));
  CHECK(results[0].success == 0.0);
  CHECK(results[0].metrics.at("final_stance_score") == Approx(0.8333));
}

TEST_CASE("persuade e2e: a reference-format statements file written to disk plays its test split", "[persuade][e2e]") {
  json::array items;
  for (int i = 0; i < 450; ++i)
    items.push_back(json::object{{"id", fmt::format("ST{:010d}", i)},
                                 {"claim", fmt::format("Statement {} is true.", i)},
                                 {"argument", "I have always thought so."}});
  TempDir dir;
  std::ofstream(dir.file("all_statements_refined.json")) << to_json(items);
  // 450 shuffled, 420 kept, the last 42 of them.
  auto ts = run_episodes(data_file_batch("persuade", dir.file("all_statements_refined.json"), "test", dir.file("out.jsonl")), 42);
  for (const auto& t : ts) {
    CHECK(t.task_id.rfind("ST", 0) == 0);
    CHECK(t.stop_reason == "terminated");
  }
}
