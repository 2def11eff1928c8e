// TravelGym's scripted baseline. It plays only from what an agent sees: the opening request, the
// search results and the traveller's replies, plus public knowledge of the domain (the option
// schemas, the topics one can ask about, the phrase book of how travellers hint at each
// preference, with word overlap as a fallback for free-text replies, and UserBench's design of
// three fitting options per aspect).
//
// Per aspect, in order: search; then, while more than three candidates are left and some topic not
// yet settled could still change the pick (one of its preferences would reject the current
// cheapest candidate), ask about such topics, two per question; then recommend the cheapest option
// that matches the trip and every preference learned. When the moves left run short it answers
// early, keeping one search and one answer for each later aspect.
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "core/pynum.h"
#include "envs/travel/text.h"
#include "envs/travel/travel.h"

namespace rapport::travel {
namespace {

bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }

// The run of capitalised words starting at `at` ("Mexico City", "Buenos Aires").
std::string capitalised_run(std::string_view text, std::size_t at) {
  std::size_t end = at;
  while (end < text.size() && is_upper(text[end])) {
    std::size_t w = end;
    while (w < text.size() && text[w] != ' ' && text[w] != ',' && text[w] != '.' && text[w] != ':' && text[w] != ';' &&
           text[w] != '!' && text[w] != '?')
      ++w;
    end = w;
    if (end + 1 < text.size() && text[end] == ' ' && is_upper(text[end + 1])) ++end;
    else break;
  }
  return std::string(text.substr(at, end - at));
}

double price_of(const json::object& o, const std::string& field) {
  if (auto it = o.find(field); it != o.end()) return get_number(o, field, 1e18);
  for (const auto& kv : o)
    if (std::string_view(kv.key()).find("price") != std::string_view::npos && (kv.value().is_number())) return get_number(o, kv.key(), 1e18);
  return 1e18;
}

// UserBench's design: three options of each aspect fit every preference. Once only three
// candidates are left, every preference of the aspect is known.
constexpr std::size_t kFitting = 3;

struct AspectState {
  std::vector<json::object> options;
  int search_attempts = 0;
  bool answered = false;
};

class ScriptedTravelAgent : public Agent {
 public:
  std::string name() const override { return "scripted"; }

  void start(const std::string& system_prompt, const std::string& opening) override {
    trip_ = read_trip_request(opening);
    std::string_view sp = system_prompt;
    if (auto at = sp.find("at most "); at != std::string_view::npos) {
      int n = 0;
      for (std::size_t i = at + 8; i < sp.size() && sp[i] >= '0' && sp[i] <= '9'; ++i) n = n * 10 + (sp[i] - '0');
      if (n > 0) max_moves_ = n;
    }
    for (const auto& a : trip_.aspects) states_[a];
  }

  Flow<AgentMove> next_move() override {
    ++moves_;
    while (cursor_ < trip_.aspects.size()) {
      const std::string& aspect = trip_.aspects[cursor_];
      AspectState& s = states_[aspect];
      if (s.answered) {
        ++cursor_;
        continue;
      }
      if (s.options.empty()) {
        if (s.search_attempts >= 3) {
          ++cursor_;  // the search keeps failing: give up on this aspect
          continue;
        }
        ++s.search_attempts;
        return move(Kind::Search, aspect, "search", search_query(aspect));
      }
      std::optional<json::object> pick = cheapest(aspect);
      if (pick && has_moves_for_question() && candidates(aspect) > kFitting) {
        std::vector<const Subcategory*> topics = open_topics(aspect, *pick);
        if (!topics.empty()) {
          // Two topics per question halve the questions answered with "no preference there".
          if (topics.size() > 2) topics.resize(2);
          std::string question = topics[0]->question;
          if (topics.size() == 2) {
            std::string second = topics[1]->question;
            second[0] = static_cast<char>(ascii_lower(second.substr(0, 1))[0]);
            question += " And " + second;
          }
          last_topics_ = topics;
          return move(Kind::Question, aspect, "action", question);
        }
      }
      if (!pick) pick = cheapest_ignoring_preferences(aspect);
      if (!pick) {
        ++cursor_;
        continue;
      }
      return move(Kind::Answer, aspect, "answer", option_id(*pick));
    }
    return move(Kind::Finish, "", "finish", "");
  }

