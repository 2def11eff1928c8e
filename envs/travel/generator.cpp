// TravelGym's scenario generator. Every label is correct by construction:
// - preferences of one aspect come from distinct subcategories, whose predicates use disjoint
//   attributes, so the preferences can always be satisfied together;
// - correct options draw every constrained attribute from values that satisfy its preference;
// - each wrong option draws one designated attribute from values that violate its preference,
//   and every preference is the only one violated by at least one wrong option priced below the
//   best, so ignoring any preference leads to a wrong pick;
// - noise options are irrelevant: another city or other dates (sometimes also absurd);
// - prices are set last so that the best option is strictly the cheapest correct one.
#include <fmt/format.h>

#include <algorithm>
#include <cassert>

#include "core/rng.h"
#include "envs/travel/scenario.h"
#include "envs/travel/text.h"

namespace rapport::travel {
namespace {

constexpr int kCorrect = 3;
constexpr int kWrong = 10;
constexpr int kNoise = 5;

const std::vector<std::string> kOrigins = {"Chicago", "Boston", "Toronto",  "London", "Berlin", "Madrid",
                                           "Seattle", "Denver", "Atlanta", "Dublin", "Paris",  "Amsterdam"};
const std::vector<std::string> kDestinations = {
    "Lisbon",    "Barcelona", "Rome",        "Vienna",       "Prague",    "Copenhagen", "Edinburgh", "Athens",
    "Istanbul",  "Kyoto",     "Seoul",       "Singapore",    "Bangkok",   "Sydney",     "Vancouver", "Montreal",
    "Mexico City", "Buenos Aires", "Cape Town", "Marrakech", "Reykjavik", "Budapest",   "Porto",     "Florence",
    "Seville",   "Munich",    "Oslo",        "Stockholm",    "Nice",      "Krakow"};
const std::vector<std::pair<std::string, std::string>> kAirlines = {
    {"Aurora Air", "AU"},   {"Blue Meridian", "BM"}, {"Cascade Airways", "CW"}, {"Northwind Airlines", "NW"},
    {"Solace Air", "SO"},   {"Tern Airways", "TN"},  {"Horizon Blue", "HB"},    {"Kestrel Air", "KE"}};
const std::vector<std::string> kHotelWords = {"Aurora", "Linden",  "Meridian", "Harbor",  "Juniper",   "Solstice", "Cobalt",
                                              "Marigold", "Riverside", "Larkspur", "Ember", "Northgate", "Saffron",  "Willow",
                                              "Atlas",  "Belvedere", "Alder",  "Halcyon",  "Orchid",  "Beacon"};
const std::vector<std::string> kHotelForms = {"Hotel {}", "The {}", "{} House", "{} Inn", "Residence {}"};
const std::vector<std::string> kApartmentWords = {"Blue Door", "Fig Tree", "Copper Roof", "Swallow's Nest", "Ivy Court",
                                                  "Lantern",   "Red Shutter", "Cedar",   "Tiled Stair",   "Sparrow",
                                                  "Maple",     "Clocktower", "Courtyard", "Hazel",       "Pinecone",
                                                  "Terracotta", "Greenhouse", "Skylark",   "Birch",       "Weathervane"};
const std::vector<std::string> kApartmentForms = {"{} Apartment", "{} Flat", "{} Loft", "{} Studio House", "The {} Suites"};
const std::vector<std::string> kCarCompanies = {"Roadway Rentals", "Swift Car Hire", "Northstar Auto", "Gecko Cars",
                                                "Openroad",        "Blue Lane Rentals", "Metro Drive", "Compass Car Rental"};
const std::vector<std::string> kRestaurants = {
    "The Copper Spoon", "Lantern House", "Blue Table",     "The Long Bench", "Salt Cellar",  "Ember Room",
    "Little Owl",       "Green Door",    "Tin Cup",        "Brass Lion",     "Hearth",       "North Star Kitchen",
    "The Gilded Fork",  "Pepper Mill",   "Juniper Table",  "Stone Arch",     "Red Fox",      "The Velvet Chair",
    "Wild Thyme",       "Half Moon",     "The Corner Plate", "Seven Lamps"};

struct Trip {
  std::string origin, destination;
  Date start, end, dinner;
  int nights = 0;
  int route_half_hours = 0;  // nonstop flight time in half hours
  int city_price_pct = 100;
};

// What an option must do with respect to one preference.
enum class Want { Satisfy, Violate, Free };

struct Draft {
  std::vector<int> value;  // per schema field: index of the attribute value drawn, -1 otherwise
  json::object shown;      // the option as shown, built at the end
  int price = 0;
};

std::size_t weighted(Rng& rng, const Field& f, const std::vector<int>& allowed) {
  std::int64_t total = 0;
  for (int i : allowed) total += f.weights[static_cast<std::size_t>(i)];
  auto r = static_cast<std::int64_t>(rng.below(static_cast<std::uint64_t>(total)));
  for (int i : allowed) {
    r -= f.weights[static_cast<std::size_t>(i)];
    if (r < 0) return static_cast<std::size_t>(i);
  }
  return static_cast<std::size_t>(allowed.back());
}

// Draws every attribute; attribute `k` is constrained by the preferences that use it.
Draft draw(Rng& rng, const AspectSchema& s, const std::vector<const CataloguePreference*>& prefs,
           const std::vector<Want>& wants) {
  Draft d;
  d.value.assign(s.fields.size(), -1);
  for (std::size_t k = 0; k < s.fields.size(); ++k) {
    const Field& f = s.fields[k];
    if (f.kind != FieldKind::Attribute) continue;
    std::vector<int> allowed;
    for (std::size_t v = 0; v < f.values.size(); ++v) {
      bool ok = true;
      for (std::size_t p = 0; p < prefs.size(); ++p) {
        if (prefs[p]->predicate.attribute != f.name || wants[p] == Want::Free) continue;
        bool holds = prefs[p]->predicate.holds_value(f.values[v]);
        ok = ok && (wants[p] == Want::Satisfy ? holds : !holds);
      }
      if (ok) allowed.push_back(static_cast<int>(v));
    }
    assert(!allowed.empty() && "catalogue predicates must leave values that satisfy and values that violate them");
    d.value[k] = static_cast<int>(weighted(rng, f, allowed));
  }
  return d;
}

std::string clock(int minutes) {
  int day = minutes / (24 * 60);
  int m = minutes % (24 * 60);
  std::string t = fmt::format("{:02}:{:02}", m / 60, m % 60);
  return day == 0 ? t : fmt::format("{} (+{})", t, day);
}

int minutes_of(std::string_view hhmm) { return ((hhmm[0] - '0') * 10 + (hhmm[1] - '0')) * 60 + (hhmm[3] - '0') * 10 + (hhmm[4] - '0'); }

const json::value& value_of(const AspectSchema& s, const Draft& d, std::string_view name) {
  for (std::size_t k = 0; k < s.fields.size(); ++k)
    if (s.fields[k].name == name) return s.fields[k].values[static_cast<std::size_t>(d.value[k])];
  assert(false && "no such attribute");
  static const json::value none;
  return none;
}

// The trip field values an option should carry.
json::value trip_value(const std::string& field, const std::string& aspect, const Trip& trip) {
  if (field == "origin") return json::value(trip.origin);
  if (field == "destination" || field == "city" || field == "pickup_location") return json::value(trip.destination);
  if (field == "date") return json::value(iso(aspect == "restaurant" ? trip.dinner : trip.start));
  if (field == "check_in" || field == "pickup_date") return json::value(iso(trip.start));
  if (field == "check_out" || field == "return_date") return json::value(iso(trip.end));
  return json::value(nullptr);
}

struct Names {
  std::vector<std::string> pool;
  std::size_t next = 0;
  std::string take() { return pool[next++ % pool.size()]; }
};

Names names_for(const std::string& aspect, Rng& rng) {
  Names n;
  if (aspect == "hotel" || aspect == "apartment") {
    const auto& words = aspect == "hotel" ? kHotelWords : kApartmentWords;
    const auto& forms = aspect == "hotel" ? kHotelForms : kApartmentForms;
    std::vector<std::string> w = words;
    rng.shuffle(w);
    for (const auto& word : w) n.pool.push_back(fmt::format(fmt::runtime(rng.pick(forms)), word));
  } else if (aspect == "restaurant") {
    n.pool = kRestaurants;
    rng.shuffle(n.pool);
  }
  return n;
}

// Builds the option as shown: schema order, cosmetic and derived fields filled in.
void build(const AspectSchema& s, Draft& d, const std::string& id, const Trip& trip, Rng& rng, Names& names, int flight_half_hours_extra) {
  json::object o;
  int stops = 0;
  for (std::size_t k = 0; k < s.fields.size(); ++k) {
    const Field& f = s.fields[k];
    if (f.kind == FieldKind::Attribute && f.name == "stops") stops = static_cast<int>(f.values[static_cast<std::size_t>(d.value[k])].as_int64());
  }
  int half_hours = trip.route_half_hours + flight_half_hours_extra;
  for (int i = 0; i < stops; ++i) half_hours += static_cast<int>(rng.range(3, 7));
  for (std::size_t k = 0; k < s.fields.size(); ++k) {
    const Field& f = s.fields[k];
    switch (f.kind) {
      case FieldKind::Id: o[f.name] = id; break;
      case FieldKind::Trip: o[f.name] = trip_value(f.name, s.aspect, trip); break;
      case FieldKind::Attribute: o[f.name] = f.values[static_cast<std::size_t>(d.value[k])]; break;
      case FieldKind::Price: o[f.name] = d.price; break;
      case FieldKind::Cosmetic:
        if (f.name == "airline") {
          const auto& a = rng.pick(kAirlines);
          o[f.name] = a.first;
          o["flight_number"] = fmt::format("{}{}", a.second, rng.range(100, 989));
        } else if (f.name == "company") {
          o[f.name] = rng.pick(kCarCompanies);
        } else if (f.name == "name") {
          o[f.name] = names.take();
        }
        break;
      case FieldKind::Derived:
        if (f.name == "arrival_time") {
          int dep = minutes_of(value_of(s, d, "departure_time").get_string());
          o[f.name] = clock(dep + half_hours * 30);
        } else if (f.name == "duration_hours") {
          o[f.name] = static_cast<double>(half_hours) / 2.0;
        } else if (f.name == "seats" || f.name == "luggage_capacity") {
          std::string cls(value_of(s, d, "car_class").get_string());
          int seats = cls == "minivan" ? 7 : (cls == "economy" || cls == "convertible") ? 4 : 5;
          int bags = cls == "economy" || cls == "convertible" ? 1 : cls == "compact" ? 2 : cls == "midsize" ? 3 : 4;
          o[f.name] = f.name == "seats" ? seats : bags;
        }
        break;
    }
  }
  d.shown = std::move(o);
}

int natural_price(const AspectSchema& s, const Draft& d, const Trip& trip, Rng& rng) {
  std::int64_t p = s.base_price;
  if (s.aspect == "flight") p += trip.route_half_hours * 12;
  for (std::size_t k = 0; k < s.fields.size(); ++k)
    if (s.fields[k].kind == FieldKind::Attribute) p += s.fields[k].price[static_cast<std::size_t>(d.value[k])];
  p = p * trip.city_price_pct / 100;
  p = p * rng.range(90, 110) / 100;
  return static_cast<int>(std::max<std::int64_t>(12, p));
}

std::string join_list(const std::vector<std::string>& items) {
  if (items.size() == 1) return items[0];
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += i + 1 == items.size() ? (items.size() > 2 ? ", and " : " and ") : ", ";
    out += items[i];
  }
  return out;
}

std::string need_phrase(const std::string& aspect, const Trip& trip) {
  if (aspect == "flight") return "a flight there";
  if (aspect == "hotel") return "a hotel for my stay";
  if (aspect == "apartment") return "an apartment for my stay";
  if (aspect == "rental_car") return "a rental car for the whole stay";
  return fmt::format("a restaurant for dinner on {}", long_date(trip.dinner));
}

std::string opening_text(const std::vector<std::string>& aspects, const Trip& t, Rng& rng) {
  std::vector<std::string> needs;
  for (const auto& a : aspects) needs.push_back(need_phrase(a, t));
  std::string list = join_list(needs);
  std::string s = long_date(t.start), e = long_date(t.end);
  switch (rng.below(4)) {
    case 0: return fmt::format("Hi! I'm planning a trip from {} to {}, from {} to {}. I need {}.", t.origin, t.destination, s, e, list);
    case 1:
      return fmt::format("I'm travelling from {} to {} on {} and staying until {}. Could you help me find {}?", t.origin,
                         t.destination, s, e, list);
    case 2:
      return fmt::format("Hello, I'm heading from {} to {} for {} nights: I leave on {} and come back on {}. I'm looking for {}.",
                         t.origin, t.destination, t.nights, s, e, list);
    default:
      return fmt::format("My next trip takes me from {} to {} between {} and {}. Please find me {}.", t.origin, t.destination, s,
                         e, list);
  }
}

json::object arguments_for(const std::string& aspect, const Trip& t) {
  if (aspect == "flight") return {{"origin", t.origin}, {"destination", t.destination}, {"date", iso(t.start)}};
  if (aspect == "hotel" || aspect == "apartment")
    return {{"city", t.destination}, {"check_in", iso(t.start)}, {"check_out", iso(t.end)}};
  if (aspect == "rental_car") return {{"pickup_location", t.destination}, {"pickup_date", iso(t.start)}, {"return_date", iso(t.end)}};
  return {{"city", t.destination}, {"date", iso(t.dinner)}};
}

// Makes a noise option irrelevant: another place or other dates, sometimes absurd as well.
void spoil(json::object& o, const AspectSchema& s, const Trip& trip, Rng& rng) {
  std::vector<std::string> fields = s.trip_fields();
  const std::string& f = rng.pick(fields);
  std::string current(o[f].as_string());
  if (auto d = parse_iso_date(current)) {
    int shift = static_cast<int>(rng.range(2, 40)) * (rng.chance(0.5) ? 1 : -1);
    o[f] = iso(add_days(*d, shift));
  } else {
    std::string other = current;
    while (other == current || other == trip.origin || other == trip.destination) other = rng.pick(kDestinations);
    o[f] = other;
  }
  if (s.aspect == "flight" && rng.chance(0.35)) {
    o["duration_hours"] = static_cast<double>(rng.range(400, 1200));
    o["arrival_time"] = clock(minutes_of(o["departure_time"].as_string()) + static_cast<int>(o["duration_hours"].as_double() * 60));
  }
}

AspectBlock make_block(const std::string& aspect, int pref_count, const Trip& trip, Rng& rng) {
  const AspectSchema& s = schema(aspect);
  const Catalogue& cat = catalogue();
  AspectBlock b;
  b.aspect = aspect;
  b.arguments = arguments_for(aspect, trip);

  // Preferences: distinct subcategories, one preference each, one phrasing each.
  std::vector<const Subcategory*> subs = cat.of_aspect(aspect);
  rng.shuffle(subs);
  assert(static_cast<int>(subs.size()) >= pref_count);
  std::vector<const CataloguePreference*> prefs;
  for (int i = 0; i < pref_count; ++i) {
    const CataloguePreference& p = rng.pick(subs[static_cast<std::size_t>(i)]->preferences);
    prefs.push_back(&p);
    b.preferences.push_back(TaskPreference{aspect, p.subcategory, p.text, rng.pick(p.phrasings), p.key, p.predicate});
  }
  std::size_t n = prefs.size();

  // Option drafts: correct, wrong (each with a designated violated preference), noise.
  std::vector<Draft> correct, wrong, noise;
  std::vector<bool> near_miss;
  for (int i = 0; i < kCorrect; ++i) correct.push_back(draw(rng, s, prefs, std::vector<Want>(n, Want::Satisfy)));
  for (int i = 0; i < kWrong; ++i) {
    std::size_t designated = static_cast<std::size_t>(i) % n;
    bool near = static_cast<std::size_t>(i) < n || rng.chance(0.5);
    std::vector<Want> wants(n, near ? Want::Satisfy : Want::Free);
    wants[designated] = Want::Violate;
    wrong.push_back(draw(rng, s, prefs, wants));
    near_miss.push_back(static_cast<std::size_t>(i) < n);
  }
  for (int i = 0; i < kNoise; ++i) noise.push_back(draw(rng, s, prefs, std::vector<Want>(n, Want::Free)));

  // Prices: natural first, then the best strictly cheapest among the correct ones, and one
  // cheaper near miss per preference.
  for (auto* group : {&correct, &wrong, &noise})
    for (auto& d : *group) d.price = natural_price(s, d, trip, rng);
  std::stable_sort(correct.begin(), correct.end(), [](const Draft& x, const Draft& y) { return x.price < y.price; });
  int best = correct[0].price;
  for (std::size_t i = 1; i < correct.size(); ++i)
    if (correct[i].price <= best) correct[i].price = best + static_cast<int>(rng.range(std::max(2, best / 25), std::max(4, best / 5)));
  for (std::size_t i = 0; i < wrong.size(); ++i)
    if (near_miss[i]) wrong[i].price = std::min(best - 1, best * static_cast<int>(rng.range(72, 95)) / 100);

  // Ids: the letter and a shuffled number, so that nothing about the label shows in the id.
  std::vector<int> numbers;
  for (int i = 1; i <= kCorrect + kWrong + kNoise; ++i) numbers.push_back(i);
  rng.shuffle(numbers);
  std::size_t next = 0;
  Names names = names_for(aspect, rng);
  auto make = [&](Draft& d, std::vector<std::string>& ids) {
    std::string id = fmt::format("{}{}", s.letter, numbers[next++]);
    build(s, d, id, trip, rng, names, 0);
    ids.push_back(id);
  };
  for (auto& d : correct) make(d, b.correct_ids);
  b.best_id = b.correct_ids.front();
  for (auto& d : wrong) make(d, b.wrong_ids);
  for (auto& d : noise) {
    make(d, b.noise_ids);
    spoil(d.shown, s, trip, rng);
  }
  std::vector<json::object> shown;
  for (auto* group : {&correct, &wrong, &noise})
    for (auto& d : *group) shown.push_back(std::move(d.shown));
  rng.shuffle(shown);
  for (auto& o : shown) b.options.emplace_back(std::move(o));
  return b;
}

std::string pick_shape(const GeneratorSettings& settings, Rng& rng) {
  if (settings.shape != "random") return settings.shape;
  std::vector<std::string> candidates;
  for (const auto& s : shapes())
    if (settings.tier == "all" || tier_of_shape(s) == settings.tier) candidates.push_back(s);
  std::int64_t total = 0;
  for (const auto& c : candidates) total += reference_count(c);
  auto r = static_cast<std::int64_t>(rng.below(static_cast<std::uint64_t>(total)));
  for (const auto& c : candidates) {
    r -= reference_count(c);
    if (r < 0) return c;
  }
  return candidates.back();
}

}  // namespace

