// PersuadeGym: the reference vectors (§13.5), our decisions (anti-farming, off-ladder stances, empty
// arguments), the LLM reading paths, the scripted oracle, the dataset, the importer and the
// scripted agent.
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <deque>
#include <set>

#include "core/registry.h"
#include "core/rng.h"
#include "core/runner.h"
#include "envs/persuade/persuade.h"
#include "tests/portable/episode_support.h"

using namespace rapport;
using rapport::test::no_model;
using rapport::test::drive_scripted;

namespace {

Task claim_task() {
  persuade::PersuadeTask t{"claim-test", "Homework should be abolished.", "Children need time to play.",
                           {{"practice helps", {"practice"}, 2}, {"habits matter", {"habit"}, 1}}};
  return Task{t.id, persuade::to_json(t)};
}

std::string verdict(std::string_view stance, std::string_view response = "I see.") {
  return to_json(json::object{{"thought", "weighing it"}, {"response", response}, {"stance", stance}});
}

// Steps an LLM-oracle episode, answering its one request with `content`.
StepResult argue(Episode& e, std::string_view action, const LlmResponse& reply) {
  auto flow = e.step(action);
  REQUIRE_FALSE(flow.ready());
  CHECK(flow.request().purpose == "persuadee");
  CHECK(flow.request().role == LlmRole::User);
  flow = flow.resume(reply);
  REQUIRE(flow.ready());
  return flow.value();
}
StepResult argue(Episode& e, std::string_view stance) { return argue(e, "[action] an argument", llm_text(verdict(stance))); }

const EpisodeOptions kLlm{OracleKind::Llm, 0};

std::string statements_file(int n) {
  json::array items;
  for (int i = 0; i < n; ++i)
    items.push_back(json::object{{"id", fmt::format("S{:04d}", i)},
                                 {"claim", fmt::format("Claim number {}.", i)},
                                 {"argument", "Because I say so."},
                                 {"source", "test"}});
  return to_json(items);
}

}  // namespace

TEST_CASE("persuade: reference stance sequence of section 13.5", "[persuade]") {
  auto game = make_game("persuade(anti_farming=false)");
  auto e = game->new_episode(claim_task(), kLlm);
  std::vector<double> rewards;
  for (const char* stance : {"Partly Agree", "Agree", "Neutral", "Strongly Disagree"}) rewards.push_back(argue(*e, stance).reward);
  CHECK(rewards == std::vector<double>{0.333333, 0.0, 0.333333, 0.5});
  CHECK(e->over());
  auto m = e->metrics();
  CHECK(m.at("score").as_double() == Approx(1.166666).margin(1e-12));
  CHECK(m.at("success").as_bool());
  CHECK(m.at("final_stance").as_string() == "Strongly Disagree");
  CHECK(persuade::levels_reward(1) == 0.166667);
  CHECK(persuade::levels_reward(4) == 0.666667);
  CHECK(persuade::levels_reward(5) == 0.833333);
  CHECK(persuade::levels_reward(6) == 1.0);
  CHECK(persuade::levels_reward(-2) == 0.0);
  CHECK(persuade::stance_score(1) == 0.1667);
}

TEST_CASE("persuade: anti-farming is on by default and stops oscillation from paying", "[persuade]") {
  auto game = make_game("persuade");
  auto e = game->new_episode(claim_task(), kLlm);
  std::vector<double> rewards;
  for (const char* stance : {"Partly Agree", "Agree", "Neutral", "Strongly Disagree"}) rewards.push_back(argue(*e, stance).reward);
  // Only progress past the best stance so far pays: the episode sum is at most 1.
  CHECK(rewards == std::vector<double>{0.333333, 0.0, 0.166667, 0.5});
  CHECK(e->metrics().at("score").as_double() == Approx(1.0).margin(1e-12));

  auto oscillate = [](Game& g) {
    auto ep = g.new_episode(claim_task(), kLlm);
    double sum = 0;
    for (int i = 0; i < 4; ++i) {
      sum += argue(*ep, "Partly Agree").reward;
      sum += argue(*ep, "Strongly Agree").reward;
    }
    return sum;
  };
  CHECK(oscillate(*game) == Approx(0.333333));
  CHECK(oscillate(*make_game("persuade(anti_farming=false)")) == Approx(4 * 0.333333));
}

