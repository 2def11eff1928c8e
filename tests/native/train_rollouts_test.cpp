// Rollouts a trainer can learn from: `rapport run --record-tokens` against the fake server in
// vLLM's token mode, then `rapport export rl` (ids as sent, masks and advantages recomputed here);
// several replicas with one failing mid-run; `rapport merge` of a 4-shard run (with caches, and
// after a shard was killed and resumed) equal to the unsharded run byte for byte.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <functional>
#include <map>

#include "native/cuda/shaping_cuda.h"
#include "native/files.h"
#include "native/scheduler.h"
#include "native/trajectory_files.h"
#include "tests/native/fake_openai_server.h"
#include "tests/native/test_support.h"

using namespace rapport;
using namespace rapport::testing;

namespace {

// A FunctionGym policy with structured calls only: looks up the test case, probes, answers, finishes.
FakeReply policy(const json::object& body) {
  switch (fake::count_messages(body, "tool")) {
    case 0: return FakeReply::tool_call("search", "test");
    case 1: return FakeReply::tool_call("action", "1 2 3 4");
    case 2: return FakeReply::tool_call("answer", "0");
    default: return FakeReply::tool_call("finish", "");
  }
}

std::vector<std::string> run_args(const std::string& base_url, const std::string& out, int tasks, int samples) {
  return {"run",       "--env",      "function", "--agent",     "llm",        "--model", "fake-model",
          "--base-url", base_url,    "--tasks",  std::to_string(tasks),      "--samples", std::to_string(samples),
          "--concurrency", "8",      "--out",    out,           "--progress", "off",     "--retries", "4"};
}

std::vector<std::int64_t> ints(const json::value& v) {
  std::vector<std::int64_t> out;
  for (const auto& x : v.as_array()) out.push_back(x.as_int64());
  return out;
}

std::vector<double> doubles(const json::value& v) {
  std::vector<double> out;
  for (const auto& x : v.as_array()) out.push_back(x.to_number<double>());
  return out;
}

std::vector<json::object> json_lines(const std::string& path) {
  std::vector<json::object> out;
  for (const auto& line : read_lines(path)) {
    auto v = parse_json(line);
    REQUIRE(v);
    out.push_back(v->get_object());
  }
  return out;
}

double round4(double x) { return std::round(x * 1e4) / 1e4; }

}  // namespace

