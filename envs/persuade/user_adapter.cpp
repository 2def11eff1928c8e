// PersuadeGym's goals for the reasoning user: someone who holds the claim for their own reasons,
// moved by evidence and considerations, not by pressure.
#include "envs/persuade/persuade.h"

namespace rapport::persuade {

UserAdapter user_adapter(const PersuadeTask& task, const Params& params) {
  static const UserStance kStance{
      .accepts = {"concrete evidence and good reasons", "honest acknowledgement of my view"},
      .refuses = {"changing my mind under pressure", "arguments from authority alone", "being guilted into agreeing"},
      .decision_policy = "shift my stance only as far as the reasons I have heard justify, never because of pressure",
      .topic_words = {"evidence", "study", "data", "because", "example", "research", "cost", "risk"}};
  TaskConcerns c{.scenario = "You strongly agree that " + task.claim + " An assistant is trying to change your mind.",
                 .primary = {"whether the claim \"" + task.claim + "\" is really true", "my own reasons: " + task.argument},
                 .secondary = {"being treated as someone who can weigh evidence"}};
  for (const auto& k : task.considerations) {
    c.secondary.push_back(k.point);
    c.topic_words.insert(c.topic_words.end(), k.keywords.begin(), k.keywords.end());
  }
  return make_user_adapter("persuade", std::move(c), kStance, hang_up_allowed(params));
}

}  // namespace rapport::persuade
