#include "core/pynum.h"

#include <fmt/format.h>

#include <cmath>
#include <cstdlib>

namespace rapport {

std::string py_repr(double x) {
  if (std::isnan(x)) return "nan";
  if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
  // fmt gives the shortest round-trip digits; re-lay them out with Python's rules. Its scientific
  // form ("{:e}" has a fixed precision) is avoided: take "{}" and recover digits and exponent.
  std::string s = fmt::format("{}", x);
  std::string sign;
  if (s[0] == '-') {
    sign = "-";
    s.erase(0, 1);
  }
  int exp10 = 0;
  if (auto e = s.find('e'); e != std::string::npos) {
    exp10 = std::atoi(s.c_str() + e + 1);
    s.resize(e);
  }
  std::string digits;
  int point = -1;  // number of digits before the decimal point in s
  for (char c : s) {
    if (c == '.') point = static_cast<int>(digits.size());
    else digits += c;
  }
  if (point < 0) point = static_cast<int>(digits.size());
  // Normalise: strip leading zeros (adjusting the point) and trailing zeros.
  std::size_t lead = 0;
  while (lead + 1 < digits.size() && digits[lead] == '0') ++lead;
  digits.erase(0, lead);
  point -= static_cast<int>(lead);
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  if (digits == "0") return sign + "0.0";
  // decimal exponent of the first significant digit
  int exponent = point - 1 + exp10;
  int n = static_cast<int>(digits.size());
  if (exponent < -4 || exponent >= 16) {
    std::string mantissa = digits.substr(0, 1);
    if (n > 1) mantissa += "." + digits.substr(1);
    return sign + mantissa + fmt::format("e{}{:02d}", exponent < 0 ? '-' : '+', std::abs(exponent));
  }
  if (exponent < 0) return sign + "0." + std::string(-exponent - 1, '0') + digits;
  if (exponent + 1 >= n) return sign + digits + std::string(exponent + 1 - n, '0') + ".0";
  return sign + digits.substr(0, exponent + 1) + "." + digits.substr(exponent + 1);
}

std::string py_list_repr(const std::vector<double>& xs) {
  std::string out = "[";
  for (std::size_t i = 0; i < xs.size(); ++i) {
    if (i) out += ", ";
    out += py_repr(xs[i]);
  }
  return out + "]";
}

double py_round(double x, int ndigits) {
  if (!std::isfinite(x) || ndigits > 300) return x;
  // fmt's fixed-precision output is the correctly rounded decimal of the exact binary value
  // (ties to even), and strtod reads it back correctly rounded: CPython's own two steps.
  std::string text = fmt::format("{:.{}f}", x, ndigits);
  double r = std::strtod(text.c_str(), nullptr);
  if (r == 0.0) return std::copysign(0.0, x);
  return r;
}

std::string_view py_strip(std::string_view text) {
  auto is_space_at = [&](std::size_t i, bool from_end) -> std::size_t {
    // returns the byte length of a whitespace code point at i (or ending at i), 0 if none
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f)) return 1;
    // U+00A0 (C2 A0), U+3000 (E3 80 80), U+2000..U+200A, U+2028/9, U+202F, U+205F (E2 80/81 ..)
    auto at = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
    if (!from_end) {
      if (c == 0xC2 && i + 1 < text.size() && (at(i + 1) == 0xA0 || at(i + 1) == 0x85)) return 2;
      if (c == 0xE3 && i + 2 < text.size() && at(i + 1) == 0x80 && at(i + 2) == 0x80) return 3;
      if (c == 0xE2 && i + 2 < text.size() && at(i + 1) == 0x80 &&
          ((at(i + 2) >= 0x80 && at(i + 2) <= 0x8A) || at(i + 2) == 0xA8 || at(i + 2) == 0xA9 || at(i + 2) == 0xAF))
        return 3;
    } else {
      if (i >= 1 && at(i - 1) == 0xC2 && (c == 0xA0 || c == 0x85)) return 2;
      if (i >= 2 && at(i - 2) == 0xE3 && at(i - 1) == 0x80 && c == 0x80) return 3;
      if (i >= 2 && at(i - 2) == 0xE2 && at(i - 1) == 0x80 &&
          ((c >= 0x80 && c <= 0x8A) || c == 0xA8 || c == 0xA9 || c == 0xAF))
        return 3;
    }
    return 0;
  };
  std::size_t begin = 0;
  while (begin < text.size()) {
    std::size_t n = is_space_at(begin, false);
    if (n == 0) break;
    begin += n;
  }
  std::size_t end = text.size();
  while (end > begin) {
    std::size_t n = is_space_at(end - 1, true);
    if (n == 0) break;
    end -= n;
  }
  return text.substr(begin, end - begin);
}

std::string ascii_lower(std::string_view text) {
  std::string out(text);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::optional<double> py_float(std::string_view text) {
  std::string_view t = py_strip(text);
  if (t.empty()) return std::nullopt;
  std::string s;
  std::size_t i = 0;
  if (t[0] == '+' || t[0] == '-') s += t[i++];
  std::string rest = ascii_lower(t.substr(i));
  if (rest == "inf" || rest == "infinity") return s == "-" ? -INFINITY : INFINITY;
  if (rest == "nan") return NAN;
  // Grammar: digits [. digits] [e [+-] digits] with optional single underscores between digits.
  bool any_digit = false;
  auto take_digits = [&](bool& saw) {
    bool prev_digit = false;
    while (i < t.size()) {
      char c = t[i];
      if (c >= '0' && c <= '9') {
        s += c;
        saw = true;
        any_digit = true;
        prev_digit = true;
        ++i;
      } else if (c == '_' && prev_digit && i + 1 < t.size() && t[i + 1] >= '0' && t[i + 1] <= '9') {
        prev_digit = false;
        ++i;
      } else {
        break;
      }
    }
  };
  bool int_digits = false, frac_digits = false;
  take_digits(int_digits);
  if (i < t.size() && t[i] == '.') {
    s += t[i++];
    take_digits(frac_digits);
  }
  if (!int_digits && !frac_digits) return std::nullopt;
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    s += t[i++];
    if (i < t.size() && (t[i] == '+' || t[i] == '-')) s += t[i++];
    bool exp_digits = false;
    take_digits(exp_digits);
    if (!exp_digits) return std::nullopt;
  }
  if (i != t.size() || !any_digit) return std::nullopt;
  return std::strtod(s.c_str(), nullptr);
}

}  // namespace rapport
