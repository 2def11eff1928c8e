// The rollout runner end to end against the fake server: an LLM agent and an LLM user complete
// GRPO groups; the file validates and its advantages are the core's shaping; tool-call variants;
// a fault mix loses and duplicates nothing; cache replay makes no request and gives the same
// bytes; resume after a crash and sharding give exactly one trajectory per (task, sample).
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <atomic>
#include <fstream>
#include <set>

#include "core/action.h"
#include "core/registry.h"
#include "native/evaluation.h"
#include "native/scheduler.h"
#include "native/trajectory_files.h"
#include "tests/native/fake_openai_server.h"
#include "tests/native/test_support.h"

using namespace rapport;
using rapport::testing::read_file;
using rapport::testing::read_lines;
using rapport::testing::TempDir;
using rapport::testing::llm_batch;
using rapport::testing::read_trajectories;

namespace {

// ---- A test-only environment with a simulated user ---------------------------------------------
// The agent must find out the user's favourite colour: [action] asks the user (an LLM call with
// --user llm), [answer] checks it (1.0 and the end when right), [finish] gives up.

class ColourEpisode : public Episode {
 public:
  ColourEpisode(std::string colour, OracleKind oracle) : Episode(6), colour_(std::move(colour)), oracle_(oracle) {}
  std::string system_prompt() const override { return "Find out the user's favourite colour, then answer it."; }
  std::string opening() const override { return "Guess my favourite colour!"; }
  json::object metrics() const override { return {{"success", solved_}, {"score", solved_ ? 1.0 : 0.0}, {"questions", asked_}}; }

 protected:
  Flow<StepResult> on_step(std::string_view action) override {
    BracketAction a = parse_bracket_action(action);
    if (a.choice == Choice::Finish) return StepResult{"Bye.", 0.0, true};
    if (a.choice == Choice::Answer) {
      solved_ = a.payload == colour_;
      return StepResult{solved_ ? "Yes, that's it!" : "No.", solved_ ? 1.0 : 0.0, solved_};
    }
    if (a.choice != Choice::Action) return StepResult{"Use action, answer or finish.", 0.0, false, false, true};
    ++asked_;
    Ask<std::string> question = Ask<std::string>::now("My favourite colour is " + colour_ + ".");
    if (oracle_ == OracleKind::Llm) {
      LlmRequest r;
      r.role = LlmRole::User;
      r.purpose = "user_reply";
      r.messages = {{"system", "You are a user. Your favourite colour is " + colour_ + "."}, {"user", a.payload}};
      question = Ask<std::string>::llm(std::move(r), [](const LlmResponse& response) {
        return response.ok ? response.message.content : std::string("Sorry?");
      });
    }
    return ask(std::move(question), [](std::string reply) -> Flow<StepResult> { return StepResult{reply, 0.0}; });
  }

 private:
  std::string colour_;
  OracleKind oracle_;
  bool solved_ = false;
  int asked_ = 0;
};

class ColourGame : public Game {
 public:
  explicit ColourGame(Params p) : Game(std::move(p), "1") {}
  Task task(std::uint64_t seed, std::uint64_t index) const override {
    static const char* colours[] = {"blue", "green", "red", "violet"};
    return Task{fmt::format("colour-{}-{}", seed, index), json::object{{"colour", colours[(seed + index) % 4]}}};
  }
  std::unique_ptr<Episode> new_episode(const Task& task, const EpisodeOptions& o) const override {
    return std::make_unique<ColourEpisode>(get_string(task.data.get_object(), "colour"), o.oracle);
  }
  std::unique_ptr<Agent> scripted_agent(std::uint64_t) const override { return nullptr; }
};

EnvInfo colour_info() {
  return EnvInfo{"e2e_colour", "ColourTest", "test-only: learn the user's favourite colour", "1", {},
                 [](Params p) { return std::make_unique<ColourGame>(std::move(p)); }};
}
RAPPORT_REGISTER_ENV(colour_info);

// The policy asks once, then answers what the user said, except for one seed in three, which
// answers wrong and then gives up: groups mix successes and failures. The user simulator reads its
// colour from its system prompt.
FakeReply colour_responder(const json::object& body) {
  if (!fake::has_tools(body)) {
    std::string system = fake::system_prompt(body);
    std::string colour = system.substr(system.rfind(' ') + 1);
    colour.pop_back();  // the full stop
    return FakeReply::text("My favourite colour is " + colour + ".");
  }
  int seen = fake::count_messages(body, "tool");
  if (seen == 0) return FakeReply::tool_call("action", "What is your favourite colour?");
  std::string last = fake::last_content(body, "tool");
  if (last == "No.") return FakeReply::tool_call("finish", "");
  std::string colour = last.substr(last.rfind(' ') + 1);
  if (!colour.empty() && colour.back() == '.') colour.pop_back();
  if (get_int(body, "seed") % 3 == 0) colour = "grey";
  return FakeReply::tool_call("answer", colour);
}

RunOptions llm_options(const FakeOpenAiServer& server, std::string env, std::size_t tasks, int samples) {
  RunOptions o = llm_batch(server, std::move(env), tasks, 7, samples, "");
  o.concurrency = 32;
  o.agent_options.sampling.temperature = 1.0;
  return o;
}

std::vector<Trajectory> load(const std::string& path) {
  std::vector<Trajectory> out;
  for_each_trajectory(path, [&](const Trajectory& t, const json::object&) { out.push_back(t); });
  return out;
}

// Every (task, sample) exactly once, in task order then sample order.
void check_complete_and_ordered(const std::vector<Trajectory>& ts, std::size_t tasks, int samples) {
  REQUIRE(ts.size() == tasks * static_cast<std::size_t>(samples));
  std::set<std::pair<std::string, int>> seen;
  for (std::size_t i = 0; i < ts.size(); ++i) {
    CHECK(ts[i].sample == static_cast<int>(i % static_cast<std::size_t>(samples)));
    CHECK(seen.insert({ts[i].group, ts[i].sample}).second);
    if (i % samples != 0) CHECK(ts[i].group == ts[i - 1].group);
  }
}

// The file's lines without their call statistics (which differ when faults are injected).
std::vector<std::string> lines_without_calls(const std::string& path) {
  std::vector<std::string> out;
  for (const auto& line : read_lines(path)) {
    auto v = parse_json(line);
    REQUIRE(v);
    v->get_object().erase("llm_calls");
    out.push_back(to_json(*v));
  }
  return out;
}

}  // namespace

