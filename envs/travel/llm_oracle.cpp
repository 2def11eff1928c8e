// TravelGym's LLM oracle: our own prompts for the search judge, the utterance judge and the three
// traveller responses, and readers that never throw. On unusable output the verdict falls back as
// the reference does: search → the backend-error message, utterance → type 1 (ordinary
// conversation), reply → the rules' apology.
#include <fmt/format.h>

#include "core/llm_output.h"
#include "core/pynum.h"
#include "envs/travel/oracle.h"

namespace rapport::travel {
namespace {

constexpr const char* kSearchJudge =
    "You check a travel agent's search request against what the traveller's trip actually needs.\n\n"
    "You get the agent's request and, for every travel aspect of the trip, the ground-truth search arguments. "
    "The request is aligned with an aspect only if it asks for exactly that one aspect and states every one of its "
    "arguments correctly. Dates may be written in any format and places in any letter case. A request that mixes "
    "several aspects, leaves out an argument or gets one wrong is not aligned.\n\n"
    "Answer with one JSON object and nothing else:\n"
    "{\"alignment_judgement\": \"True\" | \"False\" | \"N/A\", \"alignment_aspect\": \"<aspect or empty>\"}\n"
    "- \"True\": aligned with one aspect; name that aspect exactly as written in the arguments.\n"
    "- \"False\": aimed at the trip's aspects but incomplete, inaccurate or covering several aspects.\n"
    "- \"N/A\": unrelated to every aspect of the trip.";

constexpr const char* kUtteranceJudge =
    "You read one message a travel agent sent to a traveller and decide what kind of message it is. The traveller "
    "has hidden preferences, listed below with their ids; the agent does not know them.\n\n"
    "Types:\n"
    "1 - ordinary conversation: greetings, statements, summaries, proposals, confirmations, or anything that does "
    "not ask about the traveller's preferences.\n"
    "2 - a concrete question that targets one of the listed preferences (for example asking about stopovers when "
    "the traveller has a preference about the number of stops). Give that preference's id.\n"
    "3 - a concrete question about a specific detail on which the traveller has no listed preference.\n"
    "4 - a vague or general request for preferences that names no concrete detail (for example \"anything else I "
    "should know?\" or \"any wishes for the hotel?\").\n\n"
    "Answer with one JSON object and nothing else:\n"
    "{\"type\": \"1\" | \"2\" | \"3\" | \"4\", \"preference_id\": \"<id for type 2, else empty>\", "
    "\"note\": \"<one short sentence on what the agent asked>\"}";

constexpr const char* kPreferenceResponder =
    "You play a traveller talking with a travel agent. The agent has just asked about something you care about. "
    "Answer in one or two natural sentences, in the first person. Reveal the preference below only indirectly: "
    "describe your situation, habits or plans so that the preference follows from them, without stating it and "
    "without naming the exact feature, number or category. Mention no other preference and ask no question. The "
    "example statement shows the kind of hint wanted; vary its wording.\n\n"
    "Answer with one JSON object and nothing else: {\"thought\": \"<how you will hint>\", \"response\": \"<what you "
    "say to the agent>\"}";

constexpr const char* kProactiveResponder =
    "You play a traveller talking with a travel agent. The agent has not asked about the things that matter to you, "
    "so you bring one up yourself. In one or two natural sentences, in the first person, steer the conversation to "
    "the preference below and reveal it only indirectly: describe your situation so that it follows, never state it "
    "outright. Make clear which part of the trip you mean (for example the flight or the hotel). The example "
    "statement shows the kind of hint wanted; vary its wording.\n\n"
    "Answer with one JSON object and nothing else: {\"thought\": \"<how you will hint>\", \"response\": \"<what you "
    "say to the agent>\"}";

constexpr const char* kNaturalResponder =
    "You play a traveller talking with a travel agent. Reply to the agent's latest message briefly and neutrally, in "
    "one short sentence. Do not reveal or invent any preference, do not ask questions, and do not make choices for "
    "the agent.\n\n"
    "Answer with one JSON object and nothing else: {\"thought\": \"<your reading>\", \"response\": \"<what you say to "
    "the agent>\"}";

// json.dumps(value, indent=4) for the arguments shown to the search judge.
std::string indented(const json::value& v, int depth = 0) {
  std::string pad((depth + 1) * 4, ' '), end_pad(depth * 4, ' ');
  if (v.is_object() && !v.get_object().empty()) {
    std::string out = "{\n";
    bool first = true;
    for (const auto& kv : v.get_object()) {
      if (!first) out += ",\n";
      first = false;
      out += pad + to_python_json(json::string(kv.key())) + ": " + indented(kv.value(), depth + 1);
    }
    return out + "\n" + end_pad + "}";
  }
  if (v.is_array() && !v.get_array().empty()) {
    std::string out = "[\n";
    bool first = true;
    for (const auto& x : v.get_array()) {
      if (!first) out += ",\n";
      first = false;
      out += pad + indented(x, depth + 1);
    }
    return out + "\n" + end_pad + "]";
  }
  return to_python_json(v);
}

std::string open_preferences_text(const std::vector<OpenPreference>& open) {
  if (open.empty()) return "(none left)";
  std::string out;
  for (const auto& o : open)
    out += fmt::format("Preference ID: {}\nAspect: {}\nPreference: {}\n\n", o.id, aspect_title(o.preference->aspect),
                       o.preference->text);
  return std::string(py_strip(out));
}

// OpenAI structured outputs for a reply that must be a JSON object with these string fields
// (the host decides whether it is sent; the parsers above stay the fallback).
json::object json_schema(const char* name, std::initializer_list<const char*> fields) {
  json::object properties;
  json::array required;
  for (const char* f : fields) {
    properties[f] = json::object{{"type", "string"}};
    required.push_back(json::value(f));
  }
  return json::object{{"type", "json_schema"},
                      {"json_schema", json::object{{"name", name},
                                                   {"strict", true},
                                                   {"schema", json::object{{"type", "object"},
                                                                           {"properties", std::move(properties)},
                                                                           {"required", std::move(required)},
                                                                           {"additionalProperties", false}}}}}};
}

// The JSON each call must answer, by purpose.
json::object response_format_for(std::string_view purpose) {
  if (purpose == "search_judge") return json_schema("search_judgement", {"alignment_judgement", "alignment_aspect"});
  if (purpose == "utterance_judge") return json_schema("utterance_judgement", {"type", "preference_id", "note"});
  return json_schema("reply", {"response"});
}

LlmRequest request(LlmRole role, std::string purpose, std::string system, std::string user) {
  LlmRequest r;
  r.role = role;
  r.response_format = response_format_for(purpose);
  r.purpose = std::move(purpose);
  r.messages.push_back(ChatMessage{"system", std::move(system), "", {}, ""});
  r.messages.push_back(ChatMessage{"user", std::move(user), "", {}, ""});
  r.sampling.temperature = 0.0;
  r.sampling.max_tokens = 2048;
  return r;
}

// The visible text of a completion ("" for a failed call).
std::string visible(const LlmResponse& r) { return r.ok ? split_think(r.message.content).visible : std::string(); }

std::string reply_context(const OracleView& view, const std::string& utterance) {
  return fmt::format("Conversation so far:\n{}\n\nThe agent's latest message:\n{}", render_history(view.history), utterance);
}

class LlmOracle : public Oracle {
 public:
  explicit LlmOracle(bool strict) : strict_(strict) {}

