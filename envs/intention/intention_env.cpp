// IntentionGym rules and registration: coverage bookkeeping, importance rewards with the
// multi-detail penalty, and termination of reference §2.7, with two decisions of our own
// (README.md): the responder does not see the hidden details, and duplicate indices count once.
#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "core/pynum.h"
#include "core/registry.h"
#include "envs/intention/intention.h"

namespace rapport::intention {

double importance_reward(int importance) { return importance >= 3 ? 1.0 : importance == 2 ? 0.7 : 0.4; }

double coverage_reward(const std::vector<int>& importances, double penalty) {
  if (importances.empty()) return 0.0;
  double base = importance_reward(*std::max_element(importances.begin(), importances.end()));
  if (importances.size() > 1) base = std::max(0.0, base - penalty * static_cast<double>(importances.size() - 1));
  return base;
}

namespace {

constexpr const char* kSystemPrompt =
    "A user asks you for help, but the request is vague: important details are missing. Your job is to "
    "find out what the user really wants by asking clarifying questions, before any help is given.\n\n"
    "Use the interact_with_env tool, one move per turn:\n"
    "- choice 'action': content is one clarifying question for the user.\n"
    "- choice 'finish': end the conversation once you understand the request.\n\n"
    "Ask about what matters most first. Ask one thing at a time: a question that bundles several topics "
    "is worth less. Questions unrelated to the request uncover nothing, and the number of turns is limited.";

constexpr const char* kFallbackReply = "Sorry, I'm not sure how to answer that. Could you ask it another way?";

class IntentionEpisode : public Episode {
 public:
  IntentionEpisode(IntentionTask task, const Params& params, const EpisodeOptions& options,
                   std::unique_ptr<IntentionOracle> oracle)
      : Episode(static_cast<int>(params.get_int("max_steps"))),
        task_(std::move(task)),
        oracle_(std::move(oracle)),
        seed_(options.seed),
        normalize_(params.get_bool("normalize_rewards")),
        step_penalty_(params.get_real("step_penalty")),
        reward_scale_(params.get_real("reward_scale")),
        multi_detail_penalty_(params.get_real("multi_detail_penalty")),
        sees_details_(params.get_bool("responder_sees_details")),
        count_duplicates_(params.get("duplicate_indices") == "count") {
    for (std::size_t i = 0; i < task_.details.size(); ++i) remaining_.push_back(i);
  }

  std::string system_prompt() const override { return kSystemPrompt; }
  std::string opening() const override {
    return fmt::format("Category: {}\nThe user's request: {}\n\nAsk the user clarifying questions to find out what "
                       "they need.",
                       task_.category.empty() ? "general" : task_.category, task_.task);
  }

  json::object metrics() const override {
    std::int64_t total = static_cast<std::int64_t>(task_.details.size());
    std::int64_t covered = total - static_cast<std::int64_t>(remaining_.size());
    std::int64_t high_total = 0, high_covered = 0;
    for (std::size_t i = 0; i < task_.details.size(); ++i) {
      if (task_.details[i].importance != 3) continue;
      ++high_total;
      if (std::find(remaining_.begin(), remaining_.end(), i) == remaining_.end()) ++high_covered;
    }
    return json::object{{"success", remaining_.empty()},
                        {"score", score_},
                        {"details_total", total},
                        {"details_covered", covered},
                        {"coverage", total ? static_cast<double>(covered) / static_cast<double>(total) : 0.0},
                        {"high_importance_total", high_total},
                        {"high_importance_covered", high_covered},
                        {"questions", static_cast<std::int64_t>(history_.size())},
                        {"multi_detail_questions", multi_detail_questions_},
                        {"ignored_indices", ignored_indices_},
                        {"responder_failures", responder_failures_},
                        {"judge_failures", judge_failures_}};
  }

 protected:
  Flow<StepResult> on_step(std::string_view raw) override {
    // Reference rules: the input is stripped, [finish] ends the talk in any letter case, and every
    // other text is a question (an [action], [answer] or [search] prefix is dropped).
    std::string_view text = py_strip(raw);
    if (ascii_lower(text.substr(0, 8)) == "[finish]") {
      StepResult r;
      r.observation = fmt::format("The conversation is over. You clarified {} of {} missing details.",
                                  task_.details.size() - remaining_.size(), task_.details.size());
      r.terminated = true;
      r.info = progress();
      return r;
    }
    std::string question(text);
    for (const char* prefix : {"[action]", "[answer]", "[search]"})
      if (text.substr(0, 8) == prefix) question = std::string(py_strip(text.substr(8)));
    if (question.empty()) {
      StepResult r;
      r.observation = "Your question is empty. Ask the user something (choice 'action'), or finish.";
      r.format_error = true;
      r.info = progress();
      return settle(std::move(r));
    }
    Asking a{&task_, history_, question, remaining_, sees_details_, seed_};
    return ask(oracle_->respond(a), [this, a](Reply reply) -> Flow<StepResult> {
      return ask(oracle_->judge(a), [this, a, reply](Coverage coverage) -> Flow<StepResult> {
        return conclude(a.question, reply, coverage);
      });
    });
  }

 private:
  json::object progress() const {
    return json::object{{"details_covered", static_cast<std::int64_t>(task_.details.size() - remaining_.size())},
                        {"details_remaining", static_cast<std::int64_t>(remaining_.size())}};
  }

