// TurtleGym rules and registration.
#include <fmt/format.h>

#include "core/registry.h"
#include "envs/turtle/turtle.h"

namespace rapport::turtle {

double weighted_score(const std::vector<Criterion>& criteria, const std::vector<double>& judgments) {
  double score = 0.0;
  for (std::size_t i = 0; i < criteria.size() && i < judgments.size(); ++i) score += criteria[i].weight * judgments[i];
  return score;
}

double snap_judgment(double x) { return x < 0.25 ? 0.0 : x < 0.75 ? 0.5 : 1.0; }

std::string answer_feedback(const Story& story, const std::vector<double>& judgments, bool solved) {
  std::string covered;
  for (std::size_t i = 0; i < story.criteria.size() && i < judgments.size(); ++i)
    if (judgments[i] == 1.0) covered += fmt::format("{}: Covered\n", story.criteria[i].statement);
  if (covered.empty()) return "Your explanation does not capture any of the key points of the hidden story yet.";
  return "Your explanation captures these key points:\n" + covered +
         (solved ? "That is the whole story: well done!"
                 : "There may be more twists to uncover. Keep asking questions and refine your explanation.");
}

namespace {

constexpr const char* kSystemPrompt =
    "You are playing a lateral-thinking mystery (\"turtle soup\"). You are shown the surface of a story: a short, "
    "puzzling situation. A host knows the hidden story behind it. Your goal is to work out what really happened.\n\n"
    "Use the interact_with_env tool, one move per turn:\n"
    "- choice 'action': content is a yes/no question about the story, e.g. \"Did someone die?\". The host answers "
    "Yes, No or Maybe.\n"
    "- choice 'answer': content is your full explanation of what happened. It is scored against the key points of "
    "the hidden story, and you are told which points you covered. You may answer several times; only an "
    "improvement on your best explanation earns reward.\n"
    "- choice 'finish': end the game.\n\n"
    "Question the surface's assumptions, narrow down with sharp questions, and explain the whole story: who, what, "
    "and why. The number of turns is limited.";

// How the threshold is compared: the reference compares exactly, so a perfect answer whose weights
// sum to 0.9999999999999999 never reaches 1.0; by default we allow for that rounding.
constexpr double kThresholdTolerance = 1e-9;

class TurtleEpisode : public QuestionGameEpisode {
 public:
  TurtleEpisode(Story story, const Params& params, std::unique_ptr<Oracle> oracle)
      : QuestionGameEpisode(params),
        story_(std::move(story)),
        oracle_(std::move(oracle)),
        threshold_(params.get_real("success_threshold")),
        exact_threshold_(params.get_bool("exact_threshold")) {}

  std::string system_prompt() const override { return kSystemPrompt; }
  std::string opening() const override {
    return fmt::format("Title: {}\nSurface: {}\n\nAsk yes/no questions to uncover the hidden story behind this surface, "
                       "then explain what really happened.",
                       story_.title, story_.surface);
  }

  json::object metrics() const override {
    return json::object{{"success", solved_},
                        {"score", total_reward()},
                        {"best_score", best()},
                        {"questions", questions()},
                        {"answers", answers()},
                        {"oracle_failures", oracle_failures()}};
  }

 protected:
  std::string finish_observation() const override { return "You ended the game."; }
  std::string empty_question_observation() const override {
    return "Your question is empty. Ask a yes/no question about the story, e.g. [action] Did someone die?";
  }
  std::string empty_answer_observation() const override {
    return "Your explanation is empty. Tell the whole story as you understand it after [answer].";
  }
  Ask<QuestionReply> ask_question(const std::string& question) const override {
    return oracle_->answer_question(story_, question);
  }

  Flow<StepResult> answer(std::string text) override {
    return ask(oracle_->judge_answer(story_, text), [this](AnswerVerdict verdict) -> Flow<StepResult> {
      if (verdict.fallback) note_oracle_failure();
      double score = weighted_score(story_.criteria, verdict.judgments);
      double reward = improvement(score);
      bool solved = reaches_threshold(score);
      solved_ = solved_ || solved;
      StepResult r;
      r.observation = verdict.fallback ? kAnswerFallback : answer_feedback(story_, verdict.judgments, solved);
      r.terminated = solved;
      json::array judgments;
      for (double j : verdict.judgments) judgments.emplace_back(j);
      r.info = json::object{{"score", score},
                            {"best_score", best()},
                            {"judgments", std::move(judgments)},
                            {"oracle_fallback", verdict.fallback}};
      return finish(std::move(r), reward);
    });
  }

 private:
  bool reaches_threshold(double score) const {
    return exact_threshold_ ? score >= threshold_ : score >= threshold_ - kThresholdTolerance;
  }

  Story story_;
  std::unique_ptr<Oracle> oracle_;
  double threshold_;
  bool exact_threshold_;
  bool solved_ = false;
};

class TurtleGame : public Game {
 public:
  explicit TurtleGame(Params params) : Game(std::move(params), kVersion) {}

  // The index-th story of a seed-shuffled order of our stories (index taken modulo their number):
  // indices 0..n-1 of one seed visit every story once.
  Task task(std::uint64_t seed, std::uint64_t index) const override {
    const auto& stories = builtin_stories();
    const Story& s = stories[shuffled_position(seed, index, stories.size(), "turtle/order")];
    return Task{s.id, to_json(s)};
  }
  std::size_t builtin_size() const override { return builtin_stories().size(); }

  std::vector<Task> import_tasks(std::string_view text, std::string_view split) const override {
    std::vector<Task> out;
    for (auto& s : import_reference_stories(text, split)) out.push_back(Task{s.id, to_json(s)});
    return out;
  }

  std::unique_ptr<Episode> new_episode(const Task& task, const EpisodeOptions& options) const override {
    auto oracle = uses_model(options.oracle) ? make_llm_oracle() : make_scripted_oracle();
    Story s = story_from(task);
    std::unique_ptr<Episode> e = std::make_unique<TurtleEpisode>(s, params(), std::move(oracle));
    if (is_reasoning(options.oracle)) e = with_reasoning_user(std::move(e), user_adapter(s, params()), options, task.id);
    return e;
  }

  std::unique_ptr<Agent> scripted_agent(std::uint64_t seed) const override { return make_scripted_agent(seed); }
};

EnvInfo info() {
  return EnvInfo{
      kName,
      "TurtleGym",
      "Lateral-thinking mysteries: ask yes/no questions, then explain the hidden story",
      kVersion,
      {ParamSpec::integer("max_steps", 20, 1, 1000, "steps before the episode is truncated"),
       ParamSpec::real("success_threshold", 0.9, 0, 1, "score of an explanation that ends the game as solved"),
       ParamSpec::boolean("exact_threshold", false,
                          "compare the score with the threshold exactly, as the reference does (a perfect score "
                          "summing to 0.9999999999999999 then misses a threshold of 1.0)"),
       ParamSpec::real("reward_scale", 1.0, 0, 100, "multiplies the improvement an explanation earns"),
       ParamSpec::real("step_penalty", 0.0, 0, 100, "subtracted per step, times the step number"),
       ParamSpec::boolean("normalize_rewards", true, "clip step rewards to [0, 1]"),
       raw_prefix_slice_param(),
       user_hang_up_param()},
      [](Params p) { return std::make_unique<TurtleGame>(std::move(p)); }};
}

}  // namespace

RAPPORT_REGISTER_ENV(info);

}  // namespace rapport::turtle
