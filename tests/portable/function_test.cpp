// FunctionGym: the reference vectors (§13.5), the rules of §2.6, the generator and the scripted agent.
#include <catch2/catch.hpp>

#include "core/registry.h"
#include "core/runner.h"
#include "envs/function/function.h"

using namespace rapport;

namespace {

Task reference_task(std::string rule, std::array<long long, 4> test_case, double expected) {
  function::FunctionTask t{"func-test", std::move(rule), test_case, expected};
  return Task{t.id, function::to_json(t)};
}

StepResult step(Episode& e, std::string_view action) {
  auto flow = e.step(action);
  REQUIRE(flow.ready());  // FunctionGym never needs a model
  return flow.value();
}

LlmResponse no_model(const LlmRequest&) { return llm_failure("no model in this test"); }

}  // namespace

TEST_CASE("function: reference vectors of section 13.5") {
  auto game = make_game("function");
  auto e = game->new_episode(reference_task("c * (a * b) * d", {3, 5, 5, 3}, 225.0), {});
  auto r = step(*e, "[action] 1 2 3 4");
  CHECK(r.observation == "For numbers [1.0, 2.0, 3.0, 4.0], the function gives 24.0.");
  CHECK(r.reward == 0.0);
  CHECK_FALSE(r.terminated);
  r = step(*e, "[action] 3 5 5 3");
  CHECK(r.observation.find("test case") != std::string::npos);
  CHECK(r.observation.find("gives") == std::string::npos);
  r = step(*e, "[action] 1 2 3");
  CHECK(r.observation.find("exactly four numbers") != std::string::npos);
  CHECK(r.format_error);
  r = step(*e, "[search] TEST");
  CHECK(r.observation == "Test case: [3, 5, 5, 3]");
  r = step(*e, "[answer] 225.0000005");
  CHECK(r.reward == 1.0);
  CHECK(r.terminated);
  CHECK(e->over());
}

TEST_CASE("function: Python arithmetic in feedback") {
  auto game = make_game("function");
  auto probe = [&](std::string rule, std::string action) {
    auto e = game->new_episode(reference_task(std::move(rule), {9, 9, 9, 9}, 0.0), {});
    return step(*e, action).observation;
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
  CHECK(step(*e, "[search] tests").format_error);
  CHECK(step(*e, "[answer]").observation.find("empty") != std::string::npos);
  CHECK(step(*e, "[answer] ten").format_error);
  auto wrong = step(*e, "[answer] 1_0.5");
  CHECK(wrong.reward == 0.0);
  CHECK_FALSE(wrong.terminated);
  CHECK(step(*e, "hello").format_error);
  auto fin = step(*e, "[finish]");
  CHECK(fin.terminated);
  CHECK(fin.observation.find("10.0") != std::string::npos);
  auto after = step(*e, "[answer] 10");
  CHECK(after.terminated);
  CHECK(after.reward == 0.0);
}

TEST_CASE("function: truncation at max_steps") {
  auto game = make_game("function(max_steps=2)");
  auto e = game->new_episode(reference_task("a + b + c + d", {1, 2, 3, 4}, 10.0), {});
  CHECK_FALSE(step(*e, "[search] test").truncated);
  CHECK(step(*e, "[search] test").truncated);
}

TEST_CASE("function: scripted agent solves at least 90% of generated tasks") {
  auto game = make_game("function");
  int solved = 0;
  const int n = 100;
  for (int i = 0; i < n; ++i) {
    Task task = game->task(7, static_cast<std::uint64_t>(i));
    Trajectory t = run_episode(*game, task, {}, game->scripted_agent(7), RunSettings{20}, no_model);
    solved += t.metrics.at("success").as_bool() ? 1 : 0;
  }
  INFO("solved " << solved << " of " << n);
  CHECK(solved >= 90);
}
