// TurtleGym oracles: the scripted host and judge (keyword facts and coverage) and the LLM host
// and judge (our prompts, tolerant parsing, fixed fallbacks).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "core/llm_output.h"
#include "core/pynum.h"
#include "envs/turtle/turtle.h"

namespace rapport::turtle {

const char* const kQuestionFallback = "The host could not answer that question just now. Please ask again.";
const char* const kAnswerFallback = "Your explanation could not be evaluated just now. Please submit it again.";

namespace {

// ---- Text matching for the scripted oracle ----

// Lower-case words separated by single spaces, with a space at each end so that " word" finds a
// word start.
std::string normalize(std::string_view text) {
  std::string out = " ";
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80;
    if (alnum) out += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    else if (out.back() != ' ') out += ' ';
  }
  if (out.back() != ' ') out += ' ';
  return out;
}

// A keyword matches at the start of a word and may run on ("kill" finds "killed"), unless it
// ends with '$', which asks for the whole word ("ill$" does not find "illegal").
bool has_keyword(const std::string& normalized_text, std::string_view keyword) {
  bool whole_word = !keyword.empty() && keyword.back() == '$';
  std::string k = normalize(keyword);
  if (k.size() < 3) return false;
  if (!whole_word) k.pop_back();
  return normalized_text.find(k) != std::string::npos;
}

std::size_t groups_matched(const std::string& text, const KeywordGroups& groups) {
  std::size_t n = 0;
  for (const auto& g : groups)
    if (std::any_of(g.begin(), g.end(), [&](const std::string& k) { return has_keyword(text, k); })) ++n;
  return n;
}

bool is_stopword(std::string_view w) {
  static const char* const kStop[] = {
      "the", "and", "for", "was", "were", "are", "is", "did", "does", "do", "has", "had", "have", "his", "her", "hers",
      "him", "she", "he", "they", "them", "their", "this", "that", "these", "those", "with", "from", "into", "onto",
      "about", "what", "who", "whom", "whose", "which", "when", "where", "why", "how", "any", "anyone", "anything",
      "someone", "something", "some", "story", "person", "people", "not", "but", "because", "there", "here", "its",
      "it", "been", "being", "be", "can", "could", "would", "should", "will", "shall", "may", "might", "must", "than",
      "then", "also", "just", "only", "very", "really", "all", "one", "ones", "out", "off", "over", "under", "again",
      "yes", "no", "maybe", "you", "your", "our", "we", "me", "my", "an", "a", "of", "to", "in", "on", "at", "by", "or",
      "as", "if", "so", "up", "actually", "include", "includes", "including", "explained", "reveals", "reveal",
      "protagonist", "narrator", "even", "though", "after", "before", "while"};
  for (const char* s : kStop)
    if (w == s) return true;
  return false;
}

// Content words, reduced to a crude stem so that "killed" and "kills" meet "kill".
std::vector<std::string> content_stems(std::string_view text) {
  std::vector<std::string> out;
  std::string n = normalize(text);
  std::size_t i = 1;
  while (i < n.size()) {
    std::size_t j = n.find(' ', i);
    std::string w = n.substr(i, j - i);
    i = j + 1;
    if (w.size() < 3 || is_stopword(w)) continue;
    for (std::string_view suffix : {"ing", "ed", "es", "ly", "s"}) {
      if (w.size() > suffix.size() + 3 && w.compare(w.size() - suffix.size(), suffix.size(), suffix) == 0) {
        w.resize(w.size() - suffix.size());
        break;
      }
    }
    if (std::find(out.begin(), out.end(), w) == out.end()) out.push_back(w);
  }
  return out;
}

// Facts every story shares: the built-in puzzles are all natural explanations.
const std::vector<Fact>& shared_facts() {
  static const std::vector<Fact> facts = {
      {{{"supernatural", "ghost", "magic", "spirit", "curse", "alien", "paranormal", "haunted", "witch", "vampire",
         "demon", "psychic", "telepath", "time travel"}},
       "No"},
  };
  return facts;
}

const Fact* best_fact(const std::vector<Fact>& facts, const std::string& text) {
  const Fact* best = nullptr;
  std::size_t best_n = 0;
  for (const auto& f : facts) {
    if (groups_matched(text, f.match) != f.match.size()) continue;
    if (f.match.size() > best_n) {
      best = &f;
      best_n = f.match.size();
    }
  }
  return best;
}

}  // namespace

