// TauGym end to end: an LLM agent calling the shop's tools as OpenAI tools through the runner and
// the loopback fake server, replayed from the completion cache; the LLM customer's stop signal;
// `export sft` keeping tool calls as tool calls; `rapport play` with typed tool calls; and a
// tau-bench data folder (our fixtures) through `--data`.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <map>
#include <regex>
#include <set>

#include "core/tools.h"
#include "native/scheduler.h"
#include "tests/native/fake_openai_server.h"
#include "tests/native/test_support.h"

using namespace rapport;
using rapport::testing::TempDir;
using rapport::testing::fake_endpoint;
using rapport::testing::read_trajectories;
using rapport::testing::run_cli;

namespace {

bool offers_tool(const json::object& body, std::string_view name) {
  for (const auto& t : body.at("tools").as_array())
    if (get_string(t.at("function").as_object(), "name") == name) return true;
  return false;
}

// The policy asks who the customer is, looks them up with the name and zip they give, then says
// goodbye; the customer is scripted.
FakeReply policy(const json::object& body) {
  REQUIRE(offers_tool(body, "interact_with_env"));
  REQUIRE(offers_tool(body, "find_user_id_by_name_zip"));
  int seen = fake::count_messages(body, "tool");
  if (seen == 0) return FakeReply::tool_call("action", "Could you tell me your name and zip code?");
  if (seen == 1) {
    std::smatch m;
    std::string said = fake::last_content(body, "tool");
    std::regex_search(said, m, std::regex(R"(name is (\w+) (\w+) and my zip code is (\d{5}))"));
    FakeReply r;
    r.tool_calls.push_back(ToolCall{"", "find_user_id_by_name_zip",
                                    to_json(json::object{{"first_name", m[1].str()}, {"last_name", m[2].str()}, {"zip", m[3].str()}})});
    return r;
  }
  return FakeReply::tool_call("finish", "");
}

RunOptions tau_run(const FakeOpenAiServer& server, const TempDir& dir) {
  RunOptions o;
  o.env_spec = "tau";
  o.tasks.count = 3;
  o.tasks.seed = 4;
  o.agent = "llm";
  o.max_turns = 8;
  o.progress = ProgressMode::Off;
  o.endpoints.policy = fake_endpoint(server, "policy");
  o.out = dir.file("tau.jsonl");
  return o;
}

}  // namespace

TEST_CASE("tau e2e: an LLM agent calls the shop's tools through the fake server, and the cache replays it", "[tau][e2e]") {
  TempDir dir;
  std::map<std::string, std::string> first;  // task id -> first tool observation
  {
    FakeOpenAiServer server(policy);
    RunOptions o = tau_run(server, dir);
    o.cache_path = dir.file("cache.sqlite");
    o.cache_mode = CacheMode::ReadWrite;
    RunResult r = run_batch(o, nullptr);
    CHECK(r.counters.episodes_done == 3);
    CHECK(r.counters.failed_calls == 0);
    auto ts = read_trajectories(o.out);
    REQUIRE(ts.size() == 3);
    for (const auto& t : ts) {
      INFO(t.task_id);
      REQUIRE(t.turns.size() == 3);
      CHECK(t.tools.size() == 16);
      CHECK(t.turns[0].observation.find("my name is") != std::string::npos);
      CHECK(t.turns[1].action.rfind("[tool] find_user_id_by_name_zip {", 0) == 0);
      CHECK(t.turns[1].choice == "find_user_id_by_name_zip");
      CHECK(t.turns[1].observation == get_string(t.task.as_object(), "user_id"));
      // The tool result went back to the model as the answer to its call.
      const auto& sent = t.turns[2].agent_calls.at(0).request.messages;
      CHECK(sent.back().role == "tool");
      CHECK(sent.back().content == t.turns[1].observation);
      CHECK(sent[sent.size() - 2].tool_calls.at(0).name == "find_user_id_by_name_zip");
      CHECK(t.turns[2].action == "[finish]");
      CHECK(t.turns[2].terminated);
      CHECK(t.turns[2].info.contains("differing_records"));
      CHECK(get_bool(t.metrics, "success") == false);  // nothing was done for the customer
      first[t.task_id] = t.turns[1].observation;
    }
  }
  // Replayed from the cache: no server at all, the same records.
  FakeOpenAiServer dead([](const json::object&) { return FakeReply::error(500, "must not be called"); });
  RunOptions o = tau_run(dead, dir);
  o.out = dir.file("again.jsonl");
  o.cache_path = dir.file("cache.sqlite");
  o.cache_mode = CacheMode::Read;
  RunResult r = run_batch(o, nullptr);
  CHECK(dead.requests() == 0);
  CHECK(r.counters.episodes_done == 3);
  auto again = read_trajectories(o.out);
  REQUIRE(again.size() == 3);
  for (const auto& a : again) {
    REQUIRE(a.turns.size() == 3);
    CHECK(a.turns[1].observation == first.at(a.task_id));
  }

  // export sft keeps the call a call of the shop's tool, with the tool's schema.
  auto exported = run_cli({"export", "sft", dir.file("tau.jsonl"), "--out", dir.file("sft.json"), "--top-k", "0"});
  REQUIRE(exported.exit_code == 0);
  std::string sft = rapport::testing::read_file(dir.file("sft.json"));
  CHECK(sft.find(R"(\"name\":\"find_user_id_by_name_zip\",\"arguments\":{\"first_name\")") != std::string::npos);
  CHECK(sft.find(R"(\"name\":\"cancel_pending_order\")") != std::string::npos);  // in tools
  auto fc = run_cli({"export", "sft", dir.file("tau.jsonl"), "--out", dir.file("fc.json"), "--format", "function-call"});
  REQUIRE(fc.exit_code == 0);
  CHECK(rapport::testing::read_file(dir.file("fc.json")).find(R"({\"name\":\"find_user_id_by_name_zip\")") != std::string::npos);
}

