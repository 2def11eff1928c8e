// Airline tasks drawn from our airline world (airline_world.cpp): a customer with goals (cancel,
// bags, cabin, another flight, booking, a figure to learn, a cancellation or change the policy
// refuses), the instruction for
// the simulated customer, and the gold actions and outputs, derived by construction: each gold
// write is run on a working copy of the database as it is drawn, and a draw whose write would fail
// is drawn again.
#include <fmt/format.h>

#include <optional>

#include "core/params.h"
#include "core/pynum.h"
#include "core/rng.h"
#include "envs/tau/airline.h"
#include "envs/tau/task_plan.h"
#include "envs/tau/tau.h"

namespace rapport::tau {
namespace airline {

std::string reservation_ref(const Request& r) {
  if (r.knows_order_id) return "reservation " + r.order_id;
  return fmt::format("reservation from {} to {} on {}", get_string(r.details, "origin"), get_string(r.details, "destination"),
                     get_string(r.details, "date"));
}

namespace {

std::string reason_words(const std::string& reason) {
  if (reason == "health") return "for health reasons";
  if (reason == "weather") return "because of the weather";
  return "because of a change of plans";
}

std::string payment_words(const json::object& d) {
  return get_string(d, "payment_id").rfind("gift_card", 0) == 0 ? "my gift card" : "my credit card";
}

std::string cabin_words(const std::string& cabin) {
  return cabin == "business" ? "business class" : cabin == "economy" ? "economy class" : "basic economy";
}

}  // namespace

std::string request_text(const Request& r) {
  const json::object& d = r.details;
  if (r.kind == "cancel" || r.kind == "refused_cancel")
    return fmt::format("I want to cancel my {} {}.", reservation_ref(r), reason_words(r.reason));
  if (r.kind == "bags") {
    auto n = get_int(d, "add");
    return fmt::format("I'd like to add {} checked bag{} to my {}, paid with {}.", n, n == 1 ? "" : "s", reservation_ref(r),
                       payment_words(d));
  }
  if (r.kind == "cabin")
    return fmt::format("I'd like to move my {} to {}, paid with {}.", reservation_ref(r), cabin_words(get_string(d, "cabin")),
                       payment_words(d));
  if (r.kind == "ask_total") return fmt::format("How much did I pay in total for my {}?", reservation_ref(r));
  if (r.kind == "change" || r.kind == "refused_change")
    return fmt::format("I'd like to move my {} to the cheapest direct flight on {}, paid with {}.", reservation_ref(r),
                       get_string(d, "new_date"), payment_words(d));
  if (r.kind == "book") {
    std::string companion = get_string(d, "companion");
    auto bags = get_int(d, "bags");
    return fmt::format(
        "I'd like to book a one-way trip from {} to {} on {} in {}, the cheapest direct flight, for me{}, with {}, {} travel "
        "insurance, paid with {}.",
        get_string(d, "origin"), get_string(d, "destination"), get_string(d, "date"), cabin_words(get_string(d, "cabin")),
        companion.empty() ? "" : " and my companion " + companion,
        bags == 0 ? std::string("no checked bags") : fmt::format("{} checked bag{}", bags, bags == 1 ? "" : "s"),
        get_bool(d, "insurance") ? "with" : "without", payment_words(d));
  }
  return "I need help with my reservation.";
}

}  // namespace airline

namespace {

using airline::free_bags;
using airline::may_cancel;

bool upcoming(const json::object& res) {
  if (get_string(res, "status") == "cancelled") return false;
  for (const auto& f : res.at("flights").get_array())
    if (get_string(f.get_object(), "date") <= airline::kToday) return false;
  return true;
}

json::array segments_of(const json::object& res) {
  json::array out;
  for (const auto& f : res.at("flights").get_array())
    out.push_back(json::object{{"flight_number", f.at("flight_number")}, {"date", f.at("date")}});
  return out;
}

struct Builder {
  const Db& start;
  Rng& rng;
  std::string user_id;
  std::vector<GoldAction> gold;
  std::optional<Db> work;  // a copy with the gold writes so far, made at the first write

