// TurtleGym's goals for the reasoning user: the puzzle master who knows the hidden story, answers
// questions truthfully and keeps the secret against tricks to extract it.
#include "envs/turtle/turtle.h"

namespace rapport::turtle {

UserAdapter user_adapter(const Story& story, const Params& params) {
  static const UserStance kStance = question_host_stance(
      {"yes/no questions about the story", "honest guesses"},
      {"revealing the hidden story outright", "being tricked or pressured into giving hints"}, "never give the solution away",
      {"did", "was", "is", "were", "does", "has", "had", "dead", "die", "why", "who"});
  TaskConcerns c{.scenario = "You host a lateral-thinking puzzle (\"" + story.title + "\"): " + story.surface +
                             " You know the hidden story and answer the player's yes/no questions.",
                 .primary = {kAnswerTruthfully, "keeping the hidden story secret until it is solved"},
                 .secondary = {"a fair, enjoyable game"}};
  return make_user_adapter("turtle", std::move(c), kStance, hang_up_allowed(params));
}

}  // namespace rapport::turtle
