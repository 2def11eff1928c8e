#include "core/tools.h"

#include <fmt/format.h>

#include "core/pynum.h"

namespace rapport {

json::object openai_tool_schema(const ToolSpec& spec) {
  return json::object{{"type", "function"},
                      {"function", json::object{{"name", spec.name},
                                                {"description", spec.description},
                                                {"parameters", spec.parameters}}}};
}

json::array openai_tool_schemas(const std::vector<ToolSpec>& specs) {
  json::array out;
  for (const auto& s : specs) out.push_back(openai_tool_schema(s));
  return out;
}

std::optional<ToolSpec> tool_spec_from_schema(const json::value& schema) {
  if (!schema.is_object()) return std::nullopt;
  auto f = schema.get_object().find("function");
  if (f == schema.get_object().end() || !f->value().is_object()) return std::nullopt;
  const auto& fo = f->value().get_object();
  ToolSpec s;
  s.name = get_string(fo, "name");
  if (s.name.empty()) return std::nullopt;
  s.description = get_string(fo, "description");
  if (auto p = fo.find("parameters"); p != fo.end() && p->value().is_object()) s.parameters = p->value().get_object();
  return s;
}

std::string tool_action(std::string_view name, const json::object& arguments) {
  return fmt::format("{} {} {}", kToolPrefix, name, to_json(arguments));
}

namespace {

// "name {json}" or "name": the name runs to the first whitespace or '{'.
ToolInvocation read_call(std::string_view text) {
  ToolInvocation call;
  std::size_t end = 0;
  while (end < text.size() && text[end] != '{' && text[end] != ' ' && text[end] != '\t' && text[end] != '\n') ++end;
  call.name = std::string(text.substr(0, end));
  std::string_view rest = py_strip(text.substr(end));
  if (rest.empty()) return call;
  auto v = parse_json(rest);
  if (v && v->is_object()) call.arguments = v->get_object();
  else call.problem = fmt::format("the arguments of {} are not a JSON object: {}", call.name, rest);
  return call;
}

}  // namespace

std::optional<ToolInvocation> parse_tool_action(std::string_view action) {
  std::string_view t = py_strip(action);
  if (t.substr(0, kToolPrefix.size()) != kToolPrefix) return std::nullopt;
  ToolInvocation call = read_call(py_strip(t.substr(kToolPrefix.size())));
  if (call.name.empty()) call.problem = "the tool action names no tool";
  return call;
}

std::optional<std::string> typed_tool_action(std::string_view line, const std::vector<ToolSpec>& tools) {
  std::string_view t = py_strip(line);
  if (t.substr(0, kToolPrefix.size()) == kToolPrefix) return std::string(t);
  ToolInvocation call = read_call(t);
  for (const auto& spec : tools) {
    if (spec.name != call.name) continue;
    // Bad JSON still goes to the environment, which explains the problem as an observation.
    if (!call.problem.empty()) return fmt::format("{} {}", kToolPrefix, t);
    return tool_action(call.name, call.arguments);
  }
  return std::nullopt;
}

namespace {

std::string json_kind(const json::value& v) {
  if (v.is_string()) return "string";
  if (v.is_bool()) return "boolean";
  if (v.is_int64() || v.is_uint64()) return "integer";
  if (v.is_double()) return "number";
  if (v.is_array()) return "array";
  if (v.is_object()) return "object";
  return "null";
}

bool matches_type(const json::value& v, std::string_view type) {
  if (type == "string") return v.is_string();
  if (type == "integer") return v.is_int64() || v.is_uint64();
  if (type == "number") return v.is_number();
  if (type == "boolean") return v.is_bool();
  if (type == "array") return v.is_array();
  if (type == "object") return v.is_object();
  if (type == "null") return v.is_null();
  return true;  // a type this checker does not know is not held against the agent
}

// Checks `v` against `schema`'s type (and array items), recording problems under `path`.
void check_value(const json::value& v, const json::object& schema, const std::string& path, std::vector<std::string>& out) {
  std::string type = get_string(schema, "type");
  if (!type.empty() && !matches_type(v, type)) {
    out.push_back(fmt::format("{}: expected {}, got {}", path, type, json_kind(v)));
    return;
  }
  if (v.is_array()) {
    auto items = schema.find("items");
    if (items == schema.end() || !items->value().is_object()) return;
    std::size_t i = 0;
    for (const auto& e : v.get_array()) check_value(e, items->value().get_object(), fmt::format("{}[{}]", path, i++), out);
  }
  if (v.is_object()) {
    auto props = schema.find("properties");
    if (props == schema.end() || !props->value().is_object()) return;
    for (const auto& [key, sub] : props->value().get_object()) {
      auto it = v.get_object().find(key);
      if (it != v.get_object().end() && sub.is_object())
        check_value(it->value(), sub.get_object(), fmt::format("{}.{}", path, std::string(key)), out);
    }
  }
}

}  // namespace

ArgumentProblems check_arguments(const ToolSpec& spec, const json::object& arguments) {
  ArgumentProblems p;
  const json::object* props = nullptr;
  if (auto it = spec.parameters.find("properties"); it != spec.parameters.end() && it->value().is_object())
    props = &it->value().get_object();
  if (auto it = spec.parameters.find("required"); it != spec.parameters.end() && it->value().is_array()) {
    for (const auto& r : it->value().get_array())
      if (r.is_string() && !arguments.contains(r.get_string())) p.missing.emplace_back(r.get_string());
  }
  for (const auto& [key, value] : arguments) {
    if (!props || !props->contains(key)) {
      p.unexpected.emplace_back(key);
      continue;
    }
    const auto& sub = props->at(key);
    if (sub.is_object()) check_value(value, sub.get_object(), std::string(key), p.mistyped);
  }
  return p;
}

std::string describe(const ToolSpec& spec, const ArgumentProblems& problems) {
  std::vector<std::string> parts;
  auto quoted = [](const std::vector<std::string>& names) {
    std::string s;
    for (const auto& n : names) s += (s.empty() ? "'" : ", '") + n + "'";
    return s;
  };
  if (!problems.missing.empty())
    parts.push_back(fmt::format("missing argument{} {}", problems.missing.size() > 1 ? "s" : "", quoted(problems.missing)));
  if (!problems.unexpected.empty())
    parts.push_back(fmt::format("unknown argument{} {}", problems.unexpected.size() > 1 ? "s" : "", quoted(problems.unexpected)));
  for (const auto& m : problems.mistyped) parts.push_back(m);
  std::string text;
  for (const auto& part : parts) text += (text.empty() ? "" : "; ") + part;
  return fmt::format("Error: {}: {}. Call it with its parameters as a JSON object.", spec.name, text);
}

void ToolBox::add(ToolSpec spec, Handler handler) {
  specs_.push_back(std::move(spec));
  handlers_.push_back(std::move(handler));
}

const ToolSpec* ToolBox::find(std::string_view name) const {
  for (const auto& s : specs_)
    if (s.name == name) return &s;
  return nullptr;
}

ToolBox::Result ToolBox::call(std::string_view name, const json::object& arguments) const {
  for (std::size_t i = 0; i < specs_.size(); ++i) {
    if (specs_[i].name != name) continue;
    ArgumentProblems problems = check_arguments(specs_[i], arguments);
    if (!policy_.check_types) problems.mistyped.clear();
    if (!problems.empty())
      return {policy_.bad_arguments ? policy_.bad_arguments(specs_[i], problems) : describe(specs_[i], problems), true};
    try {
      return {handlers_[i](arguments), false};
    } catch (const ToolError& e) {
      return {e.what(), true};
    }
  }
  if (policy_.unknown) return {policy_.unknown(name), true};
  std::string names;
  for (const auto& s : specs_) names += (names.empty() ? "" : ", ") + s.name;
  return {fmt::format("Error: there is no tool named '{}'. Tools: {}.", name, names), true};
}

}  // namespace rapport