  Ask<SearchVerdict> judge_search(const OracleView& view, const std::string& query) override {
    std::string args;
    for (const auto& b : view.task.aspects)
      args += fmt::format("{}{}\n{}", args.empty() ? "" : "\n\n", b.aspect, indented(json::value(b.arguments)));
    std::string user = fmt::format("Search request:\n{}\n\nGround-truth search arguments per aspect:\n\n{}", query, args);
    bool strict = strict_;
    return Ask<SearchVerdict>::llm(request(LlmRole::Judge, "search_judge", kSearchJudge, std::move(user)),
                                   [strict](const LlmResponse& r) { return parse_search_verdict(visible(r), strict); });
  }

  Ask<UtteranceVerdict> judge_utterance(const OracleView& view, const std::string& utterance) override {
    std::string user = fmt::format(
        "The trip:\n{}\n\nConversation so far:\n{}\n\nThe agent's latest message:\n{}\n\nThe traveller's hidden "
        "preferences:\n{}",
        view.task.scenario.empty() ? view.task.initial_description : view.task.scenario, render_history(view.history),
        utterance, open_preferences_text(view.open));
    return Ask<UtteranceVerdict>::llm(request(LlmRole::Judge, "utterance_judge", kUtteranceJudge, std::move(user)),
                                      [](const LlmResponse& r) { return parse_utterance_verdict(visible(r)); });
  }

