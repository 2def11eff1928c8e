// TravelGym's importer for UserBench/UserRL travelgym_data_<shape>.json files, on a file in the
// reference's format written here (our own content).
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <set>

#include "core/registry.h"
#include "core/runner.h"
#include "envs/travel/travel.h"

using namespace rapport;
using namespace rapport::travel;

namespace {

std::string hotel_option(int n, int price, bool pool, const char* extra = "") {
  return fmt::format(R"({{"id": "H{}", "name": "Inn {}", "city": "Oslo", "pool": {}, "price_per_night": {}{}}})", n, n,
                     pool ? "true" : "false", price, extra);
}

// A two-scenario data file in the reference layout.
std::string reference_file(int copies) {
  std::string out = "{";
  for (int i = 0; i < copies; ++i) {
    if (i) out += ", ";
    out += fmt::format(R"("hotel:1-{0}|restaurant:1-{0}": {{
      "scenario": "A traveller visits Oslo for three nights.",
      "dimensions": ["hotel", "restaurant"],
      "wanted_num": 2,
      "initial_description": "I'm going to Oslo from May 3, 2026 to May 6, 2026 and need a hotel and a restaurant for dinner on May 4, 2026.",
      "hotel": {{
        "preferences": [["hotel", "Facilities", "Must have a swimming pool.", "I swim laps every day.", "extra"], ["too", "short"]],
        "best_id": "H2",
        "correct_ids": ["H2", "H5"],
        "options": {{"correct": [{1}, {2}], "wrong": [{3}], "noise": [{4}]}},
        "arguments": {{"city": "Oslo", "check_in": "2026-05-03", "check_out": "2026-05-06"}}
      }},
      "restaurant": {{
        "preferences": [["Restaurant", "Cuisine", "Serves seafood.", "Fish is all I want to eat up north."]],
        "best_id": "R1",
        "correct_ids": ["R1"],
        "options": {{"correct": [{{"option_id": "R1", "cuisine": "seafood", "price": 40, "type": "correct", "reason": "fits"}}],
                    "wrong": [{{"option_id": "R3", "cuisine": "pizza", "price": 20}}], "noise": []}},
        "arguments": {{"city": "Oslo", "date": "2026-05-04"}}
      }}
    }})",
                       i, hotel_option(2, 180, true, R"(, "type": "correct", "reason": "has a pool")"), hotel_option(5, 220, true),
                       hotel_option(7, 120, false), hotel_option(9, 60, true));
  }
  return out + "}";
}

}  // namespace

TEST_CASE("travel: importing a reference data file", "[travel]") {
  auto game = make_game("travel");
  auto tasks = game->import_tasks(reference_file(2), "all");
  REQUIRE(tasks.size() == 2);
  CHECK(tasks[0].id == "hotel:1-0|restaurant:1-0");
  TravelTask t = travel_task_from(tasks[0]);
  CHECK(t.shape == "11");
  REQUIRE(t.aspects.size() == 2);
  const AspectBlock& h = t.aspects[0];
  CHECK(h.aspect == "hotel");
  REQUIRE(h.preferences.size() == 1);  // lists shorter than four are skipped
  CHECK(h.preferences[0].subcategory == "Facilities");
  CHECK(h.preferences[0].implicit == "I swim laps every day.");
  CHECK(h.wrong_ids == std::vector<std::string>{"H7"});
  CHECK(h.noise_ids == std::vector<std::string>{"H9"});
  CHECK(h.options.size() == 4);
  for (const auto& o : h.options) {
    CHECK_FALSE(o.as_object().contains("type"));
    CHECK_FALSE(o.as_object().contains("reason"));
  }
  CHECK(t.aspects[1].preferences[0].aspect == "restaurant");
  CHECK(option_id(t.aspects[1].options[0].as_object()).size() == 2);
  // Imported twice, the same display order.
  CHECK(to_json(game->import_tasks(reference_file(2), "all")[0].data) == to_json(tasks[0].data));

  // It plays: the scripted oracle falls back to the preferences' own wording.
  auto e = game->new_episode(tasks[0], {});
  auto step = [&](std::string_view a) {
    auto f = e->step(a);
    REQUIRE(f.ready());
    return f.value();
  };
  auto r = step("[search] hotels in Oslo from May 3, 2026 to May 6, 2026");
  CHECK(r.info.at("verdict").as_string() == "aligned");
  CHECK(read_search_results(r.observation).size() == 4);
  r = step("[action] Which hotel facilities matter to you?");
  CHECK(r.info.at("utterance_type").as_int64() == 2);
  CHECK(r.observation == "I swim laps every day.");
  r = step("[answer] H2");
  CHECK(r.reward == 1.0);
  r = step("[answer] R3");
  CHECK(r.terminated);
  CHECK(e->metrics().at("score").as_double() == Approx(0.5));

  // The scripted agent plays imported tasks without crashing.
  Trajectory traj = run_episode(*game, tasks[1], {}, game->scripted_agent(0), RunSettings{20},
                                [](const LlmRequest&) { return llm_failure("none"); });
  CHECK(traj.turns.size() > 0);
}

TEST_CASE("travel: reference splits and bad files", "[travel]") {
  auto game = make_game("travel");
  auto all = game->import_tasks(reference_file(20), "all");
  auto train = game->import_tasks(reference_file(20), "train");
  auto test = game->import_tasks(reference_file(20), "test");
  CHECK(train.size() == 17);  // 85%
  CHECK(test.size() == 3);
  std::set<std::string> ids;
  for (const auto& t : train) ids.insert(t.id);
  for (const auto& t : test) ids.insert(t.id);
  CHECK(ids.size() == 20);
  CHECK_THROWS_AS(game->import_tasks("not json", "all"), ConfigError);
  CHECK_THROWS_AS(game->import_tasks("[1, 2]", "all"), ConfigError);
  CHECK_THROWS_AS(game->import_tasks(reference_file(1), "dev"), ConfigError);
  CHECK_THROWS_AS(game->import_tasks(R"({"a": {"initial_description": "x", "dimensions": ["boat"]}})", "all"), ConfigError);
  CHECK_THROWS_AS(game->import_tasks(R"({"a": {"initial_description": "x", "dimensions": ["hotel"], "hotel": {"best_id": "H1"}}})", "all"),
                  ConfigError);
  try {
    game->import_tasks(R"({"a": {"initial_description": "x", "dimensions": ["hotel"]}})", "all");
    FAIL("no error");
  } catch (const ConfigError& e) {
    CHECK(std::string(e.what()).find("'a'") != std::string::npos);
  }
}
