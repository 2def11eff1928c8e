// The real `rapport` binary against bad input and failing infrastructure: bounded and validated
// flags, files that are not files, outputs that must never replace devices, keys scrubbed from
// records, failed model calls kept out of results and run again by --resume, --resume under other
// settings, replaying a line `rapport run` wrote, and the oracles' sampling flags.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include "native/evaluation.h"
#include "native/files.h"
#include "native/http_client.h"
#include "native/trajectory_files.h"
#include "tests/native/fake_openai_server.h"
#include "tests/native/test_support.h"

using namespace rapport;
using namespace rapport::testing;

namespace {

bool says(const CliResult& r, const std::string& text) { return r.output.find(text) != std::string::npos; }

FakeReply function_policy(const json::object& body) {
  switch (fake::count_messages(body, "tool")) {
    case 0: return FakeReply::tool_call("search", "test");
    case 1: return FakeReply::tool_call("action", "1 2 3 4");
    case 2: return FakeReply::tool_call("answer", "0");
    default: return FakeReply::tool_call("finish", "");
  }
}

std::vector<std::string> llm_args(const std::string& base_url, const std::string& out, int tasks, int samples = 2) {
  return {"run", "--env", "function", "--agent", "llm", "--model", "fake-model", "--base-url", base_url, "--tasks",
          std::to_string(tasks), "--samples", std::to_string(samples), "--out", out, "-q", "--retries", "0", "--timeout", "5"};
}

}  // namespace

TEST_CASE("hardening: numeric flags are bounded and validated, every flag error exits 2", "[cli][hardening]") {
  const std::vector<std::vector<std::string>> bad = {
      {"run", "--episodes", "-5"},       {"run", "--tasks", "99999999999"}, {"run", "--tasks", "0"},
      {"run", "--tasks", "-1"},          {"run", "--samples", "-2"},        {"run", "--concurrency", "-1"},
      {"run", "--max-turns", "0"},       {"run", "--gamma", "nan"},         {"run", "--gamma", "1.5"},
      {"run", "--em-k", "nan"},          {"run", "--timeout", "nan"},       {"run", "--timeout", "-1"},
      {"run", "--top-p", "5"},           {"run", "--top-p", "0"},           {"run", "--temperature", "-0.5"},
      {"run", "--temperature", "nan"},   {"run", "--max-tokens", "-1"},     {"run", "--seed", "-1"},
      {"run", "--seed", "18446744073709551616"},                            {"run", "--rpm", "nan"},
      {"run", "--user-max-tokens", "0"}, {"run", "--judge-top-p", "2"},     {"run", "--user-response-format", "x"},
      {"run", "--retries", "-1"},        {"run", "--no-such-flag"},         {"run", "--episodes"},
      {"play", "--seed", "-1"},          {"export", "sft", "x.jsonl", "--out", "y.json", "--top-k", "-1"},
      {"nonsense"},
  };
  for (const auto& args : bad) {
    std::vector<std::string> full = args;
    full.push_back("-q");
    CliResult r = run_cli(full);
    INFO(fmt::format("{}\n{}", fmt::join(args, " "), r.output));
    CHECK(r.exit_code == 2);
  }
  // The largest seed is fine.
  TempDir dir;
  CliResult ok = run_cli({"run", "--episodes", "2", "--seed", "18446744073709551615", "--out", dir.file("a.jsonl"), "-q"});
  INFO(ok.output);
  CHECK(ok.exit_code == 0);
}

TEST_CASE("hardening: --data that is a folder, a device, empty or huge gets a clear message", "[cli][hardening]") {
  TempDir dir;
  CliResult folder = run_cli({"run", "--data", dir.path(), "-q"});
  CHECK(folder.exit_code == 2);
  CHECK(says(folder, "folder"));
  CliResult device = run_cli({"run", "--data", "/dev/zero", "-q"});
  CHECK(device.exit_code == 2);
  CHECK(says(device, "not a regular file"));
  write_text_file(dir.file("empty.json"), "[]");
  CliResult play = run_cli({"play", "--data", dir.file("empty.json")}, "[finish]\n");
  INFO(play.output);
  CHECK(play.exit_code == 2);
  CHECK(says(play, "holds no tasks"));
  CliResult run = run_cli({"run", "--data", dir.file("empty.json"), "-q"});
  CHECK(run.exit_code == 2);
  CHECK(says(run, "holds no tasks"));
  // A huge bad rule is not echoed in full.
  std::string rule(1 << 20, '(');
  write_text_file(dir.file("bad.json"), fmt::format(R"([{{"id": "f1", "rule": "{}", "test_case": [1, 2, 3, 4], "expected_result": 1}}])", rule));
  CliResult bad = run_cli({"run", "--data", dir.file("bad.json"), "-q"});
  CHECK(bad.exit_code == 2);
  CHECK(says(bad, "bytes)"));
  CHECK(bad.output.size() < 4000);
}

