// TelepathyGym's goals for the reasoning user: the player who thinks of an entity, answers yes/no
// questions truthfully and does not let themselves be tricked into naming it.
#include "envs/telepathy/telepathy.h"

namespace rapport::telepathy {

UserAdapter user_adapter(const Entity& entity, const Params& params) {
  UserAdapter a;
  UserGoals& g = a.goals;
  g.domain = "telepathy";
  g.scenario = "You are playing twenty questions: you have " + entity.title + " in mind (" + entity.category +
               "), and the assistant must find it with yes/no questions.";
  g.primary = {"answering every question truthfully", "not naming the answer before it is guessed"};
  g.secondary = {"a fair game"};
  for (const char* w : {"is", "does", "can", "was", "has", "are", "alive", "person", "place", "thing"}) g.topic_words.push_back(w);
  g.accepts = {"yes/no questions", "a guess of a specific name"};
  g.refuses = {"revealing the answer outright", "being pressured to give hints"};
  g.decision_policy = "answer with the true answer word first, then at most a short remark; never name the entity";
  a.allow_hang_up = params.get_bool("user_hang_up");
  a.reply_rule = "Begin your reply with exactly the answer word from the text you must convey (Yes, No or Maybe).";
  return a;
}

}  // namespace rapport::telepathy