  // Someone else's move: read it as the move this agent would have meant by it, so a takeover
  // keeps what the search found, the preferences heard and the options recommended.
  void observe_move(const AgentMove& move, const StepResult& result) override {
    ++moves_;
    BracketAction action = parse_bracket_action(move.action);
    const std::string content = action.choice ? action.payload : move.content;
    last_topics_.clear();
    last_kind_ = Kind::Finish;
    switch (action.choice.value_or(Choice::Finish)) {
      case Choice::Search: {
        auto named = aspects_named(content);
        last_kind_ = Kind::Search;
        last_aspect_ = named.empty() ? current_aspect() : named.front();
        if (states_.count(last_aspect_)) ++states_[last_aspect_].search_attempts;
        break;
      }
      case Choice::Action:
        last_kind_ = Kind::Question;
        last_aspect_ = current_aspect();
        for (const Subcategory* s : catalogue().of_aspect(last_aspect_)) {
          std::string lowered = s->question;
          lowered[0] = static_cast<char>(ascii_lower(lowered.substr(0, 1))[0]);
          if (content.find(s->question) != std::string::npos || content.find(lowered) != std::string::npos)
            last_topics_.push_back(s);
        }
        break;
      case Choice::Answer:
        last_kind_ = Kind::Answer;
        last_aspect_.clear();
        for (const auto& [aspect, state] : states_)
          for (const auto& o : state.options)
            if (py_strip(content) == option_id(o)) last_aspect_ = aspect;
        if (last_aspect_.empty()) last_kind_ = Kind::Finish;  // no option of a searched aspect
        break;
      case Choice::Finish: break;
    }
    observe(result);
  }

  void observe(const StepResult& result) override {
    const std::string& text = result.observation;
    switch (last_kind_) {
      case Kind::Search: {
        auto options = read_search_results(text);
        if (!options.empty()) states_[last_aspect_].options = std::move(options);
        break;
      }
      case Kind::Question: read_reply(text); break;
      case Kind::Answer: states_[last_aspect_].answered = true; break;
      case Kind::Finish: break;
    }
  }

 private:
  enum class Kind { Search, Question, Answer, Finish };

  Flow<AgentMove> move(Kind kind, std::string aspect, std::string choice, std::string content) {
    last_kind_ = kind;
    last_aspect_ = std::move(aspect);
    return AgentMove::tool(std::move(choice), std::move(content));
  }

  std::string date(std::size_t k) const {
    if (trip_.dates.empty()) return "";
    return trip_.dates[std::min(k, trip_.dates.size() - 1)];
  }

  std::string search_query(const std::string& aspect) const {
    const std::string& d = trip_.destination;
    if (aspect == "flight") return fmt::format("flights from {} to {} on {}", trip_.origin, d, date(0));
    if (aspect == "hotel") return fmt::format("hotels in {} from {} to {}", d, date(0), date(1));
    if (aspect == "apartment") return fmt::format("apartments in {} from {} to {}", d, date(0), date(1));
    if (aspect == "rental_car") return fmt::format("rental cars in {} from {} to {}", d, date(0), date(1));
    return fmt::format("restaurants in {} on {}", d, trip_.dates.size() >= 3 ? date(2) : date(0));
  }

  // The first aspect not yet answered: where a question without named topics belongs.
  std::string current_aspect() const {
    for (const auto& a : trip_.aspects)
      if (!states_.at(a).answered) return a;
    return trip_.aspects.empty() ? "" : trip_.aspects.back();
  }

  // Keeps one search (if not yet done) and one answer for each aspect after the current one.
  bool has_moves_for_question() const {
    int reserve = 1;  // the current aspect's answer
    for (std::size_t i = cursor_ + 1; i < trip_.aspects.size(); ++i) {
      const AspectState& s = states_.at(trip_.aspects[i]);
      if (s.answered) continue;
      reserve += s.options.empty() ? 2 : 1;
    }
    int left = max_moves_ - moves_ + 1;  // this move included
    return left - 1 >= reserve;
  }

  // Options that carry the trip's most common value in every trip field: noise options don't.
  std::vector<const json::object*> on_trip(const std::string& aspect) const {
    const auto& options = states_.at(aspect).options;
    std::vector<std::string> fields = schema(aspect).trip_fields();
    std::map<std::string, std::string> mode;
    for (const auto& f : fields) {
      std::map<std::string, int> counts;
      for (const auto& o : options)
        if (auto it = o.find(f); it != o.end()) ++counts[rapport::to_json(it->value())];
      int best = 0;
      for (const auto& [v, c] : counts)
        if (c > best) best = c, mode[f] = v;
    }
    std::vector<const json::object*> out;
    for (const auto& o : options) {
      bool ok = true;
      for (const auto& [f, v] : mode)
        if (auto it = o.find(f); it == o.end() || rapport::to_json(it->value()) != v) ok = false;
      if (ok) out.push_back(&o);
    }
    return out;
  }

  // Options on the trip that satisfy every preference learned so far.
  std::size_t candidates(const std::string& aspect) const {
    std::size_t n = 0;
    for (const json::object* o : on_trip(aspect)) {
      bool ok = true;
      for (const CataloguePreference* p : learned_for(aspect)) ok = ok && p->predicate.holds(*o);
      n += ok ? 1 : 0;
    }
    return n;
  }

  std::optional<json::object> cheapest(const std::string& aspect) const {
    std::string price = schema(aspect).price_field();
    const json::object* best = nullptr;
    for (const json::object* o : on_trip(aspect)) {
      bool ok = true;
      for (const CataloguePreference* p : learned_for(aspect)) ok = ok && p->predicate.holds(*o);
      if (ok && (!best || price_of(*o, price) < price_of(*best, price))) best = o;
    }
    if (!best) return std::nullopt;
    return *best;
  }

