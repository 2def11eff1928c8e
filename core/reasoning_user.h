// A user who thinks before replying (UserLM-R1's goal-driven policy): from a persona, the task's
// goals and the current state, the user writes a five-step rationale (the agent's intent,
// manipulation included; current concerns; plan; state update; tone) and then the reply. Two
// players share the profile and state machine: a scripted one (deterministic rules, no model) and
// an LLM one (our prompt, a fixed tagged format, robust reading with counted fallbacks). The
// agent only ever sees the reply.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/flow.h"
#include "core/persona.h"
#include "core/user_state.h"

namespace rapport {

// The five sub-steps, in order.
struct Rationale {
  std::string intent;        // what the agent is trying to do, manipulation included
  std::string concerns;      // the user's concerns right now
  std::string plan;          // what the user will do next
  std::string state_update;  // how trust, emotion, patience and engagement change, and why
  std::string tone;          // how the reply should sound
  int steps_present() const;  // non-empty sub-steps
  std::size_t words() const;  // words over all sub-steps
  std::string text() const;   // the sub-steps as labelled lines
};
json::object to_json(const Rationale& r);
Rationale rationale_from(const json::value& record);

// The tagged format the LLM user writes (and the scripted user's output is rendered in, so that
// training data has one form):
//   <rationale>
//   <intent>...</intent> <concerns>...</concerns> <plan>...</plan>
//   <state>trust=0.45 emotion=wary patience=0.60 engagement=0.65</state> <tone>...</tone>
//   </rationale>
//   <reply>...</reply>
std::string render_tagged(const Rationale& rationale, const UserState& state, std::string_view reply);

// What could be read from a completion. Accepted besides the exact format: any tag case, missing
// closing tags, <think>/<answer> for <rationale>/<reply>, the rationale in the completion's hidden
// reasoning, "Intent: ..."-style labelled lines, and the state as key=value, key: value or JSON.
struct ParsedUserOutput {
  Rationale rationale;
  std::optional<UserState> state;  // present when at least one state field was read
  int state_fields = 0;            // how many of the four were read
  std::string reply;               // "" when none could be found
  bool tagged = false;             // both a rationale block and a reply block were found
};
ParsedUserOutput parse_user_output(std::string_view visible, std::string_view hidden_reasoning = "");

struct UserLine {
  std::string role;  // agent | user
  std::string text;
};

// Everything a user turn depends on.
struct UserContext {
  Persona persona;
  UserGoals goals;
  UserState state;                // before this turn
  std::vector<UserLine> history;  // earlier lines of the conversation
  std::string agent_message;      // the message the user answers
  std::string must_convey;        // what the environment's rules need this reply to carry ("" for none)
  std::string reply_rule;         // an environment's extra constraint on the reply ("" for none)
  std::uint64_t seed = 0;
  int turn = 0;
};

// One user turn, as recorded in the trajectory (the turn's info["user"]).
struct UserTurn {
  std::string move;  // the scripted reading of the agent's message: helpful | neutral | off_topic | manipulative
  std::string trap;  // trap id for a manipulative move
  Rationale rationale;
  UserState state_before, state;
  std::string reply;
  bool format_ok = true;        // the LLM wrote the tagged format with all five steps and the state
  bool reply_fallback = false;  // no usable reply: the environment's text (or an apology) was used
  bool state_fallback = false;  // no usable state: the scripted transition was used
  bool hung_up = false;
};
json::object to_json(const UserTurn& turn);
UserTurn user_turn_from(const json::value& record);  // never throws

// The scripted reasoning user's turn.
UserTurn scripted_user_turn(const UserContext& context);
// The LLM reasoning user's request (role User, purpose "reasoning_user") and its reader, which
// never throws: a missing reply falls back to must_convey (or an apology), a missing state to the
// scripted transition.
LlmRequest reasoning_user_request(const UserContext& context);
UserTurn read_reasoning_user(const UserContext& context, const LlmResponse& response);

// The user of one episode: the profile, the state and the conversation so far.
class ReasoningUser {
 public:
  ReasoningUser(Persona persona, UserGoals goals, bool llm, std::uint64_t seed);

  // The user's turn answering `agent_message`; must_convey is what the rules need the reply to carry.
  Ask<UserTurn> respond(const std::string& agent_message, const std::string& must_convey, const std::string& reply_rule);
  // Takes the turn (and the message it answered) into the state and history.
  void commit(const std::string& agent_message, const UserTurn& turn);
  // A line the user did not speak through the framework (the opening request, search results).
  void note(std::string role, std::string text) { history_.push_back({std::move(role), std::move(text)}); }

  const Persona& persona() const { return persona_; }
  const UserGoals& goals() const { return goals_; }
  const UserState& state() const { return state_; }
  int turns() const { return turns_; }

 private:
  UserContext context(const std::string& agent_message, const std::string& must_convey, const std::string& reply_rule) const;

  Persona persona_;
  UserGoals goals_;
  bool llm_;
  std::uint64_t seed_;
  UserState state_;
  std::vector<UserLine> history_;
  int turns_ = 0;
};

}  // namespace rapport
