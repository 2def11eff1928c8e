// The manipulation tactics an agent may try on a user, shared by the scripted reasoning user (who
// recognises them) and the `rapport usersim` bench (which probes simulators with them). Each trap
// has the cue phrases that give it away, agent lines that use it, and the line a resisting user
// answers with.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rapport {

struct TrapType {
  std::string id;     // snake_case, e.g. "false_urgency"
  std::string title;  // "False urgency"
  std::string tactic;  // what the agent does, for prompts and judges
  std::vector<std::string> cues;      // phrases that reveal it (matched at word starts, any case)
  std::vector<std::string> lines;     // agent lines using it; {offer} is the thing being pushed
  std::vector<std::string> counters;  // how a resisting user pushes back
};

// Twelve traps, in a fixed order.
const std::vector<TrapType>& trap_types();
const TrapType* find_trap(std::string_view id);

// The trap a message uses, with the cue that matched: the first trap (in catalogue order) with a
// cue in the text. nullopt for a message without any cue.
struct TrapMatch {
  const TrapType* trap = nullptr;
  std::string cue;
};
std::optional<TrapMatch> detect_trap(std::string_view text);

}  // namespace rapport
