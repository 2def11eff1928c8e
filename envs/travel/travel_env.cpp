// TravelGym's Game: parameters, reward presets, task supply (generator or imported data) and
// registration as `travel`.
#include <fmt/format.h>

#include "core/registry.h"
#include "envs/travel/travel.h"

namespace rapport::travel {
namespace {

struct RewardPreset {
  const char* name;
  double search, preference, best, correct, wrong;
};
// training: UserRL's env_manager overrides; eval: UserRL's eval.py; userbench: the config defaults.
constexpr RewardPreset kPresets[] = {{"training", 0.0, 0.8, 1.0, 0.8, 0.0},
                                     {"eval", 0.2, 0.6, 1.0, 0.8, 0.0},
                                     {"userbench", 0.2, 0.2, 1.0, 0.8, 0.0}};
constexpr const char* kCustomKeys[] = {"search_correct_reward", "preference_correct_reward", "choice_best_reward",
                                       "choice_correct_reward", "wrong_choice_penalty"};
constexpr double kCustomDefaults[] = {0.2, 0.2, 1.0, 0.8, 0.0};

class TravelGame : public Game {
 public:
  explicit TravelGame(Params params) : Game(std::move(params), kVersion), rules_(rules_from(this->params())) {
    settings_.shape = this->params().get("shape");
    settings_.tier = this->params().get("tier");
  }

  Task task(std::uint64_t seed, std::uint64_t index) const override {
    TravelTask t = generate_scenario(settings_, seed, index);
    return Task{t.id, to_json(t)};
  }

  std::vector<Task> import_tasks(std::string_view text, std::string_view split) const override {
    std::vector<Task> out;
    for (auto& t : import_userbench(text, split)) out.push_back(Task{t.id, to_json(t)});
    return out;
  }

  std::unique_ptr<Episode> new_episode(const Task& task, const EpisodeOptions& options) const override {
    return make_episode(travel_task_from(task), rules_, options);
  }

  std::unique_ptr<Agent> scripted_agent(std::uint64_t seed) const override { return make_scripted_agent(seed); }

 private:
  Rules rules_;
  GeneratorSettings settings_;
};

EnvInfo info() {
  std::vector<std::string> shape_choices = {"random"};
  for (const auto& s : shapes()) shape_choices.push_back(s);
  return EnvInfo{
      kName,
      "TravelGym",
      "Plan a trip: search each aspect, uncover the traveller's implicit preferences, recommend one option per aspect",
      kVersion,
      {ParamSpec::choice("shape", "random", shape_choices,
                         "preferences per aspect, one digit per aspect (random: drawn within the tier)"),
       ParamSpec::choice("tier", "medium", {"easy", "medium", "hard", "all"},
                         "UserBench tier for random shapes: easy 22/2222, medium 33/233/333, hard 44/334/444"),
       ParamSpec::choice("rewards", "training", {"training", "eval", "userbench", "custom"},
                         "reward preset: training (search 0, question 0.8), eval (0.2, 0.6), userbench (0.2, 0.2), "
                         "custom (the five values below)"),
       ParamSpec::real("search_correct_reward", kCustomDefaults[0], -100, 100, "rewards=custom: first correct search of an aspect"),
       ParamSpec::real("preference_correct_reward", kCustomDefaults[1], -100, 100, "rewards=custom: question about a held preference"),
       ParamSpec::real("choice_best_reward", kCustomDefaults[2], -100, 100, "rewards=custom: recommending the best option"),
       ParamSpec::real("choice_correct_reward", kCustomDefaults[3], -100, 100, "rewards=custom: recommending a correct option"),
       ParamSpec::real("wrong_choice_penalty", kCustomDefaults[4], -100, 100, "rewards=custom: subtracted for a wrong option"),
       ParamSpec::real("reward_scale", 1.0, -100, 100, "every step reward but [finish] is multiplied by this"),
       ParamSpec::real("step_penalty", 0.0, -100, 100, "then this is subtracted"),
       ParamSpec::boolean("normalize_rewards", false, "clip step rewards to [0, 1]"),
       ParamSpec::integer("max_steps", 20, 1, 1000, "steps before the episode is truncated"),
       ParamSpec::integer("search_failure_interval", 5, 0, 1000, "every n-th search fails (0: never)"),
       ParamSpec::integer("elicitation_interval", 3, 0, 1000,
                          "messages without a preference question before the traveller reveals one unasked"),
       ParamSpec::boolean("one_choice_per_aspect", true, "one recommendation per aspect (UserBench single-choice mode)"),
       ParamSpec::choice("compat", "fixed", {"fixed", "userrl_async"},
                         "fixed: corrected rules; userrl_async: the reference's training code, bugs included"),
       user_hang_up_param()},
      [](Params p) { return std::make_unique<TravelGame>(std::move(p)); }};
}

}  // namespace

Rules rules_from(const Params& params) {
  Rules r;
  const std::string& preset = params.get("rewards");
  if (preset == "custom") {
    r.search_correct_reward = params.get_real("search_correct_reward");
    r.preference_correct_reward = params.get_real("preference_correct_reward");
    r.choice_best_reward = params.get_real("choice_best_reward");
    r.choice_correct_reward = params.get_real("choice_correct_reward");
    r.wrong_choice_penalty = params.get_real("wrong_choice_penalty");
  } else {
    for (std::size_t i = 0; i < std::size(kCustomKeys); ++i)
      if (params.get_real(kCustomKeys[i]) != kCustomDefaults[i])
        throw ConfigError(fmt::format("travel: {} is set but rewards={}; use rewards=custom to set reward values", kCustomKeys[i],
                                      preset));
    for (const auto& p : kPresets) {
      if (preset != p.name) continue;
      r.search_correct_reward = p.search;
      r.preference_correct_reward = p.preference;
      r.choice_best_reward = p.best;
      r.choice_correct_reward = p.correct;
      r.wrong_choice_penalty = p.wrong;
    }
  }
  r.reward_scale = params.get_real("reward_scale");
  r.step_penalty = params.get_real("step_penalty");
  r.normalize_rewards = params.get_bool("normalize_rewards");
  r.max_steps = static_cast<int>(params.get_int("max_steps"));
  r.search_failure_interval = static_cast<int>(params.get_int("search_failure_interval"));
  r.elicitation_interval = static_cast<int>(params.get_int("elicitation_interval"));
  r.one_choice_per_aspect = params.get_bool("one_choice_per_aspect");
  r.userrl_async = params.get("compat") == "userrl_async";
  r.user_hang_up = params.get_bool("user_hang_up");
  return r;
}

RAPPORT_REGISTER_ENV(info);

}  // namespace rapport::travel
