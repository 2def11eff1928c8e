#include "core/llm_output.h"

#include <cstdlib>
#include <string>

#include "core/pynum.h"

namespace rapport {
namespace {

// A recursive-descent reader for the union of JSON and Python literal syntax.
class LiteralReader {
 public:
  explicit LiteralReader(std::string_view text) : t_(text) {}

  std::optional<json::value> read_all() {
    auto v = value(0);
    skip_space();
    if (!v || i_ != t_.size()) return std::nullopt;
    return v;
  }

 private:
  static constexpr int kMaxDepth = 64;

  void skip_space() {
    while (i_ < t_.size() && (t_[i_] == ' ' || t_[i_] == '\n' || t_[i_] == '\t' || t_[i_] == '\r')) ++i_;
  }
  bool eat(char c) {
    skip_space();
    if (i_ < t_.size() && t_[i_] == c) {
      ++i_;
      return true;
    }
    return false;
  }
  bool word(std::string_view w) {
    if (t_.substr(i_, w.size()) == w) {
      i_ += w.size();
      return true;
    }
    return false;
  }

  std::optional<json::value> value(int depth) {
    if (depth > kMaxDepth) return std::nullopt;
    skip_space();
    if (i_ >= t_.size()) return std::nullopt;
    char c = t_[i_];
    if (c == '{') return object(depth);
    if (c == '[') return sequence(depth, '[', ']');
    if (c == '(') return sequence(depth, '(', ')');
    if (c == '"' || c == '\'') {
      auto s = string();
      if (!s) return std::nullopt;
      return json::value(*s);
    }
    if (word("True") || word("true")) return json::value(true);
    if (word("False") || word("false")) return json::value(false);
    if (word("None") || word("null")) return json::value(nullptr);
    return number();
  }

  std::optional<json::value> object(int depth) {
    ++i_;
    json::object o;
    if (eat('}')) return json::value(std::move(o));
    while (true) {
      skip_space();
      auto key = string();
      if (!key) {
        // Python dicts may use non-string keys; we only support the string keys models emit.
        return std::nullopt;
      }
      if (!eat(':')) return std::nullopt;
      auto v = value(depth + 1);
      if (!v) return std::nullopt;
      o[*key] = std::move(*v);
      if (eat(',')) {
        if (eat('}')) break;  // trailing comma, legal in Python
        continue;
      }
      if (eat('}')) break;
      return std::nullopt;
    }
    return json::value(std::move(o));
  }

  std::optional<json::value> sequence(int depth, char open, char close) {
    (void)open;
    ++i_;
    json::array a;
    if (eat(close)) return json::value(std::move(a));
    while (true) {
      auto v = value(depth + 1);
      if (!v) return std::nullopt;
      a.push_back(std::move(*v));
      if (eat(',')) {
        if (eat(close)) break;
        continue;
      }
      if (eat(close)) break;
      return std::nullopt;
    }
    return json::value(std::move(a));
  }

  static void append_utf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  std::optional<std::uint32_t> hex(std::size_t n) {
    if (i_ + n > t_.size()) return std::nullopt;
    std::uint32_t v = 0;
    for (std::size_t k = 0; k < n; ++k) {
      char c = t_[i_ + k];
      v <<= 4;
      if (c >= '0' && c <= '9') v |= static_cast<std::uint32_t>(c - '0');
      else if (c >= 'a' && c <= 'f') v |= static_cast<std::uint32_t>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F') v |= static_cast<std::uint32_t>(c - 'A' + 10);
      else return std::nullopt;
    }
    i_ += n;
    return v;
  }

  std::optional<std::string> string() {
    if (i_ >= t_.size() || (t_[i_] != '"' && t_[i_] != '\'')) return std::nullopt;
    char quote = t_[i_++];
    std::string out;
    while (i_ < t_.size()) {
      char c = t_[i_++];
      if (c == quote) return out;
      if (c != '\\') {
        out += c;
        continue;
      }
      if (i_ >= t_.size()) return std::nullopt;
      char e = t_[i_++];
      switch (e) {
        case 'n': out += '\n'; break;
        case 't': out += '\t'; break;
        case 'r': out += '\r'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case '/': out += '/'; break;
        case '\n': break;  // Python line continuation inside a string
        case 'u': {
          auto cp = hex(4);
          if (!cp) return std::nullopt;
          std::uint32_t code = *cp;
          if (code >= 0xD800 && code < 0xDC00 && t_.substr(i_, 2) == "\\u") {
            i_ += 2;
            auto low = hex(4);
            if (!low) return std::nullopt;
            code = 0x10000 + ((code - 0xD800) << 10) + (*low - 0xDC00);
          }
          append_utf8(out, code);
          break;
        }
        case 'x': {
          auto cp = hex(2);
          if (!cp) return std::nullopt;
          append_utf8(out, *cp);
          break;
        }
        default: out += e; break;  // \\ \' \" and unknown escapes keep the character
      }
    }
    return std::nullopt;
  }

