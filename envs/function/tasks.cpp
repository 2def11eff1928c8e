// FunctionGym tasks: our generator, the reference importer, and the rule space both draw from.
#include <fmt/format.h>

#include <cmath>

#include "core/pynum.h"
#include "core/rng.h"
#include "core/text.h"
#include "envs/function/function.h"

namespace rapport::function {
namespace {

constexpr char kOps[] = {'+', '-', '*', '/', '^'};

// One rule of the space: four leaves (a permutation of a..d, one optionally squared) joined by
// three binary operators in one of the five binary-tree shapes.
struct RuleShape {
  int shape = 0;                // 0..4
  std::array<int, 4> leaves{};  // variable of each leaf, left to right
  std::array<char, 3> ops{};    // operators, in the order the shape uses them
  int squared = -1;             // leaf raised to the power 2, or -1
};

NodePtr leaf(const RuleShape& s, int k) {
  auto n = std::make_shared<Node>();
  n->variable = s.leaves[static_cast<std::size_t>(k)];
  if (s.squared != k) return n;
  auto two = std::make_shared<Node>();
  two->number = 2;
  auto p = std::make_shared<Node>();
  p->op = '^';
  p->left = n;
  p->right = two;
  return p;
}

NodePtr join(char op, NodePtr l, NodePtr r) {
  auto n = std::make_shared<Node>();
  n->op = op;
  n->left = std::move(l);
  n->right = std::move(r);
  return n;
}

Expression build(const RuleShape& s) {
  auto L = [&](int k) { return leaf(s, k); };
  const auto& o = s.ops;
  switch (s.shape) {
    case 0:
      return Expression(join(o[2], join(o[1], join(o[0], L(0), L(1)), L(2)), L(3)));
    case 1:
      return Expression(join(o[2], join(o[0], L(0), join(o[1], L(1), L(2))), L(3)));
    case 2:
      return Expression(join(o[1], join(o[0], L(0), L(1)), join(o[2], L(2), L(3))));
    case 3:
      return Expression(join(o[0], L(0), join(o[2], join(o[1], L(1), L(2)), L(3))));
    default:
      return Expression(join(o[0], L(0), join(o[1], L(1), join(o[2], L(2), L(3)))));
  }
}

}  // namespace

json::value to_json(const FunctionTask& t) {
  return json::object{{"id", t.id},
                      {"rule", t.rule},
                      {"test_case", json::array{t.test_case[0], t.test_case[1], t.test_case[2], t.test_case[3]}},
                      {"expected_result", t.expected}};
}

namespace {

FunctionTask task_from_object(const json::value& v, std::string_view where) {
  if (!v.is_object()) throw ConfigError(fmt::format("{}: a function task must be an object", where));
  const auto& o = v.get_object();
  FunctionTask t;
  t.id = get_string(o, "id");
  t.rule = get_string(o, "rule");
  if (t.id.empty() || t.rule.empty()) throw ConfigError(fmt::format("{}: needs a non-empty 'id' and 'rule'", where));
  std::string error;
  if (!Expression::parse(t.rule, &error))
    throw ConfigError(
        fmt::format("{} ({}): rule '{}' is not valid: {}", where, abbreviate(t.id), abbreviate(t.rule), abbreviate(error)));
  auto tc = o.find("test_case");
  if (tc == o.end() || !tc->value().is_array() || tc->value().get_array().size() != 4)
    throw ConfigError(fmt::format("{} ({}): 'test_case' must be a list of four integers", where, abbreviate(t.id)));
  for (std::size_t i = 0; i < 4; ++i) {
    const auto& x = tc->value().get_array()[i];
    if (!x.is_int64())
      throw ConfigError(fmt::format("{} ({}): 'test_case' must be a list of four integers", where, abbreviate(t.id)));
    t.test_case[i] = x.get_int64();
  }
  auto e = o.find("expected_result");
  if (e == o.end() || !(e->value().is_double() || e->value().is_int64()))
    throw ConfigError(fmt::format("{} ({}): 'expected_result' must be a number", where, abbreviate(t.id)));
  t.expected = get_number(o, "expected_result");
  return t;
}

}  // namespace

FunctionTask function_task_from(const Task& task) {
  return task_from_object(task.data, "function task");
}

FunctionTask generate_task(std::string_view difficulty, std::uint64_t seed, std::uint64_t index) {
  Rng rng = Rng::derive(seed, "function/task", index);
  int op_count = difficulty == "easy" ? 3 : difficulty == "medium" ? 4 : 5;
  bool squares = difficulty != "easy";
  // Draw until the rule is defined, finite and of reasonable size at the test case: every task's
  // answer is well defined.
  for (;;) {
    RuleShape s;
    s.shape = static_cast<int>(rng.below(5));
    s.leaves = {0, 1, 2, 3};
    for (std::size_t i = 4; i > 1; --i) std::swap(s.leaves[i - 1], s.leaves[rng.below(i)]);
    for (auto& op : s.ops) op = kOps[rng.below(static_cast<std::uint64_t>(op_count))];
    if (squares && rng.chance(0.5)) s.squared = static_cast<int>(rng.below(4));
    FunctionTask t;
    for (auto& x : t.test_case) x = rng.range(1, 10);
    Expression rule = build(s);
    auto value =
        rule.evaluate({double(t.test_case[0]), double(t.test_case[1]), double(t.test_case[2]), double(t.test_case[3])});
    if (!value || !std::isfinite(*value) || std::fabs(*value) > 1e6) continue;
    t.id = fmt::format("gen-{}-{}-{}", difficulty, seed, index);
    t.rule = rule.text();
    t.expected = *value;
    return t;
  }
}

std::vector<FunctionTask> import_functions_json(std::string_view text, std::string_view split) {
  auto parsed = parse_json(text);
  if (!parsed) throw ConfigError("functions file: not valid JSON");
  if (!parsed->is_array())
    throw ConfigError("functions file: expected a JSON list of {id, rule, test_case, expected_result}");
  std::vector<FunctionTask> all;
  std::size_t i = 0;
  for (const auto& item : parsed->get_array())
    all.push_back(task_from_object(item, fmt::format("functions file item {}", i++)));
  if (split == "all") return all;
  if (split != "train" && split != "test")
    throw ConfigError(fmt::format("unknown split '{}'; valid: all, train, test", split));
  // The reference shuffles with NumPy seed 42 and keeps the first 460 for training.
  auto order = numpy_legacy_permutation(all.size(), 42);
  std::size_t train = std::min<std::size_t>(460, all.size());
  std::vector<FunctionTask> out;
  for (std::size_t k = split == "train" ? 0 : train; k < (split == "train" ? train : all.size()); ++k)
    out.push_back(all[order[k]]);
  return out;
}

namespace {

// The first code point (digit zero) of every run of ten Unicode decimal digits (category Nd).
constexpr char32_t kDigitZeros[] = {
    0x0660,  0x06F0,  0x07C0,  0x0966,  0x09E6,  0x0A66,  0x0AE6,  0x0B66,  0x0BE6,  0x0C66,  0x0CE6,  0x0D66,
    0x0DE6,  0x0E50,  0x0ED0,  0x0F20,  0x1040,  0x1090,  0x17E0,  0x1810,  0x1946,  0x19D0,  0x1A80,  0x1A90,
    0x1B50,  0x1BB0,  0x1C40,  0x1C50,  0xA620,  0xA8D0,  0xA900,  0xA9D0,  0xA9F0,  0xAA50,  0xABF0,  0xFF10,
    0x104A0, 0x10D30, 0x11066, 0x110F0, 0x11136, 0x111D0, 0x112F0, 0x11450, 0x114D0, 0x11650, 0x116C0, 0x11730,
    0x118E0, 0x11950, 0x11C50, 0x11D50, 0x11DA0, 0x11F50, 0x16A60, 0x16AC0, 0x16B50, 0x1D7CE, 0x1D7D8, 0x1D7E2,
    0x1D7EC, 0x1D7F6, 0x1E140, 0x1E2F0, 0x1E4F0, 0x1E950, 0x1FBF0};

int unicode_digit(char32_t c) {
  for (char32_t zero : kDigitZeros)
    if (c >= zero && c < zero + 10) return static_cast<int>(c - zero);
  return -1;
}

}  // namespace

std::string ascii_digits(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const auto b = static_cast<unsigned char>(text[i]);
    std::size_t len = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
    if (len == 1 || i + len > text.size()) {
      out += text[i++];
      continue;
    }
    char32_t c = b & (len == 2 ? 0x1F : len == 3 ? 0x0F : 0x07);
    bool valid = true;
    for (std::size_t k = 1; k < len; ++k) {
      const auto cont = static_cast<unsigned char>(text[i + k]);
      valid = valid && (cont & 0xC0) == 0x80;
      c = (c << 6) | (cont & 0x3F);
    }
    int digit = valid ? unicode_digit(c) : -1;
    if (digit >= 0) out += static_cast<char>('0' + digit);
    else out.append(text.substr(i, len));
    i += len;
  }
  return out;
}

