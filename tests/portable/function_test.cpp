// FunctionGym: the reference vectors (§13.5), the rules of §2.6, the generator and the scripted agent.
#include <catch2/catch.hpp>

#include <cmath>
#include <set>

#include "core/registry.h"
#include "core/rng.h"
#include "core/runner.h"
#include "envs/function/function.h"
#include "tests/portable/episode_support.h"

using namespace rapport;
using rapport::test::no_model;
using rapport::test::drive_scripted;

namespace {

Task reference_task(std::string rule, std::array<long long, 4> test_case, double expected) {
  function::FunctionTask t{"func-test", std::move(rule), test_case, expected};
  return Task{t.id, function::to_json(t)};
}

}  // namespace

TEST_CASE("function: reference vectors of section 13.5") {
  auto game = make_game("function");
  auto e = game->new_episode(reference_task("c * (a * b) * d", {3, 5, 5, 3}, 225.0), {});
  auto r = drive_scripted(*e, "[action] 1 2 3 4");
  CHECK(r.observation == "For numbers [1.0, 2.0, 3.0, 4.0], the function gives 24.0.");
  CHECK(r.reward == 0.0);
  CHECK_FALSE(r.terminated);
  r = drive_scripted(*e, "[action] 3 5 5 3");
  CHECK(r.observation.find("test case") != std::string::npos);
  CHECK(r.observation.find("gives") == std::string::npos);
  r = drive_scripted(*e, "[action] 1 2 3");
  CHECK(r.observation.find("exactly four numbers") != std::string::npos);
  CHECK(r.format_error);
  r = drive_scripted(*e, "[search] TEST");
  CHECK(r.observation == "Test case: [3, 5, 5, 3]");
  r = drive_scripted(*e, "[answer] 225.0000005");
  CHECK(r.reward == 1.0);
  CHECK(r.terminated);
  CHECK(e->over());
}

TEST_CASE("function: Python arithmetic in feedback") {
  auto game = make_game("function");
  auto probe = [&](std::string rule, std::string action) {
    auto e = game->new_episode(reference_task(std::move(rule), {9, 9, 9, 9}, 0.0), {});
    return drive_scripted(*e, action).observation;
  };
  CHECK(probe("a / (c - d) - b", "[action] 1 2 3 4") == "For numbers [1.0, 2.0, 3.0, 4.0], the function gives -3.0.");
  CHECK(probe("(b * c) / (a - d)", "[action] 1 2 3 1").find("could not be evaluated") != std::string::npos);
  CHECK(probe("c ** d ** b ** a", "[action] 2 3 1 1") == "For numbers [2.0, 3.0, 1.0, 1.0], the function gives 1.0.");
  CHECK(probe("a / b", "[action] 2 3 1 1") == "For numbers [2.0, 3.0, 1.0, 1.0], the function gives 0.6667.");
  // Complex result, overflow of **, 0 ** negative: errors. Overflow of * is inf, not an error.
  CHECK(probe("(a - b) ** (c / d)", "[action] 1 2 1 2").find("could not be evaluated") != std::string::npos);
  CHECK(probe("a ** b", "[action] 10 400 1 1").find("could not be evaluated") != std::string::npos);
  CHECK(probe("a ** (b - c)", "[action] 0 1 2 1").find("could not be evaluated") != std::string::npos);
  std::string huge(200, '9');
  CHECK(probe("a * b * c * d", "[action] " + huge + " " + huge + " 1 1").find("gives inf.") != std::string::npos);
  CHECK(probe("a * b", "[action] 1 2 3 4 5").find("I found 5") != std::string::npos);
  // The reference's number extraction: "1e5" is two numbers, ".5" is 5, "-3" is negative.
  CHECK(function::extract_numbers("1e5 .5 -3 x7.25") == std::vector<double>{1, 5, 5, -3, 7.25});
}

TEST_CASE("function: search, answer and finish cases") {
  auto game = make_game("function");
  auto e = game->new_episode(reference_task("a + b + c + d", {1, 2, 3, 4}, 10.0), {});
  CHECK(drive_scripted(*e, "[search] tests").format_error);
  CHECK(drive_scripted(*e, "[answer]").observation.find("empty") != std::string::npos);
  CHECK(drive_scripted(*e, "[answer] ten").format_error);
  auto wrong = drive_scripted(*e, "[answer] 1_0.5");
  CHECK(wrong.reward == 0.0);
  CHECK_FALSE(wrong.terminated);
  CHECK(drive_scripted(*e, "hello").format_error);
  auto fin = drive_scripted(*e, "[finish]");
  CHECK(fin.terminated);
  CHECK(fin.observation.find("10.0") != std::string::npos);
  auto after = drive_scripted(*e, "[answer] 10");
  CHECK(after.terminated);
  CHECK(after.reward == 0.0);
}

