// IntentionGym: a simulated user makes a vague request that leaves out details of high, medium or
// low importance; the agent is rewarded for clarifying questions that uncover them (reference
// §2.7). Each question goes to a responder (the user) and then to a coverage judge. Rules live in
// intention_env.cpp, the oracles (scripted or LLM) in their own files.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/agent.h"
#include "core/environment.h"
#include "core/user_episode.h"
#include "core/text.h"
#include "core/flow.h"

namespace rapport::intention {

inline constexpr const char* kName = "intention";
inline constexpr const char* kVersion = "1";

struct MissingDetail {
  std::string description;
  int importance = 2;  // 3 high, 2 medium, 1 low (stored as "3"/"2"/"1" in files)
  std::string inquiry;  // an example question that uncovers it
  std::vector<std::string> options;  // plausible answers; the scripted user picks one
  std::vector<std::string> keywords;  // for the scripted judge: a question mentioning one asks for it
};

struct IntentionTask {
  std::string id;
  std::string category;
  std::string task;  // the vague request
  std::vector<MissingDetail> details;
};

json::value to_json(const IntentionTask& task);
IntentionTask intention_task_from(const Task& task);  // throws ConfigError on a malformed task

// Our own tasks (assets/intention/tasks.json), in file order.
const std::vector<IntentionTask>& builtin_tasks();
// The reference's intentions files: a JSON list of {id, category, task, missing_details:[{description,
// importance, inquiry, options}]}. Its train and test data are separate files, so `split` (all,
// train or test) only names which one is read. Details without keywords get derived ones.
std::vector<IntentionTask> import_intentions_json(std::string_view text, std::string_view split);
// Keywords for a detail that has none: the distinctive words of its description (or else of its
// example question), crudely stemmed, leaving out words of the request itself.
std::vector<std::string> derived_keywords(const MissingDetail& detail, std::string_view request);

// Base reward of uncovering a detail: 1.0 (high), 0.7 (medium), 0.4 (low).
double importance_reward(int importance);
// Reward of one question that newly uncovers details of these importances: 0 for none; else the
// base of the most important one, minus `penalty` for each detail beyond the first, floored at 0.
// {2, 2} -> 0.49999999999999994, {3, 1} -> 0.8, {1, 1, 1} -> 0.0.
double coverage_reward(const std::vector<int>& importances, double penalty);

// ---- The oracle: responder and coverage judge ------------------------------------------------

struct Exchange {
  std::string question;
  std::string reply;
};

// What the oracle sees for one question.
struct Asking {
  const IntentionTask* task = nullptr;
  std::vector<Exchange> history;      // earlier questions and replies
  std::string question;
  std::vector<std::size_t> remaining; // indices into task->details not yet uncovered, in order
  bool responder_sees_details = false;
  std::uint64_t seed = 0;
};

struct Reply {
  std::string text;
  bool failed = false;  // nothing usable (including an empty reply): the fallback reply is shown
};

// The judge's verdict. `indices` number the REMAINING details as listed (0-based), as given: the
// rules drop out-of-range ones and decide about duplicates.
struct Coverage {
  std::vector<std::int64_t> indices;
  bool related = true;  // false: the question is off the task and uncovers nothing
  bool failed = false;  // nothing usable: nothing is uncovered
};

class IntentionOracle {
 public:
  virtual ~IntentionOracle() = default;
  virtual Ask<Reply> respond(const Asking& asking) const = 0;
  virtual Ask<Coverage> judge(const Asking& asking) const = 0;
};

std::unique_ptr<IntentionOracle> make_scripted_oracle();
std::unique_ptr<IntentionOracle> make_llm_oracle();

// The LLM requests and the reading of their answers (never throw).
LlmRequest responder_request(const Asking& asking);
Reply read_responder_reply(const LlmResponse& response);
LlmRequest judge_request(const Asking& asking);
Coverage read_judge_reply(const LlmResponse& response);


// ---- The agent ------------------------------------------------------------------------------

// Asks one generic clarifying question per common kind of detail (budget, timing, duration,
// place, people, style, experience, goal, restrictions, ...), then finishes. Reads only what an
// agent sees.
std::unique_ptr<Agent> make_scripted_agent(std::uint64_t seed);

// The user's goals for the reasoning user (core/user_episode.h), derived from the task.
UserAdapter user_adapter(const IntentionTask& task, const Params& params);

}  // namespace rapport::intention
