// TravelGym's scripted oracle: deterministic judges from lexicons and argument checks, and a
// traveller who answers with the scenario's implicit statements. Needs no model.
//
// Search: the query must name exactly one of the trip's aspects (several → "False", none →
// "N/A") and contain every ground-truth argument (dates in any common format, places in any
// case), else "False".
// Utterance: a question (a '?', a question word or a wish verb) is matched against each
// subcategory's lexicon, restricted to the aspects it names (all aspects when it names none).
// One or two matched topics: type 2 if an open preference sits in one of them, else type 3. More
// than two topics at once, or a wish question without any topic: type 4. Anything else: type 1.
#include <fmt/format.h>

#include <algorithm>

#include "core/pynum.h"
#include "core/rng.h"
#include "envs/travel/oracle.h"
#include "envs/travel/text.h"

namespace rapport::travel {
namespace {

bool contains(const std::vector<std::string>& xs, std::string_view x) { return std::find(xs.begin(), xs.end(), x) != xs.end(); }

bool argument_present(std::string_view query, std::string_view lowered, const json::value& value) {
  if (value.is_string()) {
    std::string_view v = value.get_string();
    if (auto date = parse_iso_date(v)) {
      for (const auto& d : find_dates(query))
        if (same_day(d, *date)) return true;
      return false;
    }
    std::string lv = ascii_lower(py_strip(v));
    return lv.empty() || lowered.find(lv) != std::string_view::npos;
  }
  if (value.is_int64()) return lowered.find(std::to_string(value.get_int64())) != std::string_view::npos;
  if (value.is_array()) {
    for (const auto& x : value.get_array())
      if (!argument_present(query, lowered, x)) return false;
    return true;
  }
  return true;  // other kinds (numbers with decimals, booleans) are not checked
}

bool is_question(std::string_view lowered) {
  if (lowered.find('?') != std::string_view::npos) return true;
  static const std::vector<std::string> kCues = {"what", "which", "how", "do you", "does", "would you", "are you", "is there",
                                                 "can you", "could you", "should", "any ", "prefer*", "need*", "want*",
                                                 "care", "mind", "tell me", "let me know", "important"};
  std::string_view t = py_strip(lowered);
  for (const auto& c : kCues) {
    if (c.back() == ' ' ? t.substr(0, c.size()) == c : has_term(t, c)) return true;
  }
  return false;
}

bool is_wish_question(std::string_view lowered) {
  static const std::vector<std::string> kVague = {"prefer*", "requirement*", "anything", "something", "wish*", "need*",
                                                  "want*",   "like",         "important", "care",     "expect*", "looking for",
                                                  "else",    "tell me more", "particular"};
  return has_any_term(lowered, kVague);
}

// Words of an imported preference's subcategory name, used as its lexicon.
std::vector<std::string> fallback_lexicon(const TaskPreference& p) {
  std::vector<std::string> out;
  for (auto& w : content_words(p.subcategory))
    if (w.size() >= 4) out.push_back(w + "*");
  return out;
}

class ScriptedOracle : public Oracle {
 public:
  explicit ScriptedOracle(std::uint64_t seed) : seed_(seed) {}

  Ask<SearchVerdict> judge_search(const OracleView& view, const std::string& query) override {
    std::string lowered = ascii_lower(query);
    std::vector<std::string> task_aspects;
    for (const auto& b : view.task.aspects) task_aspects.push_back(b.aspect);
    std::vector<std::string> named;
    for (const auto& a : aspects_named(query))
      if (contains(task_aspects, a)) named.push_back(a);
    // A generic word for a place to stay means the trip's one kind of stay.
    if (named.empty() && has_any_term(lowered, {"accommodation*", "lodging", "place to stay", "stay*"})) {
      for (const char* stay : {"hotel", "apartment"})
        if (contains(task_aspects, stay)) named.push_back(stay);
    }
    if (named.empty()) return Ask<SearchVerdict>::now({Alignment::Unrelated, ""});
    if (named.size() > 1) return Ask<SearchVerdict>::now({Alignment::Misaligned, ""});
    const AspectBlock* b = view.task.block(named[0]);
    for (const auto& kv : b->arguments)
      if (!argument_present(query, lowered, kv.value())) return Ask<SearchVerdict>::now({Alignment::Misaligned, named[0]});
    return Ask<SearchVerdict>::now({Alignment::Aligned, named[0]});
  }