  const Db& db() const { return work ? *work : start; }
  const json::object& user() const { return db().at("users").at(user_id).get_object(); }
  std::string method(const char* source) const {
    for (const auto& kv : user().at("payment_methods").get_object())
      if (get_string(kv.value().get_object(), "source") == source) return std::string(kv.key());
    return "";
  }
  std::vector<const json::object*> reservations(bool (*keep)(const json::object&)) const {
    std::vector<const json::object*> out;
    for (const auto& id : user().at("reservations").get_array()) {
      const json::object& r = db().at("reservations").at(id.get_string()).get_object();
      if (keep(r)) out.push_back(&r);
    }
    return out;
  }
  // Whether the route and first date name this reservation alone among the user's.
  bool unique_route(const json::object& res) const {
    int n = 0;
    for (const auto& id : user().at("reservations").get_array()) {
      const json::object& r = db().at("reservations").at(id.get_string()).get_object();
      n += r.at("origin") == res.at("origin") && r.at("destination") == res.at("destination") &&
           r.at("flights").at(0).at("date") == res.at("flights").at(0).at("date");
    }
    return n == 1;
  }
  bool run(const std::string& name, json::object kwargs) {
    if (!work) work = start;
    ToolOutcome out = call_airline_tool(*work, name, kwargs);
    if (out.error) return false;
    gold.push_back({name, std::move(kwargs)});
    return true;
  }

  // The cheapest available flight of the route that day with seats for `n` in `cabin` (first on a tie).
  const json::object* cheapest(const json::value& origin, const json::value& destination, const std::string& date,
                               const std::string& cabin, std::int64_t n, std::int64_t& price) const {
    const json::object* best = nullptr;
    for (const auto& kv : db().at("flights").get_object()) {
      const json::object& g = kv.value().get_object();
      if (g.at("origin") != origin || g.at("destination") != destination) continue;
      const json::object& rec = g.at("dates").at(date).get_object();
      if (get_string(rec, "status") != "available" || rec.at("available_seats").at(cabin).to_number<std::int64_t>() < n) continue;
      std::int64_t p = rec.at("prices").at(cabin).to_number<std::int64_t>();
      if (!best || p < price) {
        best = &g;
        price = p;
      }
    }
    return best;
  }

  void name_reservation(Request& r, const json::object& res, bool knows_id) {
    r.order_id = get_string(res, "reservation_id");
    r.knows_order_id = knows_id;
    r.details["origin"] = res.at("origin");
    r.details["destination"] = res.at("destination");
    r.details["date"] = res.at("flights").at(0).at("date");
  }

