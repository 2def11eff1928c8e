// TelepathyGym rules and registration.
#include <fmt/format.h>

#include <algorithm>

#include "core/pynum.h"
#include "core/registry.h"
#include "core/rng.h"
#include "envs/telepathy/telepathy.h"

namespace rapport::telepathy {
namespace {

constexpr const char* kSystemPrompt =
    "You are playing twenty questions. The user has something in mind: a person, an animal, an object, a place or "
    "anything else. Your goal is to find out exactly what it is.\n\n"
    "Use the interact_with_env tool, one move per turn:\n"
    "- choice 'action': content is a yes/no question, e.g. \"Is it alive?\". The user answers Yes, No or Maybe.\n"
    "- choice 'answer': content is your guess, naming one specific thing, e.g. \"the Eiffel Tower\". Only an exact "
    "identification counts; a wrong guess costs a turn and you may guess again.\n"
    "- choice 'finish': end the game.\n\n"
    "Start with broad questions that split the possibilities in half, then narrow down. The number of turns is "
    "limited.";

class TelepathyEpisode : public Episode {
 public:
  TelepathyEpisode(Entity entity, const Params& params, std::unique_ptr<Oracle> oracle)
      : Episode(static_cast<int>(params.get_int("max_steps"))),
        entity_(std::move(entity)),
        oracle_(std::move(oracle)),
        reward_scale_(params.get_real("reward_scale")),
        step_penalty_(params.get_real("step_penalty")),
        normalize_(params.get_bool("normalize_rewards")),
        slice_any_(params.get_bool("raw_prefix_slice")) {}

  std::string system_prompt() const override { return kSystemPrompt; }
  std::string opening() const override {
    return entity_.description + "\n\nAsk yes/no questions to work out what it is, then name it with your guess.";
  }

  json::object metrics() const override {
    return json::object{{"success", guessed_},
                        {"score", total_reward_},
                        {"questions", questions_},
                        {"guesses", guesses_},
                        {"oracle_failures", oracle_failures_}};
  }

 protected:
  Flow<StepResult> on_step(std::string_view action) override {
    // No strip, case-sensitive prefixes (reference §13.2).
    if (action.substr(0, 8) == "[finish]") {
      StepResult r;
      r.observation = "Game finished.";
      r.terminated = true;
      return finish(std::move(r), 0.0);
    }
    if (action.substr(0, 8) == "[answer]") return guess(std::string(py_strip(action.substr(8))));
    return question(question_text(action));
  }

 private:
  // As in TurtleGym: the reference drops eight characters whatever they are; by default only a
  // bracket prefix is dropped.
  std::string question_text(std::string_view action) const {
    bool prefixed = action.substr(0, 8) == "[action]" || action.substr(0, 8) == "[search]";
    if (prefixed || slice_any_) return std::string(py_strip(action.substr(std::min<std::size_t>(8, action.size()))));
    return std::string(py_strip(action));
  }

  Flow<StepResult> question(std::string text) {
    if (text.empty()) {
      StepResult r;
      r.observation = "Your question is empty. Ask a yes/no question, e.g. [action] Is it alive?";
      r.format_error = true;
      return finish(std::move(r), 0.0);
    }
    ++questions_;
    return ask(oracle_->answer_question(entity_, text), [this, text](QuestionReply reply) -> Flow<StepResult> {
      if (reply.fallback) ++oracle_failures_;
      StepResult r;
      r.observation = reply.text;
      r.info = json::object{{"question", text}, {"oracle_fallback", reply.fallback}};
      return finish(std::move(r), 0.0);
    });
  }

  Flow<StepResult> guess(std::string text) {
    if (text.empty()) {
      StepResult r;
      r.observation = "Your guess is empty. Name one specific thing after [answer].";
      r.format_error = true;
      return finish(std::move(r), 0.0);
    }
    ++guesses_;
    return ask(oracle_->judge_guess(entity_, text), [this, text](GuessVerdict verdict) -> Flow<StepResult> {
      if (verdict.fallback) ++oracle_failures_;
      double score = verdict.correct ? 1.0 : 0.0;
      double gain = std::max(0.0, score - best_);
      best_ = std::max(best_, score);
      guessed_ = guessed_ || verdict.correct;
      StepResult r;
      r.observation = verdict.feedback;
      r.terminated = verdict.correct;
      r.info = json::object{{"guess", text}, {"correct", verdict.correct}, {"oracle_fallback", verdict.fallback}};
      return finish(std::move(r), gain * reward_scale_);
    });
  }

  StepResult finish(StepResult r, double reward) {
    reward -= step_penalty_ * step_count();
    if (normalize_) reward = std::clamp(reward, 0.0, 1.0);
    r.reward = reward;
    total_reward_ += reward;
    return r;
  }

  Entity entity_;
  std::unique_ptr<Oracle> oracle_;
  double reward_scale_, step_penalty_;
  bool normalize_, slice_any_;
  double best_ = 0.0;
  double total_reward_ = 0.0;
  bool guessed_ = false;
  int questions_ = 0, guesses_ = 0, oracle_failures_ = 0;
};

class TelepathyGame : public Game {
 public:
  explicit TelepathyGame(Params params) : Game(std::move(params), kVersion) {}

  // The index-th entity of a seed-shuffled order of our entities (index taken modulo their
  // number): indices 0..n-1 of one seed visit every entity once.
  Task task(std::uint64_t seed, std::uint64_t index) const override {
    const auto& entities = builtin_entities();
    const Entity& e = entities[shuffled_position(seed, index, entities.size(), "telepathy/order")];
    return Task{e.id, to_json(e)};
  }
  std::size_t builtin_size() const override { return builtin_entities().size(); }

  std::vector<Task> import_tasks(std::string_view text, std::string_view split) const override {
    std::vector<Task> out;
    for (auto& e : import_reference_entities(text, split)) out.push_back(Task{e.id, to_json(e)});
    return out;
  }

  std::unique_ptr<Episode> new_episode(const Task& task, const EpisodeOptions& options) const override {
    auto oracle = uses_model(options.oracle) ? make_llm_oracle() : make_scripted_oracle();
    Entity en = entity_from(task);
    std::unique_ptr<Episode> e = std::make_unique<TelepathyEpisode>(en, params(), std::move(oracle));
    if (is_reasoning(options.oracle)) e = with_reasoning_user(std::move(e), user_adapter(en, params()), options, task.id);
    return e;
  }

  std::unique_ptr<Agent> scripted_agent(std::uint64_t seed) const override { return make_scripted_agent(seed); }
};

EnvInfo info() {
  return EnvInfo{
      kName,
      "TelepathyGym",
      "Twenty questions: find the entity the user has in mind with yes/no questions, then name it",
      kVersion,
      {ParamSpec::integer("max_steps", 20, 1, 1000, "steps before the episode is truncated"),
       ParamSpec::real("reward_scale", 1.0, 0, 100, "multiplies the reward of the first correct guess"),
       ParamSpec::real("step_penalty", 0.0, 0, 100, "subtracted per step, times the step number"),
       ParamSpec::boolean("normalize_rewards", true, "clip step rewards to [0, 1]"),
       ParamSpec::boolean("raw_prefix_slice", false,
                          "drop the first 8 characters of every question, prefixed or not, as the reference does"),
       user_hang_up_param()},
      [](Params p) { return std::make_unique<TelepathyGame>(std::move(p)); }};
}

}  // namespace

RAPPORT_REGISTER_ENV(info);

}  // namespace rapport::telepathy