TEST_CASE("persuade: off-ladder stances", "[persuade]") {
  SECTION("default: ignored, counted, no reward; spelling variants are on the ladder") {
    auto e = make_game("persuade")->new_episode(claim_task(), kLlm);
    auto r = argue(*e, "Somewhat agree");
    CHECK(r.reward == 0.0);
    CHECK(r.info.at("off_ladder").as_string() == "Somewhat agree");
    CHECK(r.info.at("stance").as_string() == "Strongly Agree");
    CHECK(argue(*e, " neutral.").reward == 0.5);
    CHECK(argue(*e, "strongly-DISAGREE").terminated);
    auto m = e->metrics();
    CHECK(m.at("off_ladder_stances").as_int64() == 1);
    CHECK(m.at("final_stance").as_string() == "Strongly Disagree");
  }
  SECTION("reference: kept verbatim, moves from or to it earn nothing") {
    auto e = make_game("persuade(off_ladder=reference,anti_farming=false)")->new_episode(claim_task(), kLlm);
    CHECK(argue(*e, "Somewhat agree").reward == 0.0);
    CHECK(e->metrics().at("final_stance").as_string() == "Somewhat agree");
    CHECK(argue(*e, "Neutral").reward == 0.0);       // from an off-ladder stance
    CHECK(argue(*e, "Disagree").reward == 0.333333);  // back on the ladder: 3 -> 5
    auto r = argue(*e, "strongly disagree");          // exact spelling only
    CHECK(r.reward == 0.0);
    CHECK_FALSE(r.terminated);
    CHECK(e->metrics().at("off_ladder_stances").as_int64() == 2);
  }
  CHECK(persuade::stance_index_lenient("Partly  disagree!") == 4);
  CHECK_FALSE(persuade::stance_index_lenient("Disagree strongly"));
  CHECK_FALSE(persuade::stance_index_exact("agree"));
}

TEST_CASE("persuade: finish, empty arguments and prefixes", "[persuade]") {
  auto game = make_game("persuade");
  auto e = game->new_episode(claim_task(), kLlm);
  // An empty argument never reaches the oracle.
  auto empty = drive_scripted(*e, "[action]   ");
  CHECK(empty.format_error);
  CHECK(empty.reward == 0.0);
  CHECK_FALSE(empty.terminated);
  CHECK(drive_scripted(*e, "").format_error);
  // [finish] is matched exactly, as in the reference: other spellings are arguments.
  auto upper = e->step("[FINISH]");
  CHECK_FALSE(upper.ready());
  upper.resume(llm_text(verdict("Strongly Agree")));
  auto fin = drive_scripted(*e, "[finish]");
  CHECK(fin.terminated);
  CHECK(fin.reward == 0.0);
  CHECK(drive_scripted(*e, "[action] more").terminated);  // after the end: error observation
  CHECK(e->metrics().at("arguments").as_int64() == 1);
}