TEST_CASE("runner: LLM agent and LLM user complete a batch whose advantages are the core's shaping", "[runner]") {
  FakeOpenAiServer server(colour_responder, FakeServerOptions{0.005});
  for (const char* methods : {"equalized/mean", "r2g/r2g", "em(3)/sum"}) {
    INFO(methods);
    TempDir dir;
    RunOptions o = llm_options(server, "e2e_colour", 8, 4);
    o.out = dir.file("out.jsonl");
    std::string m = methods;
    REQUIRE(parse_turn_credit(m.substr(0, m.find('/')), o.shaping));
    REQUIRE(parse_trajectory_score(m.substr(m.find('/') + 1), o.shaping));
    RunResult r = run_batch(o, nullptr);
    CHECK(r.counters.episodes_done == 32);
    CHECK(r.counters.failed_calls == 0);
    CHECK_FALSE(testing::file_exists(o.out + ".pending"));

    auto ts = load(o.out);
    check_complete_and_ordered(ts, 8, 4);
    ShapingVerifier verifier;
    int successes = 0;
    std::set<double> advantages;
    for (const auto& t : ts) {
      verifier.add(t);
      REQUIRE(t.shaping);
      advantages.insert(t.shaping->advantage);
      successes += get_bool(t.metrics, "success") ? 1 : 0;
      CHECK(t.agent == "llm:fake-model");
      CHECK(t.oracle == "llm");
      REQUIRE_FALSE(t.turns.empty());
      CHECK(t.turns[0].env_calls.size() == 1);  // the user simulator answered the question
    }
    auto report = verifier.verify();
    CHECK(report.groups == 8);
    CHECK(report.mismatch_count == 0);
    CHECK(successes > 0);
    CHECK(successes < 32);
    CHECK(advantages.size() > 1);  // groups with both outcomes get nonzero advantages

    Evaluator e;
    for (const auto& t : ts) e.add(t);
    auto results = e.results();
    REQUIRE(results.size() == 1);
    CHECK(results[0].tasks == 8);
    CHECK(results[0].k_min == 4);
    CHECK(results[0].success == Approx(successes / 32.0));
    CHECK(results[0].metrics.at("questions") == Approx(1.0));
  }
}

