// tau-bench's calculate tool (taubench-behaviour §2.4): the expression is checked for allowed
// characters, evaluated with Python's arithmetic (exact integers, true division, //, **), turned
// into a float, rounded to two decimals and printed as repr. Integers beyond 64 bits continue as
// doubles (Python would keep them exact); ** is bounded by that too, so nothing can hang. Nesting
// is bounded as Python's parser bounds it, so no expression can exhaust the stack.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>

#include "core/pynum.h"
#include "envs/tau/tau.h"

namespace rapport::tau {
namespace {

struct CalcError {
  std::string message;
};

struct Num {
  bool is_int = true;
  std::int64_t i = 0;
  double d = 0.0;
  double real() const { return is_int ? static_cast<double>(i) : d; }
};

Num from_double(double d) { return Num{false, 0, d}; }

// Python's tokenizer refuses more than 200 open parentheses; its parser gives up on expressions
// nested deeper than its stack (signs and powers chained thousands deep).
constexpr int kMaxParentheses = 200;
constexpr int kMaxNesting = 1000;

class Parser {
 public:
  explicit Parser(std::string_view s) : s_(s) {}

  Num parse() {
    skip();
    if (pos_ >= s_.size()) throw CalcError{"invalid syntax (<string>, line 0)"};
    Num v = expr();
    skip();
    if (pos_ < s_.size()) {
      if (s_[pos_] == ')') throw CalcError{"unmatched ')' (<string>, line 1)"};
      throw CalcError{"invalid syntax (<string>, line 1)"};
    }
    return v;
  }

 private:
  void skip() {
    while (pos_ < s_.size() && s_[pos_] == ' ') ++pos_;
  }
  bool eat(std::string_view op) {
    skip();
    if (s_.substr(pos_, op.size()) != op) return false;
    // "*" must not take the first half of "**", nor "/" of "//".
    if (op.size() == 1 && (op == "*" || op == "/") && s_.substr(pos_, 2) == std::string(2, op[0])) return false;
    pos_ += op.size();
    return true;
  }

  Num expr() {
    Num v = term();
    for (;;) {
      if (eat("+")) v = add(v, term(), 1);
      else if (eat("-")) v = add(v, term(), -1);
      else return v;
    }
  }
  Num term() {
    Num v = unary();
    for (;;) {
      if (eat("*")) v = mul(v, unary());
      else if (eat("//")) v = floordiv(v, unary());
      else if (eat("/")) v = div(v, unary());
      else return v;
    }
  }
  // Counts one level of recursion for as long as it lives.
  struct Nested {
    explicit Nested(int& depth) : depth_(depth) {
      if (++depth_ > kMaxNesting) throw CalcError{"Parser stack overflowed - Python source too complex to parse"};
    }
    ~Nested() { --depth_; }
    Nested(const Nested&) = delete;
    Nested& operator=(const Nested&) = delete;
    int& depth_;
  };

