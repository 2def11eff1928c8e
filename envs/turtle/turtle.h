// TurtleGym ("turtle soup"): the agent reads the puzzling surface of a story, asks yes/no
// questions of a host who knows the hidden bottom, and proposes full explanations that are scored
// against weighted criteria; only improvement over the best score so far is rewarded
// (reference §2.4).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/agent.h"
#include "core/environment.h"
#include "core/user_episode.h"
#include "core/flow.h"
#include "core/question_game.h"

namespace rapport::turtle {

inline constexpr const char* kName = "turtle";
inline constexpr const char* kVersion = "1";

// Keyword groups for the scripted oracle: a group is a list of alternatives and matches when any
// alternative starts a word of the text (so "kill" matches "killed"); several groups must all match.
using KeywordGroups = std::vector<std::vector<std::string>>;

struct Criterion {
  std::string statement;
  double weight = 0.0;
  KeywordGroups keywords;  // empty: the scripted judge derives them from the statement
};

// A scripted host's knowledge: questions matching `match` are answered `answer` (Yes, No or Maybe).
struct Fact {
  KeywordGroups match;
  std::string answer;
};

struct Story {
  std::string id;
  std::string title;
  std::string surface;
  std::string bottom;
  std::vector<Criterion> criteria;
  std::vector<Fact> facts;  // empty for imported stories
};

json::value to_json(const Story& story);
Story story_from(const Task& task);  // throws ConfigError on a malformed task

// Our own puzzles (assets/turtle/stories.json), in file order.
const std::vector<Story>& builtin_stories();
// Reads a stories file in our own schema ({"stories": [...]}); throws ConfigError.
std::vector<Story> parse_stories(std::string_view text, std::string_view where);
// The reference's all_stories_refined.json: a dict keyed by number strings; entries whose
// judgment is not "Yes" are skipped. split: all | train (first 90% of a NumPy seed-42 shuffle) | test.
std::vector<Story> import_reference_stories(std::string_view text, std::string_view split);

// ---- Scoring (reference §2.4.1) ----

// Σ weight_i × judgment_i, summed in criteria order in double, as the reference does: weights
// 0.5+0.2+0.2+0.1 with every judgment 1 give 0.9999999999999999.
double weighted_score(const std::vector<Criterion>& criteria, const std::vector<double>& judgments);
// A judge's number onto the 0 / 0.5 / 1 ladder: below 0.25 → 0, below 0.75 → 0.5, else 1.
double snap_judgment(double x);
// The feedback the environment writes for an answer: the statements judged fully covered.
std::string answer_feedback(const Story& story, const std::vector<double>& judgments, bool solved);

// ---- Oracles ----

struct AnswerVerdict {
  std::vector<double> judgments;  // one per criterion, each 0, 0.5 or 1
  bool fallback = false;          // the judge failed: every judgment 0
};

class Oracle {
 public:
  virtual ~Oracle() = default;
  virtual Ask<QuestionReply> answer_question(const Story& story, const std::string& question) const = 0;
  virtual Ask<AnswerVerdict> judge_answer(const Story& story, const std::string& answer) const = 0;
};
std::unique_ptr<Oracle> make_scripted_oracle();
std::unique_ptr<Oracle> make_llm_oracle();

extern const char* const kQuestionFallback;
extern const char* const kAnswerFallback;

// The scripted host: facts first (most groups matched wins, then file order), then facts every
// story shares (nothing supernatural happens), then the words of the hidden story (all of the
// question's content words present → Yes, none → No, some → Maybe).
std::string scripted_reply(const Story& story, std::string_view question);
// The facts' answer alone; nullopt when no fact matches.
std::optional<std::string> fact_reply(const Story& story, std::string_view question);
// The scripted judge: per criterion, the share of keyword groups found in the answer: ≥ 0.75 → 1,
// ≥ 0.4 → 0.5, else 0.
std::vector<double> scripted_judgments(const Story& story, std::string_view answer);

// The LLM host and judge: requests and the readers that turn completions into verdicts (never
// throwing; unusable output gives the fallback).
LlmRequest question_request(const Story& story, std::string_view question);
QuestionReply read_question_reply(const LlmResponse& response);
LlmRequest answer_request(const Story& story, std::string_view answer);
AnswerVerdict read_answer_verdict(const Story& story, const LlmResponse& response);

// ---- Baseline agent ----

// The scripted agent's fixed questions, one per topic every built-in story's facts answer.
struct GenericQuestion {
  std::string question;
  std::string if_yes;  // sentence the agent puts into its explanation
  std::string if_no;
};
const std::vector<GenericQuestion>& generic_questions();
std::unique_ptr<Agent> make_scripted_agent(std::uint64_t seed);

// The user's goals for the reasoning user (core/user_episode.h), derived from the task.
UserAdapter user_adapter(const Story& task, const Params& params);

}  // namespace rapport::turtle
