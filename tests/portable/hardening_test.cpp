// Bad input at the core: environment specs with stray characters, huge values in messages,
// Unicode digits in FunctionGym, TravelGym's oracle failures counted and imported options shown
// with their own fields, and the LLM agent's two answers to a reply without a tool call.
#include <catch2/catch.hpp>

#include "core/llm_agent.h"
#include "core/params.h"
#include "core/registry.h"
#include "core/replay.h"
#include "core/runner.h"
#include "core/text.h"
#include "envs/function/function.h"
#include "tests/portable/episode_support.h"

using namespace rapport;
using rapport::test::drive;

namespace {

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("hardening: spec errors name the stray character", "[hardening]") {
  std::string e = error_of([] { parse_spec_text("travel(tier=hard))"); });
  CHECK(e.find("unexpected ')' at character 18") != std::string::npos);
  e = error_of([] { parse_spec_text("travel(tier=(hard)"); });
  CHECK(e.find("unexpected '('") != std::string::npos);
  e = error_of([] { parse_spec_text("travel(tier=hard) x"); });
  CHECK(e.find("after the closing ')'") != std::string::npos);
  CHECK(parse_spec_text(" travel( tier = hard ) ").values.at("tier") == "hard");
  // A huge value is not echoed in full.
  std::string huge(1 << 20, 'x');
  e = error_of([&] { make_game("function(difficulty=" + huge + ")"); });
  CHECK(e.find("bytes)") != std::string::npos);
  CHECK(e.size() < 1000);
  CHECK(abbreviate("short") == "short");
  CHECK(abbreviate(std::string(300, 'a'), 10) == "aaaaaaaaaa... (300 bytes)");
}

TEST_CASE("hardening: FunctionGym reads Unicode decimal digits as the reference does", "[hardening][function]") {
  CHECK(function::ascii_digits("١ ٢ ٣ ٤") == "1 2 3 4");
  CHECK(function::ascii_digits("２２５") == "225");
  CHECK(function::ascii_digits("x ๓ é") == "x 3 é");
  CHECK(function::extract_numbers("١ ٢ ٣ ٤") == std::vector<double>{1, 2, 3, 4});
  function::FunctionTask t{"f", "c * (a * b) * d", {3, 5, 5, 3}, 225.0};
  auto game = make_game("function");
  auto e = game->new_episode(Task{t.id, function::to_json(t)}, {});
  auto no_model = [](const LlmRequest&) { return llm_failure("no model"); };
  StepResult r = drive(*e, "[action] ١ ٢ ٣ ٤", no_model);
  CHECK(r.observation == "For numbers [1.0, 2.0, 3.0, 4.0], the function gives 24.0.");
  r = drive(*e, "[answer] ２２５", no_model);
  CHECK(r.reward == 1.0);
  CHECK(r.terminated);
}

TEST_CASE("hardening: TravelGym counts unusable judge and responder replies", "[hardening][travel]") {
  auto game = make_game("travel");
  auto e = game->new_episode(game->task(77, 2), EpisodeOptions{OracleKind::Llm, 0});
  auto garbage = [](const LlmRequest&) { return llm_text("no idea"); };
  StepResult r = drive(*e, "[search] hotels please", garbage);
  CHECK(r.observation.find("technical problems") != std::string::npos);
  CHECK(e->metrics().at("judge_failures").as_int64() == 1);
  drive(*e, "[action] Do you like to swim?", garbage);
  CHECK(e->metrics().at("judge_failures").as_int64() == 2);
  CHECK(e->metrics().at("responder_failures").as_int64() == 1);
  // Well-formed replies count nothing.
  auto e2 = game->new_episode(game->task(77, 2), EpisodeOptions{OracleKind::Llm, 0});
  drive(*e2, "[action] Hello!", [](const LlmRequest& q) {
    return llm_text(q.purpose == "utterance_judge" ? R"({"type": "1", "note": "hi"})" : R"({"response": "Hi."})");
  });
  CHECK(e2->metrics().at("judge_failures").as_int64() == 0);
  CHECK(e2->metrics().at("responder_failures").as_int64() == 0);
}

TEST_CASE("hardening: imported travel options are shown with the fields they carry", "[hardening][travel]") {
  const std::string file = R"({"hotel:1-0": {
    "scenario": "Two nights in Bergen.",
    "dimensions": ["hotel"],
    "wanted_num": 1,
    "initial_description": "I need a hotel in Bergen from June 1, 2026 to June 3, 2026.",
    "hotel": {
      "preferences": [["hotel", "View", "Wants a harbour view.", "I love watching boats."]],
      "best_id": "H4",
      "correct_ids": ["H4"],
      "options": {"correct": [{"id": "H4", "name": "Quay House", "harbour_view": true, "nightly_rate": 150, "type": "correct", "reason": "view"}],
                  "wrong": [{"id": "H6", "name": "Back Street Inn", "harbour_view": false, "nightly_rate": 90}], "noise": []},
      "arguments": {"city": "Bergen", "check_in": "2026-06-01", "check_out": "2026-06-03"}
    }}})";
  auto game = make_game("travel");
  auto tasks = game->import_tasks(file, "all");
  REQUIRE(tasks.size() == 1);
  auto e = game->new_episode(tasks[0], EpisodeOptions{OracleKind::Llm, 0});
  StepResult r = drive(*e, "[search] hotels in Bergen", [](const LlmRequest&) {
    return llm_text(R"({"alignment_judgement": "True", "alignment_aspect": "hotel"})");
  });
  INFO(r.observation);
  CHECK(r.observation.find("Search succeeded") != std::string::npos);
  CHECK(r.observation.find("- harbour_view") != std::string::npos);
  CHECK(r.observation.find("- nightly_rate") != std::string::npos);
  CHECK(r.observation.find("- stars") == std::string::npos);
  CHECK(r.observation.find("- price_per_night") == std::string::npos);
  // Generated tasks keep the generator's descriptions.
  auto g = game->new_episode(game->task(77, 2), EpisodeOptions{OracleKind::Llm, 0});
  (void)g;
}

