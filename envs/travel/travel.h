// TravelGym: UserBench's preference-elicitation benchmark. The agent searches each travel aspect,
// asks the traveller concrete questions, reads implicit answers, and recommends one option per
// aspect; the best option is the cheapest one that satisfies every hidden preference (reference
// §2.1, UserBench). Declarations shared by the rules, the game and the scripted agent.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/agent.h"
#include "core/environment.h"
#include "core/user_episode.h"
#include "envs/travel/oracle.h"
#include "envs/travel/scenario.h"

namespace rapport::travel {

inline constexpr const char* kName = "travel";
inline constexpr const char* kVersion = "1";

// The rules' settings, from the environment parameters.
struct Rules {
  double search_correct_reward = 0.0;
  double preference_correct_reward = 0.8;
  double choice_best_reward = 1.0;
  double choice_correct_reward = 0.8;
  double wrong_choice_penalty = 0.0;
  double reward_scale = 1.0;
  double step_penalty = 0.0;
  bool normalize_rewards = false;
  int max_steps = 20;
  int search_failure_interval = 5;  // every n-th search fails; 0: never
  int elicitation_interval = 3;     // non-preference questions before the traveller speaks up
  bool one_choice_per_aspect = true;
  // Reproduce the reference's asynchronous training code, bugs included (reference §13.3 items
  // 1–6); false: the corrected behaviour.
  bool userrl_async = false;
  bool user_hang_up = false;  // a reasoning user may end the conversation
};
Rules rules_from(const Params& params);

std::unique_ptr<Episode> make_episode(TravelTask task, const Rules& rules, const EpisodeOptions& options);
// With an explicit oracle (tests use this to drive the rules with any verdicts).
std::unique_ptr<Episode> make_episode(TravelTask task, const Rules& rules, std::uint64_t seed, std::unique_ptr<Oracle> oracle);

// The traveller's goals for the reasoning user (core/user_episode.h), derived from the task.
UserAdapter user_adapter(const TravelTask& task, const Rules& rules);

// The opening user message: the request and the limited-budget sentence.
std::string opening_message(const TravelTask& task);

// The scripted baseline: searches each aspect, asks about each subcategory that could still change
// its pick, filters the options by what it learned, and recommends the cheapest survivor.
std::unique_ptr<Agent> make_scripted_agent(std::uint64_t seed);

// What an agent can read from the conversation (used by the scripted agent and tests).
struct TripRequest {
  std::vector<std::string> aspects;  // the aspects named, in aspect_names() order
  std::string origin, destination;
  std::vector<std::string> dates;  // ISO, in the order written
};
TripRequest read_trip_request(std::string_view opening);
// Options listed in a search result: every line that is a JSON object with an option id.
std::vector<json::object> read_search_results(std::string_view observation);

}  // namespace rapport::travel
