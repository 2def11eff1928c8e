// TelepathyGym's goals for the reasoning user: the player who thinks of an entity, answers yes/no
// questions truthfully and does not let themselves be tricked into naming it.
#include "envs/telepathy/telepathy.h"

namespace rapport::telepathy {

UserAdapter user_adapter(const Entity& entity, const Params& params) {
  static const UserStance kStance = question_host_stance(
      {"yes/no questions", "a guess of a specific name"}, {"revealing the answer outright", "being pressured to give hints"},
      "never name the entity", {"is", "does", "can", "was", "has", "are", "alive", "person", "place", "thing"});
  TaskConcerns c{.scenario = "You are playing twenty questions: you have " + entity.title + " in mind (" + entity.category +
                             "), and the assistant must find it with yes/no questions.",
                 .primary = {kAnswerTruthfully, "not naming the answer before it is guessed"},
                 .secondary = {"a fair game"}};
  return make_user_adapter("telepathy", std::move(c), kStance, hang_up_allowed(params));
}

}  // namespace rapport::telepathy