TEST_CASE("rl: run --record-tokens then export rl gives the server's ids, policy-only masks and A = c·z·N/E", "[rl]") {
  FakeServerOptions options;
  options.record_bodies = true;
  FakeOpenAiServer server(policy, options);
  TempDir dir;
  const int tasks = 3, samples = 4;
  auto args = run_args(server.base_url(), dir.file("t.jsonl"), tasks, samples);
  for (std::string a : {"--record-tokens", "--turn-credit", "em"}) args.push_back(a);
  CliResult run = run_cli(args);
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  CHECK(run.output.find("warning") == std::string::npos);

  // The ids in the trajectories are exactly those the server sent.
  auto trajectories = read_trajectories(dir.file("t.jsonl"));
  REQUIRE(trajectories.size() == static_cast<std::size_t>(tasks * samples));
  std::vector<std::vector<std::int64_t>> recorded;
  for (const auto& t : trajectories)
    for (const auto& turn : t.turns)
      for (const auto& call : turn.agent_calls) recorded.push_back(call.response.completion_token_ids);
  CHECK(run.output.find(fmt::format("token records: {0} of {0} policy completions", recorded.size())) != std::string::npos);
  auto sent = server.sent_token_ids();
  std::sort(recorded.begin(), recorded.end());
  std::sort(sent.begin(), sent.end());
  CHECK(recorded == sent);

  // Per turn: one record per policy call, whose completion is what the server sent.
  CliResult per_turn = run_cli({"export", "rl", dir.file("t.jsonl"), "--per-turn", "--out", dir.file("turns.jsonl")});
  INFO(per_turn.output);
  REQUIRE(per_turn.exit_code == 0);
  std::vector<std::vector<std::int64_t>> exported;
  for (const auto& r : json_lines(dir.file("turns.jsonl"))) {
    exported.push_back(ints(r.at("completion_ids")));
    for (auto m : ints(r.at("loss_mask"))) CHECK(m == 1);
  }
  std::sort(exported.begin(), exported.end());
  CHECK(exported == sent);

  // Whole trajectories: recompute the sequence and the mask from the request bodies the server got
  // (grouped by the episode's sampling seed), and the advantages from rewards and token counts.
  std::map<std::int64_t, std::vector<json::object>> bodies_by_seed;
  for (const auto& b : server.bodies()) bodies_by_seed[get_int(b, "seed")].push_back(b);
  for (auto& [seed, bodies] : bodies_by_seed)
    std::sort(bodies.begin(), bodies.end(), [](const json::object& a, const json::object& b) {
      return a.at("messages").as_array().size() < b.at("messages").as_array().size();
    });
  std::map<std::pair<std::string, int>, const Trajectory*> by_key;
  for (const auto& t : trajectories) by_key[{t.group, t.sample}] = &t;

  CliResult whole = run_cli({"export", "rl", dir.file("t.jsonl"), "--out", dir.file("rl.jsonl")});
  INFO(whole.output);
  REQUIRE(whole.exit_code == 0);
  auto records = json_lines(dir.file("rl.jsonl"));
  REQUIRE(records.size() == trajectories.size());

  std::map<std::string, std::vector<const json::object*>> groups;
  for (const auto& r : records) groups[get_string(r, "uid")].push_back(&r);
  REQUIRE(groups.size() == static_cast<std::size_t>(tasks));
  const double e2 = 1 - std::exp(-2.0);
  for (const auto& [uid, members] : groups) {
    // The group's scores S = round(mean r, 4) and z.
    std::vector<double> scores;
    for (const auto* r : members) {
      auto rewards = doubles(r->at("turn_rewards"));
      double sum = 0;
      for (double x : rewards) sum += x;
      scores.push_back(round4(sum / static_cast<double>(rewards.size())));
    }
    double mean = 0;
    for (double s : scores) mean += s;
    mean /= static_cast<double>(scores.size());
    double var = 0;
    for (double s : scores) var += (s - mean) * (s - mean);
    const double sd = std::sqrt(var / static_cast<double>(scores.size() - 1));
    const bool flat = std::all_of(scores.begin(), scores.end(), [&](double s) { return s == scores[0]; });

    for (std::size_t i = 0; i < members.size(); ++i) {
      const json::object& r = *members[i];
      const Trajectory& t = *by_key.at({uid, static_cast<int>(get_int(r, "sample"))});
      const auto& bodies = bodies_by_seed.at(static_cast<std::int64_t>(t.seed));
      REQUIRE(bodies.size() == t.turns.size());
      // Expected sequence: the first prompt; then per call the fresh prompt tokens (mask 0) and its completion (mask 1).
      std::vector<std::int64_t> prompt = fake::prompt_token_ids(bodies[0]);
      std::vector<std::int64_t> completion;
      std::vector<std::int64_t> mask;
      std::vector<int> tokens_per_turn;
      for (std::size_t k = 0; k < bodies.size(); ++k) {
        std::vector<std::int64_t> full = fake::prompt_token_ids(bodies[k]);
        std::size_t known = prompt.size() + completion.size();
        REQUIRE(full.size() >= known);
        for (std::size_t j = known; j < full.size(); ++j) {
          completion.push_back(full[j]);
          mask.push_back(0);
        }
        const auto& ids = t.turns[k].agent_calls.at(0).response.completion_token_ids;
        completion.insert(completion.end(), ids.begin(), ids.end());
        mask.insert(mask.end(), ids.size(), 1);
        tokens_per_turn.push_back(static_cast<int>(ids.size()));
      }
      CHECK(ints(r.at("prompt_ids")) == prompt);
      CHECK(ints(r.at("completion_ids")) == completion);
      CHECK(ints(r.at("loss_mask")) == mask);
      // Old logprobs: the server's, on policy tokens; 0 elsewhere.
      auto logprobs = doubles(r.at("old_logprobs"));
      REQUIRE(logprobs.size() == completion.size());
      for (std::size_t j = 0; j < completion.size(); ++j)
        CHECK(logprobs[j] == (mask[j] ? fake::token_logprob(completion[j]) : 0.0));

      // A = c·z·N/E with EM credits, over the policy tokens of each turn.
      auto rewards = doubles(r.at("turn_rewards"));
      const double z = flat ? 0.0 : (scores[i] - mean) / (sd + 1e-6);
      std::vector<double> credit;
      double e = 0, n = 0;
      for (std::size_t k = 0; k < rewards.size(); ++k) {
        credit.push_back(round4(0.5 + 0.5 * (1 - std::exp(-2.0 * rewards[k])) / e2));
        e += credit[k] * tokens_per_turn[k];
        n += tokens_per_turn[k];
      }
      auto advantages = doubles(r.at("advantages"));
      REQUIRE(advantages.size() == completion.size());
      std::size_t j = 0, turn = 0;
      auto starts = ints(r.at("turn_starts"));
      for (; j < completion.size(); ++j) {
        while (turn + 1 < starts.size() && static_cast<std::int64_t>(j) >= starts[turn + 1]) ++turn;
        const double expected = mask[j] ? credit[turn] * z * n / e : 0.0;
        CHECK(advantages[j] == Approx(expected).margin(1e-9));
      }
      // turn_scores: r_t on each turn's last policy token.
      auto turn_scores = doubles(r.at("turn_scores"));
      double total = 0;
      for (double x : turn_scores) total += x;
      double reward_sum = 0;
      for (double x : rewards) reward_sum += x;
      CHECK(total == Approx(reward_sum));
    }
  }
}

