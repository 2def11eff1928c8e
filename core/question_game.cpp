#include "core/question_game.h"

#include <algorithm>

#include "core/llm_output.h"
#include "core/pynum.h"

namespace rapport {

QuestionReply read_yes_no_reply(const LlmResponse& response, std::string_view fallback_text) {
  QuestionReply fallback{std::string(fallback_text), true};
  if (!response.ok) return fallback;
  if (auto o = response_object(response)) {
    auto it = o->find("response");
    if (it == o->end() || !it->value().is_string()) return fallback;
    std::string_view text = py_strip(it->value().get_string());
    if (text.empty()) return fallback;
    return QuestionReply{std::string(text), false};
  }
  // A bare one-word answer is as good as the object.
  std::string word = ascii_lower(py_strip(split_think(response.message.content).visible));
  while (!word.empty() && (word.back() == '.' || word.back() == '!')) word.pop_back();
  if (word == "yes") return QuestionReply{"Yes", false};
  if (word == "no") return QuestionReply{"No", false};
  if (word == "maybe") return QuestionReply{"Maybe", false};
  return fallback;
}

ParamSpec raw_prefix_slice_param() {
  return ParamSpec::boolean("raw_prefix_slice", false,
                            "drop the first 8 characters of every question, prefixed or not, as the reference does");
}

QuestionGameEpisode::QuestionGameEpisode(const Params& params)
    : Episode(static_cast<int>(params.get_int("max_steps"))),
      reward_scale_(params.get_real("reward_scale")),
      step_penalty_(params.get_real("step_penalty")),
      normalize_(params.get_bool("normalize_rewards")),
      slice_any_(params.get_bool("raw_prefix_slice")) {}

Flow<StepResult> QuestionGameEpisode::on_step(std::string_view action) {
  if (action.substr(0, 8) == "[finish]") {
    StepResult r;
    r.observation = finish_observation();
    r.terminated = true;
    return finish(std::move(r), 0.0);
  }
  if (action.substr(0, 8) != "[answer]") return question(question_text(action));
  std::string text(py_strip(action.substr(8)));
  if (text.empty()) {
    return malformed(empty_answer_observation());
  }
  ++answers_;
  return answer(std::move(text));
}

std::string QuestionGameEpisode::question_text(std::string_view action) const {
  bool prefixed = action.substr(0, 8) == "[action]" || action.substr(0, 8) == "[search]";
  if (prefixed || slice_any_) return std::string(py_strip(action.substr(std::min<std::size_t>(8, action.size()))));
  return std::string(py_strip(action));
}

Flow<StepResult> QuestionGameEpisode::question(std::string text) {
  if (text.empty()) {
    return malformed(empty_question_observation());
  }
  ++questions_;
  return ask(ask_question(text), [this, text](QuestionReply reply) -> Flow<StepResult> {
    if (reply.fallback) ++oracle_failures_;
    StepResult r;
    r.observation = reply.text;
    r.info = json::object{{"question", text}, {"oracle_fallback", reply.fallback}};
    return finish(std::move(r), 0.0);
  });
}

StepResult QuestionGameEpisode::malformed(std::string observation) {
  StepResult r;
  r.observation = std::move(observation);
  r.format_error = true;
  return finish(std::move(r), 0.0);
}

StepResult QuestionGameEpisode::finish(StepResult r, double reward) {
  reward -= step_penalty_ * step_count();
  if (normalize_) reward = std::clamp(reward, 0.0, 1.0);
  r.reward = reward;
  total_reward_ += reward;
  return r;
}

double QuestionGameEpisode::improvement(double score) {
  double gain = std::max(0.0, score - best_);
  best_ = std::max(best_, score);
  return gain * reward_scale_;
}

}  // namespace rapport
