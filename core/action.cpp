#include "core/action.h"

#include "core/pynum.h"

namespace rapport {

const char* to_string(Choice choice) {
  switch (choice) {
    case Choice::Action: return "action";
    case Choice::Search: return "search";
    case Choice::Answer: return "answer";
    case Choice::Finish: return "finish";
  }
  return "action";
}

std::optional<Choice> parse_choice(std::string_view text) {
  if (text == "action") return Choice::Action;
  if (text == "search") return Choice::Search;
  if (text == "answer") return Choice::Answer;
  if (text == "finish") return Choice::Finish;
  return std::nullopt;
}

json::object interact_tool_schema() {
  json::object choice{{"type", "string"},
                      {"enum", json::array{"action", "answer", "search", "finish"}},
                      {"description",
                       "The kind of move: 'action' to talk to the user or act in the environment, 'search' "
                       "to query the environment's database, 'answer' to submit an answer, 'finish' to end "
                       "the episode. The system prompt says which moves this environment accepts."}};
  json::object content{{"type", "string"},
                       {"description", "The move's content, in the format the system prompt asks for."}};
  json::object parameters{{"type", "object"},
                          {"properties", json::object{{"choice", std::move(choice)}, {"content", std::move(content)}}},
                          {"required", json::array{"choice", "content"}}};
  return json::object{
      {"type", "function"},
      {"function", json::object{{"name", "interact_with_env"},
                                {"description",
                                 "Interact with the environment described in the system prompt, one move at a time."},
                                {"parameters", std::move(parameters)}}}};
}

std::string action_from_tool(std::string_view choice, std::string_view content) {
  if (choice == "finish") return "[finish]";
  for (Choice c : {Choice::Action, Choice::Answer, Choice::Search}) {
    if (choice != to_string(c)) continue;
    std::string prefix = std::string("[") + to_string(c) + "]";
    if (content.substr(0, prefix.size()) == prefix) return std::string(content);
    return prefix + " " + std::string(content);
  }
  return std::string(content);
}

BracketAction parse_bracket_action(std::string_view text, BracketRules rules) {
  BracketAction out;
  std::string_view t = rules.strip_input ? py_strip(text) : text;
  if (rules.finish_any_case ? ascii_lower(t.substr(0, 8)) == "[finish]" : t.substr(0, 8) == "[finish]") {
    out.choice = Choice::Finish;
    out.payload = std::string(py_strip(t.substr(8)));
    return out;
  }
  for (Choice c : {Choice::Action, Choice::Search, Choice::Answer}) {
    if (t.substr(0, 8) == std::string("[") + to_string(c) + "]") {
      out.choice = c;
      out.payload = std::string(py_strip(t.substr(8)));
      return out;
    }
  }
  out.payload = std::string(py_strip(t.size() > 8 ? t.substr(8) : std::string_view()));
  return out;
}

std::string describe_action(std::string_view action) {
  BracketAction a = parse_bracket_action(action);
  if (!a.choice) return std::string(action);
  return std::string(to_string(*a.choice)) + "(" + a.payload + ")";
}

}  // namespace rapport