TEST_CASE("runner: tool calls in every form, and a turn without one", "[runner]") {
  // The variant follows the episode's sampling seed, which the trajectory records.
  auto responder = [](const json::object& body) {
    int variant = static_cast<int>(get_int(body, "seed") % 5);
    int seen = fake::count_messages(body, "tool");
    std::string choice = seen == 0 ? "search" : "finish";
    std::string content = seen == 0 ? "test" : "";
    switch (variant) {
      case 0: return FakeReply::tool_call(choice, content);
      case 1: return FakeReply::hermes(choice, content);
      case 2: {
        FakeReply r;
        r.raw_body = to_json(json::object{
            {"choices", json::array{json::object{
                            {"message", json::object{{"role", "assistant"},
                                                     {"content", nullptr},
                                                     {"tool_calls", json::array{json::object{
                                                                        {"id", "c"},
                                                                        {"type", "function"},
                                                                        {"function", json::object{{"name", "interact_with_env"},
                                                                                                  {"arguments", json::object{{"choice", choice}, {"content", content}}}}}}}}}},
                            {"finish_reason", "tool_calls"}}}},
            {"usage", json::object{{"prompt_tokens", 10}, {"completion_tokens", 3}}}});
        return r;
      }
      case 3: {
        FakeReply r = FakeReply::hermes(choice, content);
        r.content = "<think>The test case comes first.</think>" + r.content;
        return r;
      }
      default: return FakeReply::text("I would rather chat.");
    }
  };
  FakeOpenAiServer server(responder);
  RunOptions o = llm_options(server, "function", 30, 1);
  o.user = OracleKind::Scripted;
  o.endpoints.user.reset();
  TempDir dir;
  o.out = dir.file("out.jsonl");
  RunResult r = run_batch(o, nullptr);
  auto ts = load(o.out);
  REQUIRE(ts.size() == 30);
  std::set<int> variants;
  for (const auto& t : ts) {
    int variant = static_cast<int>(t.seed % 5);
    variants.insert(variant);
    INFO("variant " << variant);
    if (variant == 4) {
      CHECK(t.stop_reason == "agent_stopped");
      CHECK(t.format_errors() == 1);
      CHECK(t.turns.size() == 1);
    } else {
      REQUIRE(t.turns.size() == 2);
      CHECK(t.turns[0].action == "[search] test");
      CHECK(t.turns[0].observation.rfind("Test case: [", 0) == 0);
      CHECK(t.turns[1].action == "[finish]");
      CHECK(t.stop_reason == "terminated");
      CHECK(t.format_errors() == 0);
      if (variant == 3) CHECK(t.turns[0].reasoning == "The test case comes first.");
    }
  }
  CHECK(variants.size() == 5);
  CHECK(r.totals.episodes_with_format_errors == static_cast<std::int64_t>(std::count_if(
                                                    ts.begin(), ts.end(), [](const Trajectory& t) { return t.seed % 5 == 4; })));
}

TEST_CASE("runner: a fault mix loses and duplicates nothing", "[runner]") {
  TempDir dir;
  std::string clean_path = dir.file("clean.jsonl"), faulty_path = dir.file("faulty.jsonl");
  {
    FakeOpenAiServer server(colour_responder);
    RunOptions o = llm_options(server, "e2e_colour", 50, 4);
    o.out = clean_path;
    run_batch(o, nullptr);
  }
  FakeServerOptions faults;
  faults.latency_s = 0.002;
  faults.http500_rate = 0.05;
  faults.hang_rate = 0.02;
  faults.truncate_rate = 0.01;
  faults.seed = 99;
  FakeOpenAiServer server(colour_responder, faults);
  RunOptions o = llm_options(server, "e2e_colour", 50, 4);
  o.endpoints.policy->timeout_s = 0.3;
  o.endpoints.user->timeout_s = 0.3;
  o.concurrency = 64;
  o.out = faulty_path;
  RunResult r = run_batch(o, nullptr);
  CHECK(server.faults() > 10);
  CHECK(r.counters.retries >= server.faults());
  CHECK(r.counters.failed_calls == 0);
  check_complete_and_ordered(load(faulty_path), 50, 4);
  // Apart from the call statistics, the file is the fault-free one.
  CHECK(lines_without_calls(faulty_path) == lines_without_calls(clean_path));
  // Every injected fault is accounted for in some trajectory's llm_calls.
  std::int64_t counted = 0;
  std::set<std::string> kinds;
  for (const auto& line : read_lines(faulty_path)) {
    json::value record = *parse_json(line);
    const auto& calls = record.get_object().at("llm_calls").get_object();
    counted += get_int(calls, "retries");
    for (const auto& [kind, n] : calls.at("failures").get_object()) kinds.insert(std::string(kind));
  }
  CHECK(counted == r.counters.retries);
  CHECK(kinds.count("server_error"));
  CHECK(kinds.count("timeout"));
}

TEST_CASE("runner: a rerun from the cache makes no request and writes the same bytes", "[runner][cache]") {
  TempDir dir;
  FakeOpenAiServer server(colour_responder);
  RunOptions o = llm_options(server, "e2e_colour", 6, 3);
  o.cache_path = dir.file("cache.sqlite");
  o.cache_mode = CacheMode::ReadWrite;
  o.out = dir.file("first.jsonl");
  RunResult first = run_batch(o, nullptr);
  const auto requests = server.requests();
  CHECK(requests > 0);
  CHECK(first.cache_stored == requests);

  o.cache_mode = CacheMode::Read;
  o.out = dir.file("again.jsonl");
  RunResult again = run_batch(o, nullptr);
  CHECK(server.requests() == requests);
  CHECK(again.counters.cached == again.counters.calls);
  CHECK(again.cache_misses == 0);
  CHECK(read_file(dir.file("again.jsonl")) == read_file(dir.file("first.jsonl")));

  // A changed policy temperature is a different request: read mode reports the miss, no request.
  o.agent_options.sampling.temperature = 0.5;
  o.out = dir.file("miss.jsonl");
  RunResult miss = run_batch(o, nullptr);
  CHECK(server.requests() == requests);
  CHECK(miss.cache_misses > 0);
  CHECK(miss.totals.episodes_with_failed_calls == 18);
}

