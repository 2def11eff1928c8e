// Reading structured answers out of model text. Simulators and judges are asked for a JSON
// object; models also answer with fenced blocks, prose around the object, or Python literals
// (single quotes, True/False/None). All of these are accepted; anything else gives nullopt and the
// caller falls back.
#pragma once

#include <optional>
#include <string_view>

#include "core/json.h"
#include "core/llm.h"

namespace rapport {

// Tries, in order: the whole text as JSON or a Python literal, the first ```json (or ```) fenced
// block, then each balanced {...} span from the left. Returns the first object found. The span
// search reads at most a few times the text's length in all, so that a reply of unclosed braces
// costs linear time, not quadratic.
std::optional<json::object> parse_llm_object(std::string_view text);

// The object in a completion's visible text (after any <think> block); nullopt when the call
// failed or no object can be read. What every LLM oracle reads its verdicts from.
std::optional<json::object> response_object(const LlmResponse& response);

// Python literal (dict/list/str/int/float/True/False/None) or JSON value, whole text.
std::optional<json::value> parse_literal(std::string_view text);

// Splits a leading <think>...</think> block from the visible text.
struct ThinkSplit {
  std::string reasoning;
  std::string visible;
};
ThinkSplit split_think(std::string_view text);

}  // namespace rapport
