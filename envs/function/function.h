// FunctionGym: the agent discovers a hidden arithmetic rule f(a, b, c, d) by probing it with
// four numbers at a time, asks for the test case, and answers f(test case). Fully deterministic:
// no simulated user, no LLM (reference §2.6).
#pragma once

#include <array>
#include <memory>
#include <string>
#include <vector>

#include "core/agent.h"
#include "core/environment.h"
#include "envs/function/expression.h"

namespace rapport::function {

inline constexpr const char* kName = "function";
inline constexpr const char* kVersion = "1";

struct FunctionTask {
  std::string id;
  std::string rule;
  std::array<long long, 4> test_case{};
  double expected = 0.0;
};

json::value to_json(const FunctionTask& task);
FunctionTask function_task_from(const Task& task);  // throws ConfigError on a malformed task

// Our own generator: rules over a..d at a difficulty, whose value at the test case is defined.
FunctionTask generate_task(std::string_view difficulty, std::uint64_t seed, std::uint64_t index);
// UserRL functions.json (a list of {id, rule, test_case, expected_result}).
std::vector<FunctionTask> import_functions_json(std::string_view text, std::string_view split);

// Numbers in an [action] payload: every match of -?\d+\.?\d*, as the reference extracts them.
std::vector<double> extract_numbers(std::string_view text);
// `text` with every Unicode decimal digit (category Nd: Arabic-Indic ١, fullwidth ２, ...) written
// as its ASCII digit, as Python's \d and float() read them; other text is unchanged.
std::string ascii_digits(std::string_view text);

std::unique_ptr<Agent> make_scripted_agent(std::uint64_t seed);

// The rule space the generator draws from and the scripted agent searches: each of a..d once,
// three binary operators (+ - * / **) in any tree shape, optionally one squared leaf. Built once
// and shared (it is immutable).
const std::vector<Expression>& candidate_rules();

}  // namespace rapport::function
