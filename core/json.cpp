#include "core/json.h"

#ifdef BOOST_JSON_HEADER_ONLY_SRC
// The WebAssembly build has no compiled Boost.JSON library: compile its sources here, once.
#include <boost/json/src.hpp>
#endif

#include <boost/json/basic_parser_impl.hpp>
#include <fmt/format.h>

#include <cmath>
#include <cstdlib>

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

namespace {

// Builds values like Boost's own parser, except for decimal numbers: Boost.JSON 1.81 may read one
// as the neighbouring double (e.g. 14.222222222222221), which would break byte-identical round
// trips of records. strtod is correctly rounded (glibc natively, musl in WebAssembly).
class PreciseHandler {
 public:
  static constexpr std::size_t max_object_size = json::object::max_size();
  static constexpr std::size_t max_array_size = json::array::max_size();
  static constexpr std::size_t max_key_size = json::string::max_size();
  static constexpr std::size_t max_string_size = json::string::max_size();
  using error_code = boost::system::error_code;

  json::value_stack st;

  bool on_document_begin(error_code&) { return true; }
  bool on_document_end(error_code&) { return true; }
  bool on_object_begin(error_code&) { return true; }
  bool on_object_end(std::size_t n, error_code&) { return st.push_object(n), true; }
  bool on_array_begin(error_code&) { return true; }
  bool on_array_end(std::size_t n, error_code&) { return st.push_array(n), true; }
  bool on_key_part(json::string_view s, std::size_t, error_code&) { return st.push_chars(s), true; }
  bool on_key(json::string_view s, std::size_t, error_code&) { return st.push_key(s), true; }
  bool on_string_part(json::string_view s, std::size_t, error_code&) { return st.push_chars(s), true; }
  bool on_string(json::string_view s, std::size_t, error_code&) { return st.push_string(s), true; }
  bool on_number_part(json::string_view s, error_code&) { return number_.append(s.data(), s.size()), true; }
  bool on_int64(std::int64_t i, json::string_view, error_code&) {
    number_.clear();
    return st.push_int64(i), true;
  }
  bool on_uint64(std::uint64_t u, json::string_view, error_code&) {
    number_.clear();
    return st.push_uint64(u), true;
  }
  bool on_double(double, json::string_view s, error_code&) {
    number_.append(s.data(), s.size());
    st.push_double(std::strtod(number_.c_str(), nullptr));
    number_.clear();
    return true;
  }
  bool on_bool(bool b, error_code&) { return st.push_bool(b), true; }
  bool on_null(error_code&) { return st.push_null(), true; }
  bool on_comment_part(json::string_view, error_code&) { return true; }
  bool on_comment(json::string_view, error_code&) { return true; }

 private:
  std::string number_;
};

}  // namespace

std::optional<json::value> parse_json(std::string_view text) {
  json::basic_parser<PreciseHandler> parser{json::parse_options()};
  parser.handler().st.reset();
  boost::system::error_code ec;
  std::size_t used = parser.write_some(false, text.data(), text.size(), ec);
  if (ec || used < text.size() || !parser.done()) return std::nullopt;
  return parser.handler().st.release();
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
