// PersuadeGym's goals for the reasoning user: someone who holds the claim for their own reasons,
// moved by evidence and considerations, not by pressure.
#include "envs/persuade/persuade.h"

namespace rapport::persuade {

UserAdapter user_adapter(const PersuadeTask& task, const Params& params) {
  UserAdapter a;
  UserGoals& g = a.goals;
  g.domain = "persuade";
  g.scenario = "You strongly agree that " + task.claim + " An assistant is trying to change your mind.";
  g.primary = {"whether the claim \"" + task.claim + "\" is really true", "my own reasons: " + task.argument};
  g.secondary = {"being treated as someone who can weigh evidence"};
  for (const auto& c : task.considerations) {
    g.secondary.push_back(c.point);
    for (const auto& k : c.keywords) g.topic_words.push_back(k);
  }
  for (const char* w : {"evidence", "study", "data", "because", "example", "research", "cost", "risk"}) g.topic_words.push_back(w);
  g.accepts = {"concrete evidence and good reasons", "honest acknowledgement of my view"};
  g.refuses = {"changing my mind under pressure", "arguments from authority alone", "being guilted into agreeing"};
  g.decision_policy = "shift my stance only as far as the reasons I have heard justify, never because of pressure";
  a.allow_hang_up = params.get_bool("user_hang_up");
  return a;
}

}  // namespace rapport::persuade
