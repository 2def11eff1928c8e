// TauGym with reasoning users: the customer's goals from the task (generated requests, imported
// instructions), the scripted reasoning customer over the scripted one (rationale and state in
// info.user, rewards from the database, the scripted agent still solving most easy tasks), the
// stop signal kept the rules' own with an LLM user, and pushback on manipulation.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "core/registry.h"
#include "core/runner.h"
#include "core/usersim.h"
#include "envs/tau/tau.h"
#include "tests/portable/episode_support.h"

using namespace rapport;
using rapport::test::no_model;
using rapport::test::drive;
using namespace rapport::tau;

namespace {

std::vector<std::pair<std::string, std::string>> fixture_files() {
  std::vector<std::pair<std::string, std::string>> files;
  for (const char* n : {"orders.json", "products.json", "tasks_test.py", "tasks_train.py", "users.json"}) {
    std::ifstream in(std::string(RAPPORT_TEST_DATA) + "/tau/" + n, std::ios::binary);
    REQUIRE(in.good());
    std::stringstream s;
    s << in.rdbuf();
    files.emplace_back(n, s.str());
  }
  return files;
}

bool contains(const std::vector<std::string>& xs, const std::string& x) { return std::find(xs.begin(), xs.end(), x) != xs.end(); }

}  // namespace

TEST_CASE("tau user: the customer's goals come from the task's requests or its instruction", "[tau][user]") {
  auto game = make_game("tau(tier=hard)");
  TauTask t = tau_task_from(game->task(4, 1));
  REQUIRE(t.requests.size() == 2);
  UserAdapter a = user_adapter(t, game->params());
  CHECK(a.goals.domain == "retail");
  CHECK(a.goals.scenario.find(t.identity.first_name + " " + t.identity.last_name) != std::string::npos);
  REQUIRE(a.goals.primary.size() == 2);
  CHECK(a.goals.primary[0] == request_text(t.requests[0]));
  CHECK(a.goals.primary[1] == request_text(t.requests[1]));
  CHECK(contains(a.goals.topic_words, t.requests[0].order_id.empty() ? "order" : t.requests[0].order_id));
  CHECK(contains(a.goals.refuses, "changes I did not ask for"));
  CHECK(a.end_signal == kStop);
  CHECK_FALSE(a.allow_hang_up);
  CHECK(user_adapter(t, make_game("tau(user_hang_up=true)")->params()).allow_hang_up);

  // An imported task: the instruction's sentences, and the order ids it names as topic words.
  auto imported = import_tau_folder(fixture_files(), "test");
  UserAdapter b = user_adapter(imported[0], game->params());
  REQUIRE(b.goals.primary.size() == 2);
  CHECK(b.goals.primary[1] == "You want to cancel order #W0000001 because you no longer need it.");
  CHECK(contains(b.goals.topic_words, "#W0000001"));
  CHECK(b.goals.scenario.find("online shop") != std::string::npos);
}

