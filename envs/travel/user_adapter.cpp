// TravelGym's goals for the reasoning user: the traveller wants, per aspect, the cheapest option
// that fits every hidden preference; they refuse overpaying and choices made over their head.
#include <fmt/format.h>

#include "envs/travel/text.h"
#include "envs/travel/travel.h"

namespace rapport::travel {

UserAdapter user_adapter(const TravelTask& task, const Rules& rules) {
  static const UserStance kStance{
      .accepts = {"options that fit all my preferences", "the lowest price among those", "concrete questions about my needs"},
      .refuses = {"a more expensive option", "an option that ignores my preferences", "being rushed into a booking", "hidden fees"},
      .decision_policy = "for each part of the trip, take the cheapest option that fits every one of my preferences, and nothing I have not checked",
      .topic_words = {"price", "budget", "cheap", "cost", "date", "option"}};
  TaskConcerns c{.scenario = task.initial_description};
  for (const auto& b : task.aspects) {
    c.primary.push_back(fmt::format("the {}: the cheapest option that fits what I need", aspect_title(b.aspect)));
    for (const auto& p : b.preferences) c.secondary.push_back(fmt::format("{} ({})", p.text, aspect_title(b.aspect)));
    for (const auto& w : aspects_named(b.aspect == "rental_car" ? "car" : b.aspect)) c.topic_words.push_back(w);
    c.topic_words.push_back(b.aspect == "rental_car" ? "car" : b.aspect);
    for (const auto* s : catalogue().of_aspect(b.aspect))
      for (auto w : s->lexicon) {
        if (!w.empty() && w.back() == '*') w.pop_back();
        if (w.size() >= 3) c.topic_words.push_back(w);
      }
  }
  return make_user_adapter("travel", std::move(c), kStance, rules.user_hang_up);
}

}  // namespace rapport::travel