TEST_CASE("runner: resume after a crash takes finished work from the file and the pending file", "[runner]") {
  TempDir dir;
  FakeOpenAiServer server(colour_responder);
  RunOptions o = llm_options(server, "e2e_colour", 10, 3);
  o.out = dir.file("full.jsonl");
  run_batch(o, nullptr);
  std::string full = read_file(o.out);
  auto lines = read_lines(o.out);
  REQUIRE(lines.size() == 30);

  // The state a kill leaves: four groups and one sample of the fifth written, the next line torn;
  // the pending file holds finished trajectories of the fifth and sixth groups (unshaped).
  std::string crashed = dir.file("crashed.jsonl");
  {
    std::ofstream out(crashed, std::ios::binary);
    for (int i = 0; i < 13; ++i) out << lines[i] << "\n";
    out << lines[13].substr(0, 40);
    std::ofstream pending(crashed + ".pending", std::ios::binary);
    for (int i : {12, 13, 14, 16}) {
      auto v = parse_json(lines[i]);
      v->get_object().erase("shaping");
      pending << to_json(*v) << "\n";
    }
    pending << "{\"torn";
  }
  const auto before = server.requests();
  o.out = crashed;
  o.resume = true;
  RunResult r = run_batch(o, nullptr);
  CHECK(r.counters.episodes_resumed == 16);
  CHECK(r.counters.episodes_done == 30);
  CHECK(read_file(crashed) == full);
  CHECK_FALSE(testing::file_exists(crashed + ".pending"));
  // 14 episodes were run again, none of the 16 finished ones.
  CHECK(r.counters.episodes_done - r.counters.episodes_resumed == 14);
  CHECK(server.requests() > before);

  // Resuming a finished file is a no-op; a different run is refused.
  run_batch(o, nullptr);
  CHECK(read_file(crashed) == full);
  o.samples = 2;
  CHECK_THROWS_AS(run_batch(o, nullptr), ConfigError);
  o.samples = 3;
  o.resume = false;
  CHECK_THROWS_AS(run_batch(o, nullptr), ConfigError);  // exists: needs --resume or --overwrite
}

TEST_CASE("runner: shards split the tasks and together make the whole", "[runner]") {
  TempDir dir;
  FakeOpenAiServer server(colour_responder);
  RunOptions o = llm_options(server, "e2e_colour", 9, 2);
  o.out = dir.file("all.jsonl");
  run_batch(o, nullptr);
  std::multiset<std::string> whole;
  for (const auto& l : read_lines(o.out)) whole.insert(l);
  std::multiset<std::string> parts;
  for (int i = 0; i < 3; ++i) {
    o.shard_index = i;
    o.shard_count = 3;
    o.out = dir.file(fmt::format("shard{}.jsonl", i));
    run_batch(o, nullptr);
    auto lines = read_lines(o.out);
    CHECK(lines.size() == 6);
    parts.insert(lines.begin(), lines.end());
  }
  CHECK(parts == whole);
  CHECK(parse_shard("2/3") == std::make_pair(2, 3));
  CHECK_THROWS_AS(parse_shard("3/3"), ConfigError);
  CHECK_THROWS_AS(parse_shard("1-3"), ConfigError);
}

TEST_CASE("runner: configuration errors are clear", "[runner]") {
  RunOptions o;
  o.agent = "llm";
  o.progress = ProgressMode::Off;
  CHECK_THROWS_WITH(run_batch(o, nullptr), Catch::Contains("--model"));
  o.agent = "scripted";
  o.user = OracleKind::Llm;
  CHECK_THROWS_WITH(run_batch(o, nullptr), Catch::Contains("--user-model"));
  o.user = OracleKind::Scripted;
  o.agent = "robot";
  CHECK_THROWS_WITH(run_batch(o, nullptr), Catch::Contains("scripted, llm or replay:FILE"));
  o.agent = "scripted";
  o.cache_mode = CacheMode::Read;
  o.cache_path = "/nonexistent/cache.sqlite";
  CHECK_THROWS_WITH(run_batch(o, nullptr), Catch::Contains("does not exist"));
}
