// IntentionGym end to end: an LLM agent, the LLM responder and the LLM coverage judge, all served
// over HTTP by the loopback fake server, through the rollout runner; the evaluation numbers of the
// result; and a reference-format intentions file written to disk.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <fstream>

#include "envs/intention/intention.h"
#include "native/evaluation.h"
#include "tests/native/fake_openai_server.h"
#include "tests/native/test_support.h"

using namespace rapport;
using rapport::testing::TempDir;
using rapport::testing::data_file_batch;
using rapport::testing::llm_batch;
using rapport::testing::run_episodes;

namespace {

bool is_judge(const json::object& body) {
  return fake::system_prompt(body).find("You check a conversation") != std::string::npos;
}

// The agent asks two questions, then finishes. The responder answers in prose; the judge names the
// first remaining detail, the second time twice (which counts once).
FakeReply respond(const json::object& body) {
  if (fake::has_tools(body)) {
    int seen = fake::count_messages(body, "tool");
    if (seen == 0) return FakeReply::tool_call("action", "What matters most to you here?");
    if (seen == 1) return FakeReply::tool_call("action", "And what comes next?");
    return FakeReply::tool_call("finish", "");
  }
  if (!is_judge(body)) return FakeReply::text("Mostly I'd like to keep it simple.");
  if (fake::last_content(body, "user").find("Q1:") == std::string::npos)
    return FakeReply::text(R"({"analysis": "first", "is_task_related": true, "covered_detail_indices": [0]})");
  return FakeReply::text("{'analysis': 'next', 'is_task_related': True, 'covered_detail_indices': ['0', 0]}");
}

}  // namespace

TEST_CASE("intention e2e: the LLM responder and judge through the runner and the fake server", "[intention][e2e]") {
  FakeServerOptions options{0.001};
  options.record_bodies = true;
  FakeOpenAiServer server(respond, options);
  TempDir dir;
  // The judge falls back to the user's endpoint.
  auto ts = run_episodes(llm_batch(server, "intention", 3, 5, 2, dir.file("intention.jsonl")), 6);
  double reward_sum = 0;
  for (const auto& t : ts) {
    INFO(t.task_id);
    auto task = intention::intention_task_from(Task{t.task_id, t.task});
    std::size_t n = task.details.size();
    std::vector<double> expected{intention::importance_reward(task.details[0].importance),
                                 intention::importance_reward(task.details[1].importance)};
    if (n > 2) expected.push_back(0.0);  // [finish]; with two details the second question ends it
    CHECK(t.rewards() == expected);
    CHECK(t.stop_reason == "terminated");
    CHECK(t.turns[0].observation == "Mostly I'd like to keep it simple.");
    REQUIRE(t.turns[1].env_calls.size() == 2);
    CHECK(t.turns[1].env_calls[0].request.purpose == "responder");
    CHECK(t.turns[1].env_calls[0].request.role == LlmRole::User);
    CHECK(t.turns[1].env_calls[1].request.purpose == "coverage_judge");
    CHECK(t.turns[1].env_calls[1].request.role == LlmRole::Judge);
    CHECK(get_int(t.turns[1].info, "ignored_indices") == 1);
    CHECK(get_int(t.metrics, "details_covered") == 2);
    if (n > 2) CHECK(t.turns[2].observation.find(fmt::format("2 of {}", n)) != std::string::npos);
    reward_sum += t.total_reward();
  }
  // Over the wire too, the responder never saw the hidden details.
  for (const auto& body : server.bodies()) {
    if (fake::has_tools(body) || is_judge(body)) continue;
    CHECK(fake::last_content(body, "user").find("Things you have in mind") == std::string::npos);
  }
  // The evaluation numbers of reference §10: the episode score is the sum of step rewards.
  Evaluator e;
  for (const auto& t : ts) e.add(t);
  auto results = e.results();
  REQUIRE(results.size() == 1);
  CHECK(results[0].tasks == 3);
  CHECK(results[0].micro_avg == Approx(reward_sum / 6));
  CHECK(results[0].metrics.at("details_covered") == Approx(2.0));
}

TEST_CASE("intention e2e: a reference-format intentions file written to disk plays", "[intention][e2e]") {
  json::array items;
  for (int i = 0; i < 12; ++i)
    items.push_back(json::object{
        {"id", fmt::format("{:08x}-0000-4000-8000-000000000000", i)},
        {"category", "Home & Garden"},
        {"task", fmt::format("Help me redecorate room {}.", i)},
        {"missing_details", json::array{json::object{{"description", "Budget for the work"},
                                                     {"importance", "3"},
                                                     {"inquiry", "What can you spend?"},
                                                     {"options", json::array{"Low", "Medium", "High"}}},
                                        json::object{{"description", "Colour scheme"},
                                                     {"importance", "1"},
                                                     {"inquiry", "Which colours?"},
                                                     {"options", json::array{"Warm", "Cool", "Neutral"}}}}}});
  TempDir dir;
  std::ofstream(dir.file("all_intentions_test.json")) << to_json(items);
  // The file is the split.
  auto ts = run_episodes(data_file_batch("intention", dir.file("all_intentions_test.json"), "test", dir.file("out.jsonl")), 12);
  for (const auto& t : ts) {
    CHECK(t.stop_reason == "terminated");
    // The scripted agent's budget question uncovers the derived keyword "budget"; no question
    // names the colour scheme.
    CHECK(t.total_reward() == Approx(1.0));
    CHECK(get_int(t.metrics, "details_covered") == 1);
  }
}
