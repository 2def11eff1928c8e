// IntentionGym's scripted oracle. The judge counts a remaining detail as asked about when the
// question mentions one of its keywords. The responder answers each detail the question asks
// about (covered before or not) with one of its options, chosen once per (seed, task, detail) so
// the user never contradicts themselves; it never volunteers or lists other details.
#include <fmt/format.h>

#include "core/pynum.h"
#include "core/rng.h"
#include "core/text.h"
#include "envs/intention/intention.h"

namespace rapport::intention {

namespace {

bool asks_about(std::string_view question, const MissingDetail& d) {
  for (const auto& k : d.keywords)
    if (mentions(question, k)) return true;
  return false;
}

std::string lower_first(std::string text) {
  // "Budget for the trip" -> "budget for the trip"; leaves acronyms ("TV series") alone.
  if (text.size() >= 2 && text[0] >= 'A' && text[0] <= 'Z' && !(text[1] >= 'A' && text[1] <= 'Z')) text[0] += 'a' - 'A';
  return text;
}

class ScriptedIntentionOracle : public IntentionOracle {
 public:
  Ask<Reply> respond(const Asking& a) const override {
    std::string text;
    const auto& details = a.task->details;
    for (std::size_t i = 0; i < details.size(); ++i) {
      const auto& d = details[i];
      if (!asks_about(a.question, d)) continue;
      std::string answer = "I haven't decided yet";
      if (!d.options.empty()) {
        Rng rng = Rng::derive(a.seed, "intention/answer/" + a.task->id, i);
        answer = d.options[static_cast<std::size_t>(rng.below(d.options.size()))];
      }
      text += fmt::format("{}As for the {}: {}.", text.empty() ? "" : " ", lower_first(d.description), answer);
    }
    if (text.empty()) text = "I don't have anything particular in mind about that; I'm happy to leave it to you.";
    else text = "Good question. " + text;
    return Ask<Reply>::now(Reply{std::move(text), false});
  }

  Ask<Coverage> judge(const Asking& a) const override {
    Coverage c;
    for (std::size_t k = 0; k < a.remaining.size(); ++k)
      if (asks_about(a.question, a.task->details[a.remaining[k]])) c.indices.push_back(static_cast<std::int64_t>(k));
    c.related = !c.indices.empty();
    return Ask<Coverage>::now(std::move(c));
  }
};

}  // namespace

std::unique_ptr<IntentionOracle> make_scripted_oracle() { return std::make_unique<ScriptedIntentionOracle>(); }

}  // namespace rapport::intention