TEST_CASE("tau e2e: LLM-customer episodes end on the stop signal", "[tau][e2e]") {
  FakeOpenAiServer server([](const json::object& body) {
    if (fake::has_tools(body)) return FakeReply::tool_call("action", "Is there anything else?");
    return FakeReply::text("No, that's all. ###STOP###");
  });
  TempDir dir;
  RunOptions o = tau_run(server, dir);
  o.user = OracleKind::Llm;
  o.endpoints.user = fake_endpoint(server, "user");
  RunResult r = run_batch(o, nullptr);
  CHECK(r.counters.episodes_done == 3);
  for (const auto& t : read_trajectories(o.out)) {
    REQUIRE(t.turns.size() == 1);
    CHECK(t.turns[0].terminated);
    CHECK(get_string(t.turns[0].info, "ended_by") == "customer_stop");
    CHECK(t.turns[0].env_calls.at(0).request.purpose == "customer");
    CHECK(t.stop_reason == "terminated");
  }
}

TEST_CASE("tau e2e: play takes typed tool calls; run reads a tau-bench data folder", "[tau][e2e]") {
  auto played = run_cli({"play", "--env", "tau", "--json"},
                        "find_user_id_by_email {\"email\": \"nobody@example.com\"}\nlist_all_product_types\n[finish]\n");
  REQUIRE(played.exit_code == 0);
  CHECK(played.output.find(R"("action":"[tool] find_user_id_by_email {\"email\":\"nobody@example.com\"}","observation":"Error: user not found")") !=
        std::string::npos);
  CHECK(played.output.find(R"("observation":"{\"Backpack\": )") != std::string::npos);
  CHECK(played.output.find(R"("tools":[)") != std::string::npos);
  auto text = run_cli({"play", "--env", "tau"}, "[finish]\n");
  CHECK(text.output.find("differs from the goal: orders/") != std::string::npos);

  TempDir dir;
  auto run = run_cli({"run", "--env", "tau", "--data", std::string(RAPPORT_TEST_DATA) + "/tau", "--split", "test", "--out",
                      dir.file("imported.jsonl")});
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  auto ts = read_trajectories(dir.file("imported.jsonl"));
  CHECK(ts.size() == 7);
  std::set<std::string> ids;
  for (const auto& t : ts) ids.insert(t.task_id);
  CHECK(ids.count("retail-000") == 1);
  CHECK(ids.count("retail-006") == 1);
  auto bad = run_cli({"run", "--env", "tau", "--data", std::string(RAPPORT_TEST_DATA) + "/tau/users.json"});
  CHECK(bad.exit_code == 2);
  CHECK(bad.output.find("data folder") != std::string::npos);
}