  bool make(Request& r, const std::string& kind, bool knows_id, bool rich) {
    r.kind = kind;
    if (kind == "book") return book(r, rich);
    auto pool = reservations(kind == "ask_total" ? +[](const json::object& x) { return get_string(x, "status") != "cancelled"; }
                                                  : upcoming);
    std::vector<const json::object*> fit;
    for (const json::object* res : pool)
      if (knows_id || unique_route(*res)) fit.push_back(res);
    if (kind == "cancel" || kind == "refused_cancel") {
      static const std::vector<std::string> reasons = {"change of plans", "health", "weather"};
      r.reason = kind == "cancel" ? rng.pick(reasons) : "change of plans";
      std::vector<const json::object*> ok;
      for (const json::object* res : fit)
        if (may_cancel(*res, r.reason) == (kind == "cancel")) ok.push_back(res);
      if (ok.empty()) return false;
      const json::object& res = *rng.pick(ok);
      name_reservation(r, res, knows_id);
      r.details["reason"] = r.reason;
      return kind == "refused_cancel" || run("cancel_reservation", json::object{{"reservation_id", res.at("reservation_id")}});
    }
    if (kind == "change" || kind == "refused_change") {
      std::vector<const json::object*> ok;
      for (const json::object* res : fit)
        if (res->at("flights").get_array().size() == 1 && get_string(*res, "flight_type") == "one_way" &&
            (get_string(*res, "cabin") == "basic_economy") == (kind == "refused_change"))
          ok.push_back(res);
      if (ok.empty()) return false;
      const json::object& res = *rng.pick(ok);
      name_reservation(r, res, knows_id);
      auto day = rng.range(16, 30);
      std::string date = fmt::format("2024-05-{:02d}", day);
      if (date == get_string(r.details, "date")) return false;
      std::string cabin = get_string(res, "cabin");
      std::int64_t price = 0;
      const json::object* best = cheapest(res.at("origin"), res.at("destination"), date, cabin,
                                          static_cast<std::int64_t>(res.at("passengers").get_array().size()), price);
      if (!best) return false;
      std::string card = method("credit_card");
      r.details["new_date"] = date;
      r.details["flight_number"] = best->at("flight_number");
      r.details["payment_id"] = card;
      if (kind == "refused_change") return true;
      return run("update_reservation_flights",
                 json::object{{"reservation_id", res.at("reservation_id")},
                              {"cabin", cabin},
                              {"flights", json::array{json::object{{"flight_number", best->at("flight_number")}, {"date", date}}}},
                              {"payment_id", card}});
    }
    if (fit.empty()) return false;
    const json::object& res = *rng.pick(fit);
    name_reservation(r, res, knows_id);
    std::string card = method("credit_card");
    r.details["payment_id"] = card;
    if (kind == "ask_total") {
      json::value sum = std::int64_t{0};
      for (const auto& p : res.at("payment_history").get_array()) sum = py_add(sum, p.at("amount"));
      r.figure = py_str(sum);
      return true;
    }
    if (kind == "bags") {
      auto add = rng.range(1, rich ? 3 : 2);
      r.details["add"] = add;
      auto passengers = static_cast<std::int64_t>(res.at("passengers").get_array().size());
      std::int64_t total = res.at("total_baggages").to_number<std::int64_t>() + add;
      std::int64_t free = free_bags(get_string(user(), "membership"), get_string(res, "cabin")) * passengers;
      std::int64_t nonfree = std::max(res.at("nonfree_baggages").to_number<std::int64_t>(), total - free);
      return run("update_reservation_baggages", json::object{{"reservation_id", res.at("reservation_id")},
                                                             {"total_baggages", total},
                                                             {"nonfree_baggages", nonfree},
                                                             {"payment_id", card}});
    }
    if (kind == "cabin") {
      std::string cabin = get_string(res, "cabin") == "business" ? "economy" : "business";
      r.details["cabin"] = cabin;
      return run("update_reservation_flights", json::object{{"reservation_id", res.at("reservation_id")},
                                                            {"cabin", cabin},
                                                            {"flights", segments_of(res)},
                                                            {"payment_id", card}});
    }
    return false;
  }

