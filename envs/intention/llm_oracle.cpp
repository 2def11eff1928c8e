// IntentionGym's LLM oracle: per question, a responder call (role user, purpose "responder") that
// plays the person behind the request, then a coverage call (role judge, purpose
// "coverage_judge") that names the remaining details the question asks about. Our own prompts;
// JSON, fenced JSON and Python literals are read.
#include <fmt/format.h>

#include <cmath>

#include "core/llm_output.h"
#include "core/pynum.h"
#include "envs/intention/intention.h"

namespace rapport::intention {
namespace {

constexpr std::size_t kRecentExchanges = 3;

constexpr const char* kResponderSystem =
    "You are playing a person who asked an assistant for help with a request that leaves things out. "
    "The assistant asks you questions to understand what you want. Answer as that person would in a chat: "
    "briefly, naturally and concretely.";

constexpr const char* kJudgeSystem =
    "You check a conversation between an assistant and a person with a vague request. You decide which of "
    "the person's still-unstated details the assistant's latest question asks about. You answer with JSON "
    "only.";

const char* importance_label(int importance) {
  return importance >= 3 ? "HIGH" : importance == 2 ? "MEDIUM" : "LOW";
}

std::string recent(const std::vector<Exchange>& history, bool numbered) {
  std::size_t from = history.size() > kRecentExchanges ? history.size() - kRecentExchanges : 0;
  std::string out;
  for (std::size_t i = from; i < history.size(); ++i) {
    if (!out.empty()) out += "\n";
    if (numbered)
      out += fmt::format("Q{0}: {1}\nA{0}: {2}", i + 1, history[i].question, history[i].reply);
    else
      out += fmt::format("Assistant: {}\nYou: {}", history[i].question, history[i].reply);
  }
  return out.empty() ? "(none yet)" : out;
}

LlmRequest request(LlmRole role, const char* purpose, const char* system, std::string user) {
  LlmRequest r;
  r.role = role;
  r.purpose = purpose;
  r.messages = {ChatMessage{"system", system, "", {}, ""}, ChatMessage{"user", std::move(user), "", {}, ""}};
  return r;
}

std::string visible(const LlmResponse& response) { return split_think(response.message.content).visible; }

}  // namespace

LlmRequest responder_request(const Asking& a) {
  std::string hidden;
  if (a.responder_sees_details) {
    // Compatibility with the reference, which shows the simulated user every missing detail.
    hidden = "\nThings you have in mind but did not say (answer consistently with them when asked; never list "
             "them):\n";
    for (const auto& d : a.task->details) {
      std::string options;
      for (const auto& o : d.options) options += (options.empty() ? "" : " / ") + o;
      hidden += fmt::format("- {} (for example: {})\n", d.description, options.empty() ? "open" : options);
    }
  }
  std::string user = fmt::format(
      "Your request to the assistant ({}): {}\n{}\n"
      "The conversation so far:\n{}\n\n"
      "The assistant now asks you:\n{}\n\n"
      "Reply as this person. If the question asks about something you have not thought about, choose a "
      "realistic, specific preference that fits what you said before, and keep to it later. If the question "
      "has nothing to do with your request, say so briefly and bring the talk back to it. Answer only what "
      "was asked: do not volunteer other details, and never list what the assistant ought to ask.\n\n"
      "Answer with a single JSON object and nothing else:\n"
      "{{\"thought\": \"what the person would answer and why\", \"response\": \"your reply to the assistant\"}}",
      a.task->category.empty() ? "general" : a.task->category, a.task->task, hidden, recent(a.history, false),
      a.question);
  return request(LlmRole::User, "responder", kResponderSystem, std::move(user));
}

Reply read_responder_reply(const LlmResponse& response) {
  Reply failed{"", true};
  if (!response.ok) return failed;
  std::string text = visible(response);
  if (auto object = parse_llm_object(text)) {
    std::string reply(py_strip(get_string(*object, "response")));
    if (reply.empty()) return failed;
    return Reply{std::move(reply), false};
  }
  // Plain prose is taken as the reply; an empty text or a broken JSON object is not.
  std::string_view plain = py_strip(text);
  if (plain.empty() || plain.front() == '{' || plain.substr(0, 3) == "```") return failed;
  return Reply{std::string(plain), false};
}

LlmRequest judge_request(const Asking& a) {
  std::string details;
  for (std::size_t k = 0; k < a.remaining.size(); ++k) {
    const auto& d = a.task->details[a.remaining[k]];
    details += fmt::format("{}. [{}] {}\n   for example: {}\n", k, importance_label(d.importance), d.description,
                           d.inquiry.empty() ? "(no example)" : d.inquiry);
  }
  if (details.empty()) details = "(none: every detail has been asked about)\n";
  std::string user = fmt::format(
      "The person's request ({}): {}\n\n"
      "Details the person has not been asked about yet, numbered from 0:\n{}\n"
      "Earlier questions and answers:\n{}\n\n"
      "The assistant's latest question:\n{}\n\n"
      "Which numbered details does the latest question ask the person to specify? A detail counts when the "
      "question asks for that information, in any words; a loosely related question does not count. A "
      "question may cover several details or none. Set is_task_related to false when the question has "
      "nothing to do with the request.\n\n"
      "Answer with a single JSON object and nothing else:\n"
      "{{\"analysis\": \"your reasoning\", \"is_task_related\": true or false, \"covered_detail_indices\": "
      "[the numbers of the details asked about; empty if none]}}",
      a.task->category.empty() ? "general" : a.task->category, a.task->task, details, recent(a.history, true),
      a.question);
  return request(LlmRole::Judge, "coverage_judge", kJudgeSystem, std::move(user));
}

Coverage read_judge_reply(const LlmResponse& response) {
  Coverage failed;
  failed.failed = true;
  if (!response.ok) return failed;
  auto object = parse_llm_object(visible(response));
  if (!object) return failed;
  auto list = object->find("covered_detail_indices");
  if (list == object->end() || !list->value().is_array()) return failed;
  Coverage c;
  if (auto related = object->find("is_task_related"); related != object->end()) {
    const auto& v = related->value();
    if (v.is_bool()) c.related = v.get_bool();
    else if (v.is_string()) c.related = ascii_lower(py_strip(v.get_string())) != "false";
  }
  // Indices are kept when they are integers, integral numbers or digit strings; anything else is
  // dropped (as the reference does).
  for (const auto& v : list->value().get_array()) {
    if (v.is_int64()) c.indices.push_back(v.get_int64());
    else if (v.is_uint64()) continue;  // beyond any list: out of range either way
    else if (v.is_double() && std::fabs(v.get_double()) < 1e15 && std::trunc(v.get_double()) == v.get_double())
      c.indices.push_back(static_cast<std::int64_t>(v.get_double()));
    else if (v.is_string()) {
      std::string_view s = py_strip(v.get_string());
      bool digits = !s.empty() && s.size() <= 18;
      for (char ch : s) digits = digits && ch >= '0' && ch <= '9';
      if (digits) c.indices.push_back(std::stoll(std::string(s)));
    }
  }
  return c;
}

namespace {

class LlmIntentionOracle : public IntentionOracle {
 public:
  Ask<Reply> respond(const Asking& a) const override { return Ask<Reply>::llm(responder_request(a), read_responder_reply); }
  Ask<Coverage> judge(const Asking& a) const override { return Ask<Coverage>::llm(judge_request(a), read_judge_reply); }
};

}  // namespace

std::unique_ptr<IntentionOracle> make_llm_oracle() { return std::make_unique<LlmIntentionOracle>(); }

}  // namespace rapport::intention