TravelTask generate_scenario(const GeneratorSettings& settings, std::uint64_t seed, std::uint64_t index) {
  Rng rng = Rng::derive(seed, "travel/scenario", index);
  TravelTask t;
  t.shape = pick_shape(settings, rng);
  t.tier = tier_of_shape(t.shape);

  // Aspects: one per digit, never both a hotel and an apartment.
  std::vector<std::string> aspects;
  std::size_t count = t.shape.size();
  for (;;) {
    std::vector<std::string> all = aspect_names();
    rng.shuffle(all);
    aspects.assign(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(count));
    bool both_stays = std::find(aspects.begin(), aspects.end(), "hotel") != aspects.end() &&
                      std::find(aspects.begin(), aspects.end(), "apartment") != aspects.end();
    if (!both_stays) break;
  }

  Trip trip;
  trip.origin = rng.pick(kOrigins);
  trip.destination = rng.pick(kDestinations);
  trip.start = Date{static_cast<int>(rng.range(2025, 2026)), static_cast<int>(rng.range(1, 12)), static_cast<int>(rng.range(1, 28))};
  trip.nights = static_cast<int>(rng.range(2, 7));
  trip.end = add_days(trip.start, trip.nights);
  trip.dinner = add_days(trip.start, static_cast<int>(rng.range(0, trip.nights - 1)));
  trip.route_half_hours = static_cast<int>(rng.range(4, 24));
  static const std::vector<int> kCityPct = {80, 90, 100, 115, 130};
  trip.city_price_pct = rng.pick(kCityPct);

  for (std::size_t i = 0; i < count; ++i) t.aspects.push_back(make_block(aspects[i], t.shape[i] - '0', trip, rng));

  t.id = fmt::format("travel{}-{}-{}", t.shape, seed, index);
  t.initial_description = opening_text(aspects, trip, rng);
  std::vector<std::string> titles;
  for (const auto& a : aspects) titles.push_back(aspect_title(a));
  t.scenario = fmt::format("A traveller is going from {} to {} from {} to {} ({} nights) and needs: {}.{}", trip.origin,
                           trip.destination, iso(trip.start), iso(trip.end), trip.nights, join_list(titles),
                           std::find(aspects.begin(), aspects.end(), "restaurant") != aspects.end()
                               ? fmt::format(" The restaurant is for dinner on {}.", iso(trip.dinner))
                               : "");
  return t;
}

}  // namespace rapport::travel