TEST_CASE("function: truncation at max_steps") {
  auto game = make_game("function(max_steps=2)");
  auto e = game->new_episode(reference_task("a + b + c + d", {1, 2, 3, 4}, 10.0), {});
  CHECK_FALSE(drive_scripted(*e, "[search] test").truncated);
  CHECK(drive_scripted(*e, "[search] test").truncated);
}

TEST_CASE("function: scripted agent solves at least 90% of generated tasks") {
  // 300 tasks per difficulty; the bar is on the default (medium).
  for (std::string difficulty : {"easy", "medium", "hard"}) {
    auto game = make_game("function(difficulty=" + difficulty + ")");
    int solved = 0, turns = 0;
    const int n = 300;
    for (int i = 0; i < n; ++i) {
      Task task = game->task(7, static_cast<std::uint64_t>(i));
      Trajectory t = run_episode(*game, task, {}, game->scripted_agent(7), RunSettings{20}, no_model);
      solved += t.metrics.at("success").as_bool() ? 1 : 0;
      turns += static_cast<int>(t.turns.size());
      CHECK(t.stop_reason != "max_turns");
    }
    INFO(difficulty << ": solved " << solved << " of " << n << ", mean turns " << double(turns) / n);
    CHECK(solved >= n * 9 / 10);
  }
}

TEST_CASE("function: generated tasks are well defined and reproducible") {
  auto game = make_game("function(difficulty=hard)");
  for (std::uint64_t i = 0; i < 500; ++i) {
    Task a = game->task(3, i), b = game->task(3, i);
    CHECK(to_json(a.data) == to_json(b.data));
    auto t = function::function_task_from(a);
    auto rule = function::Expression::parse(t.rule);
    REQUIRE(rule);
    auto v = rule->evaluate({double(t.test_case[0]), double(t.test_case[1]), double(t.test_case[2]), double(t.test_case[3])});
    REQUIRE(v);
    CHECK(*v == t.expected);
    CHECK(std::isfinite(*v));
  }
  CHECK(to_json(game->task(3, 0).data) != to_json(game->task(4, 0).data));
}

TEST_CASE("function: importer reads the reference format with the reference splits") {
  // A functions.json of our own making, in the reference's format.
  std::string text = "[";
  for (int i = 1; i <= 538; ++i)
    text += (i > 1 ? "," : "") + std::string("{\"id\": \"func-") + std::to_string(i) +
            "\", \"rule\": \"a * b + c - d\", \"test_case\": [1, 2, 3, " + std::to_string(i % 10) +
            "], \"expected_result\": " + std::to_string(5 - i % 10) + ".0}";
  text += "]";
  auto game = make_game("function");
  auto all = game->import_tasks(text, "all");
  auto train = game->import_tasks(text, "train");
  auto test = game->import_tasks(text, "test");
  CHECK(all.size() == 538);
  CHECK(train.size() == 460);
  CHECK(test.size() == 78);
  // The split is NumPy's seed-42 permutation: np.random.seed(42); np.random.permutation(10) is
  // [8 1 5 0 7 2 9 4 3 6].
  CHECK(numpy_legacy_permutation(10, 42) == std::vector<std::size_t>{8, 1, 5, 0, 7, 2, 9, 4, 3, 6});
  std::set<std::string> ids;
  for (const auto& t : train) ids.insert(t.id);
  for (const auto& t : test) CHECK(ids.insert(t.id).second);
  CHECK(ids.size() == 538);
  // An imported task plays like any other.
  auto e = game->new_episode(find_task(all, "func-7"), {});
  CHECK(drive_scripted(*e, "[search] test").observation == "Test case: [1, 2, 3, 7]");
  CHECK(drive_scripted(*e, "[answer] -2").reward == 1.0);

  CHECK_THROWS_WITH(game->import_tasks("{", "all"), Catch::Contains("not valid JSON"));
  CHECK_THROWS_WITH(game->import_tasks("[{\"id\": \"x\", \"rule\": \"a +\", \"test_case\": [1,2,3,4], \"expected_result\": 1}]", "all"),
                    Catch::Contains("rule 'a +' is not valid"));
  CHECK_THROWS_WITH(game->import_tasks("[{\"id\": \"x\", \"rule\": \"a\", \"test_case\": [1,2], \"expected_result\": 1}]", "all"),
                    Catch::Contains("four integers"));
  CHECK_THROWS_WITH(game->import_tasks("[]", "dev"), Catch::Contains("valid: all, train, test"));
  CHECK_THROWS_WITH(find_task(all, "func-999"), Catch::Contains("no task with id 'func-999'"));
}