  // A one-way direct trip on a route our flights serve, the cheapest flight with seats enough.
  bool book(Request& r, bool rich) {
    const auto& flights = db().at("flights").get_object();
    const json::object& f = flights.begin()[static_cast<std::ptrdiff_t>(rng.below(flights.size()))].value().get_object();
    auto day = rng.range(16, 30);
    std::string date = fmt::format("2024-05-{:02d}", day);
    static const std::vector<std::string> cabins = {"basic_economy", "economy", "business"};
    std::string cabin = rich ? rng.pick(cabins) : "economy";
    const json::object& me = user();
    json::array passengers{json::object{{"first_name", me.at("name").at("first_name")},
                                        {"last_name", me.at("name").at("last_name")},
                                        {"dob", me.at("dob")}}};
    std::string companion;
    if (rich) {
      const json::object& s = me.at("saved_passengers").at(0).get_object();
      passengers.push_back(s);
      companion = fmt::format("{} {}", get_string(s, "first_name"), get_string(s, "last_name"));
    }
    auto n = static_cast<std::int64_t>(passengers.size());
    std::int64_t best_price = 0;
    const json::object* best = cheapest(f.at("origin"), f.at("destination"), date, cabin, n, best_price);
    if (!best) return false;
    std::int64_t bags = rich ? rng.range(0, 3) : 0;
    bool insurance = rich && rng.chance(0.5);
    std::int64_t nonfree = std::max<std::int64_t>(0, bags - free_bags(get_string(me, "membership"), cabin) * n);
    std::int64_t total = best_price * n + (insurance ? airline::kInsuranceFee * n : 0) + airline::kBagFee * nonfree;
    std::string card = method("credit_card");
    r.details = json::object{{"origin", f.at("origin")},   {"destination", f.at("destination")}, {"date", date},
                             {"cabin", cabin},             {"companion", companion},             {"bags", bags},
                             {"insurance", insurance},     {"payment_id", card},                 {"flight_number", best->at("flight_number")},
                             {"total", total}};
    return run("book_reservation", json::object{{"user_id", user_id},
                                                {"origin", f.at("origin")},
                                                {"destination", f.at("destination")},
                                                {"flight_type", "one_way"},
                                                {"cabin", cabin},
                                                {"flights", json::array{json::object{{"flight_number", best->at("flight_number")},
                                                                                     {"date", date}}}},
                                                {"passengers", std::move(passengers)},
                                                {"payment_methods", json::array{json::object{{"payment_id", card}, {"amount", total}}}},
                                                {"total_baggages", bags},
                                                {"nonfree_baggages", nonfree},
                                                {"insurance", insurance ? "yes" : "no"}});
  }
};

}  // namespace

TauTask generate_airline_task(std::uint64_t world, std::uint64_t index, std::string_view tier) {
  if (tier != "easy" && tier != "medium" && tier != "hard") throw ConfigError(fmt::format("tau: unknown tier '{}'", tier));
  const Db db = generate_airline_db(world);
  Rng rng = Rng::derive(world, fmt::format("tau/airline/task/{}", tier), index);
  const auto& users = db.at("users").get_object();
  for (int attempt = 0;; ++attempt) {
    const auto& entry = users.begin()[static_cast<std::ptrdiff_t>(rng.below(users.size()))];
    Builder b{db, rng, std::string(entry.key()), {}, std::nullopt};
    TauTask t;
    t.domain = "airline";
    t.source = "generated";
    t.tier = std::string(tier);
    t.world = world;
    t.user_id = b.user_id;
    const json::object& u = entry.value().get_object();
    t.identity.first_name = get_string(u.at("name").get_object(), "first_name");
    t.identity.last_name = get_string(u.at("name").get_object(), "last_name");
    t.identity.email = get_string(u, "email");
    // (kind, rich): easy is one request with the reservation id known; medium names the
    // reservation by its route and books for two with bags; hard adds a first request that is a
    // refusal the policy demands or a figure to report.
    static const TierKinds kinds{{"cancel", "bags", "cabin", "change", "book"},
                                 {"cancel", "bags", "cabin", "change", "book"},
                                 {"refused_cancel", "refused_change", "ask_total", "cancel", "bags"},
                                 {"cancel", "bags", "cabin", "change", "book"}};
    const bool ok = make_requests(b, plan_tier(tier, rng, kinds), t.requests);
    if (!ok && attempt < 300) continue;
    if (!ok) throw ConfigError(fmt::format("tau: airline world {} has no user for a {} task", world, tier));
    t.actions = std::move(b.gold);
    for (const auto& r : t.requests)
      if (!r.figure.empty()) t.outputs.push_back(r.figure);
    t.id = fmt::format("airline-{}-{}-{}", tier, world, index);
    t.opening = "Hi! " + airline::request_text(t.requests.front());
    const std::string goals = numbered_requests(t.requests, airline::request_text);
    t.instruction = fmt::format(
        "You are {} {}, a customer of an airline; your user id is {}. You contact customer service for the following, one "
        "after the other (in your own words):{}\nGive your user id when asked. You do not know anything else about your "
        "account (such as reservation ids other than those above). Agree only to what matches these wishes. If the agent "
        "says a request cannot be done, accept it and move on.",
        t.identity.first_name, t.identity.last_name, t.user_id, goals);
    return t;
  }
}

}  // namespace rapport::tau