TEST_CASE("hardening: a policy reply without a tool call stops, or with observe goes on", "[hardening][llm]") {
  auto game = make_game("function");
  Task task = game->task(1, 0);
  auto chatty = [](const LlmRequest&) { return llm_text("Let me think about it."); };
  Trajectory stop = run_episode(*game, task, {}, std::make_unique<LlmAgent>(), RunSettings{5}, chatty);
  CHECK(stop.stop_reason == "agent_stopped");
  CHECK(stop.turns.size() == 1);
  CHECK(stop.format_errors() == 1);

  LlmAgentOptions options;
  options.observe_without_tool_call = true;
  auto agent = std::make_unique<LlmAgent>(options);
  LlmAgent* seen = agent.get();
  EpisodeRunner runner(*game, task, {}, std::move(agent), RunSettings{3});
  while (const LlmRequest* q = runner.advance()) runner.supply(chatty(*q));
  Trajectory goes_on = runner.take_trajectory();
  CHECK(goes_on.stop_reason == "max_turns");
  CHECK(goes_on.turns.size() == 3);
  CHECK(goes_on.format_errors() == 3);
  // The model is told why, as the user's turn (there is no tool call to answer).
  const auto& messages = seen->messages();
  REQUIRE(messages.size() >= 4);
  CHECK(messages[3].role == "user");
  CHECK(messages[3].content.find("No usable interact_with_env call") != std::string::npos);
  // Such a record replays.
  auto recorded = std::make_shared<const Trajectory>(goes_on);
  CHECK(to_json_line(replay_trajectory(goes_on)) == to_json_line(goes_on));

  // A failed policy call is the infrastructure's, not the agent's.
  Trajectory failed = run_episode(*game, task, {}, std::make_unique<LlmAgent>(), RunSettings{5},
                                  [](const LlmRequest&) { return llm_failure("policy (connection, 1 attempt): refused"); });
  CHECK(failed.stop_reason == "infra_error");
  CHECK(to_json_line(replay_trajectory(failed)) == to_json_line(failed));
}

TEST_CASE("hardening: host settings of oracle requests are recorded and replayed", "[hardening][llm]") {
  auto game = make_game("turtle");
  Task task = game->task(1, 0);
  RunSettings settings{6};
  settings.adjust_request = [](LlmRequest& r) {
    if (r.role != LlmRole::Policy) r.sampling.max_tokens = 77;
  };
  Trajectory t = run_episode(*game, task, EpisodeOptions{OracleKind::Llm, 3}, game->scripted_agent(3), settings,
                             [](const LlmRequest& r) {
                               CHECK(r.sampling.max_tokens == 77);
                               return llm_text("Yes.");
                             });
  bool any = false;
  for (const auto& turn : t.turns)
    for (const auto& c : turn.env_calls) {
      any = true;
      CHECK(c.request.sampling.max_tokens == 77);
    }
  CHECK(any);
  CHECK(to_json_line(replay_trajectory(t)) == to_json_line(t));
}
