// The real `rapport` binary: the default batch with no model, an LLM batch against the fake
// server, killing it mid-batch and resuming (exactly one trajectory per (task, sample), the same
// bytes as an uninterrupted run), eval, SFT export, the replay agent, and clear errors.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <set>

#include "native/trajectory_files.h"
#include "tests/native/fake_openai_server.h"
#include "tests/native/test_support.h"

using namespace rapport;
using namespace rapport::testing;

namespace {

// A FunctionGym policy: looks up the test case, probes once, answers 0, then finishes.
FakeReply function_policy(const json::object& body) {
  switch (fake::count_messages(body, "tool")) {
    case 0: return FakeReply::tool_call("search", "test");
    case 1: return FakeReply::hermes("action", "1 2 3 4");
    case 2: return FakeReply::tool_call("answer", "0");
    default: return FakeReply::tool_call("finish", "");
  }
}

std::vector<std::string> llm_run_args(const FakeOpenAiServer& server, const std::string& out, int tasks, int samples) {
  return {"run",         "--env",      "function",        "--agent", "llm",       "--model",
          "fake-model",  "--base-url", server.base_url(), "--tasks", std::to_string(tasks),
          "--samples",   std::to_string(samples),         "--concurrency", "8", "--out", out,
          "--progress",  "off",        "--retries",       "3"};
}

std::set<std::pair<std::string, int>> pairs_of(const std::string& path, std::size_t* count) {
  std::set<std::pair<std::string, int>> pairs;
  *count = 0;
  for_each_trajectory(path, [&](const Trajectory& t, const json::object&) {
    pairs.insert({t.group, t.sample});
    ++*count;
  });
  return pairs;
}

}  // namespace

TEST_CASE("cli: `rapport run` with no arguments runs a default batch and prints the table", "[cli]") {
  CliResult r = run_cli({"run", "--progress", "off"});
  INFO(r.output);
  CHECK(r.exit_code == 0);
  CHECK(r.output.find("function") != std::string::npos);
  CHECK(r.output.find("success") != std::string::npos);
  CHECK(r.output.find("mean reward") != std::string::npos);
  CHECK(r.output.find("format errors") != std::string::npos);
  CHECK(r.output.find("100") != std::string::npos);
  CHECK(r.output.find("trajectories: rapport-run.jsonl") != std::string::npos);
}

TEST_CASE("cli: scripted runs write one trajectory per line, deterministically", "[cli]") {
  TempDir dir;
  auto a = run_cli({"run", "--episodes", "12", "--seed", "3", "--out", dir.file("a.jsonl"), "-q"});
  auto b = run_cli({"run", "--episodes", "12", "--seed", "3", "--concurrency", "1", "--out", dir.file("b.jsonl"), "-q"});
  REQUIRE(a.exit_code == 0);
  REQUIRE(b.exit_code == 0);
  CHECK(read_lines(dir.file("a.jsonl")).size() == 12);
  CHECK(read_file(dir.file("a.jsonl")) == read_file(dir.file("b.jsonl")));
  // An existing file is not overwritten by accident.
  auto again = run_cli({"run", "--episodes", "12", "--out", dir.file("a.jsonl"), "-q"});
  CHECK(again.exit_code == 2);
  CHECK(again.output.find("--resume") != std::string::npos);
}

