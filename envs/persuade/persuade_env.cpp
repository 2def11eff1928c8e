// PersuadeGym rules and registration: the stance machine, rewards and termination of reference
// §2.3, with two decisions of our own (README.md): anti-farming rewards and off-ladder stances.
#include <fmt/format.h>

#include <algorithm>

#include "core/pynum.h"
#include "core/registry.h"
#include "envs/persuade/persuade.h"

namespace rapport::persuade {

std::optional<int> stance_index_exact(std::string_view stance) {
  for (std::size_t i = 0; i < kStances.size(); ++i)
    if (stance == kStances[i]) return static_cast<int>(i);
  return std::nullopt;
}

std::optional<int> stance_index_lenient(std::string_view stance) {
  // Keep letters only, words separated by one space: "  strongly-Disagree." -> "strongly disagree".
  std::string words;
  for (char c : ascii_lower(stance)) {
    if (c >= 'a' && c <= 'z') words += c;
    else if (!words.empty() && words.back() != ' ') words += ' ';
  }
  while (!words.empty() && words.back() == ' ') words.pop_back();
  for (std::size_t i = 0; i < kStances.size(); ++i)
    if (words == ascii_lower(kStances[i])) return static_cast<int>(i);
  return std::nullopt;
}

double stance_score(int index) { return py_round(index / 6.0, 4); }

double levels_reward(int levels) {
  if (levels <= 0) return 0.0;
  if (levels >= 6) return 1.0;
  return py_round(levels / 6.0, 6);
}

namespace {

constexpr const char* kSystemPrompt =
    "You are talking with a person who strongly agrees with a claim. Your goal is to persuade them to "
    "disagree with it, by argument alone.\n\n"
    "Use the interact_with_env tool, one move per turn:\n"
    "- choice 'action': content is what you say to the person (an argument, a question, evidence). Choice "
    "'answer' is accepted the same way.\n"
    "- choice 'finish': end the conversation.\n\n"
    "The person's stance can move along seven levels, from strongly agreeing to strongly disagreeing; "
    "the conversation ends when they strongly disagree. Good arguments address their actual reasons. "
    "Repeating yourself will not help, and the number of turns is limited.";

constexpr const char* kFallbackReply =
    "Sorry, I couldn't quite follow your argument. Could you put it another way?";
constexpr const char* kSilentReply = "(The person thinks about your argument but says nothing.)";

class PersuadeEpisode : public Episode {
 public:
  PersuadeEpisode(PersuadeTask task, const Params& params, std::unique_ptr<Persuadee> persuadee)
      : Episode(static_cast<int>(params.get_int("max_steps"))),
        task_(std::move(task)),
        persuadee_(std::move(persuadee)),
        normalize_(params.get_bool("normalize_rewards")),
        step_penalty_(params.get_real("step_penalty")),
        reward_scale_(params.get_real("reward_scale")),
        anti_farming_(params.get_bool("anti_farming")),
        reference_off_ladder_(params.get("off_ladder") == "reference") {}

  std::string system_prompt() const override { return kSystemPrompt; }
  std::string opening() const override {
    return fmt::format(
        "The person you are talking with strongly agrees with this claim:\n\"{}\"\n\nYou disagree. Try to "
        "persuade them to change their mind.",
        task_.claim);
  }

  json::object metrics() const override {
    auto index = current_index();
    return json::object{{"success", index == kLastStance},
                        {"score", score_},
                        {"final_stance", stance_},
                        {"final_stance_score", index ? stance_score(*index) : 0.0},
                        {"best_stance", kStances[static_cast<std::size_t>(best_index_)]},
                        {"arguments", static_cast<std::int64_t>(history_.size())},
                        {"off_ladder_stances", off_ladder_},
                        {"oracle_failures", oracle_failures_}};
  }

 protected:
  Flow<StepResult> on_step(std::string_view raw) override {
    // Reference rules: the input is not stripped and only an exact "[finish]" prefix ends the talk;
    // everything else is an argument, minus an [action] or [answer] prefix.
    if (raw.substr(0, 8) == "[finish]") {
      StepResult r;
      r.observation = "The conversation is over.";
      r.terminated = true;
      r.info = stance_info();
      return r;
    }
    std::string argument(py_strip(raw.substr(0, 8) == "[action]" || raw.substr(0, 8) == "[answer]" ? raw.substr(8) : raw));
    if (argument.empty()) {
      StepResult r;
      r.observation = "You said nothing. Make an argument (choice 'action' with your words as content), or finish.";
      r.format_error = true;
      r.info = stance_info();
      return finish_reward(r);
    }
    Hearing h{&task_, stance_, current_index(), history_, argument};
    return ask(persuadee_->hear(h), [this, argument](Verdict v) -> Flow<StepResult> { return judge(argument, v); });
  }

 private:
  std::optional<int> current_index() const {
    return reference_off_ladder_ ? stance_index_exact(stance_) : stance_index_lenient(stance_);
  }

