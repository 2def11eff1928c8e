// SearchGym rules and registration.
#include <fmt/format.h>

#include <algorithm>

#include "core/pynum.h"
#include "core/registry.h"
#include "envs/search/search.h"

namespace rapport::search {

std::string format_results(std::string_view query, const SearchResponse& response, int max_results) {
  std::string body;
  int n = 0;
  for (const auto& p : response.passages) {
    if (n >= max_results) break;
    if (p.title.empty() && p.text.empty()) continue;
    body += fmt::format("{}{}. {}\n- Snippet: {}", n ? "\n" : "", n + 1, p.title, p.text);
    ++n;
  }
  if (n == 0) return fmt::format("No results found for '{}'. Try other words.", query);
  return fmt::format("Search results for '{}':\n{}", query, body);
}

namespace {

constexpr const char* kSystemPrompt =
    "You answer a factual question that you cannot answer from memory: search for the facts you need, read the "
    "results, then answer.\n\n"
    "Use the interact_with_env tool, one move per turn:\n"
    "- choice 'search': content is a search query, e.g. \"Eiffel Tower home country\". You get the top results "
    "(title and snippet). The number of searches is limited.\n"
    "- choice 'answer': content is your final answer, as short as possible (a name, a year, a place). A wrong answer "
    "costs a turn and you may answer again.\n"
    "- choice 'finish': give up and end the episode.\n\n"
    "Questions may need several searches: find the first fact, then search for what it leads to.";

class SearchEpisode : public Episode {
 public:
  SearchEpisode(QaItem item, const Params& params, std::unique_ptr<Oracle> oracle)
      : Episode(static_cast<int>(params.get_int("max_steps"))),
        item_(std::move(item)),
        oracle_(std::move(oracle)),
        max_searches_(static_cast<int>(params.get_int("max_search_steps"))),
        max_results_(static_cast<int>(params.get_int("max_search_results"))),
        correct_reward_(params.get_real("correct_answer_reward")),
        incorrect_reward_(params.get_real("incorrect_answer_reward")),
        step_penalty_(params.get_real("step_penalty")),
        normalize_(params.get_bool("normalize_rewards")),
        judge_(params.get_bool("judge")),
        count_every_search_(params.get_bool("count_every_search")) {}

  std::string system_prompt() const override { return kSystemPrompt; }
  std::string opening() const override {
    return fmt::format("Question: {}\n\nSearch for the facts you need (at most {} searches), then answer briefly.",
                       item_.question, max_searches_);
  }

  json::object metrics() const override {
    return json::object{{"success", correct_},
                        {"score", correct_ ? 1.0 : 0.0},
                        {"searches", searches_},
                        {"failed_searches", failed_searches_},
                        {"answers", answers_},
                        {"judge_failures", judge_failures_}};
  }

 protected:
  Flow<StepResult> on_step(std::string_view raw) override {
    // Stripped, case-sensitive prefixes (reference §13.2).
    std::string_view action = py_strip(raw);
    std::string_view prefix = action.substr(0, 8);
    std::string payload(py_strip(action.substr(std::min<std::size_t>(8, action.size()))));
    if (prefix == "[search]") return search(std::move(payload));
    if (prefix == "[answer]") return answer(std::move(payload));
    if (prefix == "[finish]") {
      StepResult r;
      r.observation = correct_ ? "Episode finished." : fmt::format("Episode finished. The correct answer was: {}", item_.answer);
      r.terminated = true;
      return finish(std::move(r), 0.0);
    }
    StepResult r;
    r.observation = "Unknown action. Use [search] <query> to search, [answer] <answer> to answer, or [finish] to end.";
    r.format_error = true;
    return finish(std::move(r), 0.0);
  }

 private:
  Flow<StepResult> search(std::string query) {
    // The reference counts a search before looking at it, so empty queries and refused searches
    // use up the budget; by default only searches that run count.
    if (count_every_search_) ++budget_used_;
    if ((count_every_search_ ? budget_used_ > max_searches_ : budget_used_ >= max_searches_)) {
      StepResult r;
      r.observation = fmt::format("You have used all {} searches. Answer now with [answer] <answer>.", max_searches_);
      r.info = json::object{{"query", query}, {"refused", true}};
      return finish(std::move(r), 0.0);
    }
    if (query.empty()) {
      StepResult r;
      r.observation = "Your search query is empty. Write what to look for after [search].";
      r.format_error = true;
      return finish(std::move(r), 0.0);
    }
    if (!count_every_search_) ++budget_used_;
    ++searches_;
    SearchRequest request{"agent_search", query, max_results_};
    return Flow<StepResult>::need_search(std::move(request), [this, query](const SearchResponse& response) -> Flow<StepResult> {
      StepResult r;
      if (!response.ok) {
        ++failed_searches_;
        r.observation = fmt::format("The search for '{}' failed ({}). Try again, or answer.", query, response.error);
      } else {
        r.observation = format_results(query, response, max_results_);
      }
      r.info = json::object{{"query", query}, {"results", static_cast<std::int64_t>(response.passages.size())}};
      return finish(std::move(r), 0.0);
    });
  }