TEST_CASE("hardening: spec and file errors are precise; export of an empty file fails", "[cli][hardening]") {
  CliResult spec = run_cli({"run", "--env", "travel(tier=hard))", "-q"});
  CHECK(spec.exit_code == 2);
  CHECK(says(spec, "unexpected ')' at character 18"));
  TempDir dir;
  write_text_file(dir.file("empty.jsonl"), "");
  CliResult sft = run_cli({"export", "sft", dir.file("empty.jsonl"), "--out", dir.file("sft.json")});
  CHECK(sft.exit_code != 0);
  CHECK(says(sft, "no trajectories"));
  CHECK_FALSE(file_exists(dir.file("sft.json")));
  CliResult eval = run_cli({"eval", "/dev/null"});
  CHECK(eval.exit_code == 2);
}

TEST_CASE("hardening: --out --overwrite replaces only regular files", "[cli][hardening]") {
  TempDir dir;
  ::mkfifo(dir.file("fifo").c_str(), 0600);
  ::mkdir(dir.file("folder").c_str(), 0700);
  ::symlink("/dev/null", dir.file("link").c_str());
  for (const std::string& out : {std::string("/dev/null"), dir.file("fifo"), dir.file("folder"), dir.file("link")}) {
    CliResult r = run_cli({"run", "--episodes", "1", "--out", out, "--overwrite", "-q"});
    INFO(out << "\n" << r.output);
    CHECK(r.exit_code == 2);
  }
  struct stat st {};
  REQUIRE(::stat("/dev/null", &st) == 0);
  CHECK(S_ISCHR(st.st_mode));
  REQUIRE(::lstat(dir.file("fifo").c_str(), &st) == 0);
  CHECK(S_ISFIFO(st.st_mode));
  REQUIRE(::lstat(dir.file("link").c_str(), &st) == 0);
  CHECK(S_ISLNK(st.st_mode));
  CliResult sft = run_cli({"export", "sft", "/dev/null", "--out", "/dev/null"});
  CHECK(sft.exit_code == 2);
  // Nor does the cache open a device (SQLite would create /dev/null-journal beside it).
  CliResult cache = run_cli({"run", "--episodes", "1", "--cache", "/dev/null", "--out", dir.file("c.jsonl"), "-q"});
  CHECK(cache.exit_code == 2);
  CHECK_FALSE(file_exists("/dev/null-journal"));
  // A regular file is replaced.
  write_text_file(dir.file("old.jsonl"), "old\n");
  CliResult ok = run_cli({"run", "--episodes", "1", "--out", dir.file("old.jsonl"), "--overwrite", "-q"});
  CHECK(ok.exit_code == 0);
  CHECK(read_lines(dir.file("old.jsonl")).size() == 1);
}