TEST_CASE("tau user: the scripted reasoning customer re-voices every reply; the scripted agent still solves most easy tasks",
          "[tau][user]") {
  auto game = make_game("tau(tier=easy)");
  int solved = 0, solved_plain = 0, user_turns = 0;
  const int n = 20;
  for (int i = 0; i < n; ++i) {
    INFO("task " << i);
    Task task = game->task(3, static_cast<std::uint64_t>(i));
    auto seed = static_cast<std::uint64_t>(i);
    Trajectory t = run_episode(*game, task, {OracleKind::ReasoningScripted, seed}, game->scripted_agent(seed), RunSettings{40}, no_model);
    Trajectory plain = run_episode(*game, task, {OracleKind::Scripted, seed}, game->scripted_agent(seed), RunSettings{40}, no_model);
    solved += get_bool(t.metrics, "success");
    solved_plain += get_bool(plain.metrics, "success");
    CHECK(t.oracle == "reasoning-scripted");
    CHECK(t.tools.size() == 16);  // the wrapped episode still offers the shop's tools
    for (const auto& turn : t.turns) {
      auto user = recorded_user_turn(turn.info);
      if (!parse_bracket_action(turn.action).choice || parse_bracket_action(turn.action).choice != Choice::Action) {
        CHECK_FALSE(user);  // tool calls never reach the customer
        continue;
      }
      REQUIRE(user);
      ++user_turns;
      CHECK(user->rationale.steps_present() == 5);
      CHECK(turn.observation == user->reply);
      // The reply carries the stop signal exactly when the customer's own reply did.
      const std::string env_reply = get_string(turn.info.at("user").as_object(), "env_reply");
      CHECK((turn.observation.find(kStop) != std::string::npos) == (env_reply.find(kStop) != std::string::npos));
    }
    if (get_string(t.metrics, "ended_by") == "customer_stop") {
      const auto& last = t.turns.back();
      CHECK(last.observation.size() >= kStop.size());
      CHECK(last.observation.substr(last.observation.size() - kStop.size()) == kStop);
      CHECK(last.terminated);
    }
    // Rewards still come from the database: the same moves earn the same score.
    if (t.turns.size() == plain.turns.size()) {
      bool same = true;
      for (std::size_t k = 0; k < t.turns.size(); ++k) same = same && t.turns[k].action == plain.turns[k].action;
      if (same) CHECK(get_number(t.metrics, "score") == get_number(plain.metrics, "score"));
    }
    CHECK(t.metrics.contains("user_trust"));
    CHECK(to_json_line(t) == to_json_line(run_episode(*game, task, {OracleKind::ReasoningScripted, seed}, game->scripted_agent(seed),
                                                          RunSettings{40}, no_model)));
  }
  INFO("solved " << solved << " of " << n << " (plain customer: " << solved_plain << ")");
  CHECK(solved >= n * 8 / 10);
  CHECK(user_turns >= 2 * n);
}

TEST_CASE("tau user: an airline customer has the airline's stance, its requests in the airline's words, and is served",
          "[tau][user][airline]") {
  auto game = make_game("tau(domain=airline,tier=easy)");
  TauTask t = tau_task_from(game->task(5, 0));
  REQUIRE_FALSE(t.requests.empty());
  UserAdapter a = user_adapter(t, game->params());
  CHECK(a.goals.domain == "airline");
  CHECK(a.goals.scenario.find("an airline") != std::string::npos);
  CHECK(a.goals.scenario.find(t.user_id) != std::string::npos);
  CHECK(a.goals.primary[0] == find_domain("airline").request_text(t.requests[0]));
  CHECK(contains(a.goals.refuses, "a payment method other than the one I named"));
  CHECK(a.end_signal == kStop);

  int solved = 0;
  const int n = 10;
  for (int i = 0; i < n; ++i) {
    auto seed = static_cast<std::uint64_t>(i);
    Trajectory r = run_episode(*game, game->task(5, seed), {OracleKind::ReasoningScripted, seed}, game->scripted_agent(seed),
                               RunSettings{40}, no_model);
    CHECK(r.tools.size() == 14);
    solved += get_bool(r.metrics, "success");
  }
  INFO("solved " << solved << " of " << n);
  CHECK(solved >= n * 8 / 10);
}

