// Replay: re-running recorded episodes (scripted and LLM agents, scripted and LLM users) gives the
// same record byte for byte, and a changed environment is reported, not silently papered over.
#include <catch2/catch.hpp>

#include <cmath>

#include "core/action.h"
#include "core/llm_agent.h"
#include "core/registry.h"
#include "core/replay.h"
#include "core/runner.h"

using namespace rapport;

namespace {

// A minimal environment with a simulated user: the agent must learn the user's favourite colour.
// [action] asks the user (scripted: a fixed reply; LLM: a user-simulator call), [answer] checks.
class ColourEpisode : public Episode {
 public:
  ColourEpisode(std::string colour, OracleKind oracle) : Episode(6), colour_(std::move(colour)), oracle_(oracle) {}
  std::string system_prompt() const override { return "Find out the user's favourite colour and answer it."; }
  std::string opening() const override { return "Hi! Guess my favourite colour."; }
  json::object metrics() const override { return {{"success", solved_}, {"score", solved_ ? 1.0 : 0.0}}; }

 protected:
  Flow<StepResult> on_step(std::string_view action) override {
    BracketAction a = parse_bracket_action(action);
    if (a.choice == Choice::Answer) {
      solved_ = a.payload == colour_;
      return StepResult{solved_ ? "Yes!" : "No.", solved_ ? 1.0 : 0.0, solved_};
    }
    if (a.choice != Choice::Action) return StepResult{"Ask with [action] or answer with [answer].", 0.0, false, false, true};
    Ask<std::string> question = Ask<std::string>::now("It is the colour of the sky: " + colour_ + ".");
    if (oracle_ == OracleKind::Llm) {
      LlmRequest r;
      r.role = LlmRole::User;
      r.purpose = "user_reply";
      r.messages = {{"system", "You are a user whose favourite colour is " + colour_ + "."}, {"user", a.payload}};
      question = Ask<std::string>::llm(std::move(r), [](const LlmResponse& response) {
        return response.ok ? response.message.content : std::string("Sorry, what?");
      });
    }
    return ask(std::move(question), [](std::string reply) -> Flow<StepResult> { return StepResult{reply, 0.0}; });
  }

 private:
  std::string colour_;
  OracleKind oracle_;
  bool solved_ = false;
};

class ColourAgent : public Agent {
 public:
  std::string name() const override { return "colour_script"; }
  void start(const std::string&, const std::string&) override {}
  Flow<AgentMove> next_move() override {
    AgentMove m;
    m.action = last_.empty() ? "[action] What is your favourite colour?" : "[answer] " + last_;
    return m;
  }
  void observe(const StepResult& r) override {
    auto colon = r.observation.find(": ");
    last_ = colon == std::string::npos ? r.observation : r.observation.substr(colon + 2);
    if (!last_.empty() && last_.back() == '.') last_.pop_back();
  }

 private:
  std::string last_;
};

class ColourGame : public Game {
 public:
  explicit ColourGame(Params p) : Game(std::move(p), "1") {}
  Task task(std::uint64_t, std::uint64_t index) const override {
    static const char* colours[] = {"blue", "green", "red"};
    return Task{"colour-" + std::to_string(index), json::object{{"colour", colours[index % 3]}}};
  }
  std::unique_ptr<Episode> new_episode(const Task& task, const EpisodeOptions& o) const override {
    return std::make_unique<ColourEpisode>(get_string(task.data.get_object(), "colour"), o.oracle);
  }
  std::unique_ptr<Agent> scripted_agent(std::uint64_t) const override { return std::make_unique<ColourAgent>(); }
};

EnvInfo colour_info() {
  return EnvInfo{"replay_colour_test", "ColourTest", "test-only environment with a simulated user", "1", {},
                 [](Params p) { return std::make_unique<ColourGame>(std::move(p)); }};
}
RAPPORT_REGISTER_ENV(colour_info);

// A record as it comes back from a file.
Trajectory reread(const Trajectory& t) { return trajectory_from_record(*parse_json(to_json_line(t))); }

LlmResponse tool_call(const std::string& choice, const std::string& content) {
  LlmResponse r = llm_text("");
  r.message.tool_calls.push_back({"c1", "interact_with_env", to_json(json::object{{"choice", choice}, {"content", content}})});
  r.completion_tokens = 9;
  return r;
}

// An LLM agent and an LLM user, answered by a scripted host.
Trajectory llm_episode(const Game& game, std::uint64_t index) {
  LlmAgentOptions options;
  options.sampling.seed = 5;
  return run_episode(game, game.task(0, index), EpisodeOptions{OracleKind::Llm, 11}, std::make_unique<LlmAgent>(options),
                     RunSettings{16, "g", 2}, [](const LlmRequest& r) {
                       if (r.role == LlmRole::User) return llm_text("Mine is green, honestly.");
                       bool asked = r.messages.size() > 2;
                       return asked ? tool_call("answer", "green") : tool_call("action", "Which colour do you like?");
                     });
}

}  // namespace

TEST_CASE("replay: a scripted FunctionGym episode replays byte for byte", "[replay]") {
  auto game = make_game("function(difficulty=hard)");
  Trajectory t = run_episode(*game, game->task(3, 4), EpisodeOptions{OracleKind::Scripted, 9}, game->scripted_agent(9),
                             RunSettings{16, "grp", 1}, [](const LlmRequest&) { return llm_failure("no model"); });
  REQUIRE(t.turns.size() > 3);
  t.shaping = ShapingRecord{"equalized", "mean", 0.8, 0.25, -0.5, {1, 1}, {-0.5, -0.5}};
  Trajectory again = replay_trajectory(reread(t));
  CHECK(to_json_line(again) == to_json_line(t));
}

