// TurtleGym's scripted oracle: the host answers from keyword facts of the story, the judge scores an
// explanation by the keyword groups of each criterion it covers.
#include <algorithm>

#include "envs/turtle/turtle.h"

namespace rapport::turtle {

namespace {

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

}  // namespace

std::unique_ptr<Oracle> make_scripted_oracle() { return std::make_unique<ScriptedOracle>(); }

}  // namespace rapport::turtle
