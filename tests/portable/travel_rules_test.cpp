// TravelGym rules: the reference vectors of §13.5 (compat=userrl_async), the corrected behaviour by
// default, searches, the four utterance types, proactive revelation, answers and metrics.
#include <catch2/catch.hpp>

#include <deque>

#include "core/registry.h"
#include "envs/travel/travel.h"
#include "tests/portable/episode_support.h"

using namespace rapport;
using rapport::test::drive_scripted;
using namespace rapport::travel;

namespace {

// An oracle whose verdicts the test lines up in advance.
class QueueOracle : public Oracle {
 public:
  std::deque<SearchVerdict> searches;
  std::deque<UtteranceVerdict> utterances;
  std::deque<Reply> replies;
  std::vector<std::string> calls;

  Ask<SearchVerdict> judge_search(const OracleView&, const std::string&) override {
    calls.push_back("search_judge");
    SearchVerdict v = searches.front();
    searches.pop_front();
    return Ask<SearchVerdict>::now(v);
  }
  Ask<UtteranceVerdict> judge_utterance(const OracleView&, const std::string&) override {
    calls.push_back("utterance_judge");
    UtteranceVerdict v = utterances.front();
    utterances.pop_front();
    return Ask<UtteranceVerdict>::now(v);
  }
  Ask<Reply> preference_reply(const OracleView&, const std::string&, const OpenPreference& p) override {
    calls.push_back("preference_reply:" + p.id);
    return next_reply();
  }
  Ask<Reply> proactive_reply(const OracleView&, const std::string&, const OpenPreference& p) override {
    calls.push_back("proactive_reply:" + p.id);
    return next_reply();
  }
  Ask<Reply> natural_reply(const OracleView&, const std::string&) override {
    calls.push_back("natural_reply");
    return next_reply();
  }

