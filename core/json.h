// JSON for the whole engine: Boost.JSON values, written out canonically so that the same data
// gives the same bytes on every target (keys in insertion order, no spaces, floats as Python
// prints them).
#pragma once

#include <boost/json.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace rapport {

namespace json = boost::json;

// Compact canonical text. Doubles use Python's repr (`1.0`, `0.30000000000000004`); non-finite
// doubles, which JSON cannot carry, are written as null.
std::string to_json(const json::value& value);

// Python json.dumps with its default separators (", " and ": ") and ASCII escaping; environments
// show options to agents in this form.
std::string to_python_json(const json::value& value);

// Parses JSON text; nullopt on any syntax error.
std::optional<json::value> parse_json(std::string_view text);

// Typed field access that never throws: a missing key or a value of another type gives fallback.
std::string get_string(const json::object& object, std::string_view key, std::string_view fallback = "");
double get_number(const json::object& object, std::string_view key, double fallback = 0.0);
std::int64_t get_int(const json::object& object, std::string_view key, std::int64_t fallback = 0);
bool get_bool(const json::object& object, std::string_view key, bool fallback = false);

}  // namespace rapport
