#include "core/params.h"

#include <fmt/format.h>

#include "core/pynum.h"
#include "core/text.h"

#include <cctype>
#include <cmath>

namespace rapport {

ParamSpec ParamSpec::integer(std::string name, long long def, long long min, long long max, std::string help) {
  ParamSpec p{std::move(name), ParamType::Int, std::to_string(def), std::move(help)};
  p.min = static_cast<double>(min);
  p.max = static_cast<double>(max);
  return p;
}
ParamSpec ParamSpec::real(std::string name, double def, double min, double max, std::string help) {
  ParamSpec p{std::move(name), ParamType::Real, py_repr(def), std::move(help)};
  p.min = min;
  p.max = max;
  return p;
}
ParamSpec ParamSpec::boolean(std::string name, bool def, std::string help) {
  return ParamSpec{std::move(name), ParamType::Bool, def ? "true" : "false", std::move(help)};
}
ParamSpec ParamSpec::choice(std::string name, std::string def, std::vector<std::string> choices, std::string help) {
  ParamSpec p{std::move(name), ParamType::Choice, std::move(def), std::move(help)};
  p.choices = std::move(choices);
  return p;
}
ParamSpec ParamSpec::text(std::string name, std::string def, std::string help) {
  return ParamSpec{std::move(name), ParamType::Text, std::move(def), std::move(help)};
}

std::string ParamSpec::describe() const {
  switch (type) {
    case ParamType::Int: return fmt::format("integer in [{}, {}]", static_cast<long long>(min), static_cast<long long>(max));
    case ParamType::Real: return fmt::format("number in [{}, {}]", py_repr(min), py_repr(max));
    case ParamType::Bool: return "true|false";
    case ParamType::Choice: return "one of " + fmt::format("{}", fmt::join(choices, "|"));
    case ParamType::Text: return "text";
  }
  return "";
}

namespace {

// Returns the canonical form of `value` for `spec`, or an error text.
std::string normalize(const ParamSpec& spec, const std::string& value, std::string& error) {
  switch (spec.type) {
    case ParamType::Int: {
      auto d = py_float(value);
      // Checked as a double first: a value beyond long long (1e20) must not be converted to one.
      if (!d || !std::isfinite(*d) || std::trunc(*d) != *d || value.find_first_of(".eE") != std::string::npos) {
        error = "is not an integer";
        return {};
      }
      if (*d < spec.min || *d > spec.max) {
        error = "is out of range";
        return {};
      }
      return std::to_string(static_cast<long long>(*d));
    }
    case ParamType::Real: {
      auto d = py_float(value);
      if (!d || !std::isfinite(*d)) {
        error = "is not a number";
        return {};
      }
      if (*d < spec.min || *d > spec.max) {
        error = "is out of range";
        return {};
      }
      return py_repr(*d);
    }
    case ParamType::Bool: {
      std::string v = ascii_lower(value);
      if (v == "true" || v == "1" || v == "yes" || v == "on") return "true";
      if (v == "false" || v == "0" || v == "no" || v == "off") return "false";
      error = "is not a boolean";
      return {};
    }
    case ParamType::Choice:
      for (const auto& c : spec.choices)
        if (c == value) return value;
      error = "is not a valid choice";
      return {};
    case ParamType::Text: return value;
  }
  return value;
}

}  // namespace

Params::Params(std::string_view env_name, const std::vector<ParamSpec>& specs,
               const std::map<std::string, std::string>& given)
    : env_name_(env_name) {
  for (const auto& spec : specs) {
    defaults_[spec.name] = spec.default_value;
    values_[spec.name] = spec.default_value;
  }
  for (const auto& [key, value] : given) {
    const ParamSpec* spec = nullptr;
    for (const auto& s : specs)
      if (s.name == key) spec = &s;
    if (!spec) {
      std::string valid;
      for (const auto& s : specs) valid += fmt::format("\n  {} ({}, default {})", s.name, s.describe(), s.default_value);
      if (valid.empty()) valid = " (none: this environment takes no parameters)";
      throw ConfigError(fmt::format("{}: unknown parameter '{}'. Valid parameters:{}", env_name, abbreviate(key), valid));
    }
    std::string error;
    std::string canonical = normalize(*spec, value, error);
    if (!error.empty())
      throw ConfigError(
          fmt::format("{}: value '{}' for '{}' {}; expected {}", env_name, abbreviate(value), key, error, spec->describe()));
    values_[key] = canonical;
  }
}

const std::string& Params::get(std::string_view name) const {
  auto it = values_.find(name);
  if (it == values_.end()) throw std::logic_error(fmt::format("{}: undeclared parameter {}", env_name_, name));
  return it->second;
}
long long Params::get_int(std::string_view name) const { return std::stoll(get(name)); }
double Params::get_real(std::string_view name) const { return *py_float(get(name)); }
bool Params::get_bool(std::string_view name) const { return get(name) == "true"; }

std::string Params::spec_string() const {
  std::string args;
  for (const auto& [k, v] : values_) {
    if (defaults_.at(k) == v) continue;
    if (!args.empty()) args += ",";
    args += k + "=" + v;
  }
  return args.empty() ? env_name_ : env_name_ + "(" + args + ")";
}

std::string Params::all_values() const {
  std::string out;
  for (const auto& [k, v] : values_) out += k + "=" + v + ";";
  return out;
}

SpecText parse_spec_text(std::string_view spec) {
  SpecText out;
  std::string_view s = py_strip(spec);
  const std::string shown = abbreviate(s);
  auto open = s.find('(');
  out.name = std::string(py_strip(s.substr(0, open)));
  if (out.name.empty()) throw ConfigError(fmt::format("bad environment spec '{}': missing name", shown));
  for (char c : out.name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-'))
      throw ConfigError(fmt::format("bad environment spec '{}': expected name(key=value,...)", shown));
  if (open == std::string_view::npos) return out;
  // The ')' that closes the parameter list: the first one, since values hold no parentheses.
  std::size_t close = s.find(')', open + 1);
  if (close == std::string_view::npos) throw ConfigError(fmt::format("bad environment spec '{}': missing ')'", shown));
  if (std::size_t inner = s.find('(', open + 1); inner < close)
    throw ConfigError(fmt::format("bad environment spec '{}': unexpected '(' at character {}", shown, inner + 1));
  if (close + 1 < s.size())
    throw ConfigError(fmt::format("bad environment spec '{}': unexpected '{}' at character {}, after the closing ')'",
                                  shown, abbreviate(s.substr(close + 1), 20), close + 2));
  std::string_view body = s.substr(open + 1, close - open - 1);
  while (!py_strip(body).empty()) {
    auto comma = body.find(',');
    std::string_view item = body.substr(0, comma);
    auto eq = item.find('=');
    if (eq == std::string_view::npos)
      throw ConfigError(fmt::format("bad environment spec '{}': '{}' is not key=value", shown, abbreviate(py_strip(item))));
    std::string key(py_strip(item.substr(0, eq)));
    std::string value(py_strip(item.substr(eq + 1)));
    if (key.empty()) throw ConfigError(fmt::format("bad environment spec '{}': empty key", shown));
    if (out.values.count(key))
      throw ConfigError(fmt::format("bad environment spec '{}': '{}' given twice", shown, abbreviate(key)));
    out.values[key] = value;
    if (comma == std::string_view::npos) break;
    body = body.substr(comma + 1);
  }
  return out;
}

}  // namespace rapport
