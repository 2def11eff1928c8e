// Python-exact text of JSON data: the canonical repr hashed by tau-bench's reward, str() of
// values in tool messages, and int/float-preserving arithmetic (taubench-behaviour §0, §5.1).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <iterator>

#include "core/pynum.h"
#include "core/sha256.h"
#include "envs/tau/tau.h"

namespace rapport::tau {
namespace {

// Decodes one UTF-8 code point at s[i]; invalid bytes count as themselves.
char32_t next_code_point(std::string_view s, std::size_t& i) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  int extra = c < 0x80 ? 0 : (c >> 5) == 0x6 ? 1 : (c >> 4) == 0xe ? 2 : (c >> 3) == 0x1e ? 3 : -1;
  if (extra <= 0 || i + extra >= s.size()) {
    ++i;
    return c;
  }
  char32_t cp = c & (0x3f >> extra);
  for (int k = 1; k <= extra; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3f);
  i += extra + 1;
  return cp;
}

// Python's str.isprintable() for the code points that occur in data: C0/C1 controls, DEL and the
// soft hyphen are not printable; everything else is kept as is.
bool printable(char32_t cp) { return !(cp < 0x20 || (cp >= 0x7f && cp < 0xa0) || cp == 0xad); }

// Appends repr(str): quoted as Python quotes it, with its escapes.
void append_py_string_repr(std::string& out, std::string_view s) {
  bool has_single = s.find('\'') != std::string_view::npos, has_double = s.find('"') != std::string_view::npos;
  char quote = has_single && !has_double ? '"' : '\'';
  out += quote;
  // Most data is printable ASCII without the quote or a backslash: copied as it is.
  const bool plain = std::all_of(s.begin(), s.end(), [quote](char c) {
    return c >= 0x20 && c < 0x7f && c != '\\' && c != quote;
  });
  if (plain) {
    out.append(s);
    out += quote;
    return;
  }
  for (std::size_t i = 0; i < s.size();) {
    std::size_t start = i;
    char32_t cp = next_code_point(s, i);
    if (cp == '\\') out += "\\\\";
    else if (cp == static_cast<char32_t>(quote)) (out += '\\') += quote;
    else if (cp == '\n') out += "\\n";
    else if (cp == '\r') out += "\\r";
    else if (cp == '\t') out += "\\t";
    else if (!printable(cp)) out += fmt::format("\\x{:02x}", static_cast<unsigned>(cp));
    else out.append(s.substr(start, i - start));
  }
  out += quote;
}

void append_number_repr(std::string& out, const json::value& v) {
  if (v.is_int64()) fmt::format_to(std::back_inserter(out), "{}", v.get_int64());
  else if (v.is_uint64()) fmt::format_to(std::back_inserter(out), "{}", v.get_uint64());
  else out += py_repr(v.get_double());
}

void canonical(const json::value& v, std::string& out) {
  switch (v.kind()) {
    case json::kind::object: {
      std::vector<std::pair<std::string_view, const json::value*>> items;
      for (const auto& kv : v.get_object()) items.emplace_back(kv.key(), &kv.value());
      std::sort(items.begin(), items.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
      out += '(';
      for (std::size_t i = 0; i < items.size(); ++i) {
        if (i) out += ", ";
        out += '(';
        append_py_string_repr(out, items[i].first);
        out += ", ";
        canonical(*items[i].second, out);
        out += ')';
      }
      if (items.size() == 1) out += ',';
      out += ')';
      return;
    }
    case json::kind::array: {
      const auto& a = v.get_array();
      out += '(';
      for (std::size_t i = 0; i < a.size(); ++i) {
        if (i) out += ", ";
        canonical(a[i], out);
      }
      if (a.size() == 1) out += ',';
      out += ')';
      return;
    }
    case json::kind::string: append_py_string_repr(out, v.get_string()); return;
    case json::kind::bool_: out += v.get_bool() ? "True" : "False"; return;
    case json::kind::null: out += "None"; return;
    default: append_number_repr(out, v); return;
  }
}

// repr() of a decoded JSON value (dicts and lists as Python prints them).
void python_repr(const json::value& v, std::string& out) {
  switch (v.kind()) {
    case json::kind::object: {
      out += '{';
      bool first = true;
      for (const auto& kv : v.get_object()) {
        if (!first) out += ", ";
        first = false;
        append_py_string_repr(out, kv.key());
        out += ": ";
        python_repr(kv.value(), out);
      }
      out += '}';
      return;
    }
    case json::kind::array: {
      out += '[';
      bool first = true;
      for (const auto& e : v.get_array()) {
        if (!first) out += ", ";
        first = false;
        python_repr(e, out);
      }
      out += ']';
      return;
    }
    case json::kind::string: append_py_string_repr(out, v.get_string()); return;
    case json::kind::bool_: out += v.get_bool() ? "True" : "False"; return;
    case json::kind::null: out += "None"; return;
    default: append_number_repr(out, v); return;
  }
}

double as_double(const json::value& v) {
  if (v.is_int64()) return static_cast<double>(v.get_int64());
  if (v.is_uint64()) return static_cast<double>(v.get_uint64());
  if (v.is_double()) return v.get_double();
  return 0.0;
}

bool is_int(const json::value& v) { return v.is_int64() || v.is_uint64(); }

}  // namespace

std::string canonical_repr(const json::value& value) {
  std::string out;
  canonical(value, out);
  return out;
}

std::string db_hash(const json::value& db) { return sha256_hex(canonical_repr(db)); }

std::string py_str(const json::value& value) {
  if (value.is_string()) return std::string(value.get_string());
  std::string out;
  python_repr(value, out);
  return out;
}

json::value py_add(const json::value& a, const json::value& b) {
  if (is_int(a) && is_int(b)) return json::value(a.to_number<std::int64_t>() + b.to_number<std::int64_t>());
  return json::value(as_double(a) + as_double(b));
}

json::value py_sub(const json::value& a, const json::value& b) {
  if (is_int(a) && is_int(b)) return json::value(a.to_number<std::int64_t>() - b.to_number<std::int64_t>());
  return json::value(as_double(a) - as_double(b));
}

json::value py_round2(const json::value& x) {
  if (is_int(x)) return x;
  return json::value(py_round(as_double(x), 2));
}

bool py_less(const json::value& a, const json::value& b) {
  if (!a.is_number() || !b.is_number()) return false;
  if (is_int(a) && is_int(b)) return a.to_number<std::int64_t>() < b.to_number<std::int64_t>();
  return as_double(a) < as_double(b);
}

}  // namespace rapport::tau