TEST_CASE("persuade: LLM output forms through the runner", "[persuade]") {
  auto game = make_game("persuade");
  Task task = claim_task();
  std::deque<LlmResponse> replies{
      llm_text("```json\n" + verdict("Partly Agree", "Fair enough.") + "\n```"),
      llm_text("<think>They have a point.</think>{'thought': 'hm', 'response': 'Maybe so.', 'stance': 'Neutral'}"),
      llm_text("I refuse to answer in JSON."),
      llm_failure("connection refused"),
      llm_text("{\"stance\": \"Disagree\"}"),
      llm_text("Sure: {\"thought\": \"ok\", \"response\": \"You win.\", \"stance\": \"Strongly Disagree\"} done"),
  };
  std::vector<LlmRequest> seen;
  auto respond = [&](const LlmRequest& request) {
    seen.push_back(request);
    LlmResponse r = replies.front();
    replies.pop_front();
    return r;
  };
  Trajectory t = run_episode(*game, task, kLlm, game->scripted_agent(1), RunSettings{20}, respond);
  REQUIRE(t.turns.size() == 6);
  CHECK(t.stop_reason == "terminated");
  CHECK(t.rewards() == std::vector<double>{0.333333, 0.166667, 0.0, 0.0, 0.333333, 0.166667});
  CHECK(t.turns[0].observation == "Fair enough.");
  CHECK(t.turns[1].observation == "Maybe so.");
  CHECK(t.turns[2].observation.find("couldn't quite follow") != std::string::npos);
  CHECK(t.turns[3].observation == t.turns[2].observation);
  CHECK(t.turns[4].observation.find("says nothing") != std::string::npos);  // stance without a reply
  CHECK(t.metrics.at("oracle_failures").as_int64() == 2);
  CHECK(t.metrics.at("success").as_bool());
  // The prompt carries the claim, the user's own argument, the stance and the history.
  REQUIRE(seen.size() == 6);
  const std::string& prompt = seen[2].messages.at(1).content;
  CHECK(prompt.find("Homework should be abolished.") != std::string::npos);
  CHECK(prompt.find("Children need time to play.") != std::string::npos);
  CHECK(prompt.find("Neutral") != std::string::npos);
  CHECK(prompt.find("Maybe so.") != std::string::npos);
  CHECK(seen[0].messages.at(0).role == "system");
  CHECK(t.turns[0].env_calls.size() == 1);
}

TEST_CASE("persuade: scripted user moves on new considerations only", "[persuade]") {
  auto game = make_game("persuade");
  auto e = game->new_episode(claim_task(), {});
  auto r = drive_scripted(*e, "[action] Practice at home consolidates learning.");
  CHECK(r.reward == 0.333333);
  CHECK(r.observation.find("practice helps") != std::string::npos);
  CHECK(r.info.at("stance").as_string() == "Partly Agree");
  r = drive_scripted(*e, "[answer] More practice!");
  CHECK(r.reward == 0.0);
  CHECK(r.observation.find("already") != std::string::npos);
  r = drive_scripted(*e, "Think of the weather.");
  CHECK(r.reward == 0.0);
  CHECK(r.observation.find("convincing") != std::string::npos);
  r = drive_scripted(*e, "Good habits last.");
  CHECK(r.reward == 0.166667);
  CHECK(e->metrics().at("final_stance").as_string() == "Neutral");

  // One argument moves at most three steps, however many points it raises.
  const auto& first = persuade::builtin_claims().front();
  std::string everything = "[action]";
  for (const auto& c : first.considerations) everything += " " + c.keywords.front();
  auto e2 = game->new_episode(Task{first.id, persuade::to_json(first)}, {});
  CHECK(drive_scripted(*e2, everything).reward == 0.5);

  CHECK(mentions("The COSTS are high", "cost"));
  CHECK_FALSE(mentions("accost", "cost"));
}

TEST_CASE("persuade: our claims dataset", "[persuade]") {
  auto game = make_game("persuade");
  const auto& claims = persuade::builtin_claims();
  REQUIRE(claims.size() >= 80);
  CHECK(game->builtin_size() == claims.size());
  std::set<std::string> ids;
  for (const auto& c : claims) {
    INFO(c.id);
    CHECK(ids.insert(c.id).second);
    CHECK_FALSE(c.argument.empty());
    int strength = 0;
    for (const auto& k : c.considerations) {
      strength += k.strength;
      for (const auto& w : k.keywords) CHECK_FALSE(mentions(c.claim, w));  // restating the claim moves nobody
    }
    CHECK(strength >= 6);  // the scripted user can be brought to Strongly Disagree
  }
  // Seed 0 serves file order; other seeds a permutation; the index wraps.
  CHECK(game->task(0, 0).id == claims[0].id);
  CHECK(game->task(0, claims.size()).id == claims[0].id);
  std::set<std::string> permuted;
  for (std::size_t i = 0; i < claims.size(); ++i) permuted.insert(game->task(5, i).id);
  CHECK(permuted.size() == claims.size());
  CHECK(game->task(5, 0).id == game->task(5, 0).id);
}

