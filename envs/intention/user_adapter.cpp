// IntentionGym's goals for the reasoning user: someone with a vague request who wants it done
// their way, answering clarifying questions but not being talked into what they did not ask for.
#include "envs/intention/intention.h"

namespace rapport::intention {

UserAdapter user_adapter(const IntentionTask& task, const Params& params) {
  static const UserStance kStance{
      .accepts = {"clarifying questions about my request", "suggestions I can check"},
      .refuses = {"extra services I did not ask for", "being rushed", "assumptions about me that are wrong"},
      .decision_policy = "answer honest questions about the details; agree only to what matches my request"};
  TaskConcerns c{.scenario = "You asked an assistant: \"" + task.task + "\"", .primary = {"getting this done: " + task.task}};
  for (const auto& d : task.details) {
    (d.importance >= 3 ? c.primary : c.secondary).push_back(d.description);
    c.topic_words.insert(c.topic_words.end(), d.keywords.begin(), d.keywords.end());
  }
  return make_user_adapter("intention", std::move(c), kStance, hang_up_allowed(params));
}

}  // namespace rapport::intention