std::vector<double> extract_numbers(std::string_view raw) {
  const std::string ascii = ascii_digits(raw);
  const std::string_view text = ascii;
  std::vector<double> out;
  auto digit = [&](std::size_t k) { return k < text.size() && text[k] >= '0' && text[k] <= '9'; };
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t start = i;
    if (text[i] == '-' && digit(i + 1))
      ++i;
    else if (!digit(i)) {
      ++i;
      continue;
    }
    while (digit(i)) ++i;
    if (i < text.size() && text[i] == '.') {
      ++i;
      while (digit(i)) ++i;
    }
    out.push_back(*py_float(text.substr(start, i - start)));
  }
  return out;
}

const std::vector<Expression>& candidate_rules() {
  static const std::vector<Expression> all = [] {
    std::vector<Expression> out;
    std::array<int, 4> perm{0, 1, 2, 3};
    constexpr int op_count = 5;
    do {
      for (int shape = 0; shape < 5; ++shape)
        for (int o0 = 0; o0 < op_count; ++o0)
          for (int o1 = 0; o1 < op_count; ++o1)
            for (int o2 = 0; o2 < op_count; ++o2)
              for (int sq = -1; sq < 4; ++sq) {
                RuleShape s{shape, perm, {kOps[o0], kOps[o1], kOps[o2]}, sq};
                out.push_back(build(s));
              }
    } while (std::next_permutation(perm.begin(), perm.end()));
    return out;
  }();
  return all;
}

}  // namespace rapport::function