TEST_CASE("rl: the batched shaping (CPU, and CUDA where a GPU is) gives the export's per-token advantages", "[rl][cuda]") {
  FakeOpenAiServer server(policy);
  TempDir dir;
  auto args = run_args(server.base_url(), dir.file("t.jsonl"), 4, 4);
  for (std::string a : {"--record-tokens", "--turn-credit", "r2g"}) args.push_back(a);
  REQUIRE(run_cli(args).exit_code == 0);
  REQUIRE(run_cli({"export", "rl", dir.file("t.jsonl"), "--out", dir.file("rl.jsonl")}).exit_code == 0);
  // The export's advantages on policy tokens, in file order.
  std::vector<double> exported;
  for (const auto& r : json_lines(dir.file("rl.jsonl"))) {
    auto mask = ints(r.at("loss_mask"));
    auto adv = doubles(r.at("advantages"));
    for (std::size_t j = 0; j < mask.size(); ++j)
      if (mask[j]) exported.push_back(adv[j]);
  }
  // The same trajectories as one batch: groups in file order, policy tokens per turn from the ids.
  ShapingBatch batch;
  std::vector<std::vector<double>> rewards;
  std::vector<std::vector<int>> tokens;
  std::string group;
  auto flush = [&] {
    if (!rewards.empty()) batch.add_group(rewards, tokens);
    rewards.clear();
    tokens.clear();
  };
  for (const auto& t : read_trajectories(dir.file("t.jsonl"))) {
    if (t.group != group) flush();
    group = t.group;
    rewards.push_back(t.rewards());
    tokens.emplace_back();
    for (const auto& turn : t.turns) tokens.back().push_back(static_cast<int>(turn.agent_calls.at(0).response.completion_token_ids.size()));
  }
  flush();
  ShapingConfig cfg;
  cfg.turn = TurnCredit::R2G;
  ShapingBatchOut out;
  shape_batch(batch, out, cfg);
  const std::vector<double> cpu = policy_token_advantages(batch, out);
  REQUIRE(cpu.size() == exported.size());
  for (std::size_t j = 0; j < cpu.size(); ++j) CHECK(cpu[j] == Approx(exported[j]).margin(1e-12));
  std::vector<double> gpu;
  std::string error;
  ShapingBatchOut gpu_out;
  if (shape_batch_tokens_cuda(batch, gpu_out, gpu, cfg, &error)) {
    REQUIRE(gpu.size() == exported.size());
    for (std::size_t j = 0; j < gpu.size(); ++j) CHECK(gpu[j] == Approx(exported[j]).margin(1e-12));
  } else {
    CHECK((error.find("CUDA") != std::string::npos || error.find("device") != std::string::npos));
  }
}

