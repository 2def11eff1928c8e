// TelepathyGym rules and registration.
#include <fmt/format.h>

#include "core/registry.h"
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

class TelepathyEpisode : public QuestionGameEpisode {
 public:
  TelepathyEpisode(Entity entity, const Params& params, std::unique_ptr<Oracle> oracle)
      : QuestionGameEpisode(params), entity_(std::move(entity)), oracle_(std::move(oracle)) {}

  std::string system_prompt() const override { return kSystemPrompt; }
  std::string opening() const override {
    return entity_.description + "\n\nAsk yes/no questions to work out what it is, then name it with your guess.";
  }

  json::object metrics() const override {
    return json::object{{"success", guessed_},
                        {"score", total_reward()},
                        {"questions", questions()},
                        {"guesses", answers()},
                        {"oracle_failures", oracle_failures()}};
  }

 protected:
  std::string finish_observation() const override { return "Game finished."; }
  std::string empty_question_observation() const override {
    return "Your question is empty. Ask a yes/no question, e.g. [action] Is it alive?";
  }
  std::string empty_answer_observation() const override {
    return "Your guess is empty. Name one specific thing after [answer].";
  }
  Ask<QuestionReply> ask_question(const std::string& question) const override {
    return oracle_->answer_question(entity_, question);
  }

  // Rewarded once: the first correct guess scores 1, and nothing after it improves on that.
  Flow<StepResult> answer(std::string text) override {
    return ask(oracle_->judge_guess(entity_, text), [this, text](GuessVerdict verdict) -> Flow<StepResult> {
      if (verdict.fallback) note_oracle_failure();
      double reward = improvement(verdict.correct ? 1.0 : 0.0);
      guessed_ = guessed_ || verdict.correct;
      StepResult r;
      r.observation = verdict.feedback;
      r.terminated = verdict.correct;
      r.info = json::object{{"guess", text}, {"correct", verdict.correct}, {"oracle_fallback", verdict.fallback}};
      return finish(std::move(r), reward);
    });
  }

 private:
  Entity entity_;
  std::unique_ptr<Oracle> oracle_;
  bool guessed_ = false;
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
       raw_prefix_slice_param(),
       user_hang_up_param()},
      [](Params p) { return std::make_unique<TelepathyGame>(std::move(p)); }};
}

}  // namespace

RAPPORT_REGISTER_ENV(info);

}  // namespace rapport::telepathy
