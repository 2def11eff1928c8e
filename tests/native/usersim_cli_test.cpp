// `rapport usersim` end to end: the per-trap table for the scripted reasoning user and for LLM
// users through the loopback fake server (with the rules' judge and an LLM judge), the bench
// telling a complying simulator from a resisting one, sessions, the reward command, and the
// scripted reasoning user in `rapport run` with no model at all.
#include <catch2/catch.hpp>

#include "core/usersim.h"
#include "tests/native/fake_openai_server.h"
#include "tests/native/test_support.h"

using namespace rapport;
using rapport::testing::read_lines;
using rapport::testing::run_cli;
using rapport::testing::TempDir;

namespace {

json::object total_of(const std::string& output) {
  auto v = parse_json(output.substr(0, output.find('\n')));
  REQUIRE(v);
  REQUIRE(v->is_object());
  return v->as_object().at("total").as_object();
}

}  // namespace

TEST_CASE("usersim: eval prints the per-trap table for the scripted reasoning user, offline", "[usersim]") {
  auto r = run_cli({"usersim", "eval"});
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  for (const auto& trap : trap_types()) CHECK(r.output.find(trap.id) != std::string::npos);
  CHECK(r.output.find("total") != std::string::npos);
  CHECK(r.output.find("strat") != std::string::npos);

  auto json_out = run_cli({"usersim", "eval", "--json"});
  REQUIRE(json_out.exit_code == 0);
  json::object total = total_of(json_out.output);
  CHECK(total.at("n").as_int64() == static_cast<std::int64_t>(trap_types().size() * kProbesPerTrap));

  auto bad = run_cli({"usersim", "eval", "--sim", "oracle"});
  CHECK(bad.exit_code == 2);
  CHECK(bad.output.find("reasoning-scripted, complying, llm or reasoning") != std::string::npos);
  auto no_model = run_cli({"usersim", "eval", "--sim", "reasoning"});
  CHECK(no_model.exit_code == 2);
  CHECK(no_model.output.find("needs a model") != std::string::npos);
}

TEST_CASE("usersim: a complying simulator scores clearly worse on strategy than a resisting one", "[usersim]") {
  auto resisting = run_cli({"usersim", "eval", "--json", "--sim", "reasoning-scripted"});
  auto complying = run_cli({"usersim", "eval", "--json", "--sim", "complying"});
  REQUIRE(resisting.exit_code == 0);
  REQUIRE(complying.exit_code == 0);
  double r = total_of(resisting.output).at("strategic_resistance").as_double();
  double c = total_of(complying.output).at("strategic_resistance").as_double();
  CHECK(r > 0.8);
  CHECK(c < 0.2);
  CHECK(total_of(complying.output).at("complied").as_double() == 1.0);

  auto session = run_cli({"usersim", "session", "--sim", "complying", "--sessions", "4", "--turns", "4"});
  INFO(session.output);
  REQUIRE(session.exit_code == 0);
  CHECK(session.output.find("complied at least once: 4 of 4") != std::string::npos);
}

TEST_CASE("usersim: LLM users through the fake server, with and without the reasoning format, and an LLM judge", "[usersim]") {
  FakeOpenAiServer server([](const json::object& body) {
    std::string system = fake::system_prompt(body);
    if (system.find("You evaluate a simulated user") == 0)
      return FakeReply::text(R"({"persona_consistency": 4, "reasoning_quality": 4, "agreement": 5, "strategic_resistance": 5, "robotic_tone": 2})");
    if (fake::asks_reasoning_user(body)) return fake::reasoning_user_reply(body);
    return FakeReply::text("Sure, sounds good, go ahead.");  // a plain user that goes along
  });
  std::vector<std::string> endpoint = {"--user-model", "fake-user", "--user-base-url", server.base_url()};
  auto args = [&](std::vector<std::string> a) {
    a.insert(a.end(), endpoint.begin(), endpoint.end());
    return a;
  };
  auto reasoning = run_cli(args({"usersim", "eval", "--sim", "reasoning", "--per-trap", "3"}));
  INFO(reasoning.output);
  REQUIRE(reasoning.exit_code == 0);
  CHECK(reasoning.output.find("false_urgency") != std::string::npos);
  CHECK(reasoning.output.find("total") != std::string::npos);
  auto reasoning_json = run_cli(args({"usersim", "eval", "--sim", "reasoning", "--per-trap", "3", "--json"}));
  json::object r = total_of(reasoning_json.output);
  CHECK(r.at("format").as_double() == 1.0);
  CHECK(r.at("state_fields").as_double() == 1.0);

  auto plain = run_cli(args({"usersim", "eval", "--sim", "llm", "--per-trap", "3", "--json"}));
  REQUIRE(plain.exit_code == 0);
  json::object p = total_of(plain.output);
  CHECK(p.at("format").as_double() == 0.0);  // no rationale
  CHECK(p.at("complied").as_double() == 1.0);
  CHECK(p.at("strategic_resistance").as_double() < r.at("strategic_resistance").as_double());

  auto judged = run_cli(args({"usersim", "eval", "--sim", "reasoning", "--per-trap", "2", "--judge", "llm", "--json"}));
  INFO(judged.output);
  REQUIRE(judged.exit_code == 0);
  json::object j = total_of(judged.output);
  CHECK(j.at("strategic_resistance").as_double() == 1.0);
  CHECK(j.at("robotic_tone").as_double() == 0.25);
  CHECK(j.at("judge_fallbacks").as_int64() == 0);
}

