#include "core/json.h"

#ifdef BOOST_JSON_HEADER_ONLY_SRC
// The WebAssembly build has no compiled Boost.JSON library: compile its sources here, once.
#include <boost/json/src.hpp>
#endif

#include <fmt/format.h>

#include <cmath>

#include "core/pynum.h"

namespace rapport {
namespace {

void write_string(std::string& out, std::string_view s, bool ascii_only) {
  out += '"';
  for (std::size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '"': out += "\\\""; continue;
      case '\\': out += "\\\\"; continue;
      case '\n': out += "\\n"; continue;
      case '\r': out += "\\r"; continue;
      case '\t': out += "\\t"; continue;
      case '\b': out += "\\b"; continue;
      case '\f': out += "\\f"; continue;
      default: break;
    }
    if (c < 0x20) {
      out += fmt::format("\\u{:04x}", c);
    } else if (c < 0x80 || !ascii_only) {
      out += static_cast<char>(c);
    } else {
      // Decode one UTF-8 sequence and escape it as Python does (surrogate pairs above U+FFFF).
      std::uint32_t cp = 0;
      int extra = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
      cp = c & (0x3F >> extra);
      for (int k = 0; k < extra && i + 1 < s.size(); ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[++i]) & 0x3F);
      if (cp >= 0x10000) {
        cp -= 0x10000;
        out += fmt::format("\\u{:04x}\\u{:04x}", 0xD800 + (cp >> 10), 0xDC00 + (cp & 0x3FF));
      } else {
        out += fmt::format("\\u{:04x}", cp);
      }
    }
  }
  out += '"';
}

struct Style {
  const char* item_separator;
  const char* key_separator;
  bool ascii_only;
};

void write(std::string& out, const json::value& v, const Style& style) {
  switch (v.kind()) {
    case json::kind::null: out += "null"; break;
    case json::kind::bool_: out += v.get_bool() ? "true" : "false"; break;
    case json::kind::int64: out += fmt::format("{}", v.get_int64()); break;
    case json::kind::uint64: out += fmt::format("{}", v.get_uint64()); break;
    case json::kind::double_: {
      double d = v.get_double();
      out += std::isfinite(d) ? py_repr(d) : "null";
      break;
    }
    case json::kind::string: write_string(out, v.get_string(), style.ascii_only); break;
    case json::kind::array: {
      out += '[';
      bool first = true;
      for (const auto& item : v.get_array()) {
        if (!first) out += style.item_separator;
        first = false;
        write(out, item, style);
      }
      out += ']';
      break;
    }
    case json::kind::object: {
      out += '{';
      bool first = true;
      for (const auto& [key, item] : v.get_object()) {
        if (!first) out += style.item_separator;
        first = false;
        write_string(out, key, style.ascii_only);
        out += style.key_separator;
        write(out, item, style);
      }
      out += '}';
      break;
    }
  }
}

}  // namespace

std::string to_json(const json::value& value) {
  std::string out;
  write(out, value, Style{",", ":", false});
  return out;
}

std::string to_python_json(const json::value& value) {
  std::string out;
  write(out, value, Style{", ", ": ", true});
  return out;
}

std::optional<json::value> parse_json(std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(json::string_view(text.data(), text.size()), ec);
  if (ec) return std::nullopt;
  return v;
}

std::string get_string(const json::object& object, std::string_view key, std::string_view fallback) {
  auto it = object.find(json::string_view(key.data(), key.size()));
  if (it == object.end() || !it->value().is_string()) return std::string(fallback);
  return std::string(it->value().get_string());
}

double get_number(const json::object& object, std::string_view key, double fallback) {
  auto it = object.find(json::string_view(key.data(), key.size()));
  if (it == object.end()) return fallback;
  const auto& v = it->value();
  if (v.is_double()) return v.get_double();
  if (v.is_int64()) return static_cast<double>(v.get_int64());
  if (v.is_uint64()) return static_cast<double>(v.get_uint64());
  return fallback;
}

std::int64_t get_int(const json::object& object, std::string_view key, std::int64_t fallback) {
  auto it = object.find(json::string_view(key.data(), key.size()));
  if (it == object.end()) return fallback;
  const auto& v = it->value();
  if (v.is_int64()) return v.get_int64();
  if (v.is_uint64()) return static_cast<std::int64_t>(v.get_uint64());
  return fallback;
}

bool get_bool(const json::object& object, std::string_view key, bool fallback) {
  auto it = object.find(json::string_view(key.data(), key.size()));
  if (it == object.end() || !it->value().is_bool()) return fallback;
  return it->value().get_bool();
}

}  // namespace rapport
