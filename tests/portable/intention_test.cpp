// IntentionGym: the reference vectors (§13.5), our decisions (hidden details, duplicate and
// out-of-range indices, empty replies), the LLM reading paths, the scripted oracle, the dataset,
// the importer and the scripted agent.
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <deque>
#include <set>

#include "core/registry.h"
#include "core/runner.h"
#include "envs/intention/intention.h"
#include "tests/portable/episode_support.h"

using namespace rapport;
using rapport::test::no_model;
using rapport::test::drive_scripted;

namespace {

intention::MissingDetail detail(std::string description, int importance, std::vector<std::string> keywords) {
  return intention::MissingDetail{description, importance, "What about " + description + "?",
                                  {"Option A", "Option B", "Option C"}, std::move(keywords)};
}

// Details of importances 2 2 3 1 1 1 1 2, as the §13.5 walk-through below needs them.
Task walk_task() {
  intention::IntentionTask t{"intent-test", "Travel", "I want to plan a trip.", {}};
  int importance[] = {2, 2, 3, 1, 1, 1, 1, 2};
  for (int i = 0; i < 8; ++i)
    t.details.push_back(detail(fmt::format("Detail {}", i), importance[i], {fmt::format("topic{}", i)}));
  return Task{t.id, intention::to_json(t)};
}

Task trip_task() {
  intention::IntentionTask t{"intent-trip", "Travel planning", "I want to plan a trip to Paris.",
                             {detail("Budget for the trip", 2, {"budget", "spend"}),
                              detail("Length of the stay", 3, {"how long", "days"}),
                              detail("Dining preferences", 1, {"food", "dining"})}};
  return Task{t.id, intention::to_json(t)};
}

std::string coverage(std::string_view indices, bool related = true) {
  return fmt::format(R"({{"analysis": "checked", "is_task_related": {}, "covered_detail_indices": {}}})",
                     related ? "true" : "false", indices);
}

// Steps an LLM-oracle episode: the responder gets `reply`, then the judge gets `judged`.
StepResult ask_llm(Episode& e, std::string_view question, const LlmResponse& reply, const LlmResponse& judged) {
  auto flow = e.step(question);
  REQUIRE_FALSE(flow.ready());
  CHECK(flow.request().purpose == "responder");
  CHECK(flow.request().role == LlmRole::User);
  flow = flow.resume(reply);
  REQUIRE_FALSE(flow.ready());
  CHECK(flow.request().purpose == "coverage_judge");
  CHECK(flow.request().role == LlmRole::Judge);
  flow = flow.resume(judged);
  REQUIRE(flow.ready());
  return flow.value();
}
StepResult ask_llm(Episode& e, std::string_view indices, bool related = true) {
  return ask_llm(e, "[action] A question?", llm_text(R"({"thought": "t", "response": "Sure."})"),
                 llm_text(coverage(indices, related)));
}

const EpisodeOptions kLlm{OracleKind::Llm, 0};

}  // namespace

TEST_CASE("intention: reference reward vectors of section 13.5", "[intention]") {
  using intention::coverage_reward;
  CHECK(coverage_reward({2, 2}, 0.2) == 0.49999999999999994);
  CHECK(coverage_reward({3, 1}, 0.2) == 0.8);
  CHECK(coverage_reward({1, 1, 1}, 0.2) == 0.0);
  CHECK(coverage_reward({2}, 0.2) == 0.7);
  CHECK(coverage_reward({}, 0.2) == 0.0);

  // The same numbers through the rules, one question at a time.
  auto game = make_game("intention");
  auto e = game->new_episode(walk_task(), kLlm);
  CHECK(ask_llm(*e, "[0, 1]").reward == 0.49999999999999994);  // details 0, 1 (2, 2)
  CHECK(ask_llm(*e, "[0, 1]").reward == 0.8);                  // details 2, 3 (3, 1)
  CHECK(ask_llm(*e, "[0, 1, 2]").reward == 0.0);               // details 4, 5, 6 (1, 1, 1)
  CHECK(ask_llm(*e, "[0]", false).reward == 0.0);              // unrelated: nothing counts
  CHECK(ask_llm(*e, "[]").reward == 0.0);                      // none
  auto last = ask_llm(*e, "[0]");                              // detail 7 (2)
  CHECK(last.reward == 0.7);
  CHECK(last.terminated);
  auto m = e->metrics();
  CHECK(m.at("success").as_bool());
  CHECK(m.at("details_covered").as_int64() == 8);
  CHECK(m.at("multi_detail_questions").as_int64() == 3);
  CHECK(m.at("score").as_double() == Approx(0.49999999999999994 + 0.8 + 0.7));
}

