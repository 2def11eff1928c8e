// The airline's scripted baseline agent. It plays only from what an agent sees (the policy, the
// tools, the conversation): asks for the user id, reads the profile, finds the reservation (from
// its id, or from the route and date the customer names), checks the policy (cancellation rule,
// baggage allowance, no flight changes in basic economy), searches flights for a booking or a
// change and picks the cheapest with seats, proposes with every detail, writes only after a yes,
// and reports. It knows the phrasing of our
// generator's customers; on other customers it does what it can.
#include <fmt/format.h>

#include <map>
#include <regex>

#include "core/pynum.h"
#include "envs/tau/airline.h"
#include "envs/tau/phrases.h"
#include "envs/tau/scripted_agent.h"
#include "envs/tau/tau.h"

namespace rapport::tau {
namespace {

// What the customer wants, as the agent understands it from their words.
struct Goal {
  std::string kind;  // cancel | bags | cabin | change | book | ask_total
  std::string reservation_id;
  std::string origin, destination, date;  // the route named (a booking, or a reservation without its id)
  std::string new_date;  // change: the day to move to
  std::string reason;
  std::string cabin;
  std::int64_t bags = 0;  // to add, or to check in on a booking
  std::string companion;
  bool insurance = false;
  bool gift_card = false;
};

std::optional<Goal> read_goal(const std::string& said) {
  Goal g;
  std::string m = ascii_lower(said);
  if (has(m, {"how much"})) g.kind = "ask_total";
  else if (has(m, {"cancel"})) g.kind = "cancel";
  else if (has(m, {"book"})) g.kind = "book";
  else if (has(m, {"bag"})) g.kind = "bags";
  else if (has(m, {"flight on"})) g.kind = "change";
  else if (has(m, {"move my", "upgrade", "class"})) g.kind = "cabin";
  else return std::nullopt;
  g.reservation_id = first_match(said, R"(\b(?=[A-Z]*[0-9])[A-Z0-9]{6}\b)");
  std::smatch route;
  if (std::regex_search(said, route, std::regex(R"(from ([A-Z]{3}) to ([A-Z]{3}) on (\d{4}-\d{2}-\d{2}))"))) {
    g.origin = route[1];
    g.destination = route[2];
    g.date = route[3];
  }
  g.new_date = first_match(said, R"(flight on (\d{4}-\d{2}-\d{2}))", 1);
  g.reason = has(m, {"health"}) ? "health" : has(m, {"weather"}) ? "weather" : "change of plans";
  g.cabin = has(m, {"business"}) ? "business" : has(m, {"basic economy"}) ? "basic_economy" : "economy";
  std::string n = first_match(m, R"((?:add|with) (\d{1,2}) checked bag)", 1);
  g.bags = n.empty() ? 0 : std::stoll(n);
  g.companion = first_match(said, R"(my companion ([A-Z][a-z]+ [A-Z][a-z]+))", 1);
  g.insurance = has(m, {"with travel insurance"});
  g.gift_card = has(m, {"gift card"});
  return g;
}

json::value value_at(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  return it != o.end() ? it->value() : json::value(json::string());
}
std::int64_t int_at(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  return it != o.end() && it->value().is_int64() ? it->value().get_int64() : 0;
}

class AirlineAgent : public ScriptedToolAgent<AirlineAgent> {
 public:
  void observe(const StepResult& result) override {
    std::string tool = take_pending_tool();
    const std::string& out = result.observation;
    if (tool.empty()) return hear(out);
    bool error = out.rfind("Error", 0) == 0;
    auto v = error ? std::nullopt : parse_json(out);
    if (tool == "get_user_details" && v && v->is_object()) user_ = v->get_object();
    else if (tool == "get_reservation_details") {
      if (v && v->is_object()) reservations_[get_string(v->get_object(), "reservation_id")] = v->get_object();
      else reservations_[asked_reservation_] = json::object{};  // known not to exist
    } else if (tool == "search_direct_flight") {
      searched_ = true;
      if (v && v->is_array()) found_ = v->get_array();
    } else if (is_airline_write_tool(tool)) {
      written_ = true;
      write_failed_ = error;
      if (v && v->is_object()) {
        // What the write left is what later requests build on.
        write_record_ = v->get_object();
        if (write_record_.contains("reservation_id")) reservations_[get_string(write_record_, "reservation_id")] = write_record_;
        stale_user_ = true;
      }
    }
  }