  Num unary() {
    Nested nested(depth_);
    if (eat("-")) {
      Num v = unary();
      if (v.is_int && v.i != std::numeric_limits<std::int64_t>::min()) return Num{true, -v.i, 0};
      return from_double(-v.real());
    }
    if (eat("+")) return unary();
    return power();
  }
  Num power() {
    Num base = atom();
    if (eat("**")) return pow(base, unary());
    return base;
  }
  Num atom() {
    skip();
    if (pos_ >= s_.size()) throw CalcError{"invalid syntax (<string>, line 1)"};
    if (s_[pos_] == '(') {
      if (++open_ > kMaxParentheses) throw CalcError{"too many nested parentheses (<string>, line 1)"};
      Nested nested(depth_);
      ++pos_;
      skip();
      if (pos_ < s_.size() && s_[pos_] == ')') throw CalcError{"float() argument must be a string or a real number, not 'tuple'"};
      if (pos_ >= s_.size()) throw CalcError{"'(' was never closed (<string>, line 1)"};
      Num v = expr();
      skip();
      if (pos_ >= s_.size()) throw CalcError{"'(' was never closed (<string>, line 1)"};
      if (s_[pos_] != ')') throw CalcError{"invalid syntax (<string>, line 1)"};
      ++pos_;
      --open_;
      return v;
    }
    std::size_t start = pos_;
    while (pos_ < s_.size() && (std::isdigit(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '.')) ++pos_;
    std::string_view text = s_.substr(start, pos_ - start);
    if (text.empty() || text == "." || std::count(text.begin(), text.end(), '.') > 1)
      throw CalcError{"invalid syntax (<string>, line 1)"};
    if (text.find('.') == std::string_view::npos) {
      if (text.size() > 1 && text[0] == '0' && text.find_first_not_of('0') != std::string_view::npos)
        throw CalcError{"leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal integers "
                        "(<string>, line 1)"};
      std::int64_t v = 0;
      for (char c : text) {
        if (v > (std::numeric_limits<std::int64_t>::max() - (c - '0')) / 10) return from_double(*py_float(text));
        v = v * 10 + (c - '0');
      }
      return Num{true, v, 0};
    }
    return from_double(*py_float(text));
  }

  static Num add(Num a, Num b, int sign) {
    if (a.is_int && b.is_int) {
      std::int64_t r;
      bool overflow = sign > 0 ? __builtin_add_overflow(a.i, b.i, &r) : __builtin_sub_overflow(a.i, b.i, &r);
      if (!overflow) return Num{true, r, 0};
    }
    return from_double(sign > 0 ? a.real() + b.real() : a.real() - b.real());
  }
  static Num mul(Num a, Num b) {
    if (a.is_int && b.is_int) {
      std::int64_t r;
      if (!__builtin_mul_overflow(a.i, b.i, &r)) return Num{true, r, 0};
    }
    return from_double(a.real() * b.real());
  }
  static Num div(Num a, Num b) {
    if (b.real() == 0) throw CalcError{a.is_int && b.is_int ? "division by zero" : "float division by zero"};
    return from_double(a.real() / b.real());
  }
  static Num floordiv(Num a, Num b) {
    if (b.real() == 0)
      throw CalcError{a.is_int && b.is_int ? "integer division or modulo by zero" : "float floor division by zero"};
    if (a.is_int && b.is_int && !(a.i == std::numeric_limits<std::int64_t>::min() && b.i == -1)) {
      std::int64_t q = a.i / b.i;
      if ((a.i % b.i != 0) && ((a.i < 0) != (b.i < 0))) --q;
      return Num{true, q, 0};
    }
    return from_double(std::floor(a.real() / b.real()));
  }
  static Num pow(Num a, Num b) {
    if (a.is_int && b.is_int && b.i >= 0) {
      std::int64_t r = 1, base = a.i;
      bool overflow = false;
      for (std::int64_t e = b.i; e > 0 && !overflow; --e) {
        overflow = __builtin_mul_overflow(r, base, &r);
        if (r == 0 || r == 1 || (r == -1 && base == -1)) {
          if (base == 0 || base == 1) break;
          if (base == -1) {
            r = (b.i % 2 == 0) ? 1 : -1;
            break;
          }
        }
      }
      if (!overflow) return Num{true, r, 0};
      double d = std::pow(a.real(), b.real());
      if (std::isinf(d)) throw CalcError{"int too large to convert to float"};
      return from_double(d);
    }
    if (a.real() == 0 && b.real() < 0) throw CalcError{"0.0 cannot be raised to a negative power"};
    double d = std::pow(a.real(), b.real());
    if (std::isinf(d) && std::isfinite(a.real()) && std::isfinite(b.real())) throw CalcError{"(34, 'Numerical result out of range')"};
    return from_double(d);
  }

  std::string_view s_;
  std::size_t pos_ = 0;
  int open_ = 0;   // parentheses open at pos_
  int depth_ = 0;  // levels of recursion
};

}  // namespace

std::string calculate(std::string_view expression) {
  for (char c : expression)
    if (std::string_view("0123456789+-*/(). ").find(c) == std::string_view::npos) return "Error: invalid characters in expression";
  try {
    Num v = Parser(expression).parse();
    double d = v.real();
    if (std::isinf(d) && v.is_int == false) return "Error: int too large to convert to float";
    return py_repr(py_round(d, 2));
  } catch (const CalcError& e) {
    return "Error: " + e.message;
  }
}

}  // namespace rapport::tau
