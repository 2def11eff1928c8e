// TauGym's airline domain: tau-bench's airline tools (errors, effects, output text) on our own
// fixture data in tau-bench's format (tests/data/tau/airline), the importer, gold replay and the
// differing record, our generated airline world and tasks, and the scripted and random agents.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "core/registry.h"
#include "core/runner.h"
#include "envs/tau/tau.h"

using namespace rapport;
using namespace rapport::tau;

namespace {

LlmResponse no_model(const LlmRequest&) { return llm_failure("no model in this test"); }

double solve_rate(const std::string& spec, bool random, int n) {
  auto game = make_game(spec);
  int solved = 0;
  for (int i = 0; i < n; ++i) {
    Task task = game->task(1, static_cast<std::uint64_t>(i));
    auto agent = random ? make_random_agent(static_cast<std::uint64_t>(i)) : game->scripted_agent(static_cast<std::uint64_t>(i));
    Trajectory t = run_episode(*game, task, EpisodeOptions{OracleKind::Scripted, 1}, std::move(agent), RunSettings{40}, no_model);
    if (get_bool(t.metrics, "success")) ++solved;
    else if (!random) WARN("unsolved " << task.id << " " << rapport::to_json(t.metrics));
  }
  return static_cast<double>(solved) / n;
}

}  // namespace

TEST_CASE("tau airline: generated tasks are consistent and their gold actions score 1.0", "[tau][airline]") {
  const Domain& airline = find_domain("airline");
  Db db = generate_airline_db(3);
  CHECK(db_hash(db) == db_hash(generate_airline_db(3)));
  CHECK(db_hash(db) != db_hash(generate_airline_db(4)));
  for (std::uint64_t world : {1, 2, 3, 4, 5, 6})
    for (const char* tier : {"easy", "medium", "hard"})
      for (std::uint64_t i = 0; i < 8; ++i) {
        TauTask t = generate_airline_task(world, i, tier);
        INFO(t.id);
        Db start = generate_airline_db(world);
        Db mine = start;
        bool writes = false;
        for (const auto& a : t.actions) {
          CHECK(call_airline_tool(mine, a.name, a.kwargs).error == false);
          writes = writes || is_airline_write_tool(a.name);
        }
        std::vector<std::string> said{"The figure: " + (t.outputs.empty() ? std::string() : t.outputs[0])};
        CHECK(score_episode(airline, start, mine, t.actions, t.outputs, said).reward == 1.0);
        if (writes) CHECK(score_episode(airline, start, start, t.actions, t.outputs, said).reward == 0.0);
        Task record{t.id, to_json(t)};
        CHECK(to_json(to_json(tau_task_from(record))) == to_json(record.data));
      }
}

TEST_CASE("tau airline: the scripted agent solves most tasks with the scripted customer; a random agent almost none",
          "[tau][airline]") {
  const double easy = solve_rate("tau(domain=airline,tier=easy)", false, 50);
  const double medium = solve_rate("tau(domain=airline,tier=medium)", false, 30);
  const double hard = solve_rate("tau(domain=airline,tier=hard)", false, 30);
  const double random_easy = solve_rate("tau(domain=airline,tier=easy)", true, 30);
  WARN("airline scripted easy " << easy << ", medium " << medium << ", hard " << hard << "; random easy " << random_easy);
  CHECK(easy >= 0.8);
  CHECK(medium >= 0.6);
  CHECK(random_easy <= 0.1);
  CHECK(solve_rate("tau(domain=airline,tier=easy,compat=userrl)", false, 10) >= 0.8);
}
