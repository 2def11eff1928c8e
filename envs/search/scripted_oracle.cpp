// SearchGym's scripted judge: the normalised answer, without fillers, against the gold answer and
// its aliases. Needs no model.
#include <array>

#include "core/pynum.h"
#include "envs/search/search.h"

namespace rapport::search {

std::string normalize_answer(std::string_view text) {
  std::string out;
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if (u >= 0x80) out += c;
    else if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z')) out += c;
    else if (c >= 'A' && c <= 'Z') out += static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

namespace {

// Leading phrases an answer may carry that are not part of it.
std::string without_fillers(std::string_view answer) {
  static const std::array<std::string_view, 9> kFillers = {
      "the answer is ", "answer: ", "i think it is ", "i think ", "it is ", "it's ", "the ", "an ", "a "};
  std::string text = ascii_lower(py_strip(answer));
  for (bool again = true; again;) {
    again = false;
    for (auto f : kFillers) {
      if (text.size() > f.size() && text.compare(0, f.size(), f) == 0) {
        text = std::string(py_strip(std::string_view(text).substr(f.size())));
        again = true;
      }
    }
  }
  return text;
}

class ScriptedOracle : public Oracle {
 public:
  Ask<Verdict> judge_answer(const QaItem& item, const std::string& answer) const override {
    return Ask<Verdict>::now(Verdict{answer_matches(item, answer), false});
  }
};

}  // namespace

bool answer_matches(const QaItem& item, std::string_view answer) {
  std::string given = normalize_answer(without_fillers(answer));
  if (given.empty()) return false;
  if (given == normalize_answer(without_fillers(item.answer))) return true;
  for (const auto& alias : item.aliases)
    if (given == normalize_answer(without_fillers(alias))) return true;
  return false;
}

std::unique_ptr<Oracle> make_scripted_oracle() { return std::make_unique<ScriptedOracle>(); }

}  // namespace rapport::search