TEST_CASE("hardening: every command that writes a file refuses devices, pipes and its own input, and fails without "
          "touching the old output",
          "[cli][hardening]") {
  TempDir dir;
  const std::string s = dir.file("s.jsonl");
  REQUIRE(run_cli({"run", "--episodes", "2", "--out", s, "-q"}).exit_code == 0);
  const std::string trajectories = read_file(s);
  ::mkfifo(dir.file("fifo").c_str(), 0600);
  ::symlink("/dev/null", dir.file("null").c_str());
  for (const std::string& out : {dir.file("fifo"), dir.file("null")}) {
    for (const std::vector<std::string>& args :
         {std::vector<std::string>{"index", "builtin", "-q", "--out", out}, {"merge", s, "--out", out},
          {"export", "rl", s, "--out", out}, {"export", "sft", s, "--out", out}, {"usersim", "export", s, "--out", out},
          {"usersim", "probes", "--out", out}}) {
      CliResult r = run_cli(args);
      INFO(args[0] << " " << args[1] << " --out " << out << "\n" << r.output);
      CHECK(r.exit_code == 2);
      CHECK(says(r, "only regular files are replaced"));
    }
  }
  struct stat st {};
  REQUIRE(::lstat(dir.file("fifo").c_str(), &st) == 0);
  CHECK(S_ISFIFO(st.st_mode));
  REQUIRE(::stat("/dev/null", &st) == 0);
  CHECK(S_ISCHR(st.st_mode));
  // A command never writes over what it reads.
  for (const std::vector<std::string>& args : {std::vector<std::string>{"export", "sft", s, "--out", s},
                                               {"export", "rl", s, "--out", s}, {"usersim", "export", s, "--out", s}}) {
    CliResult r = run_cli(args);
    INFO(args[0] << " " << args[1] << "\n" << r.output);
    CHECK(r.exit_code == 2);
    CHECK(says(r, "is also an input"));
    CHECK(read_file(s) == trajectories);
  }
  // A failed export leaves the old output as it was (scripted runs have no token ids to export).
  write_text_file(dir.file("rl.jsonl"), "an earlier export\n");
  CliResult rl = run_cli({"export", "rl", s, "--out", dir.file("rl.jsonl")});
  CHECK(rl.exit_code == 2);
  CHECK(says(rl, "not written"));
  CHECK(read_file(dir.file("rl.jsonl")) == "an earlier export\n");
  CHECK_FALSE(file_exists(dir.file("rl.jsonl.partial")));
}

TEST_CASE("hardening: eval counts each (task, sample) once, whatever files repeat it", "[cli][hardening]") {
  TempDir dir;
  const std::string s = dir.file("s.jsonl");
  REQUIRE(run_cli({"run", "--episodes", "6", "--samples", "2", "--out", s, "-q"}).exit_code == 0);
  CliResult once = run_cli({"eval", "--json", s});
  CliResult twice = run_cli({"eval", "--json", s, s});
  REQUIRE(once.exit_code == 0);
  REQUIRE(twice.exit_code == 0);
  json::object a = parse_json(once.output)->at("environments").at(0).as_object();
  json::object b = parse_json(twice.output)->at("environments").at(0).as_object();
  CHECK(a.at("episodes") == 6);
  CHECK(a.at("duplicates") == 0);
  CHECK(b.at("duplicates") == 6);
  b["duplicates"] = 0;
  CHECK(a == b);  // the same figures, k included
  CHECK(says(run_cli({"eval", s, s}), "6 records repeat a (task, sample) pair seen before"));
}

TEST_CASE("hardening: ill-formed UTF-8 typed into play is stored as U+FFFD, and every --json line is valid", "[cli][hardening]") {
  CliResult r = run_cli({"play", "--env", "function", "--json"}, "[action] caf\xe9 \xff\xfe 1 2 3 4\n[finish]\n");
  INFO(r.output);
  CHECK(r.exit_code == 0);
  int lines = 0;
  std::size_t at = 0;
  while (at < r.output.size()) {
    std::size_t nl = r.output.find('\n', at);
    std::string line = r.output.substr(at, nl - at);
    at = nl == std::string::npos ? r.output.size() : nl + 1;
    if (line.empty() || line[0] != '{') continue;
    ++lines;
    CHECK(parse_json(line));  // strict: ill-formed UTF-8 is not JSON
  }
  CHECK(lines >= 3);
  CHECK(says(r, "caf\xEF\xBF\xBD \xEF\xBF\xBD\xEF\xBF\xBD 1 2 3 4"));
}

TEST_CASE("hardening: only http and https base URLs", "[cli][hardening]") {
  for (const char* url : {"file:///etc/passwd#", "gopher://x/", "ftp://h/v1", "http://", "/v1"}) {
    CliResult r = run_cli({"run", "--agent", "llm", "--model", "m", "--base-url", url, "-q"});
    INFO(url << "\n" << r.output);
    CHECK(r.exit_code == 2);
    CHECK(says(r, "--base-url"));
  }
  CliResult user = run_cli({"run", "--env", "turtle", "--user", "llm", "--user-model", "m", "--user-base-url", "file:///x", "-q"});
  CHECK(user.exit_code == 2);
  CHECK(says(user, "--user-base-url"));
}

