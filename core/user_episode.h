// One user framework for every environment whose user talks. An environment keeps its rules and
// its oracle (the structured verdicts that give the rewards); with a reasoning oracle kind, its
// episode is wrapped so that every user reply goes through a ReasoningUser: the environment's own
// reply text becomes what the user must convey, the user re-voices it from its persona, goals and
// state (pushing back on manipulation), the agent sees only that reply, and the turn's info
// records {"user": rationale, state before and after, move reading, fallbacks}.
//
// Adopting it in an environment (see envs/travel/user_adapter.cpp, envs/tau/user_adapter.cpp):
//   1. write `UserAdapter user_adapter(const YourTask&, const Params&)`: the environment's UserStance
//      (the same for all its tasks) and the task's TaskConcerns, put together by make_user_adapter;
//   2. in new_episode, choose the LLM oracle with uses_model(options.oracle), then
//        if (is_reasoning(options.oracle)) episode = with_reasoning_user(std::move(episode), adapter, options, task.id);
//   3. declare the `user_hang_up` parameter (user_hang_up_param()) and pass hang_up_allowed(params).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/environment.h"
#include "core/reasoning_user.h"

namespace rapport {

struct UserAdapter {
  UserGoals goals;
  // The user may end the conversation when patience or trust run out (the env's user_hang_up).
  bool allow_hang_up = false;
  // Extra constraint on the LLM user's reply, e.g. "Begin your reply with the answer word".
  std::string reply_rule;
  // A marker by which the environment's own reply ends the conversation (TauGym's ###STOP###):
  // a reply re-voiced from one that carries it ends with it, and one from a reply without it never
  // contains it, so the agent sees the end exactly when the rules end the episode. "" for none.
  std::string end_signal;
};

// What every user of one environment wants, whatever the task: an adapter keeps one.
struct UserStance {
  std::vector<std::string> accepts;  // what the user agrees to
  std::vector<std::string> refuses;  // what the user will not accept
  std::string decision_policy;
  std::vector<std::string> topic_words;  // the domain's own, after the task's
  std::string reply_rule;
  std::string end_signal;
};

// What one task's user came for, derived from the task by the adapter.
struct TaskConcerns {
  std::string scenario;
  std::vector<std::string> primary, secondary;
  std::vector<std::string> topic_words;  // the task's own, first
};

// The adapter for a user of `domain`: the task's concerns and the environment's stance.
UserAdapter make_user_adapter(std::string domain, TaskConcerns concerns, const UserStance& stance, bool allow_hang_up);

// The stance of the host of a yes/no question game (TurtleGym, TelepathyGym): the answer word
// first, then at most a short remark, and never the secret (`never`: "never name the entity").
UserStance question_host_stance(std::vector<std::string> accepts, std::vector<std::string> refuses, std::string_view never,
                                std::vector<std::string> topic_words);
// The question host's first concern.
inline constexpr const char* kAnswerTruthfully = "answering every question truthfully";

// The environment parameter that lets reasoning users hang up; false by default.
ParamSpec user_hang_up_param();
// Its value.
bool hang_up_allowed(const Params& params);

// The episode with a reasoning user (options.oracle must be a reasoning kind). The user's persona
// is persona_for(options.seed, task_id). Only [action] moves the rules accepted reach the user;
// tool calls, searches, answers and format errors pass through unchanged. Metrics gain user_turns,
// user_trust, user_patience, user_manipulations, user_format_errors, user_fallbacks and
// user_hung_up.
std::unique_ptr<Episode> with_reasoning_user(std::unique_ptr<Episode> inner, UserAdapter adapter, const EpisodeOptions& options,
                                             std::string_view task_id);

// The user turn recorded in a trajectory turn's info, if any.
std::optional<UserTurn> recorded_user_turn(const json::object& info);

}  // namespace rapport
