// TurtleGym's LLM oracle: our prompts for the host and the judge, tolerant reading of their answers,
// fixed fallbacks when a call fails or its text is unusable.
#include <fmt/format.h>

#include <cmath>

#include "core/llm_output.h"
#include "core/pynum.h"
#include "envs/turtle/turtle.h"

namespace rapport::turtle {

const char* const kQuestionFallback = "The host could not answer that question just now. Please ask again.";
const char* const kAnswerFallback = "Your explanation could not be evaluated just now. Please submit it again.";

namespace {

constexpr const char* kHostSystem =
    "You host a lateral-thinking mystery game. You know the complete hidden story; the player has only read "
    "its short, puzzling surface and is asking yes/no questions to work out what really happened.\n\n"
    "Answer each question truthfully according to the hidden story, with one word: \"Yes\" or \"No\". Use "
    "\"Maybe\" only when the hidden story truly leaves the point open or the question cannot be answered with "
    "yes or no. Never explain, hint, or reveal anything beyond that one word.\n\n"
    "Reply with a JSON object and nothing else:\n"
    "{\"thought\": \"<your brief private reasoning>\", \"response\": \"Yes\" | \"No\" | \"Maybe\"}";

constexpr const char* kJudgeSystem =
    "You judge explanations in a lateral-thinking mystery game. The player has read only the surface of a story "
    "and proposes what really happened. Compare the proposal with the hidden story, one evaluation point at a "
    "time, in the order given, and score each point:\n"
    "- 1.0 when the proposal clearly contains the point (different wording is fine if the meaning agrees);\n"
    "- 0.5 when it contains the point only partly or vaguely;\n"
    "- 0.0 when the point is missing or contradicted.\n"
    "Also write one or two sentences of feedback addressed to the player as \"you\", without revealing "
    "anything of the hidden story.\n\n"
    "Reply with a JSON object and nothing else, with exactly one entry in \"scores\" per evaluation point:\n"
    "{\"scores\": [{\"statement\": \"<the point>\", \"thought\": \"<brief reasoning>\", \"score\": 0.0 | 0.5 | 1.0}], "
    "\"feedback\": \"<feedback>\"}";

std::optional<double> number_of(const json::value& v) {
  if (v.is_double()) return v.get_double();
  if (v.is_int64()) return static_cast<double>(v.get_int64());
  if (v.is_uint64()) return static_cast<double>(v.get_uint64());
  if (v.is_string()) return py_float(v.get_string());
  return std::nullopt;
}

}  // namespace

LlmRequest question_request(const Story& story, std::string_view question) {
  LlmRequest r;
  r.role = LlmRole::User;
  r.purpose = "question_answer";
  r.messages.push_back({"system", kHostSystem, "", {}, ""});
  r.messages.push_back({"user",
                        fmt::format("Surface (what the player has read):\n{}\n\nHidden story:\n{}\n\nThe player asks:\n{}\n\n"
                                    "Reply with the JSON object.",
                                    story.surface, story.bottom, question),
                        "", {}, ""});
  return r;
}

QuestionReply read_question_reply(const LlmResponse& response) {
  return read_yes_no_reply(response, kQuestionFallback);
}

LlmRequest answer_request(const Story& story, std::string_view answer) {
  json::array points;
  for (const auto& c : story.criteria) points.emplace_back(json::object{{"statement", c.statement}});
  LlmRequest r;
  r.role = LlmRole::Judge;
  r.purpose = "answer_judge";
  r.messages.push_back({"system", kJudgeSystem, "", {}, ""});
  r.messages.push_back({"user",
                        fmt::format("Evaluation points ({}):\n{}\n\nSurface:\n{}\n\nHidden story:\n{}\n\n"
                                    "The player's explanation:\n{}\n\nReply with the JSON object.",
                                    story.criteria.size(), to_python_json(points), story.surface, story.bottom, answer),
                        "", {}, ""});
  return r;
}

AnswerVerdict read_answer_verdict(const Story& story, const LlmResponse& response) {
  AnswerVerdict fallback{std::vector<double>(story.criteria.size(), 0.0), true};
  auto o = response_object(response);
  if (!o) return fallback;
  auto it = o->find("scores");
  if (it == o->end() || !it->value().is_array()) return fallback;
  const auto& scores = it->value().get_array();
  // One score per criterion, or the verdict cannot be matched to the criteria.
  if (scores.size() != story.criteria.size()) return fallback;
  AnswerVerdict v;
  for (const auto& item : scores) {
    std::optional<double> x;
    if (item.is_object()) {
      auto s = item.get_object().find("score");
      if (s != item.get_object().end()) x = number_of(s->value());
    } else {
      x = number_of(item);
    }
    if (!x || !std::isfinite(*x)) return fallback;
    v.judgments.push_back(snap_judgment(*x));
  }
  return v;
}

namespace {

class LlmOracle : public Oracle {
 public:
  Ask<QuestionReply> answer_question(const Story& story, const std::string& question) const override {
    return Ask<QuestionReply>::llm(question_request(story, question), read_question_reply);
  }
  Ask<AnswerVerdict> judge_answer(const Story& story, const std::string& answer) const override {
    return Ask<AnswerVerdict>::llm(answer_request(story, answer),
                                   [story](const LlmResponse& r) { return read_answer_verdict(story, r); });
  }
};

}  // namespace

std::unique_ptr<Oracle> make_llm_oracle() { return std::make_unique<LlmOracle>(); }

}  // namespace rapport::turtle