  json::object stance_info() const {
    auto index = current_index();
    return json::object{{"stance", stance_}, {"stance_score", index ? stance_score(*index) : 0.0}};
  }

  StepResult judge(const std::string& argument, const Verdict& v) {
    StepResult r;
    bool off_ladder = false;
    if (v.failed) {
      // Reference fallback: a fixed reply, the stance unchanged, no reward.
      ++oracle_failures_;
      r.observation = kFallbackReply;
    } else {
      r.observation = v.response.empty() ? kSilentReply : v.response;
      auto before = current_index();
      std::optional<int> after = reference_off_ladder_ ? stance_index_exact(v.stance) : stance_index_lenient(v.stance);
      off_ladder = !after;
      if (off_ladder) ++off_ladder_;
      int levels = 0;
      if (before && after) levels = anti_farming_ ? *after - best_index_ : *after - *before;
      if (after) {
        stance_ = kStances[static_cast<std::size_t>(*after)];
        best_index_ = std::max(best_index_, *after);
      } else if (reference_off_ladder_) {
        stance_ = v.stance;  // the reference keeps the string: no reward until a ladder stance returns
      }
      r.reward = levels_reward(levels) * reward_scale_;
      r.terminated = after == kLastStance;
    }
    history_.push_back({argument, r.observation});
    r.info = stance_info();
    if (off_ladder) r.info["off_ladder"] = v.stance;
    if (v.failed) r.info["oracle_failure"] = true;
    return finish_reward(r);
  }

  StepResult finish_reward(StepResult r) {
    if (step_penalty_ > 0) r.reward -= step_penalty_;
    if (normalize_) r.reward = std::clamp(r.reward, 0.0, 1.0);
    score_ += r.reward;
    return r;
  }

  PersuadeTask task_;
  std::unique_ptr<Persuadee> persuadee_;
  bool normalize_;
  double step_penalty_, reward_scale_;
  bool anti_farming_, reference_off_ladder_;
  std::string stance_ = kStances[0];
  int best_index_ = 0;
  std::vector<Exchange> history_;
  double score_ = 0.0;
  std::int64_t off_ladder_ = 0;
  std::int64_t oracle_failures_ = 0;
};

class PersuadeGame : public Game {
 public:
  explicit PersuadeGame(Params params) : Game(std::move(params), kVersion) {}

  std::size_t builtin_size() const override { return builtin_claims().size(); }

  // Seed 0 serves the claims in file order; any other seed a fixed permutation of them. The index
  // wraps around the dataset.
  Task task(std::uint64_t seed, std::uint64_t index) const override {
    const auto& claims = builtin_claims();
    std::size_t k = seed == 0 ? static_cast<std::size_t>(index % claims.size())
                              : shuffled_position(seed, index, claims.size(), "persuade/order");
    return Task{claims[k].id, to_json(claims[k])};
  }

  std::vector<Task> import_tasks(std::string_view text, std::string_view split) const override {
    std::vector<Task> out;
    for (auto& t : import_statements_json(text, split)) out.push_back(Task{t.id, to_json(t)});
    return out;
  }

  std::unique_ptr<Episode> new_episode(const Task& task, const EpisodeOptions& options) const override {
    auto persuadee = uses_model(options.oracle) ? make_llm_persuadee() : make_scripted_persuadee();
    PersuadeTask t = persuade_task_from(task);
    std::unique_ptr<Episode> e = std::make_unique<PersuadeEpisode>(t, params(), std::move(persuadee));
    if (is_reasoning(options.oracle)) e = with_reasoning_user(std::move(e), user_adapter(t, params()), options, task.id);
    return e;
  }

  std::unique_ptr<Agent> scripted_agent(std::uint64_t seed) const override { return make_scripted_agent(seed); }
};

EnvInfo info() {
  return EnvInfo{
      kName,
      "PersuadeGym",
      "Persuade a simulated person to disagree with a claim they strongly hold",
      kVersion,
      {ParamSpec::integer("max_steps", 20, 1, 1000, "steps before the episode is truncated"),
       ParamSpec::boolean("normalize_rewards", true, "clip step rewards to [0, 1]"),
       ParamSpec::real("step_penalty", 0.0, 0, 100, "subtracted from every argument's reward"),
       ParamSpec::real("reward_scale", 1.0, 0, 100, "multiplies the stance reward"),
       ParamSpec::boolean("anti_farming", true,
                          "reward only progress past the most disagreeing stance reached so far (false: the "
                          "reference's reward for every move toward disagreement, which oscillation can farm)"),
       ParamSpec::choice("off_ladder", "ignore", {"ignore", "reference"},
                         "a stance off the ladder from the LLM user: ignore (stance unchanged, reward 0, "
                         "counted) or reference (kept verbatim and matched exactly; moves from or to it earn 0)"),
       user_hang_up_param()},
      [](Params p) { return std::make_unique<PersuadeGame>(std::move(p)); }};
}

}  // namespace

RAPPORT_REGISTER_ENV(info);

}  // namespace rapport::persuade