TEST_CASE("intention: duplicate and out-of-range indices", "[intention]") {
  SECTION("default: a repeated index counts once, out-of-range ones are ignored") {
    auto e = make_game("intention")->new_episode(trip_task(), kLlm);
    auto r = ask_llm(*e, "[0, 0, 7, -1]");
    CHECK(r.reward == 0.7);
    CHECK(r.info.at("ignored_indices").as_int64() == 3);
    CHECK(e->metrics().at("details_covered").as_int64() == 1);
    // Digit strings and integral numbers are indices; other values are dropped.
    r = ask_llm(*e, R"(["1", 0.0, "x", null, 1.5])");
    CHECK(r.reward == 0.8);  // remaining [stay (3), dining (1)]
    CHECK(r.terminated);
  }
  SECTION("count (the reference): a repeated index counts again") {
    auto e = make_game("intention(duplicate_indices=count)")->new_episode(trip_task(), kLlm);
    CHECK(ask_llm(*e, "[0, 0]").reward == 0.49999999999999994);
    CHECK(e->metrics().at("details_covered").as_int64() == 1);
    CHECK(ask_llm(*e, "[9]").reward == 0.0);
  }
}

TEST_CASE("intention: empty and unusable oracle output", "[intention]") {
  auto e = make_game("intention")->new_episode(trip_task(), kLlm);
  // An empty reply is replaced by the fallback; coverage still counts.
  auto r = ask_llm(*e, "What budget?", llm_text(R"({"thought": "t", "response": "  "})"), llm_text(coverage("[0]")));
  CHECK(r.observation.find("not sure how to answer") != std::string::npos);
  CHECK(r.reward == 0.7);
  CHECK(r.info.at("responder_fallback").as_bool());
  // Prose is a reply; a broken object, an empty text and a failed call are not.
  r = ask_llm(*e, "How long?", llm_text("About a week, I think."), llm_text("{'is_task_related': True, 'covered_detail_indices': [0]}"));
  CHECK(r.observation == "About a week, I think.");
  CHECK(r.reward == 1.0);
  r = ask_llm(*e, "Food?", llm_text("{\"response\": \"Local"), llm_text("no idea"));
  CHECK(r.observation.find("not sure how to answer") != std::string::npos);
  CHECK(r.reward == 0.0);
  r = ask_llm(*e, "Food?", llm_text(""), llm_failure("timeout"));
  CHECK(r.info.at("judge_failure").as_bool());
  r = ask_llm(*e, "Food?", llm_failure("timeout"), llm_text(R"({"covered_detail_indices": "0"})"));
  CHECK(r.reward == 0.0);
  auto m = e->metrics();
  CHECK(m.at("responder_failures").as_int64() == 4);
  CHECK(m.at("judge_failures").as_int64() == 3);
  // A fenced answer with reasoning in front reads normally.
  r = ask_llm(*e, "Food?", llm_text("<think>hmm</think>```json\n{\"response\": \"Local food.\"}\n```"),
              llm_text("Here you go:\n```json\n" + coverage("[0]") + "\n```"));
  CHECK(r.observation == "Local food.");
  CHECK(r.reward == 0.4);
  CHECK(r.terminated);
}

TEST_CASE("intention: finish, empty questions and prefixes", "[intention]") {
  auto e = make_game("intention")->new_episode(trip_task(), kLlm);
  auto empty = drive_scripted(*e, "  [action]   ");  // never reaches the oracle
  CHECK(empty.format_error);
  CHECK(empty.reward == 0.0);
  CHECK(drive_scripted(*e, "").format_error);
  auto fin = drive_scripted(*e, "  [FINISH]  ");
  CHECK(fin.terminated);
  CHECK(fin.observation == "The conversation is over. You clarified 0 of 3 missing details.");
  CHECK(e->metrics().at("questions").as_int64() == 0);

  // Any prefix is dropped from the question the oracle sees.
  auto e2 = make_game("intention")->new_episode(trip_task(), kLlm);
  auto flow = e2->step("[search] What is your budget?");
  REQUIRE_FALSE(flow.ready());
  CHECK(flow.request().messages.at(1).content.find("[search]") == std::string::npos);
}

