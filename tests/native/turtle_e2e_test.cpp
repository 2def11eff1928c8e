// TurtleGym end to end: an LLM agent and the LLM host and judge, through the rollout runner and
// the HTTP client, against the loopback fake server.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <fstream>

#include "tests/native/fake_openai_server.h"
#include "tests/native/test_support.h"

using namespace rapport;
using rapport::testing::TempDir;
using rapport::testing::data_file_batch;
using rapport::testing::llm_batch;
using rapport::testing::run_episodes;

namespace {

// 3 tasks × 2 samples; the judge falls back to the user's endpoint.
std::vector<Trajectory> run(const FakeOpenAiServer& server, const std::string& out) {
  return run_episodes(llm_batch(server, "turtle", 3, 5, 2, out), 6);
}

// The policy asks one question, explains, then finishes.
FakeReply policy(const json::object& body) {
  switch (fake::count_messages(body, "tool")) {
    case 0: return FakeReply::tool_call("action", "Did someone die?");
    case 1: return FakeReply::tool_call("answer", "Here is the whole story as I see it.");
    default: return FakeReply::tool_call("finish", "");
  }
}

// The number of evaluation points the judge was given: "Evaluation points (N):".
std::size_t points(const std::string& user) {
  auto at = user.find("Evaluation points (");
  return at == std::string::npos ? 0 : std::stoul(user.substr(at + 19));
}

}  // namespace

TEST_CASE("turtle e2e: the LLM host and judge through the runner and the fake server", "[turtle][e2e]") {
  FakeOpenAiServer server(
      [](const json::object& body) {
        if (fake::has_tools(body)) return policy(body);
        std::string system = fake::system_prompt(body);
        if (system.find("You judge explanations") != std::string::npos) {
          // Every point covered, in Python-literal form.
          std::string scores;
          for (std::size_t i = 0, n = points(fake::last_content(body, "user")); i < n; ++i)
            scores += fmt::format("{}{{'statement': 'p{}', 'thought': 'yes', 'score': 1.0}}", i ? ", " : "", i);
          return FakeReply::text("```json\n{'scores': [" + scores + "], 'feedback': 'Good.'}\n```");
        }
        return FakeReply::text("{\"thought\": \"...\", \"response\": \"Yes\"}");
      },
      FakeServerOptions{0.002});
  TempDir dir;
  auto ts = run(server, dir.file("turtle.jsonl"));
  for (const auto& t : ts) {
    INFO(t.task_id);
    REQUIRE(t.turns.size() == 2);  // the perfect explanation ends the game
    CHECK(t.turns[0].observation == "Yes");
    REQUIRE(t.turns[0].env_calls.size() == 1);
    CHECK(t.turns[0].env_calls[0].request.purpose == "question_answer");
    REQUIRE(t.turns[1].env_calls.size() == 1);
    CHECK(t.turns[1].env_calls[0].request.purpose == "answer_judge");
    CHECK(t.turns[1].env_calls[0].request.role == LlmRole::Judge);
    CHECK(t.turns[1].reward == Approx(1.0));
    CHECK(t.turns[1].observation.find(": Covered") != std::string::npos);
    CHECK(t.stop_reason == "terminated");
    CHECK(get_bool(t.metrics, "success"));
    CHECK(t.oracle == "llm");
  }
}

TEST_CASE("turtle e2e: unusable oracle output falls back and the episode still ends", "[turtle][e2e]") {
  FakeOpenAiServer server([](const json::object& body) {
    if (fake::has_tools(body)) return policy(body);
    return FakeReply::text("I am sorry, but I cannot comply.");
  });
  TempDir dir;
  auto ts = run(server, dir.file("turtle.jsonl"));
  for (const auto& t : ts) {
    REQUIRE(t.turns.size() == 3);
    CHECK(t.turns[0].observation == "The host could not answer that question just now. Please ask again.");
    CHECK(t.turns[1].reward == 0.0);
    CHECK(t.stop_reason == "terminated");  // by [finish]
    CHECK(get_int(t.metrics, "oracle_failures") == 2);
  }
}

TEST_CASE("turtle e2e: a reference-format stories file written to disk plays its test split", "[turtle][e2e]") {
  // 60 entries keyed by number, every tenth judged "No": 54 stories, 48 train and 6 test.
  json::object file;
  for (int i = 0; i < 60; ++i) {
    json::array evaluation{json::object{{"statement", fmt::format("The keeper {} lit the lamp.", i)}, {"score", 0.6}},
                           json::object{{"statement", "A ship was saved."}, {"score", 0.4}}};
    file[std::to_string(i + 1)] = json::object{{"judgment_thought", "..."},
                                               {"judgment", i % 10 == 9 ? "No" : "Yes"},
                                               {"new_title", fmt::format("Story {}", i)},
                                               {"new_surface", "A light went out."},
                                               {"new_bottom", "The keeper fell asleep and a ship ran aground."},
                                               {"evaluation_thought", "..."},
                                               {"evaluation", std::move(evaluation)}};
  }
  TempDir dir;
  std::ofstream(dir.file("all_stories_refined.json")) << to_json(file);
  auto ts = run_episodes(data_file_batch("turtle", dir.file("all_stories_refined.json"), "test", dir.file("out.jsonl")), 6);
  for (const auto& t : ts) {
    CHECK(t.task_id.rfind("Story ", 0) == 0);
    CHECK((t.stop_reason == "terminated" || t.stop_reason == "truncated"));
  }
}
