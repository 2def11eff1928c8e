// The conformance suite every registered environment passes: registry and parameters,
// determinism, scripted play to the end, malformed actions, oracle failures, record round trips.
#include <catch2/catch.hpp>

#include "core/agent.h"
#include "core/registry.h"
#include "core/runner.h"
#include "core/user_episode.h"

using namespace rapport;

namespace {

LlmResponse failing_model(const LlmRequest&) { return llm_failure("connection refused"); }

// Resolves a step whatever it asks, with `respond` (completions) or a failed search, and checks
// every request is well formed.
StepResult resolve(Flow<StepResult> flow, const std::function<LlmResponse(const LlmRequest&)>& respond) {
  int calls = 0;
  while (!flow.ready()) {
    if (flow.service() == HostService::Search) {
      const SearchRequest& s = flow.search_request();
      CHECK_FALSE(s.purpose.empty());
      CHECK_FALSE(s.query.empty());
      CHECK(s.k > 0);
      REQUIRE(++calls < 10);
      flow = flow.resume(search_failure("no search backend in this test"));
      continue;
    }
    const LlmRequest& r = flow.request();
    CHECK(r.role != LlmRole::Policy);
    CHECK_FALSE(r.purpose.empty());
    CHECK_FALSE(r.messages.empty());
    REQUIRE(++calls < 10);
    flow = flow.resume(respond(r));
  }
  return flow.value();
}

std::vector<const EnvInfo*> envs() { return Registry::instance().all(); }

// What the play tests run: every environment with its defaults, and once in each other value of a
// `domain` parameter (a domain is a whole other world: tools, policy, tasks, players).
std::vector<std::string> played_specs() {
  std::vector<std::string> out;
  for (const auto* info : envs()) {
    out.push_back(info->name);
    for (const auto& p : info->params)
      if (p.name == "domain")
        for (const auto& v : p.choices)
          if (v != p.default_value) out.push_back(info->name + "(" + p.name + "=" + v + ")");
  }
  return out;
}

}  // namespace

TEST_CASE("conformance: every environment is registered with a valid spec", "[conformance]") {
  REQUIRE(envs().size() >= 1);
  for (const auto* info : envs()) {
    INFO(info->name);
    CHECK_FALSE(info->title.empty());
    CHECK_FALSE(info->description.empty());
    CHECK_FALSE(info->version.empty());
    auto game = make_game(info->name);
    CHECK(game->spec() == info->name);
    CHECK(game->fingerprint().find(info->name) == 0);
    for (const auto& p : info->params) {
      // Every default is itself a valid value, and appears in the help.
      CHECK_NOTHROW(make_game(info->name + "(" + p.name + "=" + p.default_value + ")"));
      CHECK_FALSE(p.help.empty());
    }
    CHECK_THROWS_WITH(make_game(info->name + "(no_such_parameter=1)"), Catch::Contains("unknown parameter"));
  }
}

TEST_CASE("conformance: scripted play reaches the end and is deterministic", "[conformance]") {
  for (const auto& spec : played_specs()) {
    auto game = make_game(spec);
    for (std::uint64_t i = 0; i < 4; ++i) {
      // The scripted oracle, and on odd tasks the scripted reasoning user in front of it.
      OracleKind oracle = i % 2 ? OracleKind::ReasoningScripted : OracleKind::Scripted;
      INFO(spec << " task " << i << " oracle " << to_string(oracle));
      Task task = game->task(11, i);
      CHECK_FALSE(task.id.empty());
      CHECK(to_json(game->task(11, i).data) == to_json(task.data));
      EpisodeOptions options{oracle, 11 + i};
      Trajectory a = run_episode(*game, task, options, game->scripted_agent(5), RunSettings{200}, failing_model);
      Trajectory b = run_episode(*game, task, options, game->scripted_agent(5), RunSettings{200}, failing_model);
      CHECK(to_json_line(a) == to_json_line(b));
      CHECK((a.stop_reason == "terminated" || a.stop_reason == "truncated"));
      CHECK_FALSE(a.turns.empty());
      REQUIRE(a.metrics.contains("success"));
      CHECK(a.metrics.at("success").is_bool());
      REQUIRE(a.metrics.contains("score"));
      CHECK(a.metrics.at("score").is_number());
      // The record round-trips, and its task restarts the same episode.
      CHECK(to_json_line(trajectory_from_record(to_record(a))) == to_json_line(a));
      Task again{a.task_id, a.task};
      Trajectory c = run_episode(*game, again, options, game->scripted_agent(5), RunSettings{200}, failing_model);
      CHECK(to_json_line(c) == to_json_line(a));
    }
  }
}