TEST_CASE("intention: the responder does not see the hidden details by default", "[intention]") {
  auto prompts = [](std::string_view spec) {
    auto e = make_game(spec)->new_episode(trip_task(), kLlm);
    auto flow = e->step("[action] What is your budget?");
    std::string responder = flow.request().messages.at(1).content;
    flow = flow.resume(llm_text(R"({"response": "Cheap."})"));
    std::string judge = flow.request().messages.at(1).content;
    return std::pair{responder, judge};
  };
  auto [hidden, judge] = prompts("intention");
  CHECK(hidden.find("I want to plan a trip to Paris.") != std::string::npos);
  CHECK(hidden.find("What is your budget?") != std::string::npos);
  CHECK(hidden.find("Budget for the trip") == std::string::npos);
  CHECK(hidden.find("Option A") == std::string::npos);
  CHECK(judge.find("0. [MEDIUM] Budget for the trip") != std::string::npos);
  CHECK(judge.find("1. [HIGH] Length of the stay") != std::string::npos);
  CHECK(judge.find("What about Dining preferences?") != std::string::npos);
  auto [leaked, unused] = prompts("intention(responder_sees_details=true)");
  CHECK(leaked.find("Budget for the trip") != std::string::npos);
  CHECK(leaked.find("Option A / Option B / Option C") != std::string::npos);
}

TEST_CASE("intention: LLM oracle through the runner", "[intention]") {
  auto game = make_game("intention");
  std::vector<std::string> purposes;
  auto respond = [&](const LlmRequest& request) {
    purposes.push_back(request.purpose);
    if (request.purpose == "responder") return llm_text(R"({"thought": "t", "response": "Let me think."})");
    // The judge finds the first remaining detail in every question.
    return llm_text(coverage("[0]"));
  };
  Trajectory t = run_episode(*game, trip_task(), kLlm, game->scripted_agent(0), RunSettings{20}, respond);
  CHECK(t.stop_reason == "terminated");
  CHECK(t.turns.size() == 3);
  CHECK(t.rewards() == std::vector<double>{0.7, 1.0, 0.4});
  REQUIRE(t.turns[0].env_calls.size() == 2);
  CHECK(t.turns[0].env_calls[0].request.purpose == "responder");
  CHECK(t.turns[0].env_calls[1].request.purpose == "coverage_judge");
  CHECK(purposes.size() == 6);
}

TEST_CASE("intention: scripted oracle", "[intention]") {
  auto game = make_game("intention");
  auto e = game->new_episode(trip_task(), {OracleKind::Scripted, 4});
  auto r = drive_scripted(*e, "[action] What budget do you have?");
  CHECK(r.reward == 0.7);
  CHECK(r.observation.find("budget for the trip") != std::string::npos);
  CHECK(r.observation.find("stay") == std::string::npos);  // other details are not volunteered
  std::string first_answer = r.observation;
  r = drive_scripted(*e, "[action] Could you tell me your budget again?");
  CHECK(r.reward == 0.0);                    // already uncovered
  CHECK(r.observation == first_answer);      // and the same answer as before
  r = drive_scripted(*e, "[action] Do you like jazz?");
  CHECK(r.reward == 0.0);
  CHECK(r.observation.find("leave it to you") != std::string::npos);
  r = drive_scripted(*e, "[action] How long will you stay, and what food do you like?");
  CHECK(r.reward == 0.8);  // {3, 1}
  CHECK(r.terminated);
  CHECK(e->metrics().at("multi_detail_questions").as_int64() == 1);

  // The answer depends on the episode seed only.
  auto answer = [&](std::uint64_t seed) {
    return drive_scripted(*game->new_episode(trip_task(), {OracleKind::Scripted, seed}), "Your budget?").observation;
  };
  CHECK(answer(4) == first_answer);
  std::set<std::string> answers;
  for (std::uint64_t s = 0; s < 20; ++s) answers.insert(answer(s));
  CHECK(answers.size() == 3);
}

TEST_CASE("intention: our tasks dataset", "[intention]") {
  auto game = make_game("intention");
  const auto& tasks = intention::builtin_tasks();
  REQUIRE(tasks.size() >= 100);
  CHECK(game->builtin_size() == tasks.size());
  std::set<std::string> ids;
  for (const auto& t : tasks) {
    INFO(t.id);
    CHECK(ids.insert(t.id).second);
    CHECK(t.details.size() >= 2);
    CHECK(t.details.size() <= 6);
    for (const auto& d : t.details) {
      INFO(d.description);
      CHECK(d.options.size() == 3);
      CHECK(d.importance >= 1);
      CHECK(d.importance <= 3);
      REQUIRE_FALSE(d.keywords.empty());
      for (const auto& k : d.keywords) CHECK_FALSE(mentions(t.task, k));  // the request reveals nothing
      // The scripted judge counts a detail's own example question as asking for it.
      bool hit = false;
      for (const auto& k : d.keywords) hit = hit || mentions(d.inquiry, k);
      CHECK(hit);
    }
  }
  CHECK(game->task(0, 1).id == tasks[1].id);
  CHECK(game->task(3, 7).id == game->task(3, 7).id);
}

