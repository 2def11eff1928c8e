// The airline tools, reproducing tau-bench's (taubench-behaviour §2.1, §2.3–2.5): same checks in
// the same order with the same messages (including "user not found" for a missing reservation),
// same effects (no seat bookkeeping, no policy checks: the policy is the agent's to keep), outputs
// as json.dumps of the affected record. Amounts follow Python's int/float arithmetic, and values of
// the wrong type meet the fate they would meet in Python (a plain miss, or Python's error text).
#include <fmt/format.h>

#include "core/pynum.h"
#include "envs/tau/tau.h"
#include "envs/tau/tool_support.h"

namespace rapport::tau {
namespace {

// ---- Python semantics the tools lean on ----

bool is_num(const json::value& v) { return v.is_int64() || v.is_uint64() || v.is_double(); }

double num(const json::value& v) {
  if (v.is_int64()) return static_cast<double>(v.get_int64());
  if (v.is_uint64()) return static_cast<double>(v.get_uint64());
  return v.get_double();
}

// A bool counts as the int it is in Python.
json::value as_number(const json::value& v) {
  if (v.is_bool()) return std::int64_t{v.get_bool() ? 1 : 0};
  return v;
}

[[noreturn]] void operand_error(const char* op, const json::value& a, const json::value& b) {
  throw Fail{fmt::format("unsupported operand type(s) for {}: '{}' and '{}'", op, py_type(a), py_type(b))};
}

json::value add(const json::value& a, const json::value& b, const char* op = "+") {
  json::value x = as_number(a), y = as_number(b);
  if (!is_num(x) || !is_num(y)) operand_error(op, a, b);
  return py_add(x, y);
}

json::value sub(const json::value& a, const json::value& b, const char* op = "-") {
  json::value x = as_number(a), y = as_number(b);
  if (!is_num(x) || !is_num(y)) operand_error(op, a, b);
  return py_sub(x, y);
}

// n * v for an int n (a count or a fixed fee). Ints stay exact within 64 bits and go on as doubles
// beyond (Python's are unbounded), as calculate does.
json::value times(std::int64_t n, const json::value& v) {
  json::value x = as_number(v);
  std::int64_t product = 0;
  if (x.is_int64() && !__builtin_mul_overflow(n, x.get_int64(), &product)) return product;
  if (x.is_int64() || x.is_uint64()) return static_cast<double>(n) * num(x);
  if (x.is_double()) return static_cast<double>(n) * x.get_double();
  operand_error("*", json::value(n), v);
}

json::value negate(const json::value& v) {
  json::value x = as_number(v);
  if (x.is_int64()) return -x.get_int64();
  if (x.is_uint64()) return -static_cast<std::int64_t>(x.get_uint64());
  if (x.is_double()) return -x.get_double();
  throw Fail{fmt::format("bad operand type for unary -: '{}'", py_type(v))};
}

// a < b, with Python's TypeError for what cannot be ordered.
bool less(const json::value& a, const json::value& b) {
  json::value x = as_number(a), y = as_number(b);
  if (is_num(x) && is_num(y)) return py_less(x, y);
  if (a.is_string() && b.is_string()) return a.get_string() < b.get_string();
  throw Fail{fmt::format("'<' not supported between instances of '{}' and '{}'", py_type(a), py_type(b))};
}

// a == b as Python compares numbers (250 == 250.0), else by value.
bool equal(const json::value& a, const json::value& b) {
  json::value x = as_number(a), y = as_number(b);
  if (is_num(x) && is_num(y)) {
    if (x.is_double() || y.is_double()) return num(x) == num(y);
    return !py_less(x, y) && !py_less(y, x);
  }
  return a == b;
}

std::size_t py_len(const json::value& v) {
  if (v.is_array()) return v.get_array().size();
  if (v.is_object()) return v.get_object().size();
  if (v.is_string()) {
    std::size_t n = 0;  // code points
    for (unsigned char c : v.get_string()) n += (c & 0xc0) != 0x80;
    return n;
  }
  throw Fail{fmt::format("object of type '{}' has no len()", py_type(v))};
}

// container[key] for a string key, with Python's errors.
const json::value& at(const json::value& container, const char* key) {
  if (container.is_object()) {
    auto it = container.get_object().find(key);
    if (it == container.get_object().end()) throw Fail{fmt::format("'{}'", key)};
    return it->value();
  }
  if (container.is_string()) throw Fail{"string indices must be integers, not 'str'"};
  if (container.is_array()) throw Fail{"list indices must be integers or slices, not str"};
  throw Fail{fmt::format("'{}' object is not subscriptable", py_type(container))};
}
json::value& at(json::value& container, const char* key) {
  return const_cast<json::value&>(at(static_cast<const json::value&>(container), key));
}

// `key in table` for a dict: unhashable keys raise, other non-strings are never there.
bool has_key(const json::object& table, const json::value& key) {
  if (key.is_array() || key.is_object()) throw Fail{fmt::format("unhashable type: '{}'", py_type(key))};
  return key.is_string() && table.contains(key.get_string());
}

json::object& entry(json::object& table, const json::value& key) { return table[key.get_string()].as_object(); }

// Python's KeyError text for a missing dict key.
[[noreturn]] void key_error(const json::value& key) { throw Fail{canonical_repr(key)}; }

// ---- the airline's records ----

json::object& user_methods(Db& db, const json::value& user_id) {
  auto& users = table(db, "users");
  if (!has_key(users, user_id)) key_error(user_id);
  return entry(users, user_id)["payment_methods"].as_object();
}

// The flight's fields except its dates.
json::object flight_fields(const json::object& flight) {
  json::object out;
  for (const auto& kv : flight)
    if (kv.key() != "dates") out[kv.key()] = kv.value();
  return out;
}

void update(json::object& into, const json::value& from) {
  for (const auto& kv : from.get_object()) into[kv.key()] = kv.value();
}

// Checks one new segment against the flight table and fills in price, origin and destination as
// book_reservation and update_reservation_flights do; returns the segment's price.
json::value price_segment(Db& db, json::value& segment, const json::value& cabin, std::size_t passengers) {
  const json::value& number = at(segment, "flight_number");
  auto& flights = table(db, "flights");
  if (!has_key(flights, number)) throw Fail{fmt::format("flight {} not found", py_str(number))};
  const json::object& flight = entry(flights, number);
  const json::value& date = at(segment, "date");
  const json::object& dates = flight.at("dates").get_object();
  if (!has_key(dates, date)) throw Fail{fmt::format("flight {} not found on date {}", py_str(number), py_str(date))};
  const json::value& record = dates.at(date.get_string());
  if (at(record, "status") != "available")
    throw Fail{fmt::format("flight {} not available on date {}", py_str(number), py_str(date))};
  const json::object& seats = at(record, "available_seats").get_object();
  if (!has_key(seats, cabin)) key_error(cabin);
  if (less(seats.at(cabin.get_string()), json::value(static_cast<std::int64_t>(passengers))))
    throw Fail{fmt::format("not enough seats on flight {}", py_str(number))};
  const json::object& prices = at(record, "prices").get_object();
  if (!has_key(prices, cabin)) key_error(cabin);
  json::value price = prices.at(cabin.get_string());
  auto& s = segment.as_object();
  s["price"] = price;
  s["origin"] = flight.at("origin");
  s["destination"] = flight.at("destination");
  return price;
}

// The payment checks of the two update tools: the method's record, refused for certificates and
// for gift cards short of `price`.
json::object& update_method(Db& db, const json::object& reservation, const json::value& payment_id, const json::value& price) {
  json::object& methods = user_methods(db, reservation.at("user_id"));
  if (!has_key(methods, payment_id)) throw Fail{"payment method not found"};
  json::object& method = entry(methods, payment_id);
  const json::value& source = method.at("source");
  if (source == "certificate") throw Fail{"certificate cannot be used to update reservation"};
  if (source == "gift_card" && less(method.at("amount"), price)) throw Fail{"gift card balance is not enough"};
  return method;
}

json::object& reservation_of(Db& db, const json::value& id) {
  return *lookup(table(db, "reservations"), id, "reservation not found");
}

// ---- the tools ----

std::string get_user_details(Db& db, const json::object& a, bool) {
  return to_python_json(*lookup(table(db, "users"), a.at("user_id"), "user not found"));
}

std::string get_reservation_details(Db& db, const json::object& a, bool) {
  return to_python_json(*lookup(table(db, "reservations"), a.at("reservation_id"), "user not found"));
}

std::string list_all_airports(Db&, const json::object&, bool) {
  static const json::object airports{
      {"SFO", "San Francisco"}, {"JFK", "New York"},   {"LAX", "Los Angeles"}, {"ORD", "Chicago"},
      {"DFW", "Dallas"},        {"DEN", "Denver"},     {"SEA", "Seattle"},     {"ATL", "Atlanta"},
      {"MIA", "Miami"},         {"BOS", "Boston"},     {"PHX", "Phoenix"},     {"IAH", "Houston"},
      {"LAS", "Las Vegas"},     {"MCO", "Orlando"},    {"EWR", "Newark"},      {"CLT", "Charlotte"},
      {"MSP", "Minneapolis"},   {"DTW", "Detroit"},    {"PHL", "Philadelphia"}, {"LGA", "LaGuardia"}};
  return to_python_json(airports);
}

std::string search_direct_flight(Db& db, const json::object& a, bool) {
  json::array results;
  for (const auto& [number, flight] : table(db, "flights")) {
    const json::object& f = flight.get_object();
    if (f.at("origin") != a.at("origin") || f.at("destination") != a.at("destination")) continue;
    const json::object& dates = f.at("dates").get_object();
    if (!has_key(dates, a.at("date"))) continue;
    const json::value& record = dates.at(a.at("date").get_string());
    if (at(record, "status") != "available") continue;
    json::object out = flight_fields(f);
    update(out, record);
    results.push_back(std::move(out));
  }
  return to_python_json(results);
}

// "2024-05-" + str(int(date[-2:]) + 1), as tau-bench forms the next day (no zero padding).
std::string next_day(const json::value& date) {
  if (!date.is_string()) throw Fail{fmt::format("'{}' object is not subscriptable", py_type(date))};
  std::string_view d = date.get_string();
  std::string tail(d.substr(d.size() >= 2 ? d.size() - 2 : 0));
  std::string_view t = py_strip(tail);
  std::size_t i = !t.empty() && (t[0] == '-' || t[0] == '+') ? 1 : 0;
  bool digits = i < t.size();
  for (std::size_t k = i; k < t.size(); ++k) digits = digits && t[k] >= '0' && t[k] <= '9';
  if (!digits)
    throw Fail{fmt::format("invalid literal for int() with base 10: {}", canonical_repr(json::string(tail)))};
  long day = std::stol(std::string(t));
  return fmt::format("2024-05-{}", day + 1);
}

std::string search_onestop_flight(Db& db, const json::object& a, bool) {
  const json::value& origin = a.at("origin");
  const json::value& destination = a.at("destination");
  const json::value& date = a.at("date");
  json::array results;
  const auto& flights = table(db, "flights");
  for (const auto& [n1, v1] : flights) {
    const json::object& f1 = v1.get_object();
    if (f1.at("origin") != origin) continue;
    for (const auto& [n2, v2] : flights) {
      const json::object& f2 = v2.get_object();
      if (f2.at("destination") != destination || f1.at("destination") != f2.at("origin")) continue;
      const json::value& arrival = f1.at("scheduled_arrival_time_est");
      bool overnight = arrival.is_string() && std::string_view(arrival.get_string()).find("+1") != std::string_view::npos;
      json::value date2 = overnight ? json::value(json::string(next_day(date))) : date;
      if (less(f2.at("scheduled_departure_time_est"), arrival)) continue;
      const json::object& d1 = f1.at("dates").get_object();
      const json::object& d2 = f2.at("dates").get_object();
      if (!has_key(d1, date) || !has_key(d2, date2)) continue;
      if (at(d1.at(date.get_string()), "status") != "available" || at(d2.at(date2.get_string()), "status") != "available") continue;
      json::object first = flight_fields(f1);
      update(first, d1.at(date.get_string()));
      first["date"] = date;
      json::object second = flight_fields(f2);
      if (!d2.contains(date.get_string())) key_error(date);  // tau-bench reads the first day's record here
      update(second, d2.at(date.get_string()));
      second["date"] = date2;
      results.push_back(json::array{std::move(first), std::move(second)});
    }
  }
  return to_python_json(results);
}

std::string book_reservation(Db& db, const json::object& a, bool) {
  auto& users = table(db, "users");
  json::object& user = *lookup(users, a.at("user_id"), "user not found");
  auto& reservations = table(db, "reservations");
  std::string id = "HATHAT";
  if (reservations.contains(id)) id = "HATHAU";
  if (reservations.contains(id)) id = "HATHAV";
  json::object r{{"reservation_id", id},
                 {"user_id", a.at("user_id")},
                 {"origin", a.at("origin")},
                 {"destination", a.at("destination")},
                 {"flight_type", a.at("flight_type")},
                 {"cabin", a.at("cabin")},
                 {"flights", a.at("flights")},
                 {"passengers", a.at("passengers")},
                 {"payment_history", a.at("payment_methods")},
                 {"created_at", "2024-05-15T15:00:00"},
                 {"total_baggages", a.at("total_baggages")},
                 {"nonfree_baggages", a.at("nonfree_baggages")},
                 {"insurance", a.at("insurance")}};
  // len(passengers) is taken where Python takes it: per segment, and for the insurance.
  auto passengers = [&] { return py_len(a.at("passengers")); };
  json::value total = std::int64_t{0};
  if (r["flights"].is_array()) {
    for (auto& segment : r["flights"].as_array()) {
      json::value price = price_segment(db, segment, a.at("cabin"), passengers());
      total = add(total, times(static_cast<std::int64_t>(passengers()), price), "+=");
    }
  } else {
    for (auto& segment : as_list(r["flights"])) at(segment, "flight_number");  // Python fails on what it iterates
  }
  if (a.at("insurance") == "yes") total = add(total, std::int64_t{30 * static_cast<std::int64_t>(passengers())}, "+=");
  const json::value& nonfree = a.at("nonfree_baggages");
  if (!is_num(as_number(nonfree))) {
    if (!nonfree.is_string() && !nonfree.is_array()) operand_error("*", json::value(std::int64_t{50}), nonfree);
    operand_error("+=", total, nonfree);  // 50 * a str or list repeats it; adding that to a number fails
  }
  total = add(total, times(50, nonfree), "+=");

  const json::value& payments = a.at("payment_methods");
  auto& methods = user["payment_methods"].as_object();
  json::value paid = std::int64_t{0};
  for (const auto& p : as_list(payments)) {
    const json::value& pid = at(p, "payment_id");
    const json::value& amount = at(p, "amount");
    if (!has_key(methods, pid)) throw Fail{fmt::format("payment method {} not found", py_str(pid))};
    const json::object& method = entry(methods, pid);
    const json::value& source = method.at("source");
    if ((source == "gift_card" || source == "certificate") && less(method.at("amount"), amount))
      throw Fail{fmt::format("not enough balance in payment method {}", py_str(pid))};
  }
  for (const auto& p : as_list(payments)) paid = add(paid, at(p, "amount"));
  if (!equal(paid, total))
    throw Fail{fmt::format("payment amount does not add up, total price is {}, but paid {}", py_str(total), py_str(paid))};

  for (const auto& p : as_list(payments)) {
    const json::value& pid = at(p, "payment_id");
    if (!has_key(methods, pid)) throw Fail{.message = canonical_repr(pid), .keep = true};  // a certificate listed twice: gone already
    json::object& method = entry(methods, pid);
    if (method.at("source") == "gift_card") method["amount"] = sub(method.at("amount"), at(p, "amount"), "-=");
    else if (method.at("source") == "certificate") methods.erase(pid.get_string());
  }
  reservations[id] = std::move(r);
  user["reservations"].as_array().push_back(json::string(id));
  return to_python_json(reservations.at(id));
}

std::string cancel_reservation(Db& db, const json::object& a, bool) {
  json::object& r = reservation_of(db, a.at("reservation_id"));
  json::array refunds;
  for (const auto& p : r.at("payment_history").get_array())
    refunds.push_back(json::object{{"payment_id", at(p, "payment_id")}, {"amount", negate(at(p, "amount"))}});
  for (auto& x : refunds) r["payment_history"].as_array().push_back(std::move(x));
  r["status"] = "cancelled";
  return to_python_json(r);
}

std::string update_reservation_baggages(Db& db, const json::object& a, bool) {
  json::object& r = reservation_of(db, a.at("reservation_id"));
  json::value extra = sub(a.at("nonfree_baggages"), r.at("nonfree_baggages"));
  json::value price = times(50, less(json::value(std::int64_t{0}), extra) ? extra : json::value(std::int64_t{0}));
  json::object& method = update_method(db, r, a.at("payment_id"), price);
  r["total_baggages"] = a.at("total_baggages");
  r["nonfree_baggages"] = a.at("nonfree_baggages");
  if (method.at("source") == "gift_card") method["amount"] = sub(method.at("amount"), price, "-=");
  if (!equal(price, json::value(std::int64_t{0})))
    r["payment_history"].as_array().push_back(json::object{{"payment_id", a.at("payment_id")}, {"amount", price}});
  return to_python_json(r);
}

std::string update_reservation_flights(Db& db, const json::object& a, bool) {
  json::object& r = reservation_of(db, a.at("reservation_id"));
  const json::value& cabin = a.at("cabin");
  const std::size_t passengers = py_len(r.at("passengers"));
  const auto n = static_cast<std::int64_t>(passengers);
  json::value flights = a.at("flights");
  if (!flights.is_array())
    for (auto& segment : as_list(flights)) at(segment, "flight_number");  // Python fails on what it iterates
  json::value total = std::int64_t{0};
  json::array none;  // an empty string or dict iterates nothing and is stored as it is
  for (auto& segment : flights.is_array() ? flights.as_array() : none) {
    const json::object* kept = nullptr;
    for (const auto& old : r.at("flights").get_array()) {
      if (old.at("flight_number") == at(segment, "flight_number") && old.at("date") == at(segment, "date") &&
          cabin == r.at("cabin")) {
        kept = &old.get_object();
        break;
      }
    }
    if (kept) {
      total = add(total, times(n, kept->at("price")), "+=");
      auto& s = segment.as_object();
      s["price"] = kept->at("price");
      s["origin"] = kept->at("origin");
      s["destination"] = kept->at("destination");
      continue;
    }
    total = add(total, times(n, price_segment(db, segment, cabin, passengers)), "+=");
  }
  json::value old_sum = std::int64_t{0};
  for (const auto& old : r.at("flights").get_array()) old_sum = add(old_sum, old.at("price"));
  total = sub(total, times(n, old_sum), "-=");
  json::object& method = update_method(db, r, a.at("payment_id"), total);
  if (method.at("source") == "gift_card") method["amount"] = sub(method.at("amount"), total, "-=");
  r["flights"] = std::move(flights);
  if (!equal(total, json::value(std::int64_t{0})))
    r["payment_history"].as_array().push_back(json::object{{"payment_id", a.at("payment_id")}, {"amount", total}});
  return to_python_json(r);
}

std::string update_reservation_passengers(Db& db, const json::object& a, bool) {
  json::object& r = reservation_of(db, a.at("reservation_id"));
  if (py_len(a.at("passengers")) != py_len(r.at("passengers"))) throw Fail{"number of passengers does not match"};
  r["passengers"] = a.at("passengers");
  return to_python_json(r);
}

std::string send_certificate(Db& db, const json::object& a, bool) {
  json::object& user = *lookup(table(db, "users"), a.at("user_id"), "user not found");
  auto& methods = user["payment_methods"].as_object();
  for (const char* id : {"certificate_3221322", "certificate_3221323", "certificate_3221324"}) {
    if (methods.contains(id)) continue;
    methods[id] = json::object{{"source", "certificate"}, {"amount", a.at("amount")}, {"id", id}};
    return fmt::format("Certificate {} added to user {} with amount {}.", id, py_str(a.at("user_id")), py_str(a.at("amount")));
  }
  // tau-bench returns nothing here and its step fails; ours says so and changes nothing.
  throw Fail{"the user already holds every certificate this tool can send"};
}

std::vector<ToolSpec> build_specs() {
  const Param reservation{"reservation_id", "string", "The reservation id, six letters and digits, e.g. 'ZFA04Y'."};
  const Param user{"user_id", "string", "The user id, e.g. 'sara_doe_4962'."};
  const Param payment_id{"payment_id", "string",
                         "A payment method id from the user's profile, e.g. 'credit_card_0000000' or 'gift_card_0000000'."};
  const json::object segment{{"type", "object"},
                             {"properties", json::object{{"flight_number", json::object{{"type", "string"}}},
                                                         {"date", json::object{{"type", "string"}}}}},
                             {"required", json::array{"flight_number", "date"}}};
  const json::object passenger{{"type", "object"},
                               {"properties", json::object{{"first_name", json::object{{"type", "string"}}},
                                                           {"last_name", json::object{{"type", "string"}}},
                                                           {"dob", json::object{{"type", "string"}}}}},
                               {"required", json::array{"first_name", "last_name", "dob"}}};
  const json::object payment{{"type", "object"},
                             {"properties", json::object{{"payment_id", json::object{{"type", "string"}}},
                                                         {"amount", json::object{{"type", "number"}}}}},
                             {"required", json::array{"payment_id", "amount"}}};
  const Param cabin{"cabin", "string", "basic_economy, economy or business."};
  const Param flights{"flights", "array", "Every flight segment of the trip, each {flight_number, date 'YYYY-MM-DD'}.", segment};
  const Param date{"date", "string", "The departure date, 'YYYY-MM-DD'."};
  return {
      make_spec("book_reservation",
                "Book a reservation for the user's passengers on the given flight segments, paid with methods from the "
                "user's profile whose amounts add up to the total. After the user confirms every detail.",
                {user,
                 {"origin", "string", "IATA code of the trip's origin, e.g. 'JFK'."},
                 {"destination", "string", "IATA code of the trip's destination, e.g. 'SEA'."},
                 {"flight_type", "string", "one_way or round_trip."},
                 cabin,
                 flights,
                 {"passengers", "array", "Each passenger's first_name, last_name and dob 'YYYY-MM-DD'.", passenger},
                 {"payment_methods", "array", "Each payment, {payment_id, amount}.", payment},
                 {"total_baggages", "integer", "Checked bags in all."},
                 {"nonfree_baggages", "integer", "Checked bags beyond the free allowance, each paid."},
                 {"insurance", "string", "yes or no."}}),
      calculate_spec(),
      make_spec("cancel_reservation", "Cancel a whole reservation and refund its payments to their methods. After the user confirms.",
                {reservation}),
      make_spec("get_reservation_details", "Show a reservation: flights, passengers, payments, bags, insurance.", {reservation}),
      make_spec("get_user_details", "Show a user's profile: name, address, email, date of birth, payment methods, "
                "membership, saved passengers and reservations.", {user}),
      make_spec("list_all_airports", "List every airport the airline serves, IATA code and city.", {}),
      make_spec("search_direct_flight", "Find direct flights between two airports on a date, with seats and prices by cabin.",
                {{"origin", "string", "IATA code, e.g. 'JFK'."}, {"destination", "string", "IATA code, e.g. 'LAX'."}, date}),
      make_spec("search_onestop_flight", "Find trips with one connection between two airports on a date.",
                {{"origin", "string", "IATA code, e.g. 'JFK'."}, {"destination", "string", "IATA code, e.g. 'LAX'."}, date}),
      make_spec("send_certificate", "Give the user a travel certificate worth the amount, as compensation the policy allows.",
                {user, {"amount", "number", "The certificate's value in dollars."}}),
      think_spec(),
      transfer_spec(),
      make_spec("update_reservation_baggages",
                "Set a reservation's checked bags; each bag beyond the old non-free count costs $50 from the given method. "
                "After the user confirms.",
                {reservation,
                 {"total_baggages", "integer", "Checked bags in all, after the change."},
                 {"nonfree_baggages", "integer", "Paid bags in all, after the change."},
                 payment_id}),
      make_spec("update_reservation_flights",
                "Replace a reservation's flights (all segments, kept ones included) in the given cabin; the price "
                "difference is paid or refunded with the given method. After the user confirms.",
                {reservation, cabin, flights, payment_id}),
      make_spec("update_reservation_passengers", "Replace the passengers' details; their number stays the same.",
                {reservation, {"passengers", "array", "Each passenger's first_name, last_name and dob.", passenger}}),
  };
}

const std::vector<ToolEntry>& handlers() {
  static const std::vector<ToolEntry> h = {
      {"book_reservation", book_reservation},
      {"calculate", calculate_tool},
      {"cancel_reservation", cancel_reservation},
      {"get_reservation_details", get_reservation_details},
      {"get_user_details", get_user_details},
      {"list_all_airports", list_all_airports},
      {"search_direct_flight", search_direct_flight},
      {"search_onestop_flight", search_onestop_flight},
      {"send_certificate", send_certificate},
      {"think", think_tool},
      {"transfer_to_human_agents", transfer_tool},
      {"update_reservation_baggages", update_reservation_baggages},
      {"update_reservation_flights", update_reservation_flights},
      {"update_reservation_passengers", update_reservation_passengers},
  };
  return h;
}

}  // namespace

const std::vector<ToolSpec>& airline_tool_specs() {
  static const std::vector<ToolSpec> specs = build_specs();
  return specs;
}

bool is_airline_write_tool(std::string_view name) {
  return name == "book_reservation" || name == "cancel_reservation" || name == "send_certificate" ||
         name == "update_reservation_baggages" || name == "update_reservation_flights" ||
         name == "update_reservation_passengers";
}

ToolOutcome call_airline_tool(Db& db, std::string_view name, const json::object& arguments) {
  return dispatch_tool(db, airline_tool_specs(), handlers(), is_airline_write_tool, name, arguments);
}

}  // namespace rapport::tau
