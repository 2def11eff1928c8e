// Our airline: a database drawn from a world seed in tau-bench's airline schema (taubench-behaviour
// §1.3): flights between eight of the airports list_all_airports names, each with a record per
// date of May 2024 (landed or cancelled before the 15th, under way on the 15th, bookable after it,
// with seats and prices per cabin), users with credit cards, gift cards and certificates,
// memberships and saved passengers, and their reservations in every state (flown, upcoming,
// booked within the last day, insured, cancelled). Also the policy's rules the generator, the
// customer and the agent share (airline.h).
#include <fmt/format.h>

#include "core/pynum.h"
#include "core/rng.h"
#include "envs/tau/airline.h"
#include "envs/tau/tau.h"

namespace rapport::tau {
namespace airline {

int free_bags(const std::string& membership, const std::string& cabin) {
  int level = membership == "gold" ? 2 : membership == "silver" ? 1 : 0;
  int base = cabin == "business" ? 2 : cabin == "economy" ? 1 : 0;
  return level + base;
}

bool may_cancel(const json::object& reservation, const std::string& reason) {
  if (get_string(reservation, "status") == "cancelled") return false;
  auto it = reservation.find("flights");
  if (it == reservation.end() || !it->value().is_array()) return false;
  for (const auto& f : it->value().get_array())
    if (!f.is_object() || get_string(f.get_object(), "date") <= kToday) return false;  // departed or flown
  if (get_string(reservation, "created_at") > kDayAgo) return true;
  if (get_string(reservation, "cabin") == "business") return true;
  return get_string(reservation, "insurance") == "yes" && (reason == "health" || reason == "weather");
}

}  // namespace airline

namespace {

const std::vector<const char*> kAirports = {"JFK", "LAX", "ORD", "SFO", "SEA", "ATL", "BOS", "DEN"};
const std::vector<const char*> kCabins = {"basic_economy", "economy", "business"};
const std::vector<const char*> kFirst = {"Ava",  "Liam", "Mia",  "Noah", "Emma",  "Omar", "Sofia", "Yusuf",
                                         "Chen", "Aria", "Ivan", "Nora", "Mateo", "Zoe",  "Kofi",  "Lena"};
const std::vector<const char*> kLast = {"Lee",  "Garcia", "Patel", "Kim",   "Rossi", "Silva",  "Nguyen", "Brown",
                                        "Khan", "Moreau", "Novak", "Sato",  "Evans", "Ortiz",  "Haddad", "Berg"};
const std::vector<const char*> kCities = {"Austin", "Denver", "Portland", "Boston", "Phoenix", "Columbus"};
const std::vector<const char*> kStates = {"TX", "CO", "OR", "MA", "AZ", "OH"};

std::string digits(Rng& rng, int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s += static_cast<char>('0' + (i == 0 ? 1 + rng.below(9) : rng.below(10)));
  return s;
}

std::string reservation_code(Rng& rng) {
  static const char* kChars = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789";
  std::string s;
  for (int i = 0; i < 6; ++i) s += kChars[rng.below(34)];
  if (s.find_first_of("0123456789") == std::string::npos) s[5] = '7';  // ids always hold a digit
  return s;
}

std::string date_of(int day) { return fmt::format("2024-05-{:02d}", day); }
std::string clock(int minutes) { return fmt::format("{:02d}:{:02d}:00", minutes / 60, minutes % 60); }

// The per-date record of a flight, by tau-bench's rule of which statuses occur when.
json::object date_record(Rng& rng, int day, int dep, int arr) {
  std::string d = date_of(day);
  if (day < 15) {
    if (rng.chance(0.06)) return json::object{{"status", "cancelled"}};
    auto late = rng.range(0, 40);
    return json::object{{"status", "landed"},
                        {"actual_departure_time_est", fmt::format("{}T{}", d, clock(dep + static_cast<int>(late)))},
                        {"actual_arrival_time_est", fmt::format("{}T{}", d, clock(arr + static_cast<int>(late)))}};
  }
  if (day == 15) {
    if (dep < 13 * 60) return json::object{{"status", "landed"},
                                           {"actual_departure_time_est", fmt::format("{}T{}", d, clock(dep))},
                                           {"actual_arrival_time_est", fmt::format("{}T{}", d, clock(arr))}};
    if (rng.chance(0.3))
      return json::object{{"status", "delayed"},
                          {"estimated_departure_time_est", fmt::format("{}T{}", d, clock(dep + 90))},
                          {"estimated_arrival_time_est", fmt::format("{}T{}", d, clock(arr + 90))}};
    return json::object{{"status", "on time"},
                        {"estimated_departure_time_est", fmt::format("{}T{}", d, clock(dep))},
                        {"estimated_arrival_time_est", fmt::format("{}T{}", d, clock(arr))}};
  }
  json::object seats, prices;
  std::int64_t base = rng.range(60, 140);
  seats["basic_economy"] = rng.range(0, 12);
  seats["economy"] = rng.range(2, 16);
  seats["business"] = rng.range(1, 10);
  prices["basic_economy"] = base;
  prices["economy"] = base + rng.range(40, 120);
  prices["business"] = base + rng.range(250, 600);
  return json::object{{"status", "available"}, {"available_seats", std::move(seats)}, {"prices", std::move(prices)}};
}

struct Drawn {
  std::string number, origin, destination;
};

}  // namespace

Db generate_airline_db(std::uint64_t world) {
  Rng rng = Rng::derive(world, "tau/airline/db");
  json::object flights;
  std::vector<Drawn> routes;
  int n = 0;
  // Two flights a day each way on eight routes.
  std::vector<std::pair<const char*, const char*>> pairs;
  while (pairs.size() < 8) {
    const char* a = rng.pick(kAirports);
    const char* b = rng.pick(kAirports);
    if (std::string_view(a) == b) continue;
    bool seen = false;
    for (const auto& [x, y] : pairs) seen = seen || (std::string_view(x) == a && std::string_view(y) == b) ||
                                             (std::string_view(x) == b && std::string_view(y) == a);
    if (!seen) pairs.emplace_back(a, b);
  }
  for (const auto& [a, b] : pairs) {
    for (int dir = 0; dir < 2; ++dir) {
      for (int k = 0; k < 2; ++k) {
        std::string number = fmt::format("HAT{:03d}", ++n);
        int dep = static_cast<int>(rng.range(6 * 60, 20 * 60) / 30 * 30);
        int arr = dep + static_cast<int>(rng.range(60, 300) / 15 * 15);
        if (arr >= 24 * 60) arr = 23 * 60 + 45;
        json::object dates;
        for (int day = 1; day <= 30; ++day) dates[date_of(day)] = date_record(rng, day, dep, arr);
        const char* origin = dir == 0 ? a : b;
        const char* destination = dir == 0 ? b : a;
        flights[number] = json::object{{"flight_number", number},
                                       {"origin", origin},
                                       {"destination", destination},
                                       {"scheduled_departure_time_est", clock(dep)},
                                       {"scheduled_arrival_time_est", clock(arr)},
                                       {"dates", std::move(dates)}};
        routes.push_back({number, origin, destination});
      }
    }
  }

  json::object users, reservations;
  for (int u = 0; u < 18; ++u) {
    std::string first = rng.pick(kFirst), last = rng.pick(kLast);
    std::string uid = ascii_lower(fmt::format("{}_{}_{}", first, last, digits(rng, 4)));
    if (users.contains(uid)) continue;
    json::object methods;
    std::string card = "credit_card_" + digits(rng, 7);
    methods[card] = json::object{{"source", "credit_card"}, {"brand", rng.chance(0.5) ? "visa" : "mastercard"},
                                 {"last_four", digits(rng, 4)}, {"id", card}};
    std::string gift;
    if (rng.chance(0.5)) {
      gift = "gift_card_" + digits(rng, 7);
      methods[gift] = json::object{{"source", "gift_card"}, {"amount", rng.range(50, 400)}, {"id", gift}};
    }
    if (rng.chance(0.4)) {
      std::string cert = "certificate_" + digits(rng, 7);
      methods[cert] = json::object{{"source", "certificate"}, {"amount", rng.range(1, 5) * 50}, {"id", cert}};
    }
    auto year = rng.range(1950, 2000);
    auto month = rng.range(1, 12);
    auto dday = rng.range(1, 28);
    std::string dob = fmt::format("{}-{:02d}-{:02d}", year, month, dday);
    json::array saved;
    auto n_saved = rng.range(1, 2);
    for (int s = 0; s < n_saved; ++s) {
      const char* sf = rng.pick(kFirst);
      const char* sl = rng.pick(kLast);
      auto sy = rng.range(1950, 2015);
      auto sm = rng.range(1, 12);
      auto sd = rng.range(1, 28);
      saved.push_back(json::object{{"first_name", sf}, {"last_name", sl}, {"dob", fmt::format("{}-{:02d}-{:02d}", sy, sm, sd)}});
    }
    const char* membership = rng.pick(std::vector<const char*>{"regular", "regular", "silver", "gold"});
    auto city = rng.below(kCities.size());
    auto street = rng.range(10, 999);
    auto unit = rng.range(1, 400);
    json::object user{{"name", json::object{{"first_name", first}, {"last_name", last}}},
                      {"address", json::object{{"address1", fmt::format("{} Main Street", street)},
                                               {"address2", fmt::format("Suite {}", unit)},
                                               {"city", kCities[city]},
                                               {"country", "USA"},
                                               {"state", kStates[city]},
                                               {"zip", digits(rng, 5)}}},
                      {"email", ascii_lower(fmt::format("{}.{}{}@example.com", first, last, digits(rng, 4)))},
                      {"dob", dob},
                      {"payment_methods", methods},
                      {"saved_passengers", saved},
                      {"membership", membership},
                      {"reservations", json::array{}}};

    auto n_res = rng.range(2, 4);
    for (int r = 0; r < n_res; ++r) {
      const Drawn& out = routes[rng.below(routes.size())];
      bool round = rng.chance(0.4);
      const char* cabin = rng.pick(kCabins);
      bool past = rng.chance(0.3);
      int day = past ? static_cast<int>(rng.range(3, 12)) : static_cast<int>(rng.range(17, 24));
      json::array segs;
      std::int64_t per_passenger = 0;
      auto add_segment = [&](const Drawn& f, int d) {
        const json::object& rec = flights.at(f.number).at("dates").at(date_of(d)).get_object();
        std::int64_t price = rec.contains("prices") ? rec.at("prices").at(cabin).as_int64() : rng.range(80, 700);
        per_passenger += price;
        segs.push_back(json::object{{"origin", f.origin}, {"destination", f.destination}, {"flight_number", f.number},
                                    {"date", date_of(d)}, {"price", price}});
      };
      add_segment(out, day);
      if (round) {
        // The way back: a flight of the reverse route, a few days later.
        std::vector<const Drawn*> back;
        for (const auto& f : routes)
          if (f.origin == out.destination && f.destination == out.origin) back.push_back(&f);
        const Drawn& home = *back[rng.below(back.size())];
        auto later = rng.range(2, 5);
        add_segment(home, day + static_cast<int>(later));
      }
      json::array passengers{json::object{{"first_name", first}, {"last_name", last}, {"dob", dob}}};
      if (rng.chance(0.4)) passengers.push_back(saved[0]);
      auto count = static_cast<std::int64_t>(passengers.size());
      bool insured = rng.chance(0.35);
      auto bags = rng.range(0, 2) * count;
      std::int64_t nonfree = std::max<std::int64_t>(0, bags - airline::free_bags(membership, cabin) * count);
      std::int64_t total = per_passenger * count + (insured ? airline::kInsuranceFee * count : 0) + airline::kBagFee * nonfree;
      std::string payer = !gift.empty() && rng.chance(0.3) ? gift : card;
      // Booked within the last day (a free cancellation), or days ago. One draw per statement: the
      // order of a call's arguments is unspecified, and the native and WebAssembly compilers differ.
      bool recent = !past && rng.chance(0.2);
      auto booked_day = recent ? 14 : rng.range(1, past ? 2 : 12);
      auto hour = recent ? rng.range(16, 23) : rng.range(0, 23);
      auto minute = rng.range(0, 59);
      std::string created = fmt::format("{}T{:02d}:{:02d}:00", date_of(static_cast<int>(booked_day)), hour, minute);
      std::string code = reservation_code(rng);
      if (reservations.contains(code)) continue;
      json::object res{{"reservation_id", code},
                       {"user_id", uid},
                       {"origin", out.origin},
                       {"destination", out.destination},
                       {"flight_type", round ? "round_trip" : "one_way"},
                       {"cabin", cabin},
                       {"flights", std::move(segs)},
                       {"passengers", std::move(passengers)},
                       {"payment_history", json::array{json::object{{"payment_id", payer}, {"amount", total}}}},
                       {"created_at", created},
                       {"total_baggages", bags},
                       {"nonfree_baggages", nonfree},
                       {"insurance", insured ? "yes" : "no"}};
      if (!past && rng.chance(0.1)) {
        res["payment_history"].as_array().push_back(json::object{{"payment_id", payer}, {"amount", -total}});
        res["status"] = "cancelled";
      }
      reservations[code] = std::move(res);
      user["reservations"].as_array().push_back(json::string(code));
    }
    users[uid] = std::move(user);
  }
  return Db{{"flights", std::move(flights)}, {"reservations", std::move(reservations)}, {"users", std::move(users)}};
}

}  // namespace rapport::tau
