// One user framework for every environment whose user talks. An environment keeps its rules and
// its oracle (the structured verdicts that give the rewards); with a reasoning oracle kind, its
// episode is wrapped so that every user reply goes through a ReasoningUser: the environment's own
// reply text becomes what the user must convey, the user re-voices it from its persona, goals and
// state (pushing back on manipulation), the agent sees only that reply, and the turn's info
// records {"user": rationale, state before and after, move reading, fallbacks}.
//
// Adopting it in an environment (see envs/travel/user_adapter.cpp):
//   1. write `UserAdapter user_adapter(const YourTask&, const Params&)`: goals from the task;
//   2. in new_episode, choose the LLM oracle with uses_model(options.oracle), then
//        if (is_reasoning(options.oracle)) episode = with_reasoning_user(std::move(episode), adapter, options, task.id);
//   3. declare the `user_hang_up` parameter (user_hang_up_param()) and copy it into the adapter.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/environment.h"
#include "core/reasoning_user.h"

namespace rapport {

struct UserAdapter {
  UserGoals goals;
  // The user may end the conversation when patience or trust run out (the env's user_hang_up).
  bool allow_hang_up = false;
  // Extra constraint on the LLM user's reply, e.g. "Begin your reply with the answer word".
  std::string reply_rule;
};

// The environment parameter that lets reasoning users hang up; false by default.
ParamSpec user_hang_up_param();

// The episode with a reasoning user (options.oracle must be a reasoning kind). The user's persona
// is persona_for(options.seed, task_id). Only [action] moves the rules accepted reach the user;
// searches, answers and format errors pass through unchanged. Metrics gain user_turns,
// user_trust, user_patience, user_manipulations, user_format_errors, user_fallbacks and
// user_hung_up.
std::unique_ptr<Episode> with_reasoning_user(std::unique_ptr<Episode> inner, UserAdapter adapter, const EpisodeOptions& options,
                                             std::string_view task_id);

// The user turn recorded in a trajectory turn's info, if any.
std::optional<UserTurn> recorded_user_turn(const json::object& info);

}  // namespace rapport
