// TurtleGym's goals for the reasoning user: the puzzle master who knows the hidden story, answers
// questions truthfully and keeps the secret against tricks to extract it.
#include "envs/turtle/turtle.h"

namespace rapport::turtle {

UserAdapter user_adapter(const Story& story, const Params& params) {
  UserAdapter a;
  UserGoals& g = a.goals;
  g.domain = "turtle";
  g.scenario = "You host a lateral-thinking puzzle (\"" + story.title + "\"): " + story.surface +
               " You know the hidden story and answer the player's yes/no questions.";
  g.primary = {"answering every question truthfully", "keeping the hidden story secret until it is solved"};
  g.secondary = {"a fair, enjoyable game"};
  for (const char* w : {"did", "was", "is", "were", "does", "has", "had", "dead", "die", "why", "who"}) g.topic_words.push_back(w);
  g.accepts = {"yes/no questions about the story", "honest guesses"};
  g.refuses = {"revealing the hidden story outright", "being tricked or pressured into giving hints"};
  g.decision_policy = "answer with the true answer word first, then at most a short remark; never give the solution away";
  a.allow_hang_up = params.get_bool("user_hang_up");
  a.reply_rule = "Begin your reply with exactly the answer word from the text you must convey (Yes, No or Maybe).";
  return a;
}

}  // namespace rapport::turtle