 private:
  friend class ScriptedToolAgent<AirlineAgent>;

  void hear(const std::string& said) {
    std::string id = first_match(said, R"(\b[a-z]+_[a-z]+_\d{4}\b)");
    if (!id.empty()) user_id_ = id;
    std::string lower = ascii_lower(said);
    if (goal_ && awaiting_yes_) {
      awaiting_yes_ = false;
      if (says_yes(lower)) {
        confirmed_ = true;
        return;
      }
      proposed_ = false;
      if (auto g = read_goal(said)) set_goal(*g);
      return;
    }
    if (goal_ && !goal_done_) {
      std::string rid = first_match(said, R"(\b(?=[A-Z]*[0-9])[A-Z0-9]{6}\b)");
      if (goal_->reservation_id.empty() && !rid.empty()) goal_->reservation_id = rid;
      std::smatch route;
      if (goal_->date.empty() && std::regex_search(said, route, std::regex(R"(from ([A-Z]{3}) to ([A-Z]{3}) on (\d{4}-\d{2}-\d{2}))"))) {
        goal_->origin = route[1];
        goal_->destination = route[2];
        goal_->date = route[3];
      }
      return;
    }
    if (auto g = read_goal(said)) set_goal(*g);
  }

  void set_goal(const Goal& g) {
    goal_ = g;
    goal_done_ = confirmed_ = proposed_ = awaiting_yes_ = written_ = write_failed_ = searched_ = false;
    found_.clear();
    write_record_.clear();
  }

  AgentMove propose(const std::string& text) {
    proposed_ = awaiting_yes_ = true;
    return say(text + " Shall I proceed? (yes/no)");
  }

  std::string payment_method() const {
    const char* source = goal_->gift_card ? "gift_card" : "credit_card";
    for (const auto& kv : object_in(user_, "payment_methods"))
      if (kv.value().is_object() && get_string(kv.value().get_object(), "source") == source) return std::string(kv.key());
    return "";
  }

