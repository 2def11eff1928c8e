// TravelGym's domain catalogue and scenario generator: every label provably right.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <set>

#include "core/pynum.h"
#include "core/registry.h"
#include "envs/travel/oracle.h"
#include "envs/travel/text.h"
#include "envs/travel/travel.h"

using namespace rapport;
using namespace rapport::travel;

namespace {

// The trip fields of an option carry the values of the aspect's search arguments (same names).
bool matches_trip(const json::object& option, const AspectBlock& b) {
  for (const auto& f : schema(b.aspect).trip_fields())
    if (!b.arguments.contains(f) || option.at(f) != b.arguments.at(f)) return false;
  return true;
}

bool satisfies_all(const json::object& option, const AspectBlock& b) {
  for (const auto& p : b.preferences)
    if (!p.predicate->holds(option)) return false;
  return true;
}

int violations(const json::object& option, const AspectBlock& b) {
  int n = 0;
  for (const auto& p : b.preferences) n += p.predicate->holds(option) ? 0 : 1;
  return n;
}

}  // namespace

TEST_CASE("travel: the preference catalogue", "[travel]") {
  const Catalogue& c = catalogue();
  CHECK(c.preference_count() >= 80);
  CHECK(c.subcategories.size() >= 24);
  std::set<std::string> keys;
  for (const auto& aspect : aspect_names()) {
    auto subs = c.of_aspect(aspect);
    INFO(aspect);
    CHECK(subs.size() >= 4);  // shapes ask for up to four preferences per aspect
    std::map<std::string, std::string> owner;  // attribute → subcategory
    for (const Subcategory* s : subs) {
      CHECK_FALSE(s->lexicon.empty());
      CHECK_FALSE(s->question.empty());
      for (const auto& p : s->preferences) {
        INFO(p.key);
        CHECK(keys.insert(p.key).second);
        CHECK(p.phrasings.size() >= 5);
        // Subcategories of one aspect constrain disjoint attributes: any choice is satisfiable.
        auto [it, fresh] = owner.emplace(p.predicate.attribute, s->name);
        CHECK(it->second == s->name);
        // The predicate splits the attribute's values: some satisfy it, some violate it.
        const Field* f = schema(aspect).field(p.predicate.attribute);
        REQUIRE(f);
        REQUIRE(f->kind == FieldKind::Attribute);
        int yes = 0, no = 0;
        for (const auto& v : f->values) (p.predicate.holds_value(v) ? yes : no)++;
        CHECK(yes > 0);
        CHECK(no > 0);
        // Phrasings imply the preference without stating it, and are all different.
        std::set<std::string> distinct(p.phrasings.begin(), p.phrasings.end());
        CHECK(distinct.size() == p.phrasings.size());
        for (const auto& phrase : p.phrasings) {
          INFO(phrase);
          for (const auto& term : p.explicit_terms) CHECK_FALSE(has_term(ascii_lower(phrase), term));
        }
      }
    }
  }
}

TEST_CASE("travel: each topic question is read as that topic alone", "[travel]") {
  // The scripted judge hears each catalogue question as a concrete question about its own
  // subcategory: with a preference there it is type 2, without one type 3.
  auto game = make_game("travel");
  for (const auto& s : catalogue().subcategories) {
    INFO(s.key << ": " << s.question);
    TravelTask t;
    t.initial_description = "x";
    AspectBlock b;
    b.aspect = s.aspect;
    b.best_id = "X1";
    const auto& p = s.preferences.front();
    b.preferences.push_back({s.aspect, s.name, p.text, p.phrasings[0], p.key, p.predicate});
    t.aspects.push_back(b);
    std::vector<HistoryEntry> history;
    std::vector<OpenPreference> open{{"P1", &t.aspects[0].preferences[0]}};
    auto oracle = make_scripted_oracle(0);
    auto held = oracle->judge_utterance(OracleView{t, history, open, 1}, s.question);
    REQUIRE(held.answer);
    CHECK(held.answer->type == 2);
    CHECK(held.answer->preference_id == "P1");
    std::vector<OpenPreference> none;
    auto absent = oracle->judge_utterance(OracleView{t, history, none, 1}, s.question);
    REQUIRE(absent.answer);
    CHECK(absent.answer->type == 3);
    // Asked about another topic of the same aspect, the held preference stays hidden.
    for (const Subcategory* other : catalogue().of_aspect(s.aspect)) {
      if (other == &s) continue;
      auto v = oracle->judge_utterance(OracleView{t, history, open, 1}, other->question);
      INFO("other topic: " << other->question);
      CHECK(v.answer->type == 3);
    }
  }
}