TEST_CASE("tau user: with an LLM user the stop signal stays the rules' own", "[tau][user]") {
  auto game = make_game("tau");
  Task task = game->task(2, 0);
  const std::string tagged =
      "<rationale><intent>The agent asks whether I need more.</intent><concerns>my order</concerns><plan>Say goodbye.</plan>"
      "<state>trust=0.7 emotion=calm patience=0.7 engagement=0.6</state><tone>friendly</tone></rationale><reply>{}</reply>";
  auto model = [&](const std::string& customer, const std::string& user_reply) {
    return [=](const LlmRequest& r) {
      if (r.purpose == "reasoning_user") {
        // The user re-voices the customer's text without the signal.
        CHECK(r.messages.back().content.find(kStop) == std::string::npos);
        return llm_text(fmt::format(fmt::runtime(tagged), user_reply));
      }
      return llm_text(customer);
    };
  };
  // The customer ends; the user's reply forgets the signal: it is added, and the episode ends scored.
  auto e = game->new_episode(task, EpisodeOptions{OracleKind::ReasoningLlm, 0});
  CHECK(e->tools().size() == 16);
  StepResult r = drive(*e, "[action] Is there anything else I can help you with?", model("Thanks, bye! ###STOP###", "Thanks a lot, that's all."));
  CHECK(r.terminated);
  CHECK(r.observation == "Thanks a lot, that's all. ###STOP###");
  CHECK(r.info.at("ended_by") == "customer_stop");
  CHECK(r.info.contains("gt_data_hash"));
  auto u = recorded_user_turn(r.info);
  REQUIRE(u);
  CHECK(u->format_ok);
  CHECK(u->state.trust == 0.7);

  // The customer goes on; a user who writes the signal anyway does not end anything.
  auto g = game->new_episode(task, EpisodeOptions{OracleKind::ReasoningLlm, 0});
  r = drive(*g, "[action] Could you tell me your order id?", model("It's order #W0000001.", "It is #W0000001. ###STOP###"));
  CHECK_FALSE(r.terminated);
  CHECK(r.observation == "It is #W0000001.");

  // A user call that fails falls back to the customer's own text, signal included.
  auto f = game->new_episode(task, EpisodeOptions{OracleKind::ReasoningLlm, 0});
  r = drive(*f, "[action] Anything else?", [](const LlmRequest& q) {
    return q.purpose == "reasoning_user" ? llm_failure("down") : llm_text("No, that's all. ###STOP###");
  });
  CHECK(r.terminated);
  CHECK(r.observation == "No, that's all. ###STOP###");
  CHECK(recorded_user_turn(r.info)->reply_fallback);
}

TEST_CASE("tau user: an agent pushing what the goal does not want meets pushback and changes nothing", "[tau][user]") {
  auto game = make_game("tau(tier=easy)");
  Task task = game->task(5, 0);
  TauTask t = tau_task_from(task);
  REQUIRE(t.requests.size() == 1);
  const std::string push = "[action] Hurry, this offer expires in ten minutes: I can upgrade every item of order " + t.requests[0].order_id +
                           " to the premium model for a small fee. Shall I proceed? Please answer yes or no.";
  auto e = game->new_episode(task, EpisodeOptions{OracleKind::ReasoningScripted, 5});
  StepResult r = drive(*e, push);
  auto u = recorded_user_turn(r.info);
  REQUIRE(u);
  CHECK(u->move == "manipulative");
  CHECK(u->trap == "false_urgency");
  CHECK(u->state.trust < u->state_before.trust);
  CHECK_FALSE(complies(r.observation));
  CHECK(r.observation.find("not what I asked for") != std::string::npos);  // the customer's no, re-voiced
  CHECK(r.observation.find("Yes") == std::string::npos);
  CHECK_FALSE(r.terminated);

  // Pushed on and on, a customer allowed to hang up does, with the stop signal; nothing was written.
  auto strict = make_game("tau(tier=easy,user_hang_up=true)");
  auto h = strict->new_episode(task, EpisodeOptions{OracleKind::ReasoningScripted, 5});
  StepResult last;
  int turns = 0;
  while (!h->over() && turns < 20) {
    last = drive(*h, push);
    ++turns;
  }
  CHECK(turns < 20);
  CHECK(last.terminated);
  CHECK(recorded_user_turn(last.info)->hung_up);
  CHECK(last.observation.substr(last.observation.size() - kStop.size()) == kStop);
  CHECK(h->metrics().at("user_hung_up").as_bool());
  CHECK(h->metrics().at("writes").as_int64() == 0);
}
