// SearchGym: the agent gets a question it cannot answer from memory, searches (the host runs the
// retrieval: core/search.h), reads the results and answers; a rule check and then a judge decide
// whether the answer is right (reference §2.8).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/agent.h"
#include "core/environment.h"
#include "core/flow.h"
#include "core/search.h"

namespace rapport::search {

inline constexpr const char* kName = "search";
inline constexpr const char* kVersion = "1";

// One question with its gold answer. Our own questions also carry the answer's other accepted
// forms and how many passages must be read to answer (hops).
struct QaItem {
  std::string id;
  std::string question;
  std::string answer;
  std::vector<std::string> aliases;
  std::string tier;  // one_hop | multi_hop | hard (our questions); "" for imported ones
  int hops = 0;
};

json::value to_json(const QaItem& item);
QaItem qa_item_from(const Task& task);  // throws ConfigError on a malformed task

// ---- Our own data: a corpus and questions generated from TelepathyGym's entities ----

// The built-in corpus: one article per entity, written from its attributes, and one passage per
// country the articles name (its continent and what comes from it). Deterministic, in id order.
const std::vector<Passage>& builtin_corpus();
// The built-in questions, in a fixed order: one_hop (one article answers), multi_hop (two
// passages: comparisons, and a country's continent through an article), hard (an entity named only
// by description, then its country's continent: three reads). Answers follow from the corpus.
const std::vector<QaItem>& builtin_questions();
// The tiers a `tier` parameter accepts.
const std::vector<std::string>& tiers();

// The reference's question file: a JSON list of {id, question, answer} (all of it is the test
// split). Throws ConfigError saying what is wrong.
std::vector<QaItem> import_reference_questions(std::string_view text, std::string_view split);

// ---- Answers and judges ----

// The reference's rule check: only letters and digits, lower-cased (bytes of non-ASCII letters are
// kept as they are).
std::string normalize_answer(std::string_view text);
// The scripted judge: the answer, normalised and without fillers ("the answer is", a leading
// article, a final full stop), equals the gold answer or an alias, normalised.
bool answer_matches(const QaItem& item, std::string_view answer);

struct Verdict {
  bool correct = false;
  bool fallback = false;  // the judge failed: wrong
};

class Oracle {
 public:
  virtual ~Oracle() = default;
  virtual Ask<Verdict> judge_answer(const QaItem& item, const std::string& answer) const = 0;
};
std::unique_ptr<Oracle> make_scripted_oracle();
std::unique_ptr<Oracle> make_llm_oracle();

LlmRequest judge_request(const QaItem& item, std::string_view answer);
Verdict read_verdict(const LlmResponse& response);

// The observation for a search: "Search results for '<q>':" and numbered entries
// "<n>. <title>\n- Snippet: <text>", at most `max_results`.
std::string format_results(std::string_view query, const SearchResponse& response, int max_results);

// ---- Baseline agent ----

// Reads the question's pattern, searches for its key phrases (the named entities, or the
// description of one), reads the facts it needs from the results, searches again for a bridge
// entity when the question needs one, and answers. When searching is refused it answers from
// nothing: the first option of a comparison, otherwise a common guess.
std::unique_ptr<Agent> make_scripted_agent(std::uint64_t seed);

}  // namespace rapport::search