  StepResult conclude(const std::string& question, const Reply& reply, const Coverage& coverage) {
    StepResult r;
    if (reply.failed) ++responder_failures_;
    r.observation = reply.failed ? kFallbackReply : reply.text;

    // The judge numbers the remaining details 0..n-1. Out-of-range numbers are ignored; a repeated
    // number counts once unless the reference's double counting is asked for.
    std::vector<std::size_t> picked;  // positions in remaining_, possibly repeated
    std::int64_t ignored = 0;
    if (coverage.failed) ++judge_failures_;
    else if (coverage.related) {
      std::set<std::size_t> seen;
      for (std::int64_t k : coverage.indices) {
        if (k < 0 || k >= static_cast<std::int64_t>(remaining_.size())) {
          ++ignored;
          continue;
        }
        std::size_t at = static_cast<std::size_t>(k);
        if (!seen.insert(at).second && !count_duplicates_) {
          ++ignored;
          continue;
        }
        picked.push_back(at);
      }
    }
    ignored_indices_ += ignored;

    std::vector<int> importances;
    json::array uncovered;
    for (std::size_t at : picked) importances.push_back(task_.details[remaining_[at]].importance);
    std::set<std::size_t> gone(picked.begin(), picked.end());
    std::vector<std::size_t> still;
    for (std::size_t k = 0; k < remaining_.size(); ++k) {
      if (gone.count(k)) uncovered.emplace_back(static_cast<std::int64_t>(remaining_[k]));
      else still.push_back(remaining_[k]);
    }
    remaining_ = std::move(still);
    if (picked.size() > 1) ++multi_detail_questions_;

    r.reward = coverage_reward(importances, multi_detail_penalty_) * reward_scale_;
    r.terminated = remaining_.empty();
    history_.push_back({question, r.observation});
    r.info = progress();
    r.info["uncovered"] = std::move(uncovered);  // detail numbers in the task, for the record
    if (ignored) r.info["ignored_indices"] = ignored;
    if (reply.failed) r.info["responder_fallback"] = true;
    if (coverage.failed) r.info["judge_failure"] = true;
    return settle(std::move(r));
  }

  StepResult settle(StepResult r) {
    r.reward -= step_penalty_;
    if (normalize_) r.reward = std::clamp(r.reward, 0.0, 1.0);
    score_ += r.reward;
    return r;
  }

  IntentionTask task_;
  std::unique_ptr<IntentionOracle> oracle_;
  std::uint64_t seed_;
  bool normalize_;
  double step_penalty_, reward_scale_, multi_detail_penalty_;
  bool sees_details_, count_duplicates_;
  std::vector<std::size_t> remaining_;
  std::vector<Exchange> history_;
  double score_ = 0.0;
  std::int64_t multi_detail_questions_ = 0, ignored_indices_ = 0, responder_failures_ = 0, judge_failures_ = 0;
};

class IntentionGame : public Game {
 public:
  explicit IntentionGame(Params params) : Game(std::move(params), kVersion) {}

  std::size_t builtin_size() const override { return builtin_tasks().size(); }

  // Seed 0 serves the tasks in file order; any other seed a fixed permutation of them. The index
  // wraps around the dataset.
  Task task(std::uint64_t seed, std::uint64_t index) const override {
    const auto& tasks = builtin_tasks();
    std::size_t k = seed == 0 ? static_cast<std::size_t>(index % tasks.size())
                              : shuffled_position(seed, index, tasks.size(), "intention/order");
    return Task{tasks[k].id, to_json(tasks[k])};
  }

  std::vector<Task> import_tasks(std::string_view text, std::string_view split) const override {
    std::vector<Task> out;
    for (auto& t : import_intentions_json(text, split)) out.push_back(Task{t.id, to_json(t)});
    return out;
  }

  std::unique_ptr<Episode> new_episode(const Task& task, const EpisodeOptions& options) const override {
    auto oracle = uses_model(options.oracle) ? make_llm_oracle() : make_scripted_oracle();
    IntentionTask t = intention_task_from(task);
    std::unique_ptr<Episode> e = std::make_unique<IntentionEpisode>(t, params(), options, std::move(oracle));
    if (is_reasoning(options.oracle)) e = with_reasoning_user(std::move(e), user_adapter(t, params()), options, task.id);
    return e;
  }

  std::unique_ptr<Agent> scripted_agent(std::uint64_t seed) const override { return make_scripted_agent(seed); }
};

EnvInfo info() {
  return EnvInfo{
      kName,
      "IntentionGym",
      "Uncover the missing details of a vague request by asking clarifying questions",
      kVersion,
      {ParamSpec::integer("max_steps", 20, 1, 1000, "steps before the episode is truncated"),
       ParamSpec::boolean("normalize_rewards", true, "clip step rewards to [0, 1]"),
       ParamSpec::real("step_penalty", 0.0, 0, 100, "subtracted from every question's reward"),
       ParamSpec::real("reward_scale", 1.0, 0, 100, "multiplies the coverage reward"),
       ParamSpec::real("multi_detail_penalty", 0.2, 0, 1, "subtracted per extra detail one question uncovers"),
       ParamSpec::boolean("responder_sees_details", false,
                          "show the LLM user the hidden details (the reference does; off keeps them hidden)"),
       ParamSpec::choice("duplicate_indices", "once", {"once", "count"},
                         "a detail number the judge repeats: once (counted one time) or count (the reference: "
                         "counted each time, raising the multi-detail penalty)"),
       user_hang_up_param()},
      [](Params p) { return std::make_unique<IntentionGame>(std::move(p)); }};
}

}  // namespace

RAPPORT_REGISTER_ENV(info);

}  // namespace rapport::intention
