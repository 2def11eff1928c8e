// Environment tools: deterministic functions an environment offers the agent beside
// interact_with_env (look-ups, writes, calculators), each with a name, a description and JSON-schema
// parameters. LLM agents see them as OpenAI `tools`; a call reaches Episode::step as the action
//
//   [tool] <name> <arguments as a JSON object>        e.g. [tool] get_order_details {"order_id": "#W1"}
//
// so the sans-I/O protocol, trajectories and replays stay plain action strings. People type the
// same call without the prefix (`get_order_details {"order_id": "#W1"}`). Errors are observations.
#pragma once

#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/json.h"

namespace rapport {

struct ToolSpec {
  std::string name;
  std::string description;
  json::object parameters;  // a JSON schema: {"type": "object", "properties": {...}, "required": [...]}
};

// {"type": "function", "function": {name, description, parameters}}.
json::object openai_tool_schema(const ToolSpec& spec);
json::array openai_tool_schemas(const std::vector<ToolSpec>& specs);
// The spec of an OpenAI function-tool schema; nullopt when it is not one.
std::optional<ToolSpec> tool_spec_from_schema(const json::value& schema);

inline constexpr std::string_view kToolPrefix = "[tool]";

// "[tool] name {json}" with the arguments written compactly (core/json.h).
std::string tool_action(std::string_view name, const json::object& arguments);

// A "[tool] ..." action read back. `arguments` is empty and `problem` says why when the text after
// the name is not a JSON object (an empty text means no arguments).
struct ToolInvocation {
  std::string name;
  json::object arguments;
  std::string problem;
};
// nullopt when the action is not a tool action (no "[tool]" prefix after stripping).
std::optional<ToolInvocation> parse_tool_action(std::string_view action);

// What a person typed, `name {json}` or a bare `name`, as a tool action when `name` is one of
// `tools`; nullopt otherwise (the line is then some other kind of action).
std::optional<std::string> typed_tool_action(std::string_view line, const std::vector<ToolSpec>& tools);

// Arguments checked against a spec's schema: required ones missing, names the schema does not
// declare, and values of the wrong JSON type ("order_id: expected string, got integer").
struct ArgumentProblems {
  std::vector<std::string> missing;
  std::vector<std::string> unexpected;
  std::vector<std::string> mistyped;
  bool empty() const { return missing.empty() && unexpected.empty() && mistyped.empty(); }
};
ArgumentProblems check_arguments(const ToolSpec& spec, const json::object& arguments);
// One readable sentence for an agent: "get_order_details: missing argument 'order_id'; ...".
std::string describe(const ToolSpec& spec, const ArgumentProblems& problems);

// A set of tools and their handlers, called by name with errors as observations.
class ToolBox {
 public:
  // A handler returns the observation; it may throw ToolError, whose message is the observation.
  using Handler = std::function<std::string(const json::object& arguments)>;
  struct Policy {
    // Whether schema types are enforced before a handler runs (missing and unexpected names always
    // are). Environments reproducing a reference that passes arguments unchecked turn this off.
    bool check_types = true;
    // Observations for an unknown tool and for bad arguments; defaults are generic sentences.
    std::function<std::string(std::string_view name)> unknown;
    std::function<std::string(const ToolSpec&, const ArgumentProblems&)> bad_arguments;
  };

  ToolBox() = default;
  explicit ToolBox(Policy policy) : policy_(std::move(policy)) {}

  void add(ToolSpec spec, Handler handler);
  const std::vector<ToolSpec>& specs() const { return specs_; }
  const ToolSpec* find(std::string_view name) const;

  struct Result {
    std::string observation;
    bool error = false;  // unknown tool, bad arguments or a ToolError
  };
  Result call(std::string_view name, const json::object& arguments) const;

 private:
  Policy policy_;
  std::vector<ToolSpec> specs_;
  std::vector<Handler> handlers_;
};

// Thrown by tool handlers; the message is the whole observation.
struct ToolError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace rapport
