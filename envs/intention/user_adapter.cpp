// IntentionGym's goals for the reasoning user: someone with a vague request who wants it done
// their way, answering clarifying questions but not being talked into what they did not ask for.
#include "envs/intention/intention.h"

namespace rapport::intention {

UserAdapter user_adapter(const IntentionTask& task, const Params& params) {
  UserAdapter a;
  UserGoals& g = a.goals;
  g.domain = "intention";
  g.scenario = "You asked an assistant: \"" + task.task + "\"";
  g.primary = {"getting this done: " + task.task};
  for (const auto& d : task.details) {
    (d.importance >= 3 ? g.primary : g.secondary).push_back(d.description);
    for (const auto& k : d.keywords) g.topic_words.push_back(k);
  }
  g.accepts = {"clarifying questions about my request", "suggestions I can check"};
  g.refuses = {"extra services I did not ask for", "being rushed", "assumptions about me that are wrong"};
  g.decision_policy = "answer honest questions about the details; agree only to what matches my request";
  a.allow_hang_up = params.get_bool("user_hang_up");
  return a;
}

}  // namespace rapport::intention