TEST_CASE("hardening: a dead model is no result: marked, kept out, exit 3, retried by --resume", "[cli][hardening]") {
  TempDir dir;
  const std::string out = dir.file("run.jsonl");
  // Nothing listens on this port.
  CliResult dead = run_cli(llm_args("http://127.0.0.1:1/v1", out, 3));
  INFO(dead.output);
  CHECK(dead.exit_code == 3);
  CHECK(says(dead, "--resume"));
  CHECK(read_lines(out).empty());
  auto failed = read_trajectories(out + ".failed");
  REQUIRE(failed.size() == 6);
  for (const auto& t : failed) CHECK(t.stop_reason == "infra_error");
  CHECK(read_file(out + ".failed").find("\"connection\":") != std::string::npos);
  // eval leaves them out.
  CliResult eval = run_cli({"eval", out + ".failed", "--json"});
  CHECK(eval.output.find("\"infra_excluded\":6") != std::string::npos);

  FakeOpenAiServer server(function_policy);
  CliResult resumed = run_cli([&] {
    auto a = llm_args(server.base_url(), out, 3);
    a.push_back("--resume");
    return a;
  }());
  INFO(resumed.output);
  CHECK(resumed.exit_code == 0);
  auto done = read_trajectories(out);
  REQUIRE(done.size() == 6);
  for (const auto& t : done) {
    CHECK(t.stop_reason != "infra_error");
    CHECK(t.shaping);
  }
  CHECK_FALSE(file_exists(out + ".failed"));
  CHECK_FALSE(file_exists(out + ".pending"));
}

TEST_CASE("hardening: a cache miss in read mode is a classified failure", "[cli][hardening]") {
  TempDir dir;
  FakeOpenAiServer server(function_policy);
  auto write = llm_args(server.base_url(), dir.file("a.jsonl"), 1);
  for (const char* a : {"--cache", "", "--cache-mode", "write"}) write.push_back(a);
  write[write.size() - 3] = dir.file("cache.sqlite");
  REQUIRE(run_cli(write).exit_code == 0);
  auto read = llm_args(server.base_url(), dir.file("b.jsonl"), 2);
  for (const char* a : {"--cache", "", "--cache-mode", "read"}) read.push_back(a);
  read[read.size() - 3] = dir.file("cache.sqlite");
  CliResult r = run_cli(read);
  INFO(r.output);
  CHECK(r.exit_code == 3);
  CHECK(read_lines(dir.file("b.jsonl")).size() == 2);  // the first task came from the cache
  CHECK(read_file(dir.file("b.jsonl.failed")).find("\"cache_miss\":1") != std::string::npos);
}

TEST_CASE("hardening: a policy call that failed and a reply without a tool call stop differently", "[cli][hardening]") {
  TempDir dir;
  FakeOpenAiServer server([](const json::object&) { return FakeReply::text("I would rather chat."); });
  CliResult r = run_cli(llm_args(server.base_url(), dir.file("a.jsonl"), 1));
  CHECK(r.exit_code == 0);
  for (const auto& t : read_trajectories(dir.file("a.jsonl"))) CHECK(t.stop_reason == "agent_stopped");
  // --on-no-tool-call observe: the model sees why and goes on.
  auto args = llm_args(server.base_url(), dir.file("b.jsonl"), 1);
  for (const char* a : {"--on-no-tool-call", "observe", "--max-turns", "3"}) args.push_back(a);
  CliResult observe = run_cli(args);
  CHECK(observe.exit_code == 0);
  for (const auto& t : read_trajectories(dir.file("b.jsonl"))) {
    CHECK(t.stop_reason == "max_turns");
    CHECK(t.turns.size() == 3);
    CHECK(t.format_errors() == 3);
  }
}