TEST_CASE("conformance: malformed actions become observations, never exceptions", "[conformance]") {
  const std::vector<std::string> bad = {"", "   ", "garbage", "[action]", "[answer]", "[search]", "[answer] ???",
                                        "[ACTION] shouting", std::string(20000, 'x'), "\xff\xfe\x80 broken utf-8",
                                        "[search] \0 nul", "{\"choice\": 1}"};
  for (const auto& spec : played_specs()) {
    auto game = make_game(spec);
    for (OracleKind oracle : {OracleKind::Scripted, OracleKind::Llm, OracleKind::ReasoningScripted, OracleKind::ReasoningLlm}) {
      INFO(spec << " oracle " << to_string(oracle));
      auto episode = game->new_episode(game->task(3, 0), EpisodeOptions{oracle, 3});
      CHECK_FALSE(episode->system_prompt().empty());
      CHECK_FALSE(episode->opening().empty());
      for (const auto& action : bad) {
        if (episode->over()) break;
        StepResult r;
        REQUIRE_NOTHROW(r = resolve(episode->step(action), failing_model));
        CHECK_FALSE(r.observation.empty());
        CHECK(std::isfinite(r.reward));
      }
      // Once over (by [finish] or truncation), every further action is refused, reward 0.
      while (!episode->over()) resolve(episode->step("[finish]"), failing_model);
      StepResult after = resolve(episode->step("[answer] 1"), failing_model);
      CHECK(after.terminated);
      CHECK(after.reward == 0.0);
      CHECK(after.observation.find("over") != std::string::npos);
    }
  }
}

TEST_CASE("conformance: LLM oracle failures and junk fall back without breaking the episode", "[conformance]") {
  const std::vector<std::function<LlmResponse(const LlmRequest&)>> models = {
      failing_model,
      [](const LlmRequest&) { return llm_text(""); },
      [](const LlmRequest&) { return llm_text("I refuse to answer in JSON."); },
      [](const LlmRequest&) { return llm_text("{\"unexpected\": [1, 2, {\"deep\": null}]}"); },
      [](const LlmRequest&) { return llm_text("{'type': None, 'response': 42, 'stance': ['x']}"); },
  };
  for (const auto& spec : played_specs()) {
    auto game = make_game(spec);
    for (OracleKind oracle : {OracleKind::Llm, OracleKind::ReasoningLlm}) {
      for (std::size_t m = 0; m < models.size(); ++m) {
        INFO(spec << " oracle " << to_string(oracle) << " model " << m);
        Trajectory t;
        REQUIRE_NOTHROW(t = run_episode(*game, game->task(9, 1), EpisodeOptions{oracle, 9}, game->scripted_agent(9),
                                        RunSettings{200}, models[m]));
        CHECK((t.stop_reason == "terminated" || t.stop_reason == "truncated"));
        CHECK(t.oracle == to_string(oracle));
        for (const auto& turn : t.turns) {
          CHECK(std::isfinite(turn.reward));
          // A reasoning user that failed still answers, with the environment's text or an apology.
          if (auto user = recorded_user_turn(turn.info)) CHECK_FALSE(turn.observation.empty());
        }
      }
    }
  }
}

namespace {

// Someone else (here: a second baseline) makes the first `handover` moves; the agent under test
// only watches them through observe_move, then plays on by itself.
class TakeoverAgent : public Agent {
 public:
  TakeoverAgent(std::unique_ptr<Agent> first, std::unique_ptr<Agent> taker, std::size_t handover)
      : first_(std::move(first)), taker_(std::move(taker)), handover_(handover) {}
  std::string name() const override { return "scripted"; }
  void start(const std::string& system_prompt, const std::string& opening) override {
    first_->start(system_prompt, opening);
    taker_->start(system_prompt, opening);
  }
  void offer_tools(const std::vector<ToolSpec>& tools) override {
    first_->offer_tools(tools);
    taker_->offer_tools(tools);
  }
  Flow<AgentMove> next_move() override {
    if (moves_ < handover_) {
      Flow<AgentMove> flow = first_->next_move();
      REQUIRE(flow.ready());  // scripted baselines ask no model
      last_ = flow.value();
      return last_;
    }
    return taker_->next_move();
  }
  void observe(const StepResult& result) override {
    if (moves_++ < handover_) {
      first_->observe(result);
      taker_->observe_move(last_, result);
    } else {
      taker_->observe(result);
    }
  }

 private:
  std::unique_ptr<Agent> first_, taker_;
  std::size_t handover_;
  std::size_t moves_ = 0;
  AgentMove last_;
};

}  // namespace

TEST_CASE("conformance: a scripted agent takes over a conversation as it stands", "[conformance][takeover]") {
  // Watching the baseline's own first moves made by someone else, the baseline continues exactly
  // as if it had made them: it repeats no search and keeps every fact already learned.
  for (const auto& spec : played_specs()) {
    auto game = make_game(spec);
    for (std::uint64_t i = 0; i < 2; ++i) {
      Task task = game->task(5, i);
      EpisodeOptions options{OracleKind::Scripted, 5 + i};
      RunSettings settings;
      Trajectory baseline = run_episode(*game, task, options, game->scripted_agent(5 + i), settings, failing_model);
      for (std::size_t handover = 1; handover <= 3 && handover < baseline.turns.size(); ++handover) {
        INFO(spec << " task " << i << ", taken over after " << handover << " moves");
        auto agent = std::make_unique<TakeoverAgent>(game->scripted_agent(5 + i), game->scripted_agent(5 + i), handover);
        Trajectory t = run_episode(*game, task, options, std::move(agent), settings, failing_model);
        REQUIRE(t.turns.size() == baseline.turns.size());
        for (std::size_t k = 0; k < t.turns.size(); ++k) CHECK(t.turns[k].action == baseline.turns[k].action);
        CHECK(t.total_reward() == baseline.total_reward());
      }
    }
  }
}