TEST_CASE("persuade: importer of the reference statements file", "[persuade]") {
  auto game = make_game("persuade");
  std::string text = statements_file(500);
  auto all = game->import_tasks(text, "all");
  REQUIRE(all.size() == 500);
  CHECK(all[7].id == "S0007");
  auto train = game->import_tasks(text, "train");
  auto test = game->import_tasks(text, "test");
  CHECK(train.size() == 378);
  CHECK(test.size() == 42);
  auto order = numpy_legacy_permutation(500, 42);
  CHECK(train[0].id == fmt::format("S{:04d}", order[0]));
  CHECK(test[0].id == fmt::format("S{:04d}", order[378]));
  CHECK(test.back().id == fmt::format("S{:04d}", order[419]));
  std::set<std::string> ids;
  for (const auto& t : train) ids.insert(t.id);
  for (const auto& t : test) CHECK_FALSE(ids.count(t.id));
  CHECK(game->import_tasks(statements_file(10), "train").size() == 9);

  CHECK_THROWS_AS(game->import_tasks("not json", "all"), ConfigError);
  CHECK_THROWS_WITH(game->import_tasks("{}", "all"), Catch::Contains("list"));
  CHECK_THROWS_WITH(game->import_tasks(R"([{"id": "A", "argument": "x"}])", "all"), Catch::Contains("'claim'"));
  CHECK_THROWS_WITH(game->import_tasks(text, "dev"), Catch::Contains("valid: all, train, test"));

  // An imported claim has no lexicon of its own: the scripted user weighs generic considerations.
  Trajectory t = run_episode(*game, all[0], {}, game->scripted_agent(0), RunSettings{20}, no_model);
  CHECK(t.stop_reason == "terminated");
  CHECK(t.total_reward() > 0.0);
}

TEST_CASE("persuade: scripted agent plays every claim to the end", "[persuade]") {
  auto game = make_game("persuade");
  int persuaded = 0;
  double score = 0;
  for (std::size_t i = 0; i < game->builtin_size(); ++i) {
    Task task = game->task(0, i);
    Trajectory t = run_episode(*game, task, {OracleKind::Scripted, 3}, game->scripted_agent(3), RunSettings{20}, no_model);
    INFO(task.id);
    CHECK(t.stop_reason == "terminated");
    CHECK(t.format_errors() == 0);
    persuaded += t.metrics.at("success").as_bool() ? 1 : 0;
    score += t.metrics.at("score").as_double();
  }
  double mean = score / static_cast<double>(game->builtin_size());
  INFO("persuaded " << persuaded << ", mean score " << mean);
  // A generic baseline: it moves most users some of the way and convinces few.
  CHECK(mean > 0.3);
  CHECK(mean < 0.9);
  CHECK(persuaded < static_cast<int>(game->builtin_size()) / 2);
}

TEST_CASE("persuade: parameters and determinism", "[persuade]") {
  CHECK_NOTHROW(make_game("persuade(max_steps=5,step_penalty=0.1,reward_scale=2,normalize_rewards=false)"));
  CHECK_THROWS_AS(make_game("persuade(off_ladder=freeze)"), ConfigError);
  CHECK_THROWS_AS(make_game("persuade(anti_farming=maybe)"), ConfigError);

  auto game = make_game("persuade(max_steps=3)");
  Task task = game->task(0, 4);
  auto once = to_json_line(run_episode(*game, task, {OracleKind::Scripted, 9}, game->scripted_agent(9), RunSettings{20}, no_model));
  auto twice = to_json_line(run_episode(*game, task, {OracleKind::Scripted, 9}, game->scripted_agent(9), RunSettings{20}, no_model));
  CHECK(once == twice);

  // Step penalty and scale apply to arguments before clipping.
  auto unclipped = make_game("persuade(step_penalty=0.1,reward_scale=2,normalize_rewards=false)");
  auto e = unclipped->new_episode(claim_task(), kLlm);
  CHECK(argue(*e, "Partly Agree").reward == Approx(0.566666));
  CHECK(argue(*e, "Partly Agree").reward == Approx(-0.1));
}
