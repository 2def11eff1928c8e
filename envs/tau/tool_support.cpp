// Shared pieces of the domains' tools (tool_support.h): schemas, Python's binding errors and
// lookups, the special tools and the dispatcher.
#include "envs/tau/tool_support.h"

#include <fmt/format.h>

#include <optional>

#include "core/pynum.h"

namespace rapport::tau {
namespace {

// "get_order_details" -> "GetOrderDetails", the tool class tau-bench names in binding errors.
std::string class_name(std::string_view tool) {
  std::string out;
  bool upper = true;
  for (char c : tool) {
    if (c == '_') {
      upper = true;
      continue;
    }
    out += upper && c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
    upper = false;
  }
  return out;
}

// Python's TypeError for a call of invoke(data, **params) with these keyword arguments.
std::string binding_error(const ToolSpec& spec, const json::object& args) {
  const auto& props = spec.parameters.at("properties").get_object();
  for (const auto& kv : args)
    if (!props.contains(kv.key()))
      return fmt::format("Error: {}.invoke() got an unexpected keyword argument '{}'", class_name(spec.name),
                         std::string(kv.key()));
  std::vector<std::string> missing;
  for (const auto& kv : props)
    if (!args.contains(kv.key())) missing.push_back("'" + std::string(kv.key()) + "'");
  if (missing.empty()) return "";
  std::string list;
  for (std::size_t i = 0; i < missing.size(); ++i) {
    if (i > 0) list += missing.size() == 2 ? " and " : (i + 1 == missing.size() ? ", and " : ", ");
    list += missing[i];
  }
  return fmt::format("Error: {}.invoke() missing {} required positional argument{}: {}", class_name(spec.name),
                     missing.size(), missing.size() > 1 ? "s" : "", list);
}

}  // namespace

ToolSpec make_spec(const char* name, const char* description, std::vector<Param> params) {
  json::object properties;
  json::array required;
  for (auto& p : params) {
    json::object prop{{"type", p.type}, {"description", p.description}};
    if (std::string_view(p.type) == "array") prop["items"] = p.items.empty() ? json::object{{"type", "string"}} : p.items;
    properties[p.name] = std::move(prop);
    required.push_back(json::string(p.name));
  }
  return ToolSpec{name, description,
                  json::object{{"type", "object"}, {"properties", std::move(properties)}, {"required", std::move(required)}}};
}

std::string py_type(const json::value& v) {
  switch (v.kind()) {
    case json::kind::string: return "str";
    case json::kind::int64:
    case json::kind::uint64: return "int";
    case json::kind::double_: return "float";
    case json::kind::bool_: return "bool";
    case json::kind::array: return "list";
    case json::kind::object: return "dict";
    default: return "NoneType";
  }
}

json::object* lookup(json::object& table, const json::value& key, const char* not_found) {
  if (key.is_array() || key.is_object()) throw Fail{.message = fmt::format("unhashable type: '{}'", py_type(key)), .python = true};
  if (!key.is_string()) throw Fail{not_found};
  auto it = table.find(key.get_string());
  if (it == table.end() || !it->value().is_object()) throw Fail{not_found};
  return &it->value().get_object();
}

json::object& table(Db& db, const char* name) { return db[name].as_object(); }

std::vector<json::value> as_list(const json::value& v) {
  if (v.is_array()) return {v.get_array().begin(), v.get_array().end()};
  if (v.is_string()) {
    std::vector<json::value> out;
    for (char c : v.get_string()) out.emplace_back(json::string(std::string(1, c)));
    return out;
  }
  throw Fail{.message = fmt::format("'{}' object is not iterable", py_type(v)), .python = true};
}

ToolSpec think_spec() {
  return make_spec("think", "Think about something without acting; nothing is looked up or changed.",
                   {{"thought", "string", "The thought."}});
}

ToolSpec calculate_spec() {
  return make_spec("calculate", "Evaluate an arithmetic expression with + - * / and parentheses; the result is rounded to two decimals.",
                   {{"expression", "string", "The expression, e.g. '2 * (3.5 + 4)'."}});
}

ToolSpec transfer_spec() {
  return make_spec("transfer_to_human_agents",
                   "Hand the conversation to a human agent, only when the request is out of scope; ends the conversation.",
                   {{"summary", "string", "A summary of the user's issue."}});
}

std::string think_tool(Db&, const json::object&, bool) { return ""; }

std::string calculate_tool(Db&, const json::object& a, bool tau2) {
  const json::value& e = a.at("expression");
  if (!e.is_string()) throw Fail{.message = fmt::format("'{}' object is not iterable", py_type(e)), .python = true};
  std::string out = calculate(e.get_string());
  if (tau2 && out.rfind("Error: ", 0) == 0) throw Fail{out.substr(7)};
  return out;
}

std::string transfer_tool(Db&, const json::object&, bool) { return "Transfer successful"; }

ToolOutcome dispatch_tool(Db& db, const std::vector<ToolSpec>& specs, const std::vector<ToolEntry>& entries,
                          bool (*is_write)(std::string_view), std::string_view name, const json::object& arguments,
                          std::string (*tau2_wording)(std::string message)) {
  for (std::size_t i = 0; i < specs.size(); ++i) {
    if (specs[i].name != name) continue;
    if (std::string e = binding_error(specs[i], arguments); !e.empty()) return {e, false, true};
    // Checks precede mutation in every tool, so a failure leaves the database as it was; the copy
    // guards the few Python errors our port raises midway (a missing gift card record).
    std::optional<Db> backup;
    if (is_write(name)) backup = db;
    try {
      std::string out = entries[i].run(db, arguments, tau2_wording != nullptr);
      return {out, name == "transfer_to_human_agents", false};
    } catch (const Fail& f) {
      if (backup && !f.keep) db = std::move(*backup);
      return {"Error: " + (tau2_wording && !f.python ? tau2_wording(f.message) : f.message), false, true};
    } catch (const std::exception& e) {
      if (backup) db = std::move(*backup);  // malformed data (a record missing a field): Python's KeyError text is not ours to guess
      return {fmt::format("Error: {}", e.what()), false, true};
    }
  }
  return {fmt::format("Unknown action {}", name), false, true};
}

}  // namespace rapport::tau
