// TravelGym's oracle: the search judge, the utterance judge and the simulated traveller. The rules
// see only the structured verdicts below, never free text from an oracle except a Reply's text,
// which they pass on to the agent. Two implementations: scripted (lexicons and predicates) and
// LLM (our prompts, robust parsing, the reference's fallbacks).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/flow.h"
#include "envs/travel/scenario.h"

namespace rapport::travel {

enum class Alignment { Aligned, Misaligned, Unrelated, Error };  // "True", "False", "N/A", unusable

struct SearchVerdict {
  Alignment alignment = Alignment::Error;
  std::string aspect;  // for Aligned: the aspect, as the judge named it
};

// 1 ordinary conversation, 2 concrete question about a preference the user holds (preference_id
// names it), 3 concrete question about something without a preference, 4 vague question.
struct UtteranceVerdict {
  int type = 1;
  std::string preference_id;
  std::string note;  // the judge's reading, kept in the conversation history
  bool failed = false;  // the judge's reply was unusable (type 1 is the reference's fallback)
};

struct Reply {
  bool ok = false;  // false: the responder failed; the rules fall back
  std::string text;
};

struct HistoryEntry {
  std::string role;  // agent | user | database
  std::string content;
  std::string note;
};

// A preference the traveller still holds and has not revealed.
struct OpenPreference {
  std::string id;  // P1, P2, ...
  const TaskPreference* preference = nullptr;
};

// What an oracle may look at.
struct OracleView {
  const TravelTask& task;
  const std::vector<HistoryEntry>& history;
  const std::vector<OpenPreference>& open;
  int step = 0;
};

class Oracle {
 public:
  virtual ~Oracle() = default;
  virtual Ask<SearchVerdict> judge_search(const OracleView& view, const std::string& query) = 0;
  virtual Ask<UtteranceVerdict> judge_utterance(const OracleView& view, const std::string& utterance) = 0;
  // The traveller answers a question about `target`, revealing it only implicitly.
  virtual Ask<Reply> preference_reply(const OracleView& view, const std::string& utterance, const OpenPreference& target) = 0;
  // The traveller brings up `target` unasked, naming its aspect.
  virtual Ask<Reply> proactive_reply(const OracleView& view, const std::string& utterance, const OpenPreference& target) = 0;
  // A short neutral answer that reveals nothing.
  virtual Ask<Reply> natural_reply(const OracleView& view, const std::string& utterance) = 0;
};

std::unique_ptr<Oracle> make_scripted_oracle(std::uint64_t seed);
// `strict_compat`: read the search verdict as the reference does (exact strings only).
std::unique_ptr<Oracle> make_llm_oracle(bool strict_compat);

// Parsers of the LLM oracle's outputs, exposed for tests. Never throw.
SearchVerdict parse_search_verdict(std::string_view text, bool strict_compat);
UtteranceVerdict parse_utterance_verdict(std::string_view text);
Reply parse_reply(std::string_view text);

// Helpers both oracles use.
std::string render_history(const std::vector<HistoryEntry>& history);
// The aspects a text names ("flight", "hotel", ...), in aspect_names() order.
std::vector<std::string> aspects_named(std::string_view text);

}  // namespace rapport::travel