  AgentMove decide() {
    if (messages_ > 24) return AgentMove::tool("finish", "");
    if (user_id_.empty()) return say("Before I can help, could you please tell me your user id?");
    if (user_.empty()) return call("get_user_details", {{"user_id", user_id_}});
    if (!goal_ || goal_done_) return say("Is there anything else I can help you with?");
    if (stale_user_ && !written_) {
      stale_user_ = false;
      return call("get_user_details", {{"user_id", user_id_}});
    }
    Goal& g = *goal_;
    if (g.kind == "book") return book(g);

    // The reservation: named by the customer, or the one of theirs with the route and date named.
    if (g.reservation_id.empty()) {
      if (g.date.empty()) return say("Which reservation is it? Please give me its reservation id.");
      for (const auto& id : array_in(user_, "reservations")) {
        if (!id.is_string()) continue;
        std::string rid(id.get_string());
        auto it = reservations_.find(rid);
        if (it == reservations_.end()) {
          asked_reservation_ = rid;
          return call("get_reservation_details", {{"reservation_id", rid}});
        }
        const json::object& r = it->second;
        const json::array& flights = array_in(r, "flights");
        if (get_string(r, "origin") == g.origin && get_string(r, "destination") == g.destination && !flights.empty() &&
            flights[0].is_object() && get_string(flights[0].get_object(), "date") == g.date)
          g.reservation_id = rid;
      }
      if (g.reservation_id.empty()) return done_with("I cannot find a reservation of yours from " + g.origin + " to " + g.destination + " on " + g.date + ".");
    }
    auto it = reservations_.find(g.reservation_id);
    if (it == reservations_.end()) {
      asked_reservation_ = g.reservation_id;
      return call("get_reservation_details", {{"reservation_id", g.reservation_id}});
    }
    const json::object& r = it->second;
    if (r.empty() || get_string(r, "user_id") != user_id_)
      return done_with(fmt::format("I cannot find reservation {} in your profile.", g.reservation_id));
    const std::string rid = g.reservation_id;

    if (g.kind == "ask_total") {
      json::value sum = std::int64_t{0};
      for (const auto& p : array_in(r, "payment_history"))
        if (p.is_object() && p.get_object().contains("amount")) sum = py_add(sum, p.at("amount"));
      return done_with(fmt::format("You paid ${} in total for reservation {}.", py_str(sum), rid));
    }
    if (written_) {
      if (write_failed_) return done_with("I'm sorry, I was unable to make that change.");
      return done_with(fmt::format("Your reservation {} has been updated successfully.", rid));
    }
    const auto passengers = static_cast<std::int64_t>(array_in(r, "passengers").size());
    const std::string pid = payment_method();
    if (g.kind == "bags" || g.kind == "cabin" || g.kind == "change") {
      // The policy changes only reservations still to fly.
      bool open = get_string(r, "status") != "cancelled";
      for (const auto& f : array_in(r, "flights"))
        open = open && f.is_object() && get_string(f.get_object(), "date") > airline::kToday;
      if (!open) return done_with(fmt::format("I'm sorry, reservation {} cannot be changed: it is cancelled or has already departed.", rid));
    }
    if (g.kind == "cancel") {
      if (!airline::may_cancel(r, g.reason))
        return done_with(fmt::format("I'm sorry, reservation {} cannot be cancelled under our policy: it was booked more than "
                                     "24 hours ago, is not in business class, and is not insured for this reason.", rid));
      if (confirmed_) return call("cancel_reservation", {{"reservation_id", rid}});
      if (!proposed_)
        return propose(fmt::format("I will cancel reservation {} ({} to {}) for the reason '{}'; the refund goes to the "
                                   "original payment methods in 5 to 7 business days.", rid, get_string(r, "origin"),
                                   get_string(r, "destination"), g.reason));
    }
    if (g.kind == "bags") {
      std::int64_t total = int_at(r, "total_baggages") + g.bags;
      std::int64_t free = airline::free_bags(get_string(user_, "membership"), get_string(r, "cabin")) * passengers;
      std::int64_t nonfree = std::max(int_at(r, "nonfree_baggages"), total - free);
      if (confirmed_)
        return call("update_reservation_baggages",
                    {{"reservation_id", rid}, {"total_baggages", total}, {"nonfree_baggages", nonfree}, {"payment_id", pid}});
      if (!proposed_)
        return propose(fmt::format("I will add {} checked bag{} to reservation {}: {} bags in all, {} of them paid, ${} charged to {}.",
                                   g.bags, g.bags == 1 ? "" : "s", rid, total, nonfree,
                                   airline::kBagFee * std::max<std::int64_t>(0, nonfree - int_at(r, "nonfree_baggages")), pid));
    }
    if (g.kind == "cabin") {
      json::array flights;
      for (const auto& f : array_in(r, "flights"))
        if (f.is_object())
          flights.push_back(json::object{{"flight_number", value_at(f.get_object(), "flight_number")}, {"date", value_at(f.get_object(), "date")}});
      if (confirmed_) return call("update_reservation_flights", {{"reservation_id", rid}, {"cabin", g.cabin}, {"flights", flights}, {"payment_id", pid}});
      if (!proposed_)
        return propose(fmt::format("I will move every flight of reservation {} to the {} cabin, settling the price difference "
                                   "with {}.", rid, g.cabin, pid));
    }
    if (g.kind == "change") return change(g, r, passengers, pid);
    return say("Could you tell me once more what you would like to do?");
  }

  // The cheapest flight of the last search with seats for `n` in `cabin` (first on a tie).
  const json::object* cheapest(const std::string& cabin, std::int64_t n, std::int64_t& price) const {
    const json::object* best = nullptr;
    for (const auto& f : found_) {
      if (!f.is_object()) continue;
      const json::object& o = f.get_object();
      std::int64_t seats = int_at(object_in(o, "available_seats"), cabin), p = int_at(object_in(o, "prices"), cabin);
      if (seats < n) continue;
      if (!best || p < price) {
        best = &o;
        price = p;
      }
    }
    return best;
  }

