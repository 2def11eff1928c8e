// TelepathyGym end to end: an LLM agent and the LLM host and guess judge, through the rollout
// runner and the HTTP client, against the loopback fake server.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <fstream>

#include "native/scheduler.h"
#include "tests/native/fake_openai_server.h"
#include "tests/native/test_support.h"

using namespace rapport;
using rapport::testing::TempDir;
using rapport::testing::data_file_batch;
using rapport::testing::fake_endpoint;
using rapport::testing::llm_batch;
using rapport::testing::run_episodes;

namespace {

// 4 tasks × 2 samples, the judge on an endpoint of its own.
std::vector<Trajectory> run(const FakeOpenAiServer& server, const std::string& out) {
  RunOptions o = llm_batch(server, "telepathy", 4, 3, 2, out);
  o.endpoints.judge = fake_endpoint(server, "judge");
  return run_episodes(o, 8);
}

// The policy asks one question, makes a wrong guess and a right one (the judge knows which), then
// would finish.
FakeReply policy(const json::object& body) {
  switch (fake::count_messages(body, "tool")) {
    case 0: return FakeReply::tool_call("action", "Is it alive?");
    case 1: return FakeReply::tool_call("answer", "a unicorn");
    case 2: return FakeReply::tool_call("answer", "the secret thing");
    default: return FakeReply::tool_call("finish", "");
  }
}

}  // namespace

TEST_CASE("telepathy e2e: the LLM host and guess judge through the runner and the fake server", "[telepathy][e2e]") {
  FakeOpenAiServer server(
      [](const json::object& body) {
        if (fake::has_tools(body)) return policy(body);
        std::string user = fake::last_content(body, "user");
        if (fake::system_prompt(body).find("You judge guesses") != std::string::npos) {
          bool right = user.find("guess:\nthe secret thing") != std::string::npos;
          return FakeReply::text(right ? "{'thought': 'same', 'judgment': 'Yes', 'feedback': 'Correct!'}"
                                       : "{\"thought\": \"no\", \"judgment\": \"No\", \"feedback\": \"Not that.\"}");
        }
        return FakeReply::text("No");  // a bare word is accepted too
      },
      FakeServerOptions{0.002});
  TempDir dir;
  auto ts = run(server, dir.file("telepathy.jsonl"));
  for (const auto& t : ts) {
    INFO(t.task_id);
    REQUIRE(t.turns.size() == 3);
    CHECK(t.turns[0].observation == "No");
    REQUIRE(t.turns[0].env_calls.size() == 1);
    CHECK(t.turns[0].env_calls[0].request.purpose == "question_answer");
    CHECK(t.turns[1].observation == "Not that.");
    CHECK(t.turns[1].reward == 0.0);
    REQUIRE(t.turns[2].env_calls.size() == 1);
    CHECK(t.turns[2].env_calls[0].request.purpose == "guess_judge");
    CHECK(t.turns[2].reward == 1.0);
    CHECK(t.stop_reason == "terminated");
    CHECK(get_bool(t.metrics, "success"));
    CHECK(get_number(t.metrics, "score") == 1.0);
  }
}

TEST_CASE("telepathy e2e: empty replies and junk verdicts fall back and the episode still ends", "[telepathy][e2e]") {
  FakeOpenAiServer server([](const json::object& body) {
    if (fake::has_tools(body)) return policy(body);
    if (fake::system_prompt(body).find("You judge guesses") != std::string::npos)
      return FakeReply::text("{\"judgment\": \"Perhaps\"}");
    return FakeReply::text("");
  });
  TempDir dir;
  auto ts = run(server, dir.file("telepathy.jsonl"));
  for (const auto& t : ts) {
    REQUIRE(t.turns.size() == 4);
    CHECK(t.turns[0].observation == "I could not answer that question just now. Please ask again.");
    CHECK(t.turns[2].observation == "I could not judge your guess just now. Please guess again.");
    CHECK(t.turns[2].reward == 0.0);
    CHECK(t.stop_reason == "terminated");
    CHECK(get_int(t.metrics, "oracle_failures") == 3);
  }
}

TEST_CASE("telepathy e2e: a reference-format entities file written to disk plays its test split", "[telepathy][e2e]") {
  json::array file;
  for (int i = 0; i < 50; ++i)
    file.emplace_back(json::object{{"id", fmt::format("entity_{:03}", i + 1)},
                                   {"title", fmt::format("Creature {}", i)},
                                   {"description", "I am thinking of an animal. Ask yes/no questions!"},
                                   {"goal", "Guess the animal."},
                                   {"target_entity", fmt::format("Creature {} - an animal", i)},
                                   {"category", "animal"}});
  TempDir dir;
  std::ofstream(dir.file("all_entities_refined.json")) << to_json(file);
  // int(50 * 0.9) = 45 train, 5 test
  auto ts = run_episodes(data_file_batch("telepathy", dir.file("all_entities_refined.json"), "test", dir.file("out.jsonl")), 5);
  for (const auto& t : ts) {
    CHECK(t.task_id.rfind("entity_", 0) == 0);
    CHECK((t.stop_reason == "terminated" || t.stop_reason == "truncated"));
  }
}