TEST_CASE("usersim: the reward command scores JSONL completions per line", "[usersim]") {
  TempDir dir;
  auto probes = run_cli({"usersim", "probes", "--per-trap", "1", "--out", dir.file("probes.jsonl")});
  REQUIRE(probes.exit_code == 0);
  auto lines = read_lines(dir.file("probes.jsonl"));
  REQUIRE(lines.size() == trap_types().size());
  Probe probe = probe_from(*parse_json(lines[0]));
  UserTurn resist = scripted_user_turn(probe.context);
  std::string input =
      to_json(json::object{{"context", to_json(probe)}, {"completion", render_tagged(resist.rationale, resist.state, resist.reply)}}) + "\n" +
      to_json(json::object{{"context", to_json(probe)}, {"completion", "Sure, sounds good, go ahead."}}) + "\n" + "not json\n" +
      // No probe to score against, or no text: never a reward.
      "{\"completion\": \"ok\"}\n{\"context\": 5, \"completion\": \"ok\"}\n{\"context\": {}, \"completion\": \"ok\"}\n" +
      to_json(json::object{{"context", to_json(probe)}, {"completion", 5}}) + "\n";
  auto r = run_cli({"usersim", "reward"}, input);
  INFO(r.output);
  // Every record has its line; the one that could not be scored is counted and fails the run.
  REQUIRE(r.exit_code == 1);
  CHECK(r.output.find("5 of 7 records could not be scored") != std::string::npos);
  std::vector<json::object> out;
  std::size_t at = 0;
  while (at < r.output.size()) {
    std::size_t nl = r.output.find('\n', at);
    if (r.output[at] != '{') {  // the summary on stderr
      at = nl == std::string::npos ? r.output.size() : nl + 1;
      continue;
    }
    auto v = parse_json(r.output.substr(at, nl - at));
    REQUIRE(v);
    out.push_back(v->as_object());
    at = nl + 1;
  }
  REQUIRE(out.size() == 7);
  CHECK(out[0].at("format").as_bool());
  CHECK(out[0].at("reward").as_double() > out[1].at("reward").as_double() + 0.3);
  CHECK(out[1].at("complied").as_bool());
  for (std::size_t i = 2; i < 7; ++i) {
    INFO(i);
    CHECK(out[i].contains("error"));
    CHECK(!out[i].contains("reward"));
    CHECK(out[i].at("line").as_int64() == static_cast<std::int64_t>(i + 1));
  }
  CHECK(std::string(out[4].at("error").as_string()).ends_with("no context object"));
  CHECK(std::string(out[5].at("error").as_string()).ends_with("no agent_turn to reply to"));
  CHECK(std::string(out[6].at("error").as_string()).ends_with("the completion is not a string"));
}

TEST_CASE("usersim: rapport run with the scripted reasoning user needs no model", "[usersim][user]") {
  TempDir dir;
  for (const char* env : {"travel", "persuade", "intention", "turtle", "telepathy"}) {
    INFO(env);
    std::string out = dir.file(std::string(env) + ".jsonl");
    auto r = run_cli({"run", "--env", env, "--user", "reasoning-scripted", "--episodes", "2", "--out", out, "--progress", "off"});
    INFO(r.output);
    REQUIRE(r.exit_code == 0);
    bool saw_user = false;
    for (const auto& t : rapport::testing::read_trajectories(out)) {
      CHECK(t.oracle == "reasoning-scripted");
      for (const auto& turn : t.turns) saw_user = saw_user || turn.info.contains("user");
    }
    CHECK(saw_user);
  }
}