  Flow<StepResult> answer(std::string text) {
    if (text.empty()) {
      StepResult r;
      r.observation = "Your answer is empty. Write it after [answer].";
      r.format_error = true;
      return finish(std::move(r), 0.0);
    }
    ++answers_;
    // The rule check first: the same letters and digits as the gold answer.
    if (normalize_answer(text) == normalize_answer(item_.answer)) return judged(text, Verdict{true, false}, "rule");
    if (!judge_) return judged(text, Verdict{false, false}, "rule");
    return ask(oracle_->judge_answer(item_, text), [this, text](Verdict v) { return judged(text, v, "judge"); });
  }

  Flow<StepResult> judged(const std::string& text, Verdict v, const char* by) {
    if (v.fallback) ++judge_failures_;
    correct_ = correct_ || v.correct;
    StepResult r;
    r.observation = v.correct ? fmt::format("Correct! Your answer '{}' is right.", text)
                              : fmt::format("Incorrect. Your answer '{}' is not right.", text);
    r.terminated = v.correct;
    r.info = json::object{{"answer", text}, {"correct", v.correct}, {"decided_by", by}, {"judge_fallback", v.fallback}};
    return finish(std::move(r), v.correct ? correct_reward_ : incorrect_reward_);
  }

  StepResult finish(StepResult r, double reward) {
    reward -= step_penalty_ * step_count();
    if (normalize_) reward = std::clamp(reward, 0.0, 1.0);
    r.reward = reward;
    return r;
  }

  QaItem item_;
  std::unique_ptr<Oracle> oracle_;
  int max_searches_, max_results_;
  double correct_reward_, incorrect_reward_, step_penalty_;
  bool normalize_, judge_, count_every_search_;
  int budget_used_ = 0;
  int searches_ = 0, failed_searches_ = 0, answers_ = 0, judge_failures_ = 0;
  bool correct_ = false;
};

class SearchGame : public Game {
 public:
  explicit SearchGame(Params params) : Game(std::move(params), kVersion) {
    const std::string tier = this->params().get("tier");
    for (const auto& q : builtin_questions())
      if (tier == "all" || q.tier == tier) questions_.push_back(&q);
  }

  // The index-th question of a seed-shuffled order of the tier's questions.
  Task task(std::uint64_t seed, std::uint64_t index) const override {
    const QaItem& q = *questions_[shuffled_position(seed, index, questions_.size(), "search/order")];
    return Task{q.id, to_json(q)};
  }
  std::size_t builtin_size() const override { return questions_.size(); }

  std::vector<Task> import_tasks(std::string_view text, std::string_view split) const override {
    std::vector<Task> out;
    for (auto& q : import_reference_questions(text, split)) out.push_back(Task{q.id, to_json(q)});
    return out;
  }

  std::unique_ptr<Episode> new_episode(const Task& task, const EpisodeOptions& options) const override {
    auto oracle = options.oracle == OracleKind::Llm ? make_llm_oracle() : make_scripted_oracle();
    return std::make_unique<SearchEpisode>(qa_item_from(task), params(), std::move(oracle));
  }

  std::unique_ptr<Agent> scripted_agent(std::uint64_t seed) const override { return make_scripted_agent(seed); }

 private:
  std::vector<const QaItem*> questions_;
};

EnvInfo info() {
  return EnvInfo{
      kName,
      "SearchGym",
      "Answer a question by searching a corpus (built-in index, retrieval server or web search), then answering",
      kVersion,
      {ParamSpec::choice("tier", "all", tiers(), "built-in questions: one_hop, multi_hop, hard or all"),
       ParamSpec::integer("max_steps", 20, 1, 1000, "steps before the episode is truncated"),
       ParamSpec::integer("max_search_steps", 5, 0, 1000, "searches allowed per episode"),
       ParamSpec::integer("max_search_results", 5, 1, 100, "results asked for and shown per search"),
       ParamSpec::real("correct_answer_reward", 1.0, -100, 100, "reward of a correct answer"),
       ParamSpec::real("incorrect_answer_reward", 0.0, -100, 100, "reward of a wrong answer"),
       ParamSpec::real("step_penalty", 0.0, 0, 100, "subtracted per step, times the step number"),
       ParamSpec::boolean("normalize_rewards", false, "clip step rewards to [0, 1]"),
       ParamSpec::boolean("judge", true,
                          "after a failed rule check, ask the judge (the reference's eval_method=llm); false: rule only"),
       ParamSpec::boolean("count_every_search", false,
                          "count empty and refused searches against the budget, as the reference does")},
      [](Params p) { return std::make_unique<SearchGame>(std::move(p)); }};
}

}  // namespace

RAPPORT_REGISTER_ENV(info);

}  // namespace rapport::search
