// TravelGym end to end over HTTP: `rapport run` with an LLM policy, an LLM traveller and LLM judges,
// all served by the loopback fake server, then `rapport eval` showing UserBench's metrics.
#include <catch2/catch.hpp>

#include <set>

#include "native/trajectory_files.h"
#include "tests/native/fake_openai_server.h"
#include "tests/native/test_support.h"
#include "envs/travel/travel.h"

using namespace rapport;
using namespace rapport::travel;
using rapport::testing::read_lines;
using rapport::testing::run_cli;
using rapport::testing::TempDir;

namespace {

std::string between(const std::string& text, std::string_view from, std::string_view to) {
  auto a = text.find(from);
  if (a == std::string::npos) return "";
  a += from.size();
  auto b = text.find(to, a);
  return text.substr(a, b == std::string::npos ? std::string::npos : b - a);
}

// A simple policy: per aspect, search it, ask one concrete question, answer the cheapest option.
FakeReply policy(const json::object& body) {
  std::string opening;
  std::vector<std::string> tools;
  for (const auto& m : body.at("messages").as_array()) {
    const auto& o = m.as_object();
    std::string role = get_string(o, "role");
    if (role == "user" && opening.empty()) opening = get_string(o, "content");
    if (role == "tool") tools.push_back(get_string(o, "content"));
  }
  TripRequest trip = read_trip_request(opening);
  std::size_t k = tools.size() / 3, phase = tools.size() % 3;
  if (k >= trip.aspects.size()) return FakeReply::tool_call("finish", "");
  const std::string& aspect = trip.aspects[k];
  if (phase == 0) {
    std::string what = aspect == "rental_car" ? "rental cars" : aspect + "s";
    std::string dates = aspect == "flight"       ? "on " + trip.dates[0]
                        : aspect == "restaurant" ? "on " + trip.dates.back()
                                                 : "from " + trip.dates[0] + " to " + trip.dates[1];
    std::string from = aspect == "flight" ? " from " + trip.origin + " to " : " in ";
    return FakeReply::tool_call("search", what + from + trip.destination + " " + dates);
  }
  if (phase == 1) return FakeReply::tool_call("action", catalogue().of_aspect(aspect).front()->question);
  auto options = read_search_results(tools[tools.size() - 2]);
  std::string price = schema(aspect).price_field();
  const json::object* cheapest = nullptr;
  for (const auto& o : options)
    if (!cheapest || get_number(o, price) < get_number(*cheapest, price)) cheapest = &o;
  return FakeReply::tool_call("answer", cheapest ? option_id(*cheapest) : "X1");
}

// The traveller and the judges, told apart by their system prompts.
FakeReply oracle(const json::object& body) {
  std::string system = fake::system_prompt(body);
  std::string user = fake::last_content(body, "user");
  if (system.rfind("You check a travel agent's search request", 0) == 0) {
    auto named = aspects_named(between(user, "Search request:\n", "\n\nGround-truth"));
    if (named.size() != 1) return FakeReply::text(R"({"alignment_judgement": "False"})");
    return FakeReply::text(R"({"alignment_judgement": "True", "alignment_aspect": ")" + named[0] + R"("})");
  }
  if (system.rfind("You read one message", 0) == 0) {
    std::string id = between(user, "Preference ID: ", "\n");
    return FakeReply::text(id.empty() ? R"({"type": "1"})" : R"({"type": "2", "preference_id": ")" + id + R"("})");
  }
  std::string hint = between(user, "Example of an indirect statement: ", "\n");
  return FakeReply::text(R"({"thought": "t", "response": ")" + (hint.empty() ? std::string("Okay.") : hint) + R"("})");
}

}  // namespace

