// TelepathyGym's LLM oracle: our prompts for the host and the guess judge, tolerant parsing, fixed
// fallbacks.
#include <fmt/format.h>

#include "core/llm_output.h"
#include "core/pynum.h"
#include "envs/telepathy/telepathy.h"

namespace rapport::telepathy {

const char* const kQuestionFallback = "I could not answer that question just now. Please ask again.";
const char* const kGuessFallback = "I could not judge your guess just now. Please guess again.";

namespace {

constexpr const char* kHostSystem =
    "You are playing twenty questions. You have secretly chosen the entity described below, and the player asks "
    "yes/no questions to find out what it is.\n\n"
    "Answer each question truthfully about your entity with one word: \"Yes\" or \"No\". Use \"Maybe\" only when "
    "the answer is genuinely uncertain or depends on interpretation. Never reveal the entity's name and never give "
    "hints beyond that one word.\n\n"
    "Reply with a JSON object and nothing else:\n"
    "{\"thought\": \"<your brief private reasoning>\", \"response\": \"Yes\" | \"No\" | \"Maybe\"}";

constexpr const char* kJudgeSystem =
    "You judge guesses in a game of twenty questions. Decide whether the player's guess names the secret entity.\n\n"
    "Say \"Yes\" only when the guess identifies exactly this entity, by its name or an unmistakable synonym (a common "
    "alternative name, a nickname everyone knows, a spelling variant). A broader or narrower category, a related "
    "entity, or a partly right guess is \"No\": there is no partial credit. Then write one sentence of feedback to "
    "the player that does not reveal the entity.\n\n"
    "Reply with a JSON object and nothing else:\n"
    "{\"thought\": \"<your brief reasoning>\", \"judgment\": \"Yes\" | \"No\", \"feedback\": \"<one sentence>\"}";

// "Yes", " yes.", "YES!" → "yes".
std::string plain_word(std::string_view text) {
  std::string w = ascii_lower(py_strip(text));
  while (!w.empty() && (w.back() == '.' || w.back() == '!')) w.pop_back();
  return w;
}

}  // namespace

LlmRequest question_request(const Entity& entity, std::string_view question) {
  LlmRequest r;
  r.role = LlmRole::User;
  r.purpose = "question_answer";
  r.messages.push_back({"system", kHostSystem, "", {}, ""});
  r.messages.push_back({"user",
                        fmt::format("Your secret entity: {}\nCategory: {}\n\nThe player asks:\n{}\n\nReply with the JSON object.",
                                    entity.target(), entity.category, question),
                        "", {}, ""});
  return r;
}

QuestionReply read_question_reply(const LlmResponse& response) {
  return read_yes_no_reply(response, kQuestionFallback);
}

LlmRequest guess_request(const Entity& entity, std::string_view guess) {
  LlmRequest r;
  r.role = LlmRole::Judge;
  r.purpose = "guess_judge";
  r.messages.push_back({"system", kJudgeSystem, "", {}, ""});
  r.messages.push_back({"user",
                        fmt::format("The secret entity: {}\n\nThe player's guess:\n{}\n\nReply with the JSON object.",
                                    entity.target(), guess),
                        "", {}, ""});
  return r;
}

GuessVerdict read_guess_verdict(const LlmResponse& response) {
  GuessVerdict fallback{false, kGuessFallback, true};
  auto o = response_object(response);
  if (!o) return fallback;
  auto it = o->find("judgment");
  if (it == o->end()) return fallback;
  bool correct = false;
  if (it->value().is_bool()) {
    correct = it->value().get_bool();
  } else if (it->value().is_string()) {
    // The reference wants exactly "Yes"; letter case, spaces and a full stop are forgiven.
    std::string word = plain_word(it->value().get_string());
    if (word != "yes" && word != "no") return fallback;
    correct = word == "yes";
  } else {
    return fallback;
  }
  GuessVerdict v;
  v.correct = correct;
  auto f = o->find("feedback");
  if (f != o->end() && f->value().is_string() && !py_strip(f->value().get_string()).empty())
    v.feedback = std::string(py_strip(f->value().get_string()));
  else
    v.feedback = correct ? "Correct! That is what I was thinking of." : "No, that is not it. Keep asking.";
  return v;
}

namespace {

class LlmOracle : public Oracle {
 public:
  Ask<QuestionReply> answer_question(const Entity& entity, const std::string& question) const override {
    return Ask<QuestionReply>::llm(question_request(entity, question), read_question_reply);
  }
  Ask<GuessVerdict> judge_guess(const Entity& entity, const std::string& guess) const override {
    return Ask<GuessVerdict>::llm(guess_request(entity, guess), read_guess_verdict);
  }
};

}  // namespace

std::unique_ptr<Oracle> make_llm_oracle() { return std::make_unique<LlmOracle>(); }

}  // namespace rapport::telepathy