TEST_CASE("replay: LLM agent and LLM user calls come from the record", "[replay]") {
  auto game = make_game("replay_colour_test");
  Trajectory t = llm_episode(*game, 1);
  REQUIRE(t.turns.size() == 2);
  REQUIRE(t.turns[0].env_calls.size() == 1);
  CHECK(t.turns[1].action == "[answer] green");
  CHECK(t.total_reward() == 1.0);
  Trajectory again = replay_trajectory(reread(t));
  CHECK(to_json_line(again) == to_json_line(t));
}

TEST_CASE("replay: an agent that stopped without a call replays its stop", "[replay]") {
  auto game = make_game("function");
  Trajectory t = run_episode(*game, game->task(1, 0), EpisodeOptions{}, std::make_unique<LlmAgent>(), RunSettings{},
                             [](const LlmRequest&) { return llm_text("no idea"); });
  REQUIRE(t.stop_reason == "agent_stopped");
  CHECK(to_json_line(replay_trajectory(reread(t))) == to_json_line(t));
}

TEST_CASE("replay: a changed environment request is reported", "[replay]") {
  auto game = make_game("replay_colour_test");
  Trajectory t = reread(llm_episode(*game, 1));
  // The record says the user simulator was asked something else: the environment now differs.
  t.turns[0].env_calls[0].request.messages.edit(0).content = "You are a user who likes red.";
  CHECK_THROWS_AS(replay_trajectory(t), ReplayMismatch);
  try {
    replay_trajectory(t);
  } catch (const ReplayMismatch& e) {
    CHECK(std::string(e.what()).find("turn 1") != std::string::npos);
    CHECK(std::string(e.what()).find("environment") != std::string::npos);
  }
  // A record missing the environment's call altogether.
  Trajectory missing = reread(llm_episode(*game, 1));
  missing.turns[0].env_calls.clear();
  CHECK_THROWS_AS(replay_trajectory(missing), ReplayMismatch);
}

TEST_CASE("replay: the replay agent repeats moves against a live oracle and stops when the record ends", "[replay]") {
  auto game = make_game("replay_colour_test");
  auto recorded = std::make_shared<const Trajectory>(reread(llm_episode(*game, 1)));
  // Against the scripted user the recorded moves still win: the scripted user also says green.
  Trajectory t = run_episode(*game, Task{recorded->task_id, recorded->task}, EpisodeOptions{},
                             std::make_unique<ReplayAgent>(recorded, false), RunSettings{},
                             [](const LlmRequest&) { return llm_failure("no model"); });
  CHECK(t.agent == "llm");
  REQUIRE(t.turns.size() == 2);
  CHECK(t.turns[0].agent_calls.empty());
  CHECK(t.total_reward() == 1.0);
  // A record shorter than the episode: the agent stops with a note.
  auto short_record = std::make_shared<Trajectory>(*recorded);
  short_record->turns.resize(1);
  short_record->stop_reason = "max_turns";
  Trajectory cut = run_episode(*game, Task{recorded->task_id, recorded->task}, EpisodeOptions{},
                               std::make_unique<ReplayAgent>(short_record, false), RunSettings{},
                               [](const LlmRequest&) { return llm_failure("no model"); });
  CHECK(cut.stop_reason == "agent_stopped");
  CHECK(cut.turns.back().observation.find("no further moves") != std::string::npos);
  // Moves without their agent calls, the user's answers from the record.
  ReplayResponder env_only(recorded, false);
  Trajectory again = run_episode(*game, Task{recorded->task_id, recorded->task}, EpisodeOptions{OracleKind::Llm, recorded->seed},
                                 std::make_unique<ReplayAgent>(recorded, false), RunSettings{16, "g", 2},
                                 [&](const LlmRequest& r) { return env_only.respond(r); });
  CHECK(env_only.used() == env_only.size());
  CHECK(again.total_reward() == 1.0);
  CHECK(again.turns[0].observation == recorded->turns[0].observation);
}

TEST_CASE("replay: decimal numbers read back as the very doubles written", "[replay]") {
  // Boost.JSON 1.81 alone reads some of these as the neighbouring double.
  for (double x : {14.222222222222221, 1.2345678901234566e-07, 0.30000000000000004, 5e-324, 1.7976931348623157e308,
                   -0.0, 123456.78901234567, 2.5, 1e21}) {
    INFO(to_json(json::value(x)));
    auto back = parse_json(to_json(json::value(x)));
    REQUIRE(back);
    REQUIRE(back->is_double());
    CHECK(back->get_double() == x);
    CHECK(std::signbit(back->get_double()) == std::signbit(x));
  }
  auto v = parse_json(R"({"a": [1, -2, 18446744073709551615, 2.5e3, "x", true, null], "b": {}})");
  REQUIRE(v);
  CHECK(to_json(*v) == R"({"a":[1,-2,18446744073709551615,2500.0,"x",true,null],"b":{}})");
  CHECK_FALSE(parse_json("{\"a\": 1} extra"));
  CHECK_FALSE(parse_json("{\"a\": "));
}