  // Another flight for a one-way, one-flight reservation; basic economy cannot change flights.
  AgentMove change(Goal& g, const json::object& r, std::int64_t passengers, const std::string& pid) {
    const std::string rid = g.reservation_id, cabin = get_string(r, "cabin");
    if (cabin == "basic_economy")
      return done_with(fmt::format("I'm sorry, reservation {} is in basic economy, whose flights cannot be changed under our policy.", rid));
    if (array_in(r, "flights").size() != 1 || get_string(r, "flight_type") != "one_way")
      return done_with("I'm sorry, I am not able to change a trip of several flights here; let me know the whole new itinerary.");
    if (g.new_date.empty()) return say("Which day would you like to fly instead?");
    if (!searched_)
      return call("search_direct_flight", {{"origin", get_string(r, "origin")}, {"destination", get_string(r, "destination")}, {"date", g.new_date}});
    std::int64_t price = 0;
    const json::object* best = cheapest(cabin, passengers, price);
    if (!best) return done_with("I'm sorry, there is no direct flight with seats enough on that day; I cannot change it.");
    std::string number = get_string(*best, "flight_number");
    if (confirmed_)
      return call("update_reservation_flights",
                  {{"reservation_id", rid},
                   {"cabin", cabin},
                   {"flights", json::array{json::object{{"flight_number", number}, {"date", g.new_date}}}},
                   {"payment_id", pid}});
    if (!proposed_)
      return propose(fmt::format("I will move reservation {} to flight {} on {} in {} (${} a passenger), settling the price "
                                 "difference with {}.", rid, number, g.new_date, cabin, price, pid));
    return say("Could you tell me once more what you would like to do?");
  }

  AgentMove book(Goal& g) {
    if (g.date.empty()) return say("Where and when would you like to fly? Please give me the origin, the destination and the date.");
    if (written_) {
      if (write_failed_) return done_with("I'm sorry, I was unable to make the booking.");
      return done_with(fmt::format("Your flight has been booked: reservation {}.", get_string(write_record_, "reservation_id")));
    }
    if (!searched_) return call("search_direct_flight", {{"origin", g.origin}, {"destination", g.destination}, {"date", g.date}});
    json::array passengers{json::object{{"first_name", value_at(object_in(user_, "name"), "first_name")},
                                        {"last_name", value_at(object_in(user_, "name"), "last_name")},
                                        {"dob", value_at(user_, "dob")}}};
    if (!g.companion.empty()) {
      for (const auto& p : array_in(user_, "saved_passengers"))
        if (p.is_object() && fmt::format("{} {}", get_string(p.get_object(), "first_name"), get_string(p.get_object(), "last_name")) == g.companion)
          passengers.push_back(p);
      if (passengers.size() < 2) return done_with("I cannot find " + g.companion + " among your saved passengers.");
    }
    const auto n = static_cast<std::int64_t>(passengers.size());
    std::int64_t price = 0;
    const json::object* best = cheapest(g.cabin, n, price);
    if (!best) return done_with("I'm sorry, there is no direct flight with seats enough on that day; I cannot book it.");
    std::int64_t nonfree = std::max<std::int64_t>(0, g.bags - airline::free_bags(get_string(user_, "membership"), g.cabin) * n);
    std::int64_t total = price * n + (g.insurance ? airline::kInsuranceFee * n : 0) + airline::kBagFee * nonfree;
    std::string number = get_string(*best, "flight_number");
    const std::string pid = payment_method();
    if (confirmed_)
      return call("book_reservation",
                  {{"user_id", user_id_},
                   {"origin", g.origin},
                   {"destination", g.destination},
                   {"flight_type", "one_way"},
                   {"cabin", g.cabin},
                   {"flights", json::array{json::object{{"flight_number", number}, {"date", g.date}}}},
                   {"passengers", passengers},
                   {"payment_methods", json::array{json::object{{"payment_id", pid}, {"amount", total}}}},
                   {"total_baggages", g.bags},
                   {"nonfree_baggages", nonfree},
                   {"insurance", g.insurance ? "yes" : "no"}});
    if (!proposed_)
      return propose(fmt::format("I will book flight {} from {} to {} on {} in {} for {} passenger{}, {} checked bag{} ({} paid), "
                                 "insurance {}, ${} in total charged to {}.",
                                 number, g.origin, g.destination, g.date, g.cabin, n, n == 1 ? "" : "s", g.bags,
                                 g.bags == 1 ? "" : "s", nonfree, g.insurance ? "yes" : "no", total, pid));
    return say("Could you tell me once more what you would like to do?");
  }

  std::string user_id_;
  json::object user_;
  std::map<std::string, json::object> reservations_;
  std::string asked_reservation_;
  std::optional<Goal> goal_;
  bool proposed_ = false, awaiting_yes_ = false, confirmed_ = false;
  bool written_ = false, write_failed_ = false, searched_ = false, stale_user_ = false;
  json::array found_;
  json::object write_record_;
};

}  // namespace

std::unique_ptr<Agent> make_airline_agent(std::uint64_t) { return std::make_unique<AirlineAgent>(); }

}  // namespace rapport::tau
