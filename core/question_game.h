// Games in which the agent questions a simulated user who keeps a secret and then answers
// (TelepathyGym, TurtleGym): the move grammar, the yes/no host's reply and the step rewards they
// share (reference §13.2). A game adds its secret, its oracle and how an answer is scored.
#pragma once

#include <string>
#include <string_view>

#include "core/environment.h"
#include "core/flow.h"
#include "core/llm.h"

namespace rapport {

// The host's answer to a question, shown to the agent as is; fallback: the oracle failed and text
// is the game's fixed message.
struct QuestionReply {
  std::string text;
  bool fallback = false;
};

// Reads an LLM host's completion: the object's "response" string, or a bare "yes", "no" or
// "maybe" (any case, a trailing full stop or exclamation mark forgiven). Anything else, or a
// failed call, gives {fallback_text, true}.
QuestionReply read_yes_no_reply(const LlmResponse& response, std::string_view fallback_text);

// The `raw_prefix_slice` parameter every such game declares.
ParamSpec raw_prefix_slice_param();

class QuestionGameEpisode : public Episode {
 protected:
  // Reads max_steps, reward_scale, step_penalty, normalize_rewards and raw_prefix_slice.
  explicit QuestionGameEpisode(const Params& params);

  // The game's texts and its secret's two oracle calls.
  virtual std::string finish_observation() const = 0;
  virtual std::string empty_question_observation() const = 0;
  virtual std::string empty_answer_observation() const = 0;
  virtual Ask<QuestionReply> ask_question(const std::string& question) const = 0;
  // A non-empty answer, already counted; it ends in finish(r, improvement(score)).
  virtual Flow<StepResult> answer(std::string text) = 0;

  // The reward of a step: minus step_penalty × the step number, clipped to [0, 1] when
  // normalize_rewards is on; added to the total.
  StepResult finish(StepResult r, double reward);
  // An answer's score against the best so far: the improvement times reward_scale (only doing
  // better than before earns reward).
  double improvement(double score);
  void note_oracle_failure() { ++oracle_failures_; }

  double best() const { return best_; }
  double total_reward() const { return total_reward_; }
  int questions() const { return questions_; }
  int answers() const { return answers_; }
  int oracle_failures() const { return oracle_failures_; }

 private:
  // "[finish]" ends the game, "[answer] ..." answers, anything else asks (no strip, case-sensitive
  // prefixes, as the reference reads them).
  Flow<StepResult> on_step(std::string_view action) final;
  // The reference drops the first eight characters of a question whatever they are ("[action] "
  // or not); by default only a bracket prefix is dropped, so that a bare question arrives whole.
  std::string question_text(std::string_view action) const;
  Flow<StepResult> question(std::string text);
  // An empty question or answer: a format error that earns only the step penalty.
  StepResult malformed(std::string observation);

  double reward_scale_, step_penalty_;
  bool normalize_, slice_any_;
  double best_ = 0.0;
  double total_reward_ = 0.0;
  int questions_ = 0, answers_ = 0, oracle_failures_ = 0;
};

}  // namespace rapport
