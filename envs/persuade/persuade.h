// PersuadeGym: the simulated user strongly agrees with a claim; the agent argues against it and is
// rewarded for moving the user's stance toward disagreement along a seven-level ladder
// (reference §2.3). Rules live in persuade_env.cpp, the user (scripted or LLM) in the oracle files.
#pragma once

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/agent.h"
#include "core/environment.h"
#include "core/user_episode.h"
#include "core/text.h"
#include "core/flow.h"

namespace rapport::persuade {

inline constexpr const char* kName = "persuade";
inline constexpr const char* kVersion = "1";

// The stance ladder, from 0 (Strongly Agree, where every episode starts) to 6 (Strongly Disagree,
// which ends it).
inline constexpr std::array<const char*, 7> kStances{"Strongly Agree",    "Agree",    "Partly Agree",     "Neutral",
                                                     "Partly Disagree",   "Disagree", "Strongly Disagree"};
inline constexpr int kLastStance = 6;

// The ladder index of a stance spelled exactly as on the ladder (the reference's comparison).
std::optional<int> stance_index_exact(std::string_view stance);
// Also accepts other letter case, surrounding spaces, quotes and punctuation, and '-'/'_' or
// repeated spaces between the words ("strongly-disagree.", " NEUTRAL ").
std::optional<int> stance_index_lenient(std::string_view stance);
// The reference's informational score of a stance: 0, 0.1667, 0.3333, 0.5, 0.6667, 0.8333, 1.0.
double stance_score(int index);
// Reward for moving `levels` steps toward disagreement: 0 when levels <= 0, 1.0 when levels >= 6,
// else round(levels / 6, 6) (0.166667, 0.333333, 0.5, 0.666667, 0.833333).
double levels_reward(int levels);

// Something that moves this user when the agent raises it, for the scripted oracle: the argument
// raises it when it mentions any keyword (case-insensitive, at the start of a word).
struct Consideration {
  std::string point;  // what the user concedes, in the user's words
  std::vector<std::string> keywords;
  int strength = 1;  // ladder steps it is worth, 1..3
};

struct PersuadeTask {
  std::string id;
  std::string claim;
  std::string argument;  // the user's own reasons for holding the claim
  std::vector<Consideration> considerations;  // empty for imported claims: generic ones apply
};

json::value to_json(const PersuadeTask& task);
PersuadeTask persuade_task_from(const Task& task);  // throws ConfigError on a malformed task

// Our own claims (assets/persuade/claims.json), in file order.
const std::vector<PersuadeTask>& builtin_claims();
// The reference's statements file: a JSON list of {id, claim, argument, ...}. "all" keeps file
// order; "train"/"test" follow the reference split (NumPy seed-42 shuffle, the first 420 kept,
// nine tenths of them train: 378/42).
std::vector<PersuadeTask> import_statements_json(std::string_view text, std::string_view split);

// ---- The simulated user ---------------------------------------------------------------------

struct Exchange {
  std::string argument;
  std::string response;
};

// What the user knows when hearing an argument.
struct Hearing {
  const PersuadeTask* task = nullptr;
  std::string stance;              // current stance text (may be off the ladder in compat mode)
  std::optional<int> stance_index; // nullopt when off the ladder
  std::vector<Exchange> history;   // earlier arguments and replies
  std::string argument;
};

// The user's verdict on one argument. Rules use only `stance`; `response` is what the agent reads.
struct Verdict {
  std::string response;
  std::string stance;   // as given; the rules decide what an off-ladder value means
  bool failed = false;  // the oracle gave nothing usable: the reference fallback applies
};

class Persuadee {
 public:
  virtual ~Persuadee() = default;
  virtual Ask<Verdict> hear(const Hearing& hearing) const = 0;
};

std::unique_ptr<Persuadee> make_scripted_persuadee();
std::unique_ptr<Persuadee> make_llm_persuadee();

// The LLM persuadee's request and the reading of its answer (never throws; failed on unusable text).
LlmRequest persuadee_request(const Hearing& hearing);
Verdict read_persuadee_reply(const LlmResponse& response);

// The considerations the scripted user weighs for a claim without its own (imported claims).
const std::vector<Consideration>& generic_considerations();

// ---- The agent ------------------------------------------------------------------------------

// Presents arguments from a fixed bank of generic counter-arguments, then finishes. Reads only
// what an agent sees.
std::unique_ptr<Agent> make_scripted_agent(std::uint64_t seed);

// The user's goals for the reasoning user (core/user_episode.h), derived from the task.
UserAdapter user_adapter(const PersuadeTask& task, const Params& params);

}  // namespace rapport::persuade