TEST_CASE("rl: a server without token ids is reported once, and export rl says why it has nothing", "[rl]") {
  FakeServerOptions options;
  options.vllm_tokens = false;
  FakeOpenAiServer server(policy, options);
  TempDir dir;
  auto args = run_args(server.base_url(), dir.file("t.jsonl"), 2, 2);
  args.push_back("--record-tokens");
  CliResult run = run_cli(args);
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  std::size_t warnings = 0;
  for (std::size_t at = run.output.find("warning: --record-tokens"); at != std::string::npos;
       at = run.output.find("warning: --record-tokens", at + 1))
    ++warnings;
  CHECK(warnings == 1);
  CHECK(run.output.find("token records: 0 of ") != std::string::npos);
  CliResult exported = run_cli({"export", "rl", dir.file("t.jsonl"), "--out", dir.file("rl.jsonl")});
  CHECK(exported.exit_code == 2);
  CHECK(exported.output.find("--record-tokens") != std::string::npos);
  CHECK(run_cli({"run", "--record-tokens", "-q"}).exit_code == 2);  // the scripted agent has no tokens
}

TEST_CASE("replicas: three replicas, one failing mid-run: nothing lost, the load spread reported", "[replicas]") {
  std::atomic<int> answered{0};
  FakeOpenAiServer a(policy), b(policy);
  FakeOpenAiServer failing([&](const json::object& body) {
    if (++answered > 5) {
      FakeReply r;
      r.fault = FakeFault::Reset;
      return r;
    }
    return policy(body);
  });
  TempDir dir;
  const std::string urls = a.base_url() + "," + failing.base_url();
  auto args = run_args(urls, dir.file("t.jsonl"), 8, 4);
  args.push_back("--base-url");
  args.push_back(b.base_url());
  CliResult run = run_cli(args);
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  std::size_t count = 0;
  bool any_failed = false;
  for_each_trajectory(dir.file("t.jsonl"), [&](const Trajectory&, const json::object& calls) {
    ++count;
    any_failed = any_failed || get_int(calls, "failed") > 0;
  });
  CHECK(count == 32);
  CHECK_FALSE(any_failed);
  CHECK(run.output.find("policy replicas:") != std::string::npos);
  for (const auto* s : {&a, &b, &failing}) CHECK(run.output.find(s->base_url()) != std::string::npos);
  CHECK(a.requests() > 10);
  CHECK(b.requests() > 10);
  CHECK(failing.requests() > 5);
  // The failing replica was taken out; the others carried the run.
  CHECK(failing.requests() < a.requests());
  CHECK(run.output.find("times out of service") != std::string::npos);
  // Same bytes as a run against one healthy server.
  FakeOpenAiServer single(policy);
  REQUIRE(run_cli(run_args(single.base_url(), dir.file("one.jsonl"), 8, 4)).exit_code == 0);
  auto strip_calls = [](const std::string& path) {
    std::vector<std::string> out;
    for (const auto& t : read_trajectories(path)) out.push_back(to_json_line(t));
    return out;
  };
  CHECK(strip_calls(dir.file("t.jsonl")) == strip_calls(dir.file("one.jsonl")));
}

