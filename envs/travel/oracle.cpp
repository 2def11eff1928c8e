// Helpers shared by both TravelGym oracles.
#include <fmt/format.h>

#include "core/pynum.h"
#include "envs/travel/oracle.h"
#include "envs/travel/text.h"

namespace rapport::travel {

std::string render_history(const std::vector<HistoryEntry>& history) {
  if (history.empty()) return "(no conversation yet)";
  std::string out;
  for (const auto& e : history) {
    std::string role = e.role == "agent" ? "Agent" : e.role == "user" ? "User" : e.role == "database" ? "Database" : e.role;
    if (!role.empty() && role[0] >= 'a' && role[0] <= 'z') role[0] = static_cast<char>(role[0] - 'a' + 'A');
    out += fmt::format("{}: {}\n", role, e.content);
    if (!e.note.empty()) out += fmt::format("[Note: {}]\n", e.note);
    out += "\n";
  }
  return std::string(py_strip(out));
}

std::vector<std::string> aspects_named(std::string_view text) {
  static const std::vector<std::pair<std::string, std::vector<std::string>>> kWords = {
      {"flight", {"flight*", "fly", "flying", "plane", "airline*", "airfare*"}},
      {"hotel", {"hotel*"}},
      {"apartment", {"apartment*", "vacation rental*", "holiday rental*", "holiday home*", "airbnb", "condo*"}},
      {"rental_car", {"car", "cars", "rental car*", "car rental*", "car hire", "vehicle*"}},
      {"restaurant", {"restaurant*", "dinner", "dining", "eatery"}}};
  std::string lowered = ascii_lower(text);
  std::vector<std::string> out;
  for (const auto& [aspect, words] : kWords)
    if (has_any_term(lowered, words)) out.push_back(aspect);
  return out;
}

}  // namespace rapport::travel