TEST_CASE("cli: killed mid-batch and resumed, exactly one trajectory per (task, sample)", "[cli]") {
  FakeServerOptions slow;
  slow.latency_s = 0.03;
  FakeOpenAiServer server(function_policy, slow);
  TempDir dir;
  const int tasks = 24, samples = 4;

  std::string reference = dir.file("reference.jsonl");
  REQUIRE(run_cli(llm_run_args(server, reference, tasks, samples)).exit_code == 0);

  std::string out = dir.file("killed.jsonl");
  // Kill once a few groups are written and more episodes are pending.
  bool killed = run_cli_and_kill(
      llm_run_args(server, out, tasks, samples),
      [&] { return read_lines(out).size() >= 8 && read_lines(out + ".pending").size() >= 12; }, 30);
  REQUIRE(killed);
  std::size_t partial = read_lines(out).size();
  CHECK(partial < static_cast<std::size_t>(tasks * samples));
  CHECK(file_exists(out + ".pending"));

  auto args = llm_run_args(server, out, tasks, samples);
  args.push_back("--resume");
  CliResult resumed = run_cli(args);
  INFO(resumed.output);
  REQUIRE(resumed.exit_code == 0);
  CHECK(resumed.output.find("resumed from earlier runs") != std::string::npos);
  std::size_t count = 0;
  auto pairs = pairs_of(out, &count);
  CHECK(count == static_cast<std::size_t>(tasks * samples));
  CHECK(pairs.size() == count);
  CHECK(read_file(out) == read_file(reference));
  CHECK_FALSE(file_exists(out + ".pending"));

  {  // eval summarises it and verifies the shaping
    CliResult eval = run_cli({"eval", "--verify", out});
    INFO(eval.output);
    CHECK(eval.exit_code == 0);
    CHECK(eval.output.find("function") != std::string::npos);
    CHECK(eval.output.find("pass@1") != std::string::npos);
    CHECK(eval.output.find("0 mismatches") != std::string::npos);
    CliResult json_eval = run_cli({"eval", "--json", out});
    auto v = parse_json(json_eval.output);
    REQUIRE(v);
    const auto& env = v->get_object().at("environments").get_array().at(0).get_object();
    CHECK(get_int(env, "episodes") == tasks * samples);
    CHECK(get_int(env, "tasks") == tasks);
    CHECK(get_int(env, "k_min") == samples);
    CHECK(env.at("metrics").get_object().contains("success"));
  }
  {  // export sft keeps the best trajectory per task
    std::string sft = dir.file("sft.json");
    CliResult exported = run_cli({"export", "sft", out, "--out", sft});
    INFO(exported.output);
    REQUIRE(exported.exit_code == 0);
    auto v = parse_json(read_file(sft));
    REQUIRE(v);
    REQUIRE(v->is_array());
    CHECK(v->get_array().size() == static_cast<std::size_t>(tasks));
    const auto& record = v->get_array()[0].get_object();
    const auto& conversation = record.at("conversations").get_array();
    // human, gpt, observation, gpt, observation, gpt, observation, gpt (the last observation dropped)
    REQUIRE(conversation.size() == 8);
    CHECK(get_string(conversation[0].get_object(), "from") == "human");
    CHECK(get_string(conversation[1].get_object(), "from") == "gpt");
    CHECK(get_string(conversation[1].get_object(), "value").find("<tool_call>") != std::string::npos);
    CHECK(get_string(conversation[2].get_object(), "from") == "observation");
    CHECK(get_string(conversation.back().get_object(), "from") == "gpt");
    CHECK_FALSE(get_string(record, "system").empty());
    CHECK(get_string(record, "tools").find("interact_with_env") != std::string::npos);
    CliResult fc = run_cli({"export", "sft", out, "--out", dir.file("fc.jsonl"), "--format", "function-call", "--top-k", "0"});
    REQUIRE(fc.exit_code == 0);
    auto lines = read_lines(dir.file("fc.jsonl"));
    CHECK(lines.size() == static_cast<std::size_t>(tasks * samples));
    CHECK(lines[0].find("function_call") != std::string::npos);
  }
  {  // the replay agent repeats the recorded moves
    std::string replayed = dir.file("replayed.jsonl");
    CliResult r = run_cli({"run", "--agent", "replay:" + out, "--out", replayed, "-q"});
    INFO(r.output);
    REQUIRE(r.exit_code == 0);
    auto before = read_lines(out), after = read_lines(replayed);
    REQUIRE(before.size() == after.size());
    for (std::size_t i = 0; i < before.size(); ++i) {
      auto a = trajectory_from_record(*parse_json(before[i]));
      auto b = trajectory_from_record(*parse_json(after[i]));
      REQUIRE(a.turns.size() == b.turns.size());
      for (std::size_t k = 0; k < a.turns.size(); ++k) {
        CHECK(a.turns[k].action == b.turns[k].action);
        CHECK(a.turns[k].observation == b.turns[k].observation);
      }
      CHECK(a.total_reward() == b.total_reward());
    }
  }
}

TEST_CASE("cli: `rapport play --user llm` asks the user simulator through the client", "[cli]") {
  FakeServerOptions options;
  options.record_bodies = true;
  FakeOpenAiServer server([](const json::object&) { return FakeReply::text("{\"response\": \"I mean the red one.\"}"); },
                          options);
  CliResult r = run_cli({"play", "--env", "intention", "--json", "--user", "llm", "--user-model", "sim",
                         "--user-base-url", server.base_url()},
                        "[action] Which one do you mean?\n[finish]\n");
  INFO(r.output);
  CHECK(r.exit_code == 0);
  CHECK(server.requests() > 0);
  for (const auto& body : server.bodies()) CHECK(get_string(body, "model") == "sim");
  CliResult missing = run_cli({"play", "--env", "intention", "--user", "llm"});
  CHECK(missing.exit_code == 2);
  CHECK(missing.output.find("--user-model") != std::string::npos);
}

TEST_CASE("cli: bad options give clear errors", "[cli]") {
  CliResult r = run_cli({"run", "--agent", "llm", "-q"});
  CHECK(r.exit_code == 2);
  CHECK(r.output.find("--model") != std::string::npos);
  r = run_cli({"run", "--shard", "3/2", "-q"});
  CHECK(r.exit_code == 2);
  CHECK(r.output.find("--shard") != std::string::npos);
  r = run_cli({"run", "--turn-credit", "best", "-q"});
  CHECK(r.exit_code == 2);
  CHECK(r.output.find("equalized") != std::string::npos);
  r = run_cli({"run", "--resume", "-q"});
  CHECK(r.exit_code == 2);
  CHECK(r.output.find("--out") != std::string::npos);
}