  Ask<UtteranceVerdict> judge_utterance(const OracleView& view, const std::string& utterance) override {
    std::string lowered = ascii_lower(utterance);
    if (!is_question(lowered)) return Ask<UtteranceVerdict>::now({1, "", "conversation"});
    std::vector<std::string> aspects = aspects_named(utterance);
    if (aspects.empty()) aspects = aspect_names();
    // Topics asked about: catalogue subcategories, plus imported preferences' own subcategories.
    std::vector<std::pair<std::string, std::string>> topics;
    for (const auto& s : catalogue().subcategories)
      if (contains(aspects, s.aspect) && has_any_term(lowered, s.lexicon)) topics.emplace_back(s.aspect, s.name);
    for (const auto& o : view.open) {
      const TaskPreference& p = *o.preference;
      if (!p.key.empty() || !contains(aspects, p.aspect)) continue;
      std::pair<std::string, std::string> topic{p.aspect, p.subcategory};
      if (std::find(topics.begin(), topics.end(), topic) == topics.end() && has_any_term(lowered, fallback_lexicon(p)))
        topics.push_back(topic);
    }
    if (topics.size() > 2) return Ask<UtteranceVerdict>::now({4, "", "asked about many topics at once"});
    if (topics.empty()) {
      if (is_wish_question(lowered)) return Ask<UtteranceVerdict>::now({4, "", "asked a general question about preferences"});
      return Ask<UtteranceVerdict>::now({1, "", "conversation"});
    }
    for (const auto& o : view.open) {
      std::pair<std::string, std::string> topic{o.preference->aspect, o.preference->subcategory};
      if (std::find(topics.begin(), topics.end(), topic) != topics.end())
        return Ask<UtteranceVerdict>::now(
            {2, o.id, fmt::format("asked about the {} ({})", aspect_title(topic.first), topic.second)});
    }
    return Ask<UtteranceVerdict>::now(
        {3, "", fmt::format("asked about the {} ({}), where the user has no open preference", aspect_title(topics[0].first),
                            topics[0].second)});
  }

  Ask<Reply> preference_reply(const OracleView&, const std::string&, const OpenPreference& target) override {
    return Ask<Reply>::now({true, target.preference->implicit});
  }

  Ask<Reply> proactive_reply(const OracleView& view, const std::string&, const OpenPreference& target) override {
    static const std::vector<std::string> kLeads = {"One more thing about the {}: ", "By the way, about the {}: ",
                                                    "Oh, and regarding the {}: "};
    Rng rng = Rng::derive(seed_, "travel/scripted-proactive", static_cast<std::uint64_t>(view.step));
    std::string lead = fmt::format(fmt::runtime(rng.pick(kLeads)), aspect_title(target.preference->aspect));
    return Ask<Reply>::now({true, lead + target.preference->implicit});
  }

  Ask<Reply> natural_reply(const OracleView& view, const std::string&) override {
    static const std::vector<std::string> kReplies = {"Okay.", "Sure, go ahead.", "Sounds good.", "Alright, thanks.",
                                                      "Fine by me.", "Got it.", "Okay, let's keep going."};
    Rng rng = Rng::derive(seed_, "travel/scripted-natural", static_cast<std::uint64_t>(view.step));
    return Ask<Reply>::now({true, rng.pick(kReplies)});
  }

 private:
  std::uint64_t seed_;
};

}  // namespace

std::unique_ptr<Oracle> make_scripted_oracle(std::uint64_t seed) { return std::make_unique<ScriptedOracle>(seed); }

}  // namespace rapport::travel