std::optional<std::string> fact_reply(const Story& story, std::string_view question) {
  std::string text = normalize(question);
  if (const Fact* f = best_fact(story.facts, text)) return f->answer;
  if (const Fact* f = best_fact(shared_facts(), text)) return f->answer;
  return std::nullopt;
}

std::string scripted_reply(const Story& story, std::string_view question) {
  if (auto known = fact_reply(story, question)) return *known;
  auto words = content_stems(question);
  if (words.empty()) return "Maybe";
  std::string bottom = normalize(story.bottom);
  std::size_t found = 0;
  for (const auto& w : words) found += has_keyword(bottom, w) ? 1 : 0;
  if (found == words.size()) return "Yes";
  if (found == 0) return "No";
  return "Maybe";
}

std::vector<double> scripted_judgments(const Story& story, std::string_view answer) {
  std::string text = normalize(answer);
  std::vector<double> out;
  for (const auto& c : story.criteria) {
    KeywordGroups groups = c.keywords;
    if (groups.empty())
      for (auto& w : content_stems(c.statement)) groups.push_back({w});
    if (groups.empty()) {
      out.push_back(0.0);
      continue;
    }
    double share = static_cast<double>(groups_matched(text, groups)) / static_cast<double>(groups.size());
    out.push_back(share >= 0.75 ? 1.0 : share >= 0.4 ? 0.5 : 0.0);
  }
  return out;
}

// ---- LLM host and judge ----

namespace {

constexpr const char* kHostSystem =
    "You host a lateral-thinking mystery game. You know the complete hidden story; the player has only read "
    "its short, puzzling surface and is asking yes/no questions to work out what really happened.\n\n"
    "Answer each question truthfully according to the hidden story, with one word: \"Yes\" or \"No\". Use "
    "\"Maybe\" only when the hidden story truly leaves the point open or the question cannot be answered with "
    "yes or no. Never explain, hint, or reveal anything beyond that one word.\n\n"
    "Reply with a JSON object and nothing else:\n"
    "{\"thought\": \"<your brief private reasoning>\", \"response\": \"Yes\" | \"No\" | \"Maybe\"}";

constexpr const char* kJudgeSystem =
    "You judge explanations in a lateral-thinking mystery game. The player has read only the surface of a story "
    "and proposes what really happened. Compare the proposal with the hidden story, one evaluation point at a "
    "time, in the order given, and score each point:\n"
    "- 1.0 when the proposal clearly contains the point (different wording is fine if the meaning agrees);\n"
    "- 0.5 when it contains the point only partly or vaguely;\n"
    "- 0.0 when the point is missing or contradicted.\n"
    "Also write one or two sentences of feedback addressed to the player as \"you\", without revealing "
    "anything of the hidden story.\n\n"
    "Reply with a JSON object and nothing else, with exactly one entry in \"scores\" per evaluation point:\n"
    "{\"scores\": [{\"statement\": \"<the point>\", \"thought\": \"<brief reasoning>\", \"score\": 0.0 | 0.5 | 1.0}], "
    "\"feedback\": \"<feedback>\"}";

std::optional<json::object> object_of(const LlmResponse& response) {
  if (!response.ok) return std::nullopt;
  ThinkSplit split = split_think(response.message.content);
  return parse_llm_object(split.visible);
}

std::optional<double> number_of(const json::value& v) {
  if (v.is_double()) return v.get_double();
  if (v.is_int64()) return static_cast<double>(v.get_int64());
  if (v.is_uint64()) return static_cast<double>(v.get_uint64());
  if (v.is_string()) return py_float(v.get_string());
  return std::nullopt;
}

}  // namespace

