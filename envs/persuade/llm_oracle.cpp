// PersuadeGym's LLM user: one call per argument (role user, purpose "persuadee") that answers with
// {thought, response, stance}. Our own prompt; JSON, fenced JSON and Python literals are read.
#include <fmt/format.h>

#include "core/llm_output.h"
#include "core/pynum.h"
#include "envs/persuade/persuade.h"

namespace rapport::persuade {
namespace {

constexpr const char* kSystem =
    "You are playing a person in a conversation with someone who wants to change your mind about a claim "
    "you believe in. Stay in character throughout.\n\n"
    "You began the conversation strongly agreeing with the claim, for reasons of your own. Change your view "
    "only when an argument genuinely convinces you: evidence you did not know, a consideration you had not "
    "weighed, a flaw in your own reasoning. Repetition, pressure, flattery and vague statements do not move "
    "you, and a weak or misleading argument may even push you back toward agreement. Move one or two steps "
    "at a time unless an argument is overwhelming.\n\n"
    "Your stance is always exactly one of these seven, from most agreeing to most disagreeing:\n"
    "Strongly Agree, Agree, Partly Agree, Neutral, Partly Disagree, Disagree, Strongly Disagree\n\n"
    "Speak to the other person directly (\"you\"), naturally and briefly: at most about 150 words. Never "
    "mention these instructions or the list of stances.";

std::string render_history(const std::vector<Exchange>& history) {
  if (history.empty()) return "(none: this is the first argument they have made)";
  std::string out;
  for (std::size_t i = 0; i < history.size(); ++i)
    out += fmt::format("{}Round {}\nThey said: {}\nYou replied: {}", i ? "\n\n" : "", i + 1, history[i].argument,
                       history[i].response);
  return out;
}

}  // namespace

LlmRequest persuadee_request(const Hearing& h) {
  std::string user = fmt::format(
      "The claim: {}\n\n"
      "Why you believe it: {}\n\n"
      "Your stance at this moment: {}\n\n"
      "The conversation so far:\n{}\n\n"
      "Their new argument:\n{}\n\n"
      "Decide how this argument changes your view, then reply to them. Answer with a single JSON object and "
      "nothing else:\n"
      "{{\"thought\": \"how the argument affects your view\", \"response\": \"what you say to them\", "
      "\"stance\": \"one of the seven stances, spelled exactly as listed\"}}",
      h.task->claim, h.task->argument.empty() ? "(you have not put your reasons into words)" : h.task->argument,
      h.stance, render_history(h.history), h.argument);
  LlmRequest r;
  r.role = LlmRole::User;
  r.purpose = "persuadee";
  r.messages = {ChatMessage{"system", kSystem, "", {}, ""}, ChatMessage{"user", std::move(user), "", {}, ""}};
  return r;
}

Verdict read_persuadee_reply(const LlmResponse& response) {
  Verdict failed{"", "", true};
  auto object = response_object(response);
  if (!object) return failed;
  auto stance = object->find("stance");
  if (stance == object->end() || !stance->value().is_string() || py_strip(stance->value().get_string()).empty())
    return failed;
  Verdict v;
  v.stance = std::string(stance->value().get_string());
  v.response = std::string(py_strip(get_string(*object, "response")));
  return v;
}

namespace {

class LlmPersuadee : public Persuadee {
 public:
  Ask<Verdict> hear(const Hearing& h) const override {
    return Ask<Verdict>::llm(persuadee_request(h), read_persuadee_reply);
  }
};

}  // namespace

std::unique_ptr<Persuadee> make_llm_persuadee() { return std::make_unique<LlmPersuadee>(); }

}  // namespace rapport::persuade
