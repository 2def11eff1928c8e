// SearchGym's LLM judge: our prompt, tolerant parsing; a failed call or an unusable verdict counts
// as wrong (the reference's "Error" judgment).
#include <fmt/format.h>

#include "core/llm_output.h"
#include "core/pynum.h"
#include "envs/search/search.h"

namespace rapport::search {
namespace {

constexpr const char* kJudgeSystem =
    "You grade answers to factual questions. You are given the question, the gold answer and a model's answer. "
    "Decide whether the model's answer means the same as the gold answer: the same entity, date, number or place, "
    "possibly worded differently (an alias, a fuller or shorter name, another spelling, a different but equivalent "
    "unit). An answer that is more vague, lists several candidates, or is only partly right is wrong.\n\n"
    "Reply with a JSON object and nothing else:\n"
    "{\"reasoning\": \"<one or two sentences>\", \"judgment\": \"Yes\" | \"No\", \"feedback\": \"<one sentence>\"}";

class LlmOracle : public Oracle {
 public:
  Ask<Verdict> judge_answer(const QaItem& item, const std::string& answer) const override {
    return Ask<Verdict>::llm(judge_request(item, answer), read_verdict);
  }
};

}  // namespace

LlmRequest judge_request(const QaItem& item, std::string_view answer) {
  LlmRequest r;
  r.role = LlmRole::Judge;
  r.purpose = "answer_judge";
  r.sampling.max_tokens = 512;
  r.messages.push_back({"system", kJudgeSystem, "", {}, ""});
  r.messages.push_back({"user",
                        fmt::format("Question: {}\nGold answer: {}\nModel answer: {}\n\nReply with the JSON object.",
                                    item.question, item.answer, answer),
                        "", {}, ""});
  return r;
}

Verdict read_verdict(const LlmResponse& response) {
  const Verdict fallback{false, true};
  auto o = response_object(response);
  if (!o) return fallback;
  auto it = o->find("judgment");
  if (it == o->end()) return fallback;
  if (it->value().is_bool()) return Verdict{it->value().get_bool(), false};
  if (!it->value().is_string()) return fallback;
  // The reference wants exactly "Yes"; letter case, spaces and a full stop are forgiven.
  std::string word = ascii_lower(py_strip(it->value().get_string()));
  while (!word.empty() && (word.back() == '.' || word.back() == '!')) word.pop_back();
  if (word != "yes" && word != "no") return fallback;
  return Verdict{word == "yes", false};
}

std::unique_ptr<Oracle> make_llm_oracle() { return std::make_unique<LlmOracle>(); }

}  // namespace rapport::search
