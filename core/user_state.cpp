#include "core/user_state.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "core/pynum.h"
#include "core/text.h"

namespace rapport {
namespace {

double clamp01(double x) { return std::round(std::clamp(x, 0.0, 1.0) * 100.0) / 100.0; }

bool has_digit(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Small talk and filler that carries nothing for the user's goals.
const std::vector<std::string> kOffTopic = {"weather", "football", "celebrity", "by the way, did you", "fun fact",
                                            "my weekend", "have you seen", "joke", "horoscope", "lottery"};

std::vector<std::string> strings(const json::object& o, std::string_view key) {
  std::vector<std::string> out;
  if (auto it = o.find(key); it != o.end() && it->value().is_array())
    for (const auto& v : it->value().get_array())
      if (v.is_string()) out.emplace_back(v.get_string());
  return out;
}

std::string joined(const std::vector<std::string>& xs, const char* empty) {
  if (xs.empty()) return empty;
  std::string out;
  for (const auto& x : xs) out += (out.empty() ? "" : "; ") + x;
  return out;
}

}  // namespace

UserState initial_state(const Persona& persona) {
  UserState s;
  s.trust = persona.skeptical ? 0.5 : 0.65;
  s.patience = clamp01(persona.style.patience);
  s.engagement = persona.personality.size() == 4 && persona.personality[0] == 'E' ? 0.8 : 0.65;
  return s;
}

const char* to_string(MoveKind kind) {
  switch (kind) {
    case MoveKind::Helpful: return "helpful";
    case MoveKind::OffTopic: return "off_topic";
    case MoveKind::Manipulative: return "manipulative";
    case MoveKind::Neutral: break;
  }
  return "neutral";
}

MoveReading read_agent_move(std::string_view message, const UserGoals& goals) {
  if (auto trap = detect_trap(message)) return {MoveKind::Manipulative, trap->trap->id, trap->cue};
  for (const auto& w : kOffTopic)
    if (mentions(message, w)) return {MoveKind::OffTopic, "", w};
  std::string topic;
  for (const auto& w : goals.topic_words)
    if (mentions(message, w)) {
      topic = w;
      break;
    }
  bool concrete = message.find('?') != std::string_view::npos || has_digit(message);
  if (!topic.empty() && concrete) return {MoveKind::Helpful, "", topic};
  return {MoveKind::Neutral, "", topic};
}

UserState next_state(const UserState& s, const MoveReading& move, const Persona& persona) {
  UserState n = s;
  // Impatient personas lose patience faster: 0.9 patience → ×0.6, 0.4 → ×1.1.
  double tire = 1.5 - persona.style.patience;
  switch (move.kind) {
    case MoveKind::Manipulative:
      n.trust = clamp01(s.trust - (persona.skeptical ? 0.2 : 0.15));
      n.patience = clamp01(s.patience - 0.12 * tire);
      n.engagement = clamp01(s.engagement - 0.05);
      n.emotion = n.trust < 0.35 ? "annoyed" : "wary";
      break;
    case MoveKind::OffTopic:
      n.patience = clamp01(s.patience - 0.1 * tire);
      n.engagement = clamp01(s.engagement - 0.1);
      n.emotion = n.patience < 0.35 ? "impatient" : "puzzled";
      break;
    case MoveKind::Helpful:
      n.trust = clamp01(s.trust + 0.08);
      n.patience = clamp01(s.patience + 0.04);
      n.engagement = clamp01(s.engagement + 0.08);
      n.emotion = n.trust >= 0.7 ? "pleased" : "calm";
      break;
    case MoveKind::Neutral:
      n.patience = clamp01(s.patience - 0.03 * tire);
      if (s.emotion == "pleased") n.emotion = "calm";
      break;
  }
  return n;
}

bool wants_to_hang_up(const UserState& s) { return s.patience <= 0.1 || s.trust <= 0.1; }

json::object to_json(const UserGoals& g) {
  auto arr = [](const std::vector<std::string>& xs) { return json::array(xs.begin(), xs.end()); };
  return json::object{{"domain", g.domain},          {"scenario", g.scenario},       {"primary", arr(g.primary)},
                      {"secondary", arr(g.secondary)}, {"accepts", arr(g.accepts)},    {"refuses", arr(g.refuses)},
                      {"decision_policy", g.decision_policy}, {"topic_words", arr(g.topic_words)}};
}

UserGoals user_goals_from(const json::value& record) {
  UserGoals g;
  if (!record.is_object()) return g;
  const auto& o = record.get_object();
  g.domain = get_string(o, "domain");
  g.scenario = get_string(o, "scenario");
  g.primary = strings(o, "primary");
  g.secondary = strings(o, "secondary");
  g.accepts = strings(o, "accepts");
  g.refuses = strings(o, "refuses");
  g.decision_policy = get_string(o, "decision_policy");
  g.topic_words = strings(o, "topic_words");
  return g;
}

json::object to_json(const UserState& s) {
  return json::object{{"trust", s.trust}, {"emotion", s.emotion}, {"patience", s.patience}, {"engagement", s.engagement}};
}

UserState user_state_from(const json::value& record) {
  UserState s;
  if (!record.is_object()) return s;
  const auto& o = record.get_object();
  s.trust = clamp01(get_number(o, "trust", s.trust));
  s.emotion = get_string(o, "emotion", s.emotion);
  s.patience = clamp01(get_number(o, "patience", s.patience));
  s.engagement = clamp01(get_number(o, "engagement", s.engagement));
  return s;
}

std::string state_line(const UserState& s) {
  return fmt::format("trust={:.2f} emotion={} patience={:.2f} engagement={:.2f}", s.trust, s.emotion, s.patience, s.engagement);
}

std::string describe(const UserGoals& g) {
  return fmt::format(
      "Why you are here: {}\nPrimary concerns: {}\nSecondary concerns: {}\nYou accept: {}\nYou refuse: {}\nHow you "
      "decide: {}",
      g.scenario, joined(g.primary, "(none)"), joined(g.secondary, "(none)"), joined(g.accepts, "(nothing in particular)"),
      joined(g.refuses, "(nothing in particular)"), g.decision_policy.empty() ? "(your own judgement)" : g.decision_policy);
}

}  // namespace rapport
