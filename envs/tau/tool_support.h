// What the tools of every TauGym domain share (taubench-behaviour §2.1, §2.4): their schemas,
// Python's binding errors, the failure type that becomes "Error: ...", Python-like lookups and
// iteration, the three special tools, and the dispatcher that checks, runs and restores. Private to
// envs/tau's tool files.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "envs/tau/tau.h"

namespace rapport::tau {

struct Param {
  const char* name;
  const char* type;  // JSON-schema type; arrays hold strings unless items says otherwise
  const char* description;
  json::object items = {};
};

// An OpenAI function schema whose parameters are all required, in the tool's signature order.
ToolSpec make_spec(const char* name, const char* description, std::vector<Param> params);

// A tool's failure: becomes the observation "Error: " + message.
struct Fail {
  std::string message;  // without the "Error: " prefix
  bool keep = false;    // Python raised midway and kept what it had changed (no rollback)
  bool python = false;  // Python's own error text, not a tool check's (tau2-bench rewords only the latter)
};

// Python's type name of a decoded JSON value (str, int, float, bool, list, dict, NoneType).
std::string py_type(const json::value& v);
// table[key] as Python's dict lookup: unhashable keys raise, other types simply miss.
json::object* lookup(json::object& table, const json::value& key, const char* not_found);
json::object& table(Db& db, const char* name);
// Iterating a value as Python would: lists element-wise, strings by character.
std::vector<json::value> as_list(const json::value& v);

// tau2: run as tau2-bench's variant of the tool (§8.2), where it differs.
using Handler = std::string (*)(Db&, const json::object&, bool tau2);
struct ToolEntry {
  const char* name;
  Handler run;
};

// The special tools of both domains.
ToolSpec think_spec();
ToolSpec calculate_spec();
ToolSpec transfer_spec();
std::string think_tool(Db&, const json::object&, bool);
// tau-bench returns calculate's error text as the result; tau2-bench raises it.
std::string calculate_tool(Db&, const json::object& a, bool tau2);
std::string transfer_tool(Db&, const json::object&, bool);

// Binds the arguments (Python's TypeError texts), runs the handler, turns a Fail into its "Error: "
// observation and restores the database a failed write may have touched; "Unknown action <name>"
// for a tool the list lacks. `entries` is parallel to `specs`. With `tau2_wording`, the handlers run
// as tau2-bench's variants and a tool check's failure is worded by it (Python's own errors keep theirs).
ToolOutcome dispatch_tool(Db& db, const std::vector<ToolSpec>& specs, const std::vector<ToolEntry>& entries,
                          bool (*is_write)(std::string_view), std::string_view name, const json::object& arguments,
                          std::string (*tau2_wording)(std::string message) = nullptr);

}  // namespace rapport::tau