TEST_CASE("merge: a 4-shard run merges into the unsharded file byte for byte, also after a kill and resume", "[merge]") {
  FakeServerOptions slow;
  slow.latency_s = 0.01;
  FakeOpenAiServer server(policy, slow);
  TempDir dir;
  const int tasks = 10, samples = 3;
  REQUIRE(run_cli(run_args(server.base_url(), dir.file("all.jsonl"), tasks, samples)).exit_code == 0);

  std::function<std::vector<std::string>(int, const std::string&)> shard_args = [&](int i, const std::string& out) {
    auto args = run_args(server.base_url(), out, tasks, samples);
    for (std::string a : {std::string("--shard"), fmt::format("{}/4", i), std::string("--cache"),
                          dir.file(fmt::format("cache.{}.sqlite", i))})
      args.push_back(a);
    return args;
  };
  for (int i = 0; i < 4; ++i) REQUIRE(run_cli(shard_args(i, dir.file(fmt::format("out.{}.jsonl", i)))).exit_code == 0);
  CliResult merged = run_cli({"merge", dir.file("out.{i}.jsonl"), "--shards", "4", "--out", dir.file("merged.jsonl"),
                              "--caches", dir.file("cache.0.sqlite"), dir.file("cache.1.sqlite"),
                              dir.file("cache.2.sqlite"), dir.file("cache.3.sqlite"), "--cache-out",
                              dir.file("cache.sqlite")});
  INFO(merged.output);
  REQUIRE(merged.exit_code == 0);
  CHECK(read_file(dir.file("merged.jsonl")) == read_file(dir.file("all.jsonl")));
  // The joined cache replays the whole run with no server.
  {
    auto args = run_args("http://127.0.0.1:9/v1", dir.file("replayed.jsonl"), tasks, samples);
    for (std::string a : {std::string("--cache"), dir.file("cache.sqlite"), std::string("--cache-mode"), std::string("read")})
      args.push_back(a);
    CliResult replay = run_cli(args);
    INFO(replay.output);
    REQUIRE(replay.exit_code == 0);
    CHECK(read_file(dir.file("replayed.jsonl")) == read_file(dir.file("all.jsonl")));
  }

  // A missing shard and a killed one are named; nothing is written. (A slower server, so that the
  // kill lands mid-run; the answers are the same.)
  FakeServerOptions slower;
  slower.latency_s = 0.1;
  FakeOpenAiServer slow_server(policy, slower);
  shard_args = [&](int i, const std::string& out) {
    auto args = run_args(slow_server.base_url(), out, tasks, samples);
    for (std::string a : {std::string("--shard"), fmt::format("{}/4", i)}) args.push_back(a);
    return args;
  };
  const std::string killed = dir.file("k.1.jsonl");
  for (int i : {0, 2}) REQUIRE(run_cli(shard_args(i, dir.file(fmt::format("k.{}.jsonl", i)))).exit_code == 0);
  REQUIRE(run_cli_and_kill(shard_args(1, killed), [&] { return read_lines(killed + ".pending").size() >= 2; }, 30));
  CliResult refused = run_cli({"merge", dir.file("k.{i}.jsonl"), "--shards", "4", "--out", dir.file("k.jsonl")});
  INFO(refused.output);
  CHECK(refused.exit_code == 1);
  CHECK(refused.output.find("shard 1/4 is incomplete") != std::string::npos);
  CHECK(refused.output.find("shard 3/4 is missing") != std::string::npos);
  CHECK_FALSE(file_exists(dir.file("k.jsonl")));
  auto resume = shard_args(1, killed);
  resume.push_back("--resume");
  REQUIRE(run_cli(resume).exit_code == 0);
  REQUIRE(run_cli(shard_args(3, dir.file("k.3.jsonl"))).exit_code == 0);
  CliResult again = run_cli({"merge", dir.file("k.0.jsonl"), dir.file("k.1.jsonl"), dir.file("k.2.jsonl"),
                             dir.file("k.3.jsonl"), "--out", dir.file("k.jsonl")});
  INFO(again.output);
  REQUIRE(again.exit_code == 0);
  CHECK(read_file(dir.file("k.jsonl")) == read_file(dir.file("all.jsonl")));
  // Shards given out of order, or only some of them, do not pass for a run: each shard's .run.json
  // names its place. Nothing is written.
  CliResult shuffled = run_cli({"merge", dir.file("k.3.jsonl"), dir.file("k.0.jsonl"), dir.file("k.1.jsonl"),
                                dir.file("k.2.jsonl"), "--out", dir.file("bad.jsonl")});
  CHECK(shuffled.exit_code == 2);
  CHECK(shuffled.output.find("k.3.jsonl is shard 3/4 of its run, but it is given as shard 0/4") != std::string::npos);
  CliResult some = run_cli({"merge", dir.file("k.{i}.jsonl"), "--shards", "2", "--out", dir.file("bad.jsonl")});
  CHECK(some.exit_code == 2);
  CHECK(some.output.find("is shard 0/4 of its run, but it is given as shard 0/2") != std::string::npos);
  // Shards of another run (other settings) are refused too.
  REQUIRE(run_cli(run_args(slow_server.base_url(), dir.file("other.jsonl"), tasks, 2)).exit_code == 0);
  std::string header = read_file(dir.file("other.jsonl.run.json"));
  header.replace(header.find("\"shard\":\"0/1\""), 13, "\"shard\":\"1/4\"");
  write_text_file(dir.file("other.jsonl.run.json"), header);
  CliResult mixed = run_cli({"merge", dir.file("k.0.jsonl"), dir.file("other.jsonl"), dir.file("k.2.jsonl"),
                             dir.file("k.3.jsonl"), "--out", dir.file("bad.jsonl")});
  CHECK(mixed.exit_code == 2);
  CHECK(mixed.output.find("come from runs with different settings") != std::string::npos);
  CHECK_FALSE(file_exists(dir.file("bad.jsonl")));
  CHECK_FALSE(file_exists(dir.file("bad.jsonl.partial")));
  // One shard given twice would repeat its groups; an output over a shard would lose it.
  CliResult twice = run_cli({"merge", dir.file("k.0.jsonl"), dir.file("k.0.jsonl"), "--out", dir.file("bad.jsonl")});
  CHECK(twice.exit_code == 2);
  CHECK(twice.output.find("are the same file") != std::string::npos);
  const std::string shard0 = read_file(dir.file("k.0.jsonl"));
  CliResult over = run_cli({"merge", dir.file("k.{i}.jsonl"), "--shards", "4", "--out", dir.file("k.0.jsonl")});
  CHECK(over.exit_code == 2);
  CHECK(over.output.find("is shard 0/4 itself") != std::string::npos);
  CHECK(read_file(dir.file("k.0.jsonl")) == shard0);
}

