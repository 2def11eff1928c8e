// The agent's side of the protocol: the `interact_with_env(choice, content)` tool and the bracket
// actions it maps to ("[action] ...", "[search] ...", "[answer] ...", "[finish]").
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/json.h"

namespace rapport {

enum class Choice { Action, Search, Answer, Finish };
const char* to_string(Choice choice);
std::optional<Choice> parse_choice(std::string_view text);

// The OpenAI function-tool schema of interact_with_env. The choice enum includes "finish".
json::object interact_tool_schema();

// Tool call → action string, as the reference's tool does: "[<choice>] <content>" unless the
// content already carries that prefix; "finish" → "[finish]"; an unknown choice passes the content.
std::string action_from_tool(std::string_view choice, std::string_view content);

// A bracket action split into its kind and payload. Environments differ in details (whether the
// input is stripped first, whether [finish] is case-insensitive), so those are options.
struct BracketAction {
  std::optional<Choice> choice;  // nullopt: no recognised prefix
  std::string payload;           // text after the 8-character prefix, stripped
};
struct BracketRules {
  bool strip_input = true;
  bool finish_any_case = false;
};
BracketAction parse_bracket_action(std::string_view text, BracketRules rules = {});

// "choice(content)" form used in logs and tables.
std::string describe_action(std::string_view action);

}  // namespace rapport