TEST_CASE("intention: importer of the reference intentions files", "[intention]") {
  auto game = make_game("intention");
  json::array items;
  for (int i = 0; i < 3; ++i)
    items.push_back(json::object{
        {"id", fmt::format("00000000-0000-0000-0000-00000000000{}", i)},
        {"category", "Travel Planning & Advice"},
        {"task", "I would like to plan a trip to Rome next month."},
        {"missing_details",
         json::array{json::object{{"description", "Budget for the trip"},
                                  {"importance", "2"},
                                  {"inquiry", "What is your budget?"},
                                  {"options", json::array{"Economy", "Mid-range", "Luxury"}}},
                     json::object{{"description", "Types of festivals preferred"},
                                  {"importance", 3},
                                  {"inquiry", "Which festivals?"},
                                  {"options", json::array{"Music festivals", "Food festivals", "Art festivals", "Any"}}}}}});
  std::string text = to_json(items);
  for (const char* split : {"all", "train", "test"}) CHECK(game->import_tasks(text, split).size() == 3);
  auto tasks = game->import_tasks(text, "all");
  CHECK(tasks[2].id == "00000000-0000-0000-0000-000000000002");
  auto imported = intention::intention_task_from(tasks[0]);
  CHECK(imported.details[0].keywords == std::vector<std::string>{"budget"});  // "trip" is in the request
  CHECK(imported.details[1].keywords == std::vector<std::string>{"festival"});
  CHECK(imported.details[1].importance == 3);

  // Imported tasks play with the scripted oracle.
  Trajectory t = run_episode(*game, tasks[0], {}, game->scripted_agent(0), RunSettings{20}, no_model);
  CHECK(t.stop_reason == "terminated");
  CHECK(t.total_reward() == Approx(0.7));

  CHECK_THROWS_AS(game->import_tasks("[1, 2", "all"), ConfigError);
  CHECK_THROWS_WITH(game->import_tasks(R"([{"id": "x", "task": "t", "missing_details": [{"description": "d", "importance": "4"}]}])", "all"),
                    Catch::Contains("importance"));
  CHECK_THROWS_WITH(game->import_tasks(R"([{"id": "x", "task": "t", "missing_details": []}])", "all"),
                    Catch::Contains("missing_details"));
  CHECK_THROWS_WITH(game->import_tasks(text, "validation"), Catch::Contains("valid: all, train, test"));
}

TEST_CASE("intention: scripted agent plays every task to the end", "[intention]") {
  auto game = make_game("intention");
  double coverage_sum = 0, score = 0;
  int complete = 0;
  for (std::size_t i = 0; i < game->builtin_size(); ++i) {
    Task task = game->task(0, i);
    Trajectory t = run_episode(*game, task, {OracleKind::Scripted, 1}, game->scripted_agent(1), RunSettings{20}, no_model);
    INFO(task.id);
    CHECK(t.stop_reason == "terminated");
    coverage_sum += t.metrics.at("coverage").as_double();
    score += t.metrics.at("score").as_double();
    complete += t.metrics.at("success").as_bool() ? 1 : 0;
  }
  double n = static_cast<double>(game->builtin_size());
  INFO("mean coverage " << coverage_sum / n << ", mean score " << score / n << ", complete " << complete);
  // Generic questions uncover a good part of what most requests leave out, rarely all of it.
  CHECK(coverage_sum / n > 0.4);
  CHECK(coverage_sum / n < 0.9);
  CHECK(complete < static_cast<int>(n) / 2);
}

TEST_CASE("intention: parameters and determinism", "[intention]") {
  CHECK_NOTHROW(make_game("intention(multi_detail_penalty=0.3,responder_sees_details=true,duplicate_indices=count)"));
  CHECK_THROWS_AS(make_game("intention(duplicate_indices=twice)"), ConfigError);
  CHECK_THROWS_AS(make_game("intention(multi_detail_penalty=2)"), ConfigError);

  auto game = make_game("intention(max_steps=4)");
  Task task = game->task(0, 2);
  auto run = [&] {
    return to_json_line(run_episode(*game, task, {OracleKind::Scripted, 6}, game->scripted_agent(6), RunSettings{20}, no_model));
  };
  CHECK(run() == run());
  Trajectory t = run_episode(*game, task, {OracleKind::Scripted, 6}, game->scripted_agent(6), RunSettings{20}, no_model);
  CHECK(t.turns.size() <= 4);

  auto penalised = make_game("intention(step_penalty=0.1,reward_scale=2,normalize_rewards=false)");
  auto e = penalised->new_episode(trip_task(), kLlm);
  CHECK(ask_llm(*e, "[1]").reward == Approx(1.9));
  CHECK(ask_llm(*e, "[]").reward == Approx(-0.1));
}