TEST_CASE("hardening: API keys are scrubbed from everything recorded", "[cli][hardening]") {
  const std::string key = "sk-test-very-secret-4242";
  FakeOpenAiServer server([&](const json::object&) {
    return FakeReply::error(502, "bad gateway; you sent Authorization: Bearer " + key);
  });
  TempDir dir;
  auto args = llm_args(server.base_url(), dir.file("a.jsonl"), 1);
  args.push_back("--api-key");
  args.push_back(key);
  CliResult r = run_cli(args);
  CHECK(r.exit_code == 3);
  std::string failed = read_file(dir.file("a.jsonl.failed"));
  CHECK(failed.find("bad gateway") != std::string::npos);
  CHECK(failed.find("[redacted]") != std::string::npos);
  CHECK(failed.find(key) == std::string::npos);
  CHECK(r.output.find(key) == std::string::npos);
}

TEST_CASE("hardening: --resume refuses other settings and drops duplicate lines", "[cli][hardening]") {
  TempDir dir;
  const std::string out = dir.file("a.jsonl");
  REQUIRE(run_cli({"run", "--episodes", "6", "--samples", "2", "--out", out, "-q"}).exit_code == 0);
  CliResult other = run_cli({"run", "--episodes", "6", "--samples", "2", "--out", out, "--resume", "--turn-credit", "r2g", "-q"});
  INFO(other.output);
  CHECK(other.exit_code == 2);
  CHECK(says(other, "turn_credit"));
  CliResult seed = run_cli({"run", "--episodes", "6", "--samples", "2", "--out", out, "--resume", "--seed", "9", "-q"});
  CHECK(seed.exit_code == 2);
  CHECK(says(seed, "seed"));
  // Without the header, the records themselves still tell the shaping apart.
  ::unlink((out + ".run.json").c_str());
  CliResult records = run_cli({"run", "--episodes", "6", "--samples", "2", "--out", out, "--resume", "--trajectory-score", "sum", "-q"});
  CHECK(records.exit_code == 2);
  CHECK(says(records, "shaping"));
  // Duplicates are dropped.
  auto lines = read_lines(out);
  REQUIRE(lines.size() == 6);
  std::string text = read_file(out) + lines[0] + "\n" + lines[3] + "\n";
  write_text_file(out, text);
  CliResult again = run_cli({"run", "--episodes", "6", "--samples", "2", "--out", out, "--resume", "-q"});
  INFO(again.output);
  CHECK(again.exit_code == 0);
  CHECK(read_lines(out) == lines);
}

TEST_CASE("hardening: `rapport replay` of a line `rapport run` wrote reproduces it", "[cli][hardening]") {
  TempDir dir;
  FakeOpenAiServer server(function_policy);
  for (bool llm : {false, true}) {
    const std::string out = dir.file(llm ? "llm.jsonl" : "scripted.jsonl");
    std::vector<std::string> args = llm ? llm_args(server.base_url(), out, 1, 1)
                                        : std::vector<std::string>{"run", "--episodes", "1", "--out", out, "-q"};
    REQUIRE(run_cli(args).exit_code == 0);
    REQUIRE(read_lines(out).size() == 1);
    CliResult r = run_cli({"replay", out});
    INFO(r.output);
    CHECK(r.exit_code == 0);
    CHECK(says(r, "byte-identical"));
  }
}

