#include "envs/function/expression.h"

#include <fmt/format.h>

#include <cmath>
#include <cstdlib>

#include "core/pynum.h"

namespace rapport::function {
namespace {

class Parser {
 public:
  explicit Parser(std::string_view t) : t_(t) {}

  NodePtr parse_all(std::string* error) {
    NodePtr n = sum();
    skip();
    if (!n || i_ != t_.size()) {
      if (error) *error = "cannot parse the rule at position " + std::to_string(i_);
      return nullptr;
    }
    return n;
  }

 private:
  void skip() {
    while (i_ < t_.size() && t_[i_] == ' ') ++i_;
  }
  bool at(std::string_view s) {
    skip();
    return t_.substr(i_, s.size()) == s;
  }
  static NodePtr binary(char op, NodePtr l, NodePtr r) {
    if (!l || !r) return nullptr;
    auto n = std::make_shared<Node>();
    n->op = op;
    n->left = std::move(l);
    n->right = std::move(r);
    return n;
  }

  // sum := product (('+'|'-') product)*
  NodePtr sum() {
    NodePtr n = product();
    while (n && (at("+") || at("-"))) {
      char op = t_[i_++];
      n = binary(op, n, product());
    }
    return n;
  }
  // product := unary (('*'|'/') unary)*   ('*' but not '**')
  NodePtr product() {
    NodePtr n = unary();
    while (n && ((at("*") && !at("**")) || at("/"))) {
      char op = t_[i_++];
      n = binary(op, n, unary());
    }
    return n;
  }
  // unary := ('-'|'+') unary | power   (so -a ** 2 is -(a ** 2), as in Python)
  NodePtr unary() {
    if (at("-")) {
      ++i_;
      NodePtr operand = unary();
      if (!operand) return nullptr;
      auto n = std::make_shared<Node>();
      n->op = 'n';
      n->left = operand;
      return n;
    }
    if (at("+")) {
      ++i_;
      return unary();
    }
    return power();
  }
  // power := atom ('**' unary)?   (right-associative)
  NodePtr power() {
    NodePtr base = atom();
    if (base && at("**")) {
      i_ += 2;
      return binary('^', base, unary());
    }
    return base;
  }
  NodePtr atom() {
    skip();
    if (i_ >= t_.size()) return nullptr;
    char c = t_[i_];
    if (c == '(') {
      ++i_;
      NodePtr n = sum();
      if (!at(")")) return nullptr;
      ++i_;
      return n;
    }
    if (c >= 'a' && c <= 'd') {
      ++i_;
      auto n = std::make_shared<Node>();
      n->variable = c - 'a';
      return n;
    }
    if ((c >= '0' && c <= '9') || c == '.') {
      std::size_t start = i_;
      while (i_ < t_.size() && ((t_[i_] >= '0' && t_[i_] <= '9') || t_[i_] == '.')) ++i_;
      auto value = py_float(t_.substr(start, i_ - start));
      if (!value) return nullptr;
      auto n = std::make_shared<Node>();
      n->number = *value;
      return n;
    }
    return nullptr;
  }

  std::string_view t_;
  std::size_t i_ = 0;
};

bool is_odd_integer(double x) { return std::isfinite(x) && x == std::floor(x) && std::fmod(std::fabs(x), 2.0) == 1.0; }

std::optional<double> eval(const Node& n, const std::array<double, 4>& v) {
  if (n.op == 0) return n.variable >= 0 ? v[static_cast<std::size_t>(n.variable)] : n.number;
  auto l = eval(*n.left, v);
  if (!l) return std::nullopt;
  if (n.op == 'n') return -*l;
  auto r = eval(*n.right, v);
  if (!r) return std::nullopt;
  switch (n.op) {
    case '+': return *l + *r;
    case '-': return *l - *r;
    case '*': return *l * *r;
    case '/':
      if (*r == 0.0) return std::nullopt;  // ZeroDivisionError
      return *l / *r;
    case '^': return python_pow(*l, *r);
  }
  return std::nullopt;
}

int precedence(const Node& n) {
  switch (n.op) {
    case 0: return 5;
    case '^': return 4;
    case 'n': return 3;
    case '*':
    case '/': return 2;
    default: return 1;  // + -
  }
}

std::string print(const Node& n) {
  if (n.op == 0) {
    if (n.variable >= 0) return std::string(1, static_cast<char>('a' + n.variable));
    // Integer literals print as Python ints ("2"), others as floats.
    std::string text = py_repr(n.number);
    return n.number == std::floor(n.number) && text.size() > 2 && text.substr(text.size() - 2) == ".0"
               ? text.substr(0, text.size() - 2) : text;
  }
  if (n.op == 'n') {
    std::string inner = print(*n.left);
    return precedence(*n.left) < precedence(n) ? "-(" + inner + ")" : "-" + inner;
  }
  int p = precedence(n);
  std::string l = print(*n.left), r = print(*n.right);
  // ** is right-associative: its left operand needs parentheses at equal precedence (and a
  // negation, since -a ** b means -(a ** b)); the others are left-associative.
  bool paren_left = n.op == '^' ? precedence(*n.left) <= p : precedence(*n.left) < p;
  bool paren_right = n.op == '^' ? precedence(*n.right) < 3 : precedence(*n.right) <= p;
  if (paren_left) l = "(" + l + ")";
  if (paren_right) r = "(" + r + ")";
  std::string op = n.op == '^' ? "**" : std::string(1, n.op);
  return l + " " + op + " " + r;
}

}  // namespace

std::optional<double> python_pow(double iv, double iw) {
  // CPython's float_pow, case by case.
  if (iw == 0.0) return 1.0;
  if (std::isnan(iv)) return iv;
  if (std::isnan(iw)) return iv == 1.0 ? 1.0 : iw;
  if (std::isinf(iw)) {
    double a = std::fabs(iv);
    if (a == 1.0) return 1.0;
    if ((iw > 0.0) == (a > 1.0)) return std::fabs(iw);
    return 0.0;
  }
  if (std::isinf(iv)) {
    bool odd = is_odd_integer(iw);
    if (iw > 0.0) return odd ? iv : std::fabs(iv);
    return odd ? std::copysign(0.0, iv) : 0.0;
  }
  if (iv == 0.0) {
    if (iw < 0.0) return std::nullopt;  // ZeroDivisionError
    return is_odd_integer(iw) ? iv : 0.0;
  }
  bool negate = false;
  if (iv < 0.0) {
    if (iw != std::floor(iw)) return std::nullopt;  // complex result
    iv = -iv;
    negate = is_odd_integer(iw);
  }
  if (iv == 1.0) return negate ? -1.0 : 1.0;
  double x = std::pow(iv, iw);
  if (std::isinf(x)) return std::nullopt;  // OverflowError
  return negate ? -x : x;
}

std::optional<Expression> Expression::parse(std::string_view text, std::string* error) {
  // Parsing, evaluating and freeing recurse over the tree: a bounded rule keeps them off the
  // stack's limit (the reference's rules are a few dozen characters).
  constexpr std::size_t kMaxRuleChars = 1000;
  if (text.size() > kMaxRuleChars) {
    if (error) *error = fmt::format("it is {} characters long; a rule has at most {}", text.size(), kMaxRuleChars);
    return std::nullopt;
  }
  NodePtr root = Parser(text).parse_all(error);
  if (!root) return std::nullopt;
  return Expression(std::move(root));
}

std::optional<double> Expression::evaluate(const std::array<double, 4>& values) const { return eval(*root_, values); }

std::string Expression::text() const { return print(*root_); }

}  // namespace rapport::function
