// TravelGym's goals for the reasoning user: the traveller wants, per aspect, the cheapest option
// that fits every hidden preference; they refuse overpaying and choices made over their head.
#include <fmt/format.h>

#include "envs/travel/text.h"
#include "envs/travel/travel.h"

namespace rapport::travel {

UserAdapter user_adapter(const TravelTask& task, const Rules& rules) {
  UserAdapter a;
  UserGoals& g = a.goals;
  g.domain = "travel";
  g.scenario = task.initial_description;
  for (const auto& b : task.aspects) {
    g.primary.push_back(fmt::format("the {}: the cheapest option that fits what I need", aspect_title(b.aspect)));
    for (const auto& p : b.preferences) g.secondary.push_back(fmt::format("{} ({})", p.text, aspect_title(b.aspect)));
    for (const auto& w : aspects_named(b.aspect == "rental_car" ? "car" : b.aspect)) g.topic_words.push_back(w);
    g.topic_words.push_back(b.aspect == "rental_car" ? "car" : b.aspect);
    for (const auto* s : catalogue().of_aspect(b.aspect))
      for (auto w : s->lexicon) {
        if (!w.empty() && w.back() == '*') w.pop_back();
        if (w.size() >= 3) g.topic_words.push_back(w);
      }
  }
  for (const char* w : {"price", "budget", "cheap", "cost", "date", "option"}) g.topic_words.push_back(w);
  g.accepts = {"options that fit all my preferences", "the lowest price among those", "concrete questions about my needs"};
  g.refuses = {"a more expensive option", "an option that ignores my preferences", "being rushed into a booking",
               "hidden fees"};
  g.decision_policy = "for each part of the trip, take the cheapest option that fits every one of my preferences, and nothing I have not checked";
  a.allow_hang_up = rules.user_hang_up;
  return a;
}

}  // namespace rapport::travel
