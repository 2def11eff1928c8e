// FunctionGym's hidden rules: arithmetic over a, b, c, d with Python's semantics (precedence,
// right-associative **, true division, ZeroDivisionError / complex / OverflowError cases).
#pragma once

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rapport::function {

struct Node;
using NodePtr = std::shared_ptr<const Node>;

struct Node {
  char op = 0;        // '+', '-', '*', '/', '^' (for **), 'n' (negation); 0 for a leaf
  int variable = -1;  // 0..3 for a..d, or -1 for a number
  double number = 0;  // a numeric literal
  NodePtr left, right;
};

// A parsed rule.
class Expression {
 public:
  static std::optional<Expression> parse(std::string_view text, std::string* error = nullptr);
  explicit Expression(NodePtr root) : root_(std::move(root)) {}

  // Python's result, or nullopt where Python raises (or returns a complex number).
  std::optional<double> evaluate(const std::array<double, 4>& values) const;
  // Python source text with the parentheses the structure needs.
  std::string text() const;
  const NodePtr& root() const { return root_; }

 private:
  NodePtr root_;
};

// Python float ** float; nullopt where Python raises or leaves the reals.
std::optional<double> python_pow(double base, double exponent);

}  // namespace rapport::function