  std::optional<json::value> number() {
    std::size_t start = i_;
    if (i_ < t_.size() && (t_[i_] == '-' || t_[i_] == '+')) ++i_;
    bool is_float = false;
    while (i_ < t_.size()) {
      char c = t_[i_];
      if (c >= '0' && c <= '9') ++i_;
      else if (c == '.' || c == 'e' || c == 'E' || ((c == '-' || c == '+') && (t_[i_ - 1] == 'e' || t_[i_ - 1] == 'E'))) {
        is_float = true;
        ++i_;
      } else break;
    }
    std::string text(t_.substr(start, i_ - start));
    if (text.empty() || text == "-" || text == "+") return std::nullopt;
    if (!is_float) {
      char* end = nullptr;
      long long v = std::strtoll(text.c_str(), &end, 10);
      if (*end == '\0') return json::value(static_cast<std::int64_t>(v));
    }
    auto d = py_float(text);
    if (!d) return std::nullopt;
    return json::value(*d);
  }

  std::string_view t_;
  std::size_t i_ = 0;
};

std::optional<json::object> as_object(std::optional<json::value> v) {
  if (v && v->is_object()) return std::move(v->get_object());
  return std::nullopt;
}

}  // namespace

std::optional<json::value> parse_literal(std::string_view text) {
  text = py_strip(text);
  if (auto v = parse_json(text)) return v;
  return LiteralReader(text).read_all();
}

std::optional<json::object> parse_llm_object(std::string_view text) {
  text = py_strip(text);
  if (auto o = as_object(parse_literal(text))) return o;
  // A fenced block: ```json ... ``` or ``` ... ```.
  if (auto fence = text.find("```"); fence != std::string_view::npos) {
    std::size_t body = text.find('\n', fence);
    std::size_t close = body == std::string_view::npos ? body : text.find("```", body);
    if (close != std::string_view::npos)
      if (auto o = as_object(parse_literal(text.substr(body + 1, close - body - 1)))) return o;
  }
  // Balanced {...} spans, scanning from each opening brace; quotes are respected. Each scan and
  // each parse is paid from one budget: realistic replies (a few braces) never exhaust it.
  std::size_t budget = 8 * text.size() + (1 << 16);
  for (std::size_t open = text.find('{'); open != std::string_view::npos; open = text.find('{', open + 1)) {
    int depth = 0;
    char quote = 0;
    for (std::size_t k = open; k < text.size(); ++k) {
      if (budget-- == 0) return std::nullopt;
      char c = text[k];
      if (quote) {
        if (c == '\\') ++k;
        else if (c == quote) quote = 0;
        continue;
      }
      if (c == '"' || c == '\'') quote = c;
      else if (c == '{') ++depth;
      else if (c == '}' && --depth == 0) {
        const std::size_t length = k - open + 1;
        if (length > budget) return std::nullopt;
        budget -= length;
        if (auto o = as_object(parse_literal(text.substr(open, length)))) return o;
        break;
      }
    }
  }
  return std::nullopt;
}

std::optional<json::object> response_object(const LlmResponse& response) {
  if (!response.ok) return std::nullopt;
  return parse_llm_object(split_think(response.message.content).visible);
}

ThinkSplit split_think(std::string_view text) {
  ThinkSplit out;
  std::string_view t = py_strip(text);
  constexpr std::string_view kOpen = "<think>", kClose = "</think>";
  std::size_t close = t.find(kClose);
  if (close == std::string_view::npos) {
    out.visible = std::string(text);
    return out;
  }
  std::size_t open = t.substr(0, close).find(kOpen);
  std::size_t begin = open == std::string_view::npos ? 0 : open + kOpen.size();
  // Text before <think> (rare) stays visible.
  std::string before = open == std::string_view::npos ? "" : std::string(t.substr(0, open));
  out.reasoning = std::string(py_strip(t.substr(begin, close - begin)));
  out.visible = before + std::string(py_strip(t.substr(close + kClose.size())));
  return out;
}

}  // namespace rapport