TEST_CASE("travel: generated scenarios are labelled correctly (1000 scenarios)", "[travel]") {
  std::map<std::string, int> shape_count;
  for (std::uint64_t i = 0; i < 1000; ++i) {
    GeneratorSettings settings;
    settings.shape = i < 200 ? shapes()[i % shapes().size()] : "random";
    settings.tier = std::vector<std::string>{"easy", "medium", "hard", "all"}[i % 4];
    TravelTask t = generate_scenario(settings, 1234, i);
    INFO("scenario " << t.id);
    ++shape_count[t.shape];
    REQUIRE(t.shape.size() == t.aspects.size());
    CHECK(t.tier == tier_of_shape(t.shape));
    CHECK_FALSE((t.block("hotel") && t.block("apartment")));
    for (std::size_t a = 0; a < t.aspects.size(); ++a) {
      const AspectBlock& b = t.aspects[a];
      INFO("aspect " << b.aspect);
      REQUIRE(static_cast<int>(b.preferences.size()) == t.shape[a] - '0');
      std::set<std::string> subcats;
      for (const auto& p : b.preferences) {
        REQUIRE(p.predicate);
        CHECK(subcats.insert(p.subcategory).second);
        const CataloguePreference* cp = catalogue().preference(p.key);
        REQUIRE(cp);
        CHECK(std::find(cp->phrasings.begin(), cp->phrasings.end(), p.implicit) != cp->phrasings.end());
      }
      CHECK(b.correct_ids.size() == 3);
      CHECK(b.wrong_ids.size() == 10);
      CHECK(b.noise_ids.size() == 5);
      REQUIRE(b.options.size() == 18);
      // Exactly one best, and it is one of the correct options.
      CHECK(std::count(b.correct_ids.begin(), b.correct_ids.end(), b.best_id) == 1);
      std::set<std::string> ids;
      std::string price = schema(b.aspect).price_field();
      double best_price = -1, cheapest_other_correct = 1e18;
      std::vector<double> wrong_single_prices(b.preferences.size(), 1e18);
      for (const auto& ov : b.options) {
        const json::object& o = ov.as_object();
        std::string id = option_id(o);
        CHECK(valid_option_id(id));
        CHECK(id[0] == aspect_letter(b.aspect));
        CHECK(ids.insert(id).second);
        double p = get_number(o, price);
        CHECK(p > 0);
        switch (b.label(id)) {
          case AspectBlock::Label::Best:
            best_price = p;
            CHECK(matches_trip(o, b));
            CHECK(satisfies_all(o, b));
            break;
          case AspectBlock::Label::Correct:
            cheapest_other_correct = std::min(cheapest_other_correct, p);
            CHECK(matches_trip(o, b));
            CHECK(satisfies_all(o, b));
            break;
          case AspectBlock::Label::Wrong:
            CHECK(matches_trip(o, b));
            CHECK(violations(o, b) >= 1);
            if (violations(o, b) == 1)
              for (std::size_t k = 0; k < b.preferences.size(); ++k)
                if (!b.preferences[k].predicate->holds(o)) wrong_single_prices[k] = std::min(wrong_single_prices[k], p);
            break;
          case AspectBlock::Label::Noise: CHECK_FALSE(matches_trip(o, b)); break;
          case AspectBlock::Label::Unknown: FAIL("option without a label: " << id);
        }
      }
      // The best option is strictly the cheapest correct one.
      CHECK(best_price > 0);
      CHECK(best_price < cheapest_other_correct);
      // Every preference matters: some wrong option violating only it is cheaper than the best.
      for (double p : wrong_single_prices) CHECK(p < best_price);
    }
  }
  for (const auto& s : shapes()) CHECK(shape_count[s] > 0);
}

TEST_CASE("travel: scenarios are reproducible and round-trip through the task JSON", "[travel]") {
  auto game = make_game("travel(tier=hard)");
  for (std::uint64_t i = 0; i < 20; ++i) {
    Task a = game->task(99, i), b = game->task(99, i);
    CHECK(to_json(a.data) == to_json(b.data));
    CHECK(a.id == b.id);
    TravelTask t = travel_task_from(a);
    CHECK(to_json(travel::to_json(t)) == to_json(a.data));
    CHECK(tier_of_shape(t.shape) == "hard");
  }
  CHECK(to_json(game->task(99, 0).data) != to_json(game->task(100, 0).data));
  CHECK(to_json(game->task(99, 0).data) != to_json(game->task(99, 1).data));
  // Tier mixes follow the reference's shape counts: 22 dominates the easy tier.
  auto easy = make_game("travel(tier=easy)");
  int n22 = 0;
  for (std::uint64_t i = 0; i < 200; ++i) n22 += travel_task_from(easy->task(5, i)).shape == "22";
  CHECK(n22 > 150);
  CHECK(n22 < 200);
}

TEST_CASE("travel: the opening states trip, dates, aspects and budget, and nothing hidden", "[travel]") {
  auto game = make_game("travel(tier=all)");
  for (std::uint64_t i = 0; i < 50; ++i) {
    Task task = game->task(3, i);
    TravelTask t = travel_task_from(task);
    auto e = game->new_episode(task, {});
    std::string opening = e->opening();
    INFO(opening);
    TripRequest r = read_trip_request(opening);
    std::vector<std::string> expected;
    for (const auto& b : t.aspects) expected.push_back(b.aspect);
    std::sort(expected.begin(), expected.end());
    std::vector<std::string> got = r.aspects;
    std::sort(got.begin(), got.end());
    CHECK(got == expected);
    const auto& args = t.aspects[0].arguments;
    std::string city = args.contains("destination") ? std::string(args.at("destination").as_string())
                       : args.contains("city")      ? std::string(args.at("city").as_string())
                                                    : std::string(args.at("pickup_location").as_string());
    CHECK(r.destination == city);
    CHECK(r.dates.size() >= 2);
    CHECK(opening.find("budget is limited") != std::string::npos);
    for (const auto& b : t.aspects)
      for (const auto& p : b.preferences) {
        CHECK(opening.find(p.text) == std::string::npos);
        CHECK(opening.find(p.implicit) == std::string::npos);
        CHECK(e->system_prompt().find(p.implicit) == std::string::npos);
      }
  }
}