  Ask<Reply> preference_reply(const OracleView& view, const std::string& utterance, const OpenPreference& target) override {
    return respond("preference_reply", kPreferenceResponder, view, utterance, &target);
  }

  Ask<Reply> proactive_reply(const OracleView& view, const std::string& utterance, const OpenPreference& target) override {
    return respond("proactive_reply", kProactiveResponder, view, utterance, &target);
  }

  Ask<Reply> natural_reply(const OracleView& view, const std::string& utterance) override {
    return respond("natural_reply", kNaturalResponder, view, utterance, nullptr);
  }

 private:
  Ask<Reply> respond(const char* purpose, const char* system, const OracleView& view, const std::string& utterance,
                     const OpenPreference* target) {
    std::string user = fmt::format("Your trip:\n{}\n\n", view.task.initial_description);
    if (target)
      user += fmt::format("Your preference about the {}: {}\nExample of an indirect statement: {}\n\n",
                          aspect_title(target->preference->aspect), target->preference->text, target->preference->implicit);
    user += reply_context(view, utterance);
    return Ask<Reply>::llm(request(LlmRole::User, purpose, system, std::move(user)),
                           [](const LlmResponse& r) { return parse_reply(visible(r)); });
  }

  bool strict_;
};

std::string as_text(const json::value& v) {
  if (v.is_string()) return std::string(v.get_string());
  if (v.is_int64()) return std::to_string(v.get_int64());
  if (v.is_uint64()) return std::to_string(v.get_uint64());
  if (v.is_double()) return py_repr(v.get_double());
  if (v.is_bool()) return v.get_bool() ? "True" : "False";
  if (v.is_null()) return "None";
  return rapport::to_json(v);
}

}  // namespace

SearchVerdict parse_search_verdict(std::string_view text, bool strict_compat) {
  SearchVerdict v;
  auto o = parse_llm_object(text);
  if (!o) return v;
  auto it = o->find("alignment_judgement");
  if (it == o->end()) return v;
  const json::value& j = it->value();
  std::string word;
  if (strict_compat) {
    // The reference compares the value with the strings "True", "False" and "N/A" only.
    if (!j.is_string()) return v;
    word = std::string(j.get_string());
  } else {
    word = j.is_bool() ? (j.get_bool() ? "True" : "False") : ascii_lower(py_strip(as_text(j)));
    if (word == "true") word = "True";
    else if (word == "false") word = "False";
    else if (word == "n/a" || word == "na" || word == "none") word = "N/A";
  }
  if (word == "True") {
    v.alignment = Alignment::Aligned;
    if (auto a = o->find("alignment_aspect"); a != o->end()) v.aspect = as_text(a->value());
  } else if (word == "False") {
    v.alignment = Alignment::Misaligned;
  } else if (word == "N/A") {
    v.alignment = Alignment::Unrelated;
  }
  return v;
}

UtteranceVerdict parse_utterance_verdict(std::string_view text) {
  UtteranceVerdict v;  // type 1: the reference's fallback
  v.failed = true;
  auto o = parse_llm_object(text);
  if (!o) return v;
  auto t = o->find("type");
  if (t == o->end()) return v;
  std::string type(py_strip(as_text(t->value())));
  if (type != "1" && type != "2" && type != "3" && type != "4") return v;
  v.type = type[0] - '0';
  v.failed = false;
  if (auto p = o->find("preference_id"); p != o->end() && !p->value().is_null()) v.preference_id = std::string(py_strip(as_text(p->value())));
  if (auto n = o->find("note"); n != o->end() && n->value().is_string()) v.note = std::string(py_strip(n->value().get_string()));
  return v;
}

Reply parse_reply(std::string_view text) {
  Reply r;
  auto o = parse_llm_object(text);
  if (!o) return r;
  auto it = o->find("response");
  if (it == o->end() || !it->value().is_string()) return r;
  r.text = std::string(py_strip(it->value().get_string()));
  r.ok = !r.text.empty();
  return r;
}

std::unique_ptr<Oracle> make_llm_oracle(bool strict_compat) { return std::make_unique<LlmOracle>(strict_compat); }

}  // namespace rapport::travel