 private:
  Ask<Reply> next_reply() {
    Reply r = replies.empty() ? Reply{true, "Okay."} : replies.front();
    if (!replies.empty()) replies.pop_front();
    return Ask<Reply>::now(r);
  }
};

json::object option(std::string id, std::string price_key, int price) {
  return json::object{{"id", std::move(id)}, {std::move(price_key), price}};
}

// The §13.5 task: hotel {best H11, correct [H11, H4]}, flight {best F3, correct [F3, F8]}.
TravelTask vector_task() {
  TravelTask t;
  t.id = "vector";
  t.scenario = "A traveller needs a hotel and a flight.";
  t.initial_description = "I'm going from Boston to Lisbon from June 12, 2025 to June 16, 2025 and need a hotel and a flight.";
  t.shape = "22";
  AspectBlock h;
  h.aspect = "hotel";
  h.best_id = "H11";
  h.correct_ids = {"H11", "H4"};
  h.wrong_ids = {"H2"};
  h.noise_ids = {"H7"};
  h.arguments = json::object{{"city", "Lisbon"}, {"check_in", "2025-06-12"}, {"check_out", "2025-06-16"}};
  for (auto [id, p] : {std::pair{"H4", 150}, {"H11", 120}, {"H2", 90}, {"H7", 60}}) h.options.emplace_back(option(id, "price_per_night", p));
  for (const char* key : {"hotel.pool", "hotel.breakfast"}) {
    const auto* cp = catalogue().preference(key);
    h.preferences.push_back({"hotel", cp->subcategory, cp->text, cp->phrasings[0], cp->key, cp->predicate});
  }
  AspectBlock f;
  f.aspect = "flight";
  f.best_id = "F3";
  f.correct_ids = {"F3", "F8"};
  f.wrong_ids = {"F1"};
  f.arguments = json::object{{"origin", "Boston"}, {"destination", "Lisbon"}, {"date", "2025-06-12"}};
  for (auto [id, p] : {std::pair{"F8", 500}, {"F3", 400}, {"F1", 300}}) f.options.emplace_back(option(id, "price", p));
  for (const char* key : {"flight.nonstop", "flight.wifi"}) {
    const auto* cp = catalogue().preference(key);
    f.preferences.push_back({"flight", cp->subcategory, cp->text, cp->phrasings[0], cp->key, cp->predicate});
  }
  t.aspects = {h, f};
  return t;
}

Rules training(bool compat) {
  Rules r;  // defaults are the training preset
  r.userrl_async = compat;
  return r;
}

bool has(const std::string& text, std::string_view part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("travel: reference vectors of section 13.5 (compat=userrl_async)", "[travel]") {
  auto e = make_episode(vector_task(), training(true), EpisodeOptions{});
  auto r = drive_scripted(*e, "[answer] H4");
  CHECK(r.reward == 0.8);
  CHECK(has(r.observation, "cheaper option would also have fit"));
  CHECK(has(r.observation, "do not recommend another option for it"));
  CHECK_FALSE(r.terminated);
  r = drive_scripted(*e, "[answer] H11");
  CHECK(r.reward == 0.0);
  CHECK(has(r.observation, "already recommended an option for the hotel"));
  r = drive_scripted(*e, "[answer] F3");
  CHECK(r.reward == 1.0);
  CHECK_FALSE(r.terminated);  // H11 is still a remaining best option: the async code goes on
  r = drive_scripted(*e, "[answer] h2");
  CHECK(r.reward == 0.0);
  CHECK(r.format_error);
  CHECK(has(r.observation, "'h2' is not a valid option id"));
  // Every 5th search fails, whatever it asks.
  for (int i = 1; i <= 10; ++i) {
    r = drive_scripted(*e, "[search] hotels in Lisbon from 2025-06-12 to 2025-06-16");
    INFO("search " << i);
    CHECK((r.info.at("verdict").as_string() == "simulated_failure") == (i % 5 == 0));
    if (i % 5 == 0) CHECK(has(r.observation, "technical problems"));
  }
  CHECK(e->metrics().at("score").as_double() == Approx(0.9));  // (0.8 + 1.0) / 2
}

TEST_CASE("travel: the corrected rules by default", "[travel]") {
  SECTION("one choice per aspect made ends the episode (item 3)") {
    auto e = make_episode(vector_task(), training(false), EpisodeOptions{});
    CHECK(drive_scripted(*e, "[answer] H4").reward == 0.8);
    auto r = drive_scripted(*e, "[answer] F3");
    CHECK(r.reward == 1.0);
    CHECK(r.terminated);
    CHECK(e->metrics().at("success").as_bool());
    CHECK(e->metrics().at("best_exist").as_double() == 0.5);
  }
  SECTION("several ids at once are refused (item 2), and processed by compat") {
    auto fixed = make_episode(vector_task(), training(false), EpisodeOptions{});
    auto r = drive_scripted(*fixed, "[answer] H11, F3");
    CHECK(r.reward == 0.0);
    CHECK(has(r.observation, "one option at a time"));
    CHECK(drive_scripted(*fixed, "[answer] H11").reward == 1.0);  // nothing was recorded by the refused answer
    auto compat = make_episode(vector_task(), training(true), EpisodeOptions{});
    r = drive_scripted(*compat, "[answer] H11, F3");
    CHECK(r.reward == 1.0 + 1.0);  // not capped at 1
    CHECK(r.terminated);
    // Early return keeps the mutations of earlier ids and drops their reward.
    auto compat2 = make_episode(vector_task(), training(true), EpisodeOptions{});
    r = drive_scripted(*compat2, "[answer] F3, x9");
    CHECK(r.reward == 0.0);
    CHECK(has(drive_scripted(*compat2, "[answer] F8").observation, "already recommended"));
  }
  SECTION("an aspect the trip lacks is refused (item 6), and consumed by compat") {
    auto fixed = make_episode(vector_task(), training(false), EpisodeOptions{});
    auto r = drive_scripted(*fixed, "[answer] C5");
    CHECK(has(r.observation, "This trip has no rental car"));
    CHECK(fixed->metrics().at("answers").as_int64() == 1);
    auto compat = make_episode(vector_task(), training(true), EpisodeOptions{});
    r = drive_scripted(*compat, "[answer] C5");
    CHECK(has(r.observation, "not satisfied"));
    CHECK(has(drive_scripted(*compat, "[answer] C6").observation, "already recommended"));
  }
  SECTION("a best id missing from the correct ids (item 4)") {
    TravelTask t = vector_task();
    t.aspects[1].correct_ids = {"F8"};
    auto fixed = make_episode(t, training(false), EpisodeOptions{});
    CHECK(drive_scripted(*fixed, "[answer] F3").reward == 1.0);
    auto compat = make_episode(t, training(true), EpisodeOptions{});
    auto r = drive_scripted(*compat, "[answer] F3");
    CHECK(r.terminated);
    CHECK(r.reward == 0.0);
    CHECK(has(r.observation, "Error:"));
  }
}

TEST_CASE("travel: searches", "[travel]") {
  auto game = make_game("travel(rewards=eval)");
  Task task{"vector", travel::to_json(vector_task())};
  auto e = game->new_episode(task, {});
  auto r = drive_scripted(*e, "[search] hotels in Lisbon from June 12, 2025 to 2025-06-16");
  CHECK(r.reward == 0.2);
  CHECK(r.info.at("verdict").as_string() == "aligned");
  CHECK(has(r.observation, "Each hotel option has these fields:\n- id: option id"));
  CHECK(has(r.observation, "\n{\"id\": \"H4\", \"price_per_night\": 150}"));
  CHECK(read_search_results(r.observation).size() == 4);
  r = drive_scripted(*e, "[search] hotel in lisbon 2025-06-12 until 2025-06-16");
  CHECK(r.reward == 0.0);
  CHECK(r.info.at("verdict").as_string() == "already_searched");
  r = drive_scripted(*e, "[search] flights from Boston to Lisbon on 2025-06-13");  // wrong date
  CHECK(r.info.at("verdict").as_string() == "misaligned");
  r = drive_scripted(*e, "[search] a hotel and a flight from Boston to Lisbon on 2025-06-12 until 2025-06-16");
  CHECK(r.info.at("verdict").as_string() == "misaligned");
  r = drive_scripted(*e, "[search] flights from Boston to Lisbon on June 12");
  CHECK(r.info.at("verdict").as_string() == "simulated_failure");  // the 5th search
  r = drive_scripted(*e, "[search] weather in Lisbon");
  CHECK(r.info.at("verdict").as_string() == "unrelated");
  r = drive_scripted(*e, "[search] Flights from boston to LISBON on 12 June 2025");
  CHECK(r.info.at("verdict").as_string() == "aligned");
  CHECK(r.reward == 0.2);
  auto m = e->metrics();
  CHECK(m.at("searches").as_int64() == 7);
  CHECK(m.at("valid_searches").as_int64() == 3);
  CHECK(m.at("valid_search_rate").as_double() == Approx(3.0 / 6.0));
  // Malformed moves: explained, reward 0, not terminal.
  r = drive_scripted(*e, "search hotels");
  CHECK(r.format_error);
  CHECK_FALSE(r.terminated);
  r = drive_scripted(*e, "[FINISH] thanks");
  CHECK(r.terminated);
  CHECK(has(r.observation, "You uncovered 0 of the traveller's 4 preferences (0.00%)"));
}

TEST_CASE("travel: the four utterance types and what the traveller says", "[travel]") {
  for (bool compat : {false, true}) {
    INFO("compat " << compat);
    auto oracle = std::make_unique<QueueOracle>();
    QueueOracle* q = oracle.get();
    auto e = make_episode(vector_task(), training(compat), 7, std::move(oracle));
    // Type 2 about P1: revealed, rewarded.
    q->utterances.push_back({2, "P1", "asked about the pool"});
    q->replies.push_back({true, "I swim every morning."});
    auto r = drive_scripted(*e, "[action] Do you swim?");
    CHECK(r.observation == "I swim every morning.");
    CHECK(r.reward == 0.8);
    CHECK(r.info.at("elicited").as_string() == "P1");
    // Type 2 about a preference no longer open: ordinary conversation.
    q->utterances.push_back({2, "P1", ""});
    q->replies.push_back({true, "Sure."});
    r = drive_scripted(*e, "[action] Pool again?");
    CHECK(r.reward == 0.0);
    CHECK(q->calls.back() == "natural_reply");
    // Types 3 and 4: fixed texts.
    q->utterances.push_back({3, "", ""});
    r = drive_scripted(*e, "[action] Do you want a gym?");
    CHECK(r.observation.find("particular preference") != std::string::npos);
    q->utterances.push_back({4, "", ""});
    r = drive_scripted(*e, "[action] Anything else?");
    CHECK(r.observation.find("too general") != std::string::npos);
    // Three messages without a preference question: the fourth brings one up unasked.
    q->utterances.push_back({1, "", ""});
    if (!compat) q->replies.push_back({true, "By the way, about the flight: I hate layovers."});
    r = drive_scripted(*e, "[action] Nice weather.");
    auto m = e->metrics();
    if (compat) {
      // The reference's async branch fails: an apology, counted as passive, nothing revealed.
      CHECK(r.observation.find("lost my train of thought") != std::string::npos);
      CHECK(m.at("passive_elicited").as_int64() == 1);
      CHECK_FALSE(r.info.contains("elicited"));
    } else {
      CHECK(r.observation == "By the way, about the flight: I hate layovers.");
      CHECK(m.at("passive_elicited").as_int64() == 1);
      CHECK(r.info.at("elicitation").as_string() == "passive");
    }
    CHECK(r.reward == 0.0);
    // A responder failure: the apology, nothing revealed; compat counts the question anyway.
    std::string target = !compat && r.info.at("elicited").as_string() == "P2" ? "P3" : "P2";
    q->utterances.push_back({2, target, ""});
    q->replies.push_back({false, ""});
    r = drive_scripted(*e, "[action] Breakfast?");
    CHECK(r.reward == 0.0);
    CHECK(r.observation.find("lost my train of thought") != std::string::npos);
    m = e->metrics();
    CHECK(m.at("active_elicited").as_int64() == (compat ? 2 : 1));
    CHECK(m.at("actions").as_int64() == 6);
    CHECK(m.at("valid_actions").as_int64() == 2);
    // Answering the hotel drops its open preferences: a question about P2 is now conversation.
    drive_scripted(*e, "[answer] H11");
    q->utterances.push_back({2, "P2", ""});
    r = drive_scripted(*e, "[action] Breakfast?");
    CHECK(q->calls.back() != "preference_reply:P2");
  }
}

TEST_CASE("travel: proactive revelation draws from its own seeded stream", "[travel]") {
  auto run = [](std::uint64_t seed) {
    auto oracle = std::make_unique<QueueOracle>();
    QueueOracle* q = oracle.get();
    auto e = make_episode(vector_task(), training(false), seed, std::move(oracle));
    std::vector<std::string> revealed;
    for (int i = 0; i < 16; ++i) {
      q->utterances.push_back({1, "", ""});
      auto r = drive_scripted(*e, "[action] Hello.");
      if (r.info.contains("elicited")) revealed.emplace_back(r.info.at("elicited").as_string());
    }
    return revealed;
  };
  auto a = run(1);
  CHECK(a.size() == 4);  // every 4th message, until all four are revealed
  CHECK(run(1) == a);
  bool differs = false;
  for (std::uint64_t s = 2; s < 10 && !differs; ++s) differs = run(s) != a;
  CHECK(differs);
}

TEST_CASE("travel: reward presets and post-processing", "[travel]") {
  auto first_answer = [](std::string spec) {
    auto game = make_game(spec);
    auto e = game->new_episode(Task{"vector", travel::to_json(vector_task())}, {});
    return drive_scripted(*e, "[answer] H4").reward;
  };
  CHECK(first_answer("travel") == 0.8);
  CHECK(first_answer("travel(rewards=custom,choice_correct_reward=0.5)") == 0.5);
  CHECK(first_answer("travel(reward_scale=2,step_penalty=0.1)") == Approx(1.5));
  CHECK(first_answer("travel(reward_scale=2,normalize_rewards=true)") == 1.0);
  CHECK_THROWS_AS(make_game("travel(rewards=eval,choice_best_reward=2)"), ConfigError);
  CHECK_THROWS_AS(make_game("travel(shape=55)"), ConfigError);
  CHECK_THROWS_AS(make_game("travel(compat=sync)"), ConfigError);
  auto game = make_game("travel(max_steps=2)");
  auto e = game->new_episode(Task{"vector", travel::to_json(vector_task())}, {});
  CHECK_FALSE(drive_scripted(*e, "[search] weather").truncated);
  CHECK(drive_scripted(*e, "[search] weather").truncated);
  // A malformed task is a clear error, not a crash.
  CHECK_THROWS_AS(game->new_episode(Task{"bad", json::object{{"dimensions", json::array{"boat"}}}}, {}), ConfigError);
}