TEST_CASE("travel: the LLM path end to end through rapport run and rapport eval", "[travel]") {
  FakeOpenAiServer server([](const json::object& body) { return fake::has_tools(body) ? policy(body) : oracle(body); });
  TempDir dir;
  std::string out = dir.file("travel.jsonl");
  auto run = run_cli({"run", "--env", "travel(tier=easy)", "--agent", "llm", "--model", "fake-policy", "--base-url",
                      server.base_url(), "--user", "llm", "--user-model", "fake-user", "--user-base-url", server.base_url(),
                      "--tasks", "4", "--samples", "2", "--max-turns", "20", "--out", out, "--progress", "off"});
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  REQUIRE(read_lines(out).size() == 8);
  std::set<std::string> purposes;
  for_each_trajectory(out, [&](const Trajectory& t, const json::object&) {
    CHECK(t.oracle == "llm");
    CHECK(t.stop_reason == "terminated");
    for (const auto& turn : t.turns) {
      CHECK(turn.agent_calls.size() == 1);
      for (const auto& c : turn.env_calls) purposes.insert(c.request.purpose);
    }
    CHECK(get_number(t.metrics, "valid_search_rate") == 1.0);
    CHECK(get_int(t.metrics, "active_elicited") == static_cast<std::int64_t>(t.task.as_object().at("dimensions").as_array().size()));
    CHECK(get_int(t.metrics, "answers") == get_int(t.metrics, "aspects"));
  });
  CHECK(purposes.count("search_judge"));
  CHECK(purposes.count("utterance_judge"));
  CHECK(purposes.count("preference_reply"));

  auto eval = run_cli({"eval", out});
  INFO(eval.output);
  REQUIRE(eval.exit_code == 0);
  for (const char* metric : {"travel(tier=easy)", "score", "best_exist", "correct_exist", "valid_search_rate", "valid_action_rate",
                             "active_elicited", "passive_elicited", "elicited_rate"})
    CHECK(eval.output.find(metric) != std::string::npos);
}

TEST_CASE("travel: rapport run --user reasoning records each user turn's rationale and state", "[travel][user]") {
  FakeOpenAiServer server([](const json::object& body) {
    if (fake::has_tools(body)) return policy(body);
    if (fake::asks_reasoning_user(body)) return fake::reasoning_user_reply(body);
    return oracle(body);
  });
  TempDir dir;
  std::string out = dir.file("reasoning.jsonl");
  auto run = run_cli({"run", "--env", "travel(tier=easy)", "--agent", "llm", "--model", "fake-policy", "--base-url", server.base_url(),
                      "--user", "reasoning", "--user-model", "fake-user", "--user-base-url", server.base_url(), "--tasks", "2",
                      "--max-turns", "20", "--out", out, "--progress", "off"});
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  auto trajectories = rapport::testing::read_trajectories(out);
  REQUIRE(trajectories.size() == 2);
  for (const auto& t : trajectories) {
    CHECK(t.oracle == "reasoning");
    CHECK(t.stop_reason == "terminated");
    // The rules' verdicts still give the rewards: every preference was elicited and answered.
    CHECK(get_int(t.metrics, "active_elicited") == static_cast<std::int64_t>(t.task.as_object().at("dimensions").as_array().size()));
    int user_turns = 0;
    for (const auto& turn : t.turns) {
      if (turn.choice != "action") {
        CHECK_FALSE(turn.info.contains("user"));
        continue;
      }
      auto user = recorded_user_turn(turn.info);
      REQUIRE(user);
      ++user_turns;
      CHECK(user->format_ok);
      CHECK(user->rationale.steps_present() == 5);
      CHECK(user->state.emotion == "calm");
      CHECK(turn.observation == user->reply);
      CHECK(turn.observation.find("<reply>") == std::string::npos);
      // The reply carries the traveller's hint the rules asked for.
      CHECK(turn.observation == get_string(turn.info.at("user").as_object(), "env_reply"));
      bool called = false;
      for (const auto& c : turn.env_calls) called = called || c.request.purpose == "reasoning_user";
      CHECK(called);
    }
    CHECK(user_turns == get_int(t.metrics, "user_turns"));
    CHECK(user_turns > 0);
    CHECK(get_int(t.metrics, "user_format_errors") == 0);
  }

  // The SFT export of the user side: one record per user turn, in the reasoning user's prompt form.
  std::string sft = dir.file("user_sft.jsonl");
  auto exported = run_cli({"usersim", "export", out, "--out", sft});
  INFO(exported.output);
  REQUIRE(exported.exit_code == 0);
  auto records = read_lines(sft);
  CHECK(static_cast<std::int64_t>(records.size()) ==
        get_int(trajectories[0].metrics, "user_turns") + get_int(trajectories[1].metrics, "user_turns"));
  auto first = parse_json(records.at(0));
  REQUIRE(first);
  const auto& messages = first->at("messages").as_array();
  REQUIRE(messages.size() == 3);
  CHECK(get_string(messages[0].as_object(), "content").find("<rationale>") != std::string::npos);
  CHECK(get_string(messages[2].as_object(), "content").find("<intent>") != std::string::npos);
  CHECK(first->as_object().at("context").as_object().contains("persona"));

  // Without a user model the reasoning LLM user is a configuration error.
  auto missing = run_cli({"run", "--env", "travel", "--user", "reasoning", "--episodes", "1", "--out", dir.file("x.jsonl")});
  CHECK(missing.exit_code == 2);
  CHECK(missing.output.find("--user reasoning needs a user-simulator model") != std::string::npos);
}