  std::optional<json::object> cheapest_ignoring_preferences(const std::string& aspect) const {
    std::string price = schema(aspect).price_field();
    const json::object* best = nullptr;
    for (const json::object* o : on_trip(aspect))
      if (!best || price_of(*o, price) < price_of(*best, price)) best = o;
    if (!best) return std::nullopt;
    return *best;
  }

  std::vector<const CataloguePreference*> learned_for(const std::string& aspect) const {
    std::vector<const CataloguePreference*> out;
    for (const auto* p : learned_)
      if (p->aspect == aspect) out.push_back(p);
    return out;
  }

  bool settled(const Subcategory& s) const {
    if (no_preference_.count(s.key)) return true;
    for (const auto* p : learned_)
      if (p->aspect == s.aspect && p->subcategory == s.name) return true;
    auto it = unanswered_.find(s.key);
    return it != unanswered_.end() && it->second >= 2;
  }

  // Unsettled topics with a preference that would reject the current pick.
  std::vector<const Subcategory*> open_topics(const std::string& aspect, const json::object& pick) const {
    std::vector<const Subcategory*> out;
    for (const Subcategory* s : catalogue().of_aspect(aspect)) {
      if (settled(*s)) continue;
      bool could_reject = false;
      for (const auto& p : s->preferences) could_reject = could_reject || !p.predicate.holds(pick);
      if (could_reject) out.push_back(s);
    }
    return out;
  }

  void learn(const CataloguePreference* p) {
    if (std::find(learned_.begin(), learned_.end(), p) == learned_.end()) learned_.push_back(p);
  }

  void read_reply(const std::string& text) {
    std::string lowered = ascii_lower(text);
    // The phrase book: a hint quoted by the traveller names its preference, whatever the topic.
    bool found = false;
    for (const auto& s : catalogue().subcategories)
      for (const auto& p : s.preferences)
        for (const auto& phrase : p.phrasings)
          if (lowered.find(ascii_lower(phrase)) != std::string::npos) {
            learn(&p);
            found = true;
          }
    if (found) return;
    if (lowered.find("particular preference") != std::string::npos) {
      for (const auto* t : last_topics_) no_preference_.insert(t->key);
      return;
    }
    // No answer to the question: after two of these a topic counts as settled.
    for (const auto* t : last_topics_) ++unanswered_[t->key];
    if (lowered.find("say that again") != std::string::npos || lowered.find("too general") != std::string::npos) return;
    // A free-text hint: the preference of the asked topics sharing the most words with it.
    std::set<std::string> words;
    for (auto& w : content_words(text)) words.insert(w);
    const CataloguePreference* best = nullptr;
    int best_score = 0;
    bool tie = false;
    for (const Subcategory* topic : last_topics_)
    for (const auto& p : topic->preferences) {
      std::set<std::string> vocab;
      for (const auto& phrase : p.phrasings)
        for (auto& w : content_words(phrase)) vocab.insert(w);
      int score = 0;
      for (const auto& w : words) score += vocab.count(w) ? 1 : 0;
      if (score > best_score) best = &p, best_score = score, tie = false;
      else if (score == best_score) tie = true;
    }
    if (best && best_score >= 2 && !tie) learn(best);
  }

  TripRequest trip_;
  int max_moves_ = 20;
  int moves_ = 0;
  std::size_t cursor_ = 0;
  std::map<std::string, AspectState> states_;
  std::vector<const CataloguePreference*> learned_;
  std::set<std::string> no_preference_;
  std::map<std::string, int> unanswered_;
  Kind last_kind_ = Kind::Finish;
  std::string last_aspect_;
  std::vector<const Subcategory*> last_topics_;
};

}  // namespace

TripRequest read_trip_request(std::string_view opening) {
  TripRequest r;
  r.aspects = aspects_named(opening);
  for (std::size_t at = opening.find("from "); at != std::string_view::npos; at = opening.find("from ", at + 1)) {
    if (at > 0 && opening[at - 1] != ' ') continue;
    std::string origin = capitalised_run(opening, at + 5);
    if (origin.empty()) continue;
    std::size_t to = at + 5 + origin.size();
    if (opening.substr(to, 4) != " to ") continue;
    std::string destination = capitalised_run(opening, to + 4);
    if (destination.empty()) continue;
    r.origin = origin;
    r.destination = destination;
    break;
  }
  for (const auto& d : find_dates(opening))
    if (d.year) r.dates.push_back(iso(d));
  return r;
}

std::vector<json::object> read_search_results(std::string_view observation) {
  std::vector<json::object> out;
  std::size_t start = 0;
  while (start <= observation.size()) {
    std::size_t end = observation.find('\n', start);
    std::string_view line = py_strip(observation.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (!line.empty() && line.front() == '{') {
      if (auto v = parse_json(line); v && v->is_object() && valid_option_id(option_id(v->get_object())))
        out.push_back(v->get_object());
    }
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return out;
}

std::unique_ptr<Agent> make_scripted_agent(std::uint64_t) { return std::make_unique<ScriptedTravelAgent>(); }

}  // namespace rapport::travel
