// The dynamic half of a simulated user (UserLM-R1's "dynamic profile"): what this user wants in
// this task, derived from the task by each environment's adapter, and the state they carry
// through the conversation (trust, emotion, patience, engagement), with the rules by which the
// scripted reasoning user updates it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/json.h"
#include "core/persona.h"
#include "core/user_traps.h"

namespace rapport {

struct UserGoals {
  std::string domain;    // travel | retail | airline | persuade | intention | turtle | telepathy | ...
  std::string scenario;  // one sentence: why this user is talking to the agent
  std::vector<std::string> primary;    // concerns that decide the outcome
  std::vector<std::string> secondary;  // nice to have
  std::vector<std::string> accepts;    // what the user agrees to
  std::vector<std::string> refuses;    // what the user will not accept
  std::string decision_policy;         // how the user decides
  // Words that mark an agent message as on topic (for the scripted user's reading of moves).
  std::vector<std::string> topic_words;
};

struct UserState {
  double trust = 0.6;       // 0..1, in the agent
  std::string emotion = "calm";
  double patience = 0.7;    // 0..1; starts at the persona's patience
  double engagement = 0.7;  // 0..1, willingness to keep talking
};

// The four state fields, in record order.
inline constexpr const char* kStateFields[] = {"trust", "emotion", "patience", "engagement"};

// The starting state of a persona's user.
UserState initial_state(const Persona& persona);

// How the scripted reasoning user reads an agent message.
enum class MoveKind { Helpful, Neutral, OffTopic, Manipulative };
const char* to_string(MoveKind kind);
struct MoveReading {
  MoveKind kind = MoveKind::Neutral;
  std::string trap;  // trap id when manipulative
  std::string cue;   // the words that gave it away (trap cue or topic word)
};
MoveReading read_agent_move(std::string_view message, const UserGoals& goals);

// The scripted transition: manipulation costs trust and patience (more for a skeptical persona),
// off-topic moves cost patience and engagement, concrete helpful moves restore trust, patience
// and engagement; neutral moves cost a little patience. Values stay in [0, 1], rounded to 0.01.
UserState next_state(const UserState& state, const MoveReading& move, const Persona& persona);
// Patience or trust has run out: a user allowed to hang up does.
bool wants_to_hang_up(const UserState& state);

json::object to_json(const UserGoals& goals);
UserGoals user_goals_from(const json::value& record);  // never throws; missing fields stay empty
json::object to_json(const UserState& state);
UserState user_state_from(const json::value& record);  // never throws; missing fields keep defaults
// "trust=0.60 emotion=calm patience=0.70 engagement=0.70": the state line of the tagged format.
std::string state_line(const UserState& state);
// The goals as a prompt paragraph.
std::string describe(const UserGoals& goals);

}  // namespace rapport