TEST_CASE("replicas: a judge on the user simulator's endpoint shares it, limits and replicas", "[replicas]") {
  auto oracle = [](const json::object& body) {
    if (fake::has_tools(body)) {
      switch (fake::count_messages(body, "tool")) {
        case 0: return FakeReply::tool_call("action", "Is it alive?");
        case 1: return FakeReply::tool_call("answer", "the secret thing");
        default: return FakeReply::tool_call("finish", "");
      }
    }
    if (fake::system_prompt(body).find("You judge guesses") != std::string::npos)
      return FakeReply::text("{'thought': 'same', 'judgment': 'Yes', 'feedback': 'Correct!'}");
    return FakeReply::text("No");
  };
  FakeOpenAiServer policy_server(oracle), a(oracle), b(oracle);
  TempDir dir;
  RunOptions o;
  o.env_spec = "telepathy";
  o.tasks.count = 4;
  o.samples = 2;
  o.agent = "llm";
  o.user = OracleKind::Llm;
  o.progress = ProgressMode::Off;
  o.endpoints.policy = fake_endpoint(policy_server, "policy");
  Endpoint user = fake_endpoint(a, "user");
  user.base_url = a.base_url() + "," + b.base_url();
  user.max_concurrency = 1;
  o.endpoints.user = user;
  Endpoint judge = user;
  judge.name = "judge";
  o.endpoints.judge = judge;  // what --judge-* falling back to the user's flags resolves to
  o.out = dir.file("t.jsonl");
  RunResult r = run_batch(o, nullptr);
  REQUIRE(r.counters.episodes_done == 8);
  CHECK(r.counters.failed_calls == 0);
  std::int64_t oracle_calls = 0, judge_calls = 0;
  for (const auto& t : read_trajectories(o.out))
    for (const auto& turn : t.turns)
      for (const auto& call : turn.env_calls) {
        ++oracle_calls;
        judge_calls += call.request.role == LlmRole::Judge;
      }
  CHECK(judge_calls > 0);
  // One endpoint for both roles: listed once, carrying the user's and the judge's calls.
  REQUIRE(r.replicas.size() == 1);
  CHECK(r.replicas[0].first == "user");
  std::int64_t served = 0;
  for (const auto& rep : r.replicas[0].second) {
    CHECK(rep.requests > 0);
    served += rep.requests;
  }
  CHECK(served == oracle_calls);
  CHECK(a.requests() + b.requests() == oracle_calls);
}