LlmRequest question_request(const Story& story, std::string_view question) {
  LlmRequest r;
  r.role = LlmRole::User;
  r.purpose = "question_answer";
  r.messages.push_back({"system", kHostSystem, "", {}, ""});
  r.messages.push_back({"user",
                        fmt::format("Surface (what the player has read):\n{}\n\nHidden story:\n{}\n\nThe player asks:\n{}\n\n"
                                    "Reply with the JSON object.",
                                    story.surface, story.bottom, question),
                        "", {}, ""});
  return r;
}

QuestionReply read_question_reply(const LlmResponse& response) {
  QuestionReply fallback{kQuestionFallback, true};
  if (!response.ok) return fallback;
  if (auto o = object_of(response)) {
    auto it = o->find("response");
    if (it == o->end() || !it->value().is_string()) return fallback;
    std::string_view text = py_strip(it->value().get_string());
    if (text.empty()) return fallback;
    return QuestionReply{std::string(text), false};
  }
  // A bare one-word answer is as good as the object.
  std::string word = ascii_lower(py_strip(split_think(response.message.content).visible));
  while (!word.empty() && (word.back() == '.' || word.back() == '!')) word.pop_back();
  if (word == "yes") return QuestionReply{"Yes", false};
  if (word == "no") return QuestionReply{"No", false};
  if (word == "maybe") return QuestionReply{"Maybe", false};
  return fallback;
}

LlmRequest answer_request(const Story& story, std::string_view answer) {
  json::array points;
  for (const auto& c : story.criteria) points.emplace_back(json::object{{"statement", c.statement}});
  LlmRequest r;
  r.role = LlmRole::Judge;
  r.purpose = "answer_judge";
  r.messages.push_back({"system", kJudgeSystem, "", {}, ""});
  r.messages.push_back({"user",
                        fmt::format("Evaluation points ({}):\n{}\n\nSurface:\n{}\n\nHidden story:\n{}\n\n"
                                    "The player's explanation:\n{}\n\nReply with the JSON object.",
                                    story.criteria.size(), to_python_json(points), story.surface, story.bottom, answer),
                        "", {}, ""});
  return r;
}

AnswerVerdict read_answer_verdict(const Story& story, const LlmResponse& response) {
  AnswerVerdict fallback{std::vector<double>(story.criteria.size(), 0.0), true};
  auto o = object_of(response);
  if (!o) return fallback;
  auto it = o->find("scores");
  if (it == o->end() || !it->value().is_array()) return fallback;
  const auto& scores = it->value().get_array();
  // One score per criterion, or the verdict cannot be matched to the criteria.
  if (scores.size() != story.criteria.size()) return fallback;
  AnswerVerdict v;
  for (const auto& item : scores) {
    std::optional<double> x;
    if (item.is_object()) {
      auto s = item.get_object().find("score");
      if (s != item.get_object().end()) x = number_of(s->value());
    } else {
      x = number_of(item);
    }
    if (!x || !std::isfinite(*x)) return fallback;
    v.judgments.push_back(snap_judgment(*x));
  }
  return v;
}

namespace {

class ScriptedOracle : public Oracle {
 public:
  Ask<QuestionReply> answer_question(const Story& story, const std::string& question) const override {
    return Ask<QuestionReply>::now(QuestionReply{scripted_reply(story, question), false});
  }
  Ask<AnswerVerdict> judge_answer(const Story& story, const std::string& answer) const override {
    return Ask<AnswerVerdict>::now(AnswerVerdict{scripted_judgments(story, answer), false});
  }
};

class LlmOracle : public Oracle {
 public:
  Ask<QuestionReply> answer_question(const Story& story, const std::string& question) const override {
    return Ask<QuestionReply>::llm(question_request(story, question), read_question_reply);
  }
  Ask<AnswerVerdict> judge_answer(const Story& story, const std::string& answer) const override {
    return Ask<AnswerVerdict>::llm(answer_request(story, answer),
                                   [story](const LlmResponse& r) { return read_answer_verdict(story, r); });
  }
};

}  // namespace

std::unique_ptr<Oracle> make_oracle(OracleKind kind) {
  if (kind == OracleKind::Llm) return std::make_unique<LlmOracle>();
  return std::make_unique<ScriptedOracle>();
}

}  // namespace rapport::turtle
