// FunctionGym rules and registration.
#include <fmt/format.h>

#include <cmath>

#include "core/action.h"
#include "core/pynum.h"
#include "core/registry.h"
#include "envs/function/function.h"

namespace rapport::function {
namespace {

constexpr const char* kSystemPrompt =
    "You are exploring a hidden function f(a, b, c, d) of four numbers. It combines a, b, c and d with "
    "addition, subtraction, multiplication, division and powers (for example squaring). Your goal is "
    "to find the value of the function on a hidden test case.\n\n"
    "Use the interact_with_env tool, one move per turn:\n"
    "- choice 'action': content is four integers separated by spaces, e.g. \"1 2 3 4\". You get f for "
    "those inputs, rounded to 4 decimals. You may not probe the test case itself.\n"
    "- choice 'search': content must be exactly \"test\". You get the four numbers of the test case.\n"
    "- choice 'answer': content is a single number, your value of f on the test case. It is correct "
    "within 1e-6.\n"
    "- choice 'finish': end the episode.\n\n"
    "Think about which rule explains every result before you answer. The number of turns is limited.";

constexpr const char* kOpening = "A hidden function is ready. Probe it, look up the test case, and answer f(test case).";

class FunctionEpisode : public Episode {
 public:
  FunctionEpisode(FunctionTask task, const Params& params)
      : Episode(static_cast<int>(params.get_int("max_steps"))),
        task_(std::move(task)),
        rule_(*Expression::parse(task_.rule)),
        correct_reward_(params.get_real("correct_answer_reward")),
        incorrect_reward_(params.get_real("incorrect_answer_reward")),
        step_penalty_(params.get_real("step_penalty")),
        normalize_(params.get_bool("normalize_rewards")) {}

  std::string system_prompt() const override { return kSystemPrompt; }
  std::string opening() const override { return kOpening; }

  json::object metrics() const override {
    return json::object{{"success", answered_correctly_},
                        {"score", answered_correctly_ ? 1.0 : 0.0},
                        {"probes", probes_},
                        {"answers", answers_}};
  }

 protected:
  Flow<StepResult> on_step(std::string_view raw) override {
    BracketAction a = parse_bracket_action(raw);
    StepResult r;
    if (!a.choice) {
      r.observation =
          "Invalid action format. Start your move with [action], [search], [answer] or [finish] (with the "
          "tool: choice action, search, answer or finish).";
      r.format_error = true;
    } else {
      switch (*a.choice) {
        case Choice::Action: probe(a.payload, r); break;
        case Choice::Search: search(a.payload, r); break;
        case Choice::Answer: answer(a.payload, r); break;
        case Choice::Finish: finish(r); break;
      }
    }
    r.reward -= step_penalty_ * step_count();
    if (normalize_) r.reward = std::clamp(r.reward, 0.0, 1.0);
    return r;
  }

 private:
  void probe(const std::string& payload, StepResult& r) {
    if (payload.empty()) {
      r.observation = "Give four numbers to evaluate the function on, e.g. [action] 1 2 3 4.";
      r.format_error = true;
      return;
    }
    std::vector<double> xs = extract_numbers(payload);
    if (xs.size() != 4) {
      r.observation = fmt::format("Please give exactly four numbers; I found {}.", xs.size());
      r.format_error = true;
      return;
    }
    bool is_test = true;
    for (int i = 0; i < 4; ++i) is_test = is_test && xs[i] == static_cast<double>(task_.test_case[i]);
    if (is_test) {
      r.observation = "These are the numbers of the test case: no result is given for them.";
      return;
    }
    ++probes_;
    auto value = rule_.evaluate({xs[0], xs[1], xs[2], xs[3]});
    if (!value) {
      r.observation =
          "The function could not be evaluated on these numbers (for example a division by zero). Try other numbers.";
      return;
    }
    r.observation = fmt::format("For numbers {}, the function gives {}.", py_list_repr(xs), py_repr(py_round(*value, 4)));
  }

  void search(const std::string& payload, StepResult& r) {
    if (ascii_lower(payload) != "test") {
      r.observation = "Search accepts only the word \"test\", which shows the test case.";
      r.format_error = true;
      return;
    }
    r.observation = fmt::format("Test case: [{}, {}, {}, {}]", task_.test_case[0], task_.test_case[1],
                                task_.test_case[2], task_.test_case[3]);
  }

  void answer(const std::string& payload, StepResult& r) {
    if (payload.empty()) {
      r.observation = "The answer is empty. Give a single number.";
      r.format_error = true;
      return;
    }
    auto x = py_float(ascii_digits(payload));  // float() reads any Unicode decimal digit
    if (!x) {
      r.observation = fmt::format("'{}' is not a number. Give a single number as the answer.", payload);
      r.format_error = true;
      return;
    }
    ++answers_;
    answered_correctly_ = std::fabs(*x - task_.expected) <= 1e-6;
    if (answered_correctly_) {
      r.observation = "Correct! That is the value of the function on the test case.";
      r.reward = correct_reward_;
      r.terminated = true;
    } else {
      r.observation = "That is not the value on the test case. Reconsider the rule and try again.";
      r.reward = incorrect_reward_;
    }
  }

  void finish(StepResult& r) {
    r.terminated = true;
    r.observation = answered_correctly_
                        ? "Episode finished; you answered correctly."
                        : fmt::format("Episode finished without a correct answer. The value on the test case was {}.",
                                      py_repr(task_.expected));
  }

  FunctionTask task_;
  Expression rule_;
  double correct_reward_, incorrect_reward_, step_penalty_;
  bool normalize_;
  bool answered_correctly_ = false;
  int probes_ = 0;
  int answers_ = 0;
};

class FunctionGame : public Game {
 public:
  explicit FunctionGame(Params params) : Game(std::move(params), kVersion) {}

  Task task(std::uint64_t seed, std::uint64_t index) const override {
    FunctionTask t = generate_task(params().get("difficulty"), seed, index);
    return Task{t.id, to_json(t)};
  }

  std::vector<Task> import_tasks(std::string_view text, std::string_view split) const override {
    std::vector<Task> out;
    for (auto& t : import_functions_json(text, split)) out.push_back(Task{t.id, to_json(t)});
    return out;
  }

  std::unique_ptr<Episode> new_episode(const Task& task, const EpisodeOptions&) const override {
    return std::make_unique<FunctionEpisode>(function_task_from(task), params());
  }

  std::unique_ptr<Agent> scripted_agent(std::uint64_t seed) const override { return make_scripted_agent(seed); }
};

EnvInfo info() {
  return EnvInfo{
      kName,
      "FunctionGym",
      "Discover a hidden arithmetic rule by probing it, then compute it on a test case",
      kVersion,
      {ParamSpec::choice("difficulty", "medium", {"easy", "medium", "hard"},
                         "generated rules: easy (+ - *), medium (adds / and squares), hard (adds variable powers)"),
       ParamSpec::integer("max_steps", 20, 1, 1000, "steps before the episode is truncated"),
       ParamSpec::real("correct_answer_reward", 1.0, -100, 100, "reward for a correct answer"),
       ParamSpec::real("incorrect_answer_reward", 0.0, -100, 100, "reward for a wrong answer"),
       ParamSpec::real("step_penalty", 0.0, 0, 100, "subtracted per step, times the step number"),
       ParamSpec::boolean("normalize_rewards", false, "clip step rewards to [0, 1]")},
      [](Params p) { return std::make_unique<FunctionGame>(std::move(p)); }};
}

}  // namespace

RAPPORT_REGISTER_ENV(info);

}  // namespace rapport::function