TEST_CASE("hardening: the user and judge roles take sampling flags and structured outputs", "[cli][hardening]") {
  FakeServerOptions options;
  options.record_bodies = true;
  FakeOpenAiServer server([](const json::object& body) {
    std::string system = body.at("messages").as_array().front().as_object().at("content").as_string().c_str();
    if (system.find("alignment_judgement") != std::string::npos) {
      // The aspect the scripted agent searches for: "flights from ...", "rental cars in ...".
      std::string user = body.at("messages").as_array().at(1).as_object().at("content").as_string().c_str();
      std::string query = user.substr(user.find("Search request:\n") + 16);
      std::string aspect = query.substr(0, query.find(' '));
      if (aspect == "rental") aspect = "rental car";
      else if (!aspect.empty() && aspect.back() == 's') aspect.pop_back();
      return FakeReply::text(R"({"alignment_judgement": "True", "alignment_aspect": ")" + aspect + R"("})");
    }
    if (system.find("preference_id") != std::string::npos)
      return FakeReply::text(R"({"type": "1", "preference_id": "", "note": "chat"})");
    return FakeReply::text(R"({"response": "Sounds good."})");
  }, options);
  TempDir dir;
  const std::string out = dir.file("a.jsonl");
  CliResult r = run_cli({"run", "--env", "travel", "--episodes", "1", "--max-turns", "12", "--user", "llm", "--user-model", "sim",
                         "--user-base-url", server.base_url(), "--user-max-tokens", "64", "--user-temperature", "0.5",
                         "--judge-max-tokens", "32", "--out", out, "-q"});
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  bool judge = false, user = false;
  for (const auto& body : server.bodies()) {
    const std::int64_t max_tokens = body.at("max_tokens").to_number<std::int64_t>();
    CHECK((max_tokens == 64 || max_tokens == 32));
    judge = judge || max_tokens == 32;
    user = user || max_tokens == 64;
    if (max_tokens == 64) CHECK(body.at("temperature").to_number<double>() == 0.5);
    // A server on a loopback address gets the JSON schema (auto).
    REQUIRE(body.contains("response_format"));
    CHECK(body.at("response_format").at("type").as_string() == "json_schema");
  }
  CHECK(judge);
  CHECK(user);
  // The record carries what was sent, and a replay reproduces it.
  CliResult replay = run_cli({"replay", out});
  INFO(replay.output);
  CHECK(replay.exit_code == 0);
  // off: no schema.
  std::size_t before = server.bodies().size();
  CliResult off = run_cli({"run", "--env", "travel", "--episodes", "1", "--max-turns", "4", "--user", "llm", "--user-model", "sim",
                           "--user-base-url", server.base_url(), "--user-response-format", "off", "--out", dir.file("b.jsonl"), "-q"});
  REQUIRE(off.exit_code == 0);
  auto bodies = server.bodies();
  REQUIRE(bodies.size() > before);
  for (std::size_t i = before; i < bodies.size(); ++i) CHECK_FALSE(bodies[i].contains("response_format"));
}

TEST_CASE("hardening: response bodies are size-limited", "[http][hardening]") {
  FakeOpenAiServer server([](const json::object&) { return FakeReply::text(std::string(100000, 'x')); });
  HttpClient client;
  Endpoint e = fake_endpoint(server, "policy");
  e.max_body_bytes = 10000;
  int id = client.add_endpoint(e);
  LlmRequest request;
  request.messages.push_back(ChatMessage{"user", "hi", "", {}, ""});
  CallReport report;
  LlmResponse response = client.complete(id, request, &report);
  CHECK_FALSE(response.ok);
  CHECK(response.error.find("body_too_large") != std::string::npos);
  CHECK(report.failures[static_cast<std::size_t>(FailureKind::BodyTooLarge)] == 1);
  CHECK(report.attempts == 1);
}

TEST_CASE("hardening: eval reports TravelGym micro_avg/micro_max as UserRL defines them", "[eval][hardening]") {
  auto episode = [](const std::string& env, int sample, std::vector<double> rewards) {
    Trajectory t;
    t.env = env;
    t.task_id = t.group = "t1";
    t.sample = sample;
    t.stop_reason = "terminated";
    for (double r : rewards) {
      Turn turn;
      turn.reward = r;
      t.turns.push_back(turn);
    }
    return t;
  };
  Evaluator e;
  e.add(episode("travel", 0, {0.2, 1.0, 0.0, 0.0}));  // sum 1.2
  e.add(episode("travel", 1, {0.2, 0.8}));            // the last sample: mean 0.5, max 0.8; sum 1.0
  e.add(episode("function", 0, {0.0, 1.0}));
  Trajectory failed = episode("function", 1, {0.0});
  failed.stop_reason = "infra_error";
  e.add(failed);
  auto results = e.results();
  REQUIRE(results.size() == 2);
  const EnvEvaluation& function = results[0];
  const EnvEvaluation& travel = results[1];
  CHECK(travel.micro_avg == Approx(0.5));
  CHECK(travel.micro_max == Approx(0.8));
  CHECK(travel.reward_avg == Approx(1.1));
  CHECK(travel.reward_max == Approx(1.2));
  CHECK(function.micro_avg == Approx(1.0));
  CHECK(function.episodes == 1);
  CHECK(function.infra_excluded == 1);
}
