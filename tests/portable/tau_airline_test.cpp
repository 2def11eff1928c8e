// TauGym's airline domain: tau-bench's airline tools (errors, effects, output text) on our own
// fixture data in tau-bench's format (tests/data/tau/airline), the importer, gold replay and the
// differing record, our generated airline world and tasks, and the scripted and random agents.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "core/registry.h"
#include "core/runner.h"
#include "envs/tau/tau.h"
#include "tests/portable/episode_support.h"

using namespace rapport;
using rapport::test::no_model;
using rapport::test::drive;
using namespace rapport::tau;

namespace {

std::string read_fixture(const std::string& name) {
  std::ifstream in(std::string(RAPPORT_TEST_DATA) + "/tau/airline/" + name, std::ios::binary);
  REQUIRE(in.good());
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::pair<std::string, std::string>> fixture_files() {
  std::vector<std::pair<std::string, std::string>> files;
  for (const char* n : {"flights.json", "reservations.json", "tasks_test.py", "users.json"})
    files.emplace_back(std::string("airline/") + n, read_fixture(n));
  return files;
}

Db fixture_db() {
  auto tasks = import_tau_folder(fixture_files(), "test");
  return *imported_db(tasks.front().db_ref);
}

json::object args(std::string_view text) { return parse_json(text)->get_object(); }

std::string call(Db& db, std::string_view name, std::string_view arguments) {
  return call_airline_tool(db, name, args(arguments)).observation;
}

// The call's observation, checking that a failing call leaves the database as it was.
std::string fails(Db& db, std::string_view name, std::string_view arguments) {
  std::string before = db_hash(db);
  ToolOutcome out = call_airline_tool(db, name, args(arguments));
  CHECK(out.error);
  CHECK(db_hash(db) == before);
  return out.observation;
}

const json::object& method_of(const Db& db, const char* user, const char* id) {
  return db.at("users").at(user).at("payment_methods").at(id).get_object();
}

double solve_rate(const std::string& spec, bool random, int n) {
  auto game = make_game(spec);
  int solved = 0;
  for (int i = 0; i < n; ++i) {
    Task task = game->task(1, static_cast<std::uint64_t>(i));
    auto agent = random ? make_random_agent(static_cast<std::uint64_t>(i)) : game->scripted_agent(static_cast<std::uint64_t>(i));
    Trajectory t = run_episode(*game, task, EpisodeOptions{OracleKind::Scripted, 1}, std::move(agent), RunSettings{40}, no_model);
    if (get_bool(t.metrics, "success")) ++solved;
    else if (!random) WARN("unsolved " << task.id << " " << rapport::to_json(t.metrics));
  }
  return static_cast<double>(solved) / n;
}

}  // namespace

TEST_CASE("tau airline: generated tasks are consistent and their gold actions score 1.0", "[tau][airline]") {
  const Domain& airline = find_domain("airline");
  Db db = generate_airline_db(3);
  CHECK(db_hash(db) == db_hash(generate_airline_db(3)));
  CHECK(db_hash(db) != db_hash(generate_airline_db(4)));
  for (std::uint64_t world : {1, 2, 3, 4, 5, 6})
    for (const char* tier : {"easy", "medium", "hard"})
      for (std::uint64_t i = 0; i < 8; ++i) {
        TauTask t = generate_airline_task(world, i, tier);
        INFO(t.id);
        Db start = generate_airline_db(world);
        Db mine = start;
        bool writes = false;
        for (const auto& a : t.actions) {
          CHECK(call_airline_tool(mine, a.name, a.kwargs).error == false);
          writes = writes || is_airline_write_tool(a.name);
        }
        std::vector<std::string> said{"The figure: " + (t.outputs.empty() ? std::string() : t.outputs[0])};
        CHECK(score_episode(airline, start, mine, t.actions, t.outputs, said).reward == 1.0);
        if (writes) CHECK(score_episode(airline, start, start, t.actions, t.outputs, said).reward == 0.0);
        Task record{t.id, to_json(t)};
        CHECK(to_json(to_json(tau_task_from(record))) == to_json(record.data));
      }
}

TEST_CASE("tau airline: the scripted agent solves most tasks with the scripted customer; a random agent almost none",
          "[tau][airline]") {
  const double easy = solve_rate("tau(domain=airline,tier=easy)", false, 50);
  const double medium = solve_rate("tau(domain=airline,tier=medium)", false, 30);
  const double hard = solve_rate("tau(domain=airline,tier=hard)", false, 30);
  const double random_easy = solve_rate("tau(domain=airline,tier=easy)", true, 30);
  WARN("airline scripted easy " << easy << ", medium " << medium << ", hard " << hard << "; random easy " << random_easy);
  CHECK(easy >= 0.8);
  CHECK(medium >= 0.6);
  CHECK(random_easy <= 0.1);
  CHECK(solve_rate("tau(domain=airline,tier=easy,compat=userrl)", false, 10) >= 0.8);
}

TEST_CASE("tau airline: the importer reads tau-bench's airline folder", "[tau][airline]") {
  auto tasks = import_tau_folder(fixture_files(), "test");
  REQUIRE(tasks.size() == 7);
  CHECK(tasks[0].id == "airline-000");
  CHECK(tasks[6].id == "airline-006");
  CHECK(tasks[0].domain == "airline");
  CHECK(tasks[4].outputs == std::vector<std::string>{"450"});
  CHECK(tasks[2].actions[1].kwargs.at("payment_methods").at(0).at("amount") == 150);
  Db db = fixture_db();
  CHECK(db.begin()->key() == "flights");
  CHECK(db.at("reservations").as_object().size() == 5);
  auto files = fixture_files();
  files.erase(files.begin());  // no flights.json
  CHECK_THROWS_WITH(import_tau_folder(files, "test"), Catch::Contains("flights.json"));
  // The game reads the folder, and its tasks play the airline (policy, tools).
  auto game = make_game("tau");
  auto imported = game->import_folder(fixture_files(), "test");
  REQUIRE(imported.size() == 7);
  auto episode = game->new_episode(imported[0], EpisodeOptions{});
  CHECK(episode->system_prompt().rfind(airline_policy(), 0) == 0);
  CHECK(episode->tools().size() == 14);
  CHECK_THROWS_WITH(make_game("tau(domain=space)"), Catch::Contains("domain"));
}

TEST_CASE("tau airline: tool outputs are tau-bench's", "[tau][airline]") {
  Db db = fixture_db();
  const auto& specs = airline_tool_specs();
  REQUIRE(specs.size() == 14);
  for (std::size_t i = 1; i < specs.size(); ++i) CHECK(specs[i - 1].name < specs[i].name);
  CHECK(call(db, "list_all_airports", "{}").rfind(R"({"SFO": "San Francisco", "JFK": "New York", "LAX": "Los Angeles", )", 0) == 0);
  CHECK(call(db, "get_reservation_details", R"({"reservation_id": "DEF456"})") ==
        R"({"reservation_id": "DEF456", "user_id": "ada_moss_1001", "origin": "JFK", "destination": "SEA", "flight_type": )"
        R"("one_way", "cabin": "basic_economy", "flights": [{"origin": "JFK", "destination": "SEA", "flight_number": "HAT003", )"
        R"("date": "2024-05-20", "price": 90}], "passengers": [{"first_name": "Ada", "last_name": "Moss", "dob": "1985-03-02"}], )"
        R"("payment_history": [{"payment_id": "gift_card_2222222", "amount": 90}], "created_at": "2024-05-14T20:00:00", )"
        R"("total_baggages": 0, "nonfree_baggages": 0, "insurance": "no"})");
  // Direct flights: file order, the flight's fields then the date's record, no date key.
  CHECK(call(db, "search_direct_flight", R"({"origin": "JFK", "destination": "SEA", "date": "2024-05-20"})") ==
        R"([{"flight_number": "HAT003", "origin": "JFK", "destination": "SEA", "scheduled_departure_time_est": "09:00:00", )"
        R"("scheduled_arrival_time_est": "13:00:00", "status": "available", "available_seats": {"basic_economy": 3, "economy": 7, )"
        R"("business": 2}, "prices": {"basic_economy": 90, "economy": 200, "business": 650}}, {"flight_number": "HAT004", )"
        R"("origin": "JFK", "destination": "SEA", "scheduled_departure_time_est": "18:00:00", "scheduled_arrival_time_est": )"
        R"("22:00:00", "status": "available", "available_seats": {"basic_economy": 2, "economy": 1, "business": 0}, "prices": )"
        R"({"basic_economy": 70, "economy": 180, "business": 600}}])");
  CHECK(call(db, "search_direct_flight", R"({"origin": "JFK", "destination": "SEA", "date": "2024-05-21"})").find("HAT003") ==
        std::string::npos);  // cancelled that day
  CHECK(call(db, "search_direct_flight", R"({"origin": "JFK", "destination": "SEA", "date": "2024-06-01"})") == "[]");
  // One stop: the connection's second element carries the first day's record and the next day's date.
  std::string overnight = call(db, "search_onestop_flight", R"({"origin": "SEA", "destination": "BOS", "date": "2024-05-20"})");
  CHECK(overnight ==
        R"([[{"flight_number": "HAT005", "origin": "SEA", "destination": "ATL", "scheduled_departure_time_est": "22:30:00", )"
        R"("scheduled_arrival_time_est": "06:00:00+1", "status": "available", "available_seats": {"basic_economy": 4, )"
        R"("economy": 6, "business": 2}, "prices": {"basic_economy": 110, "economy": 210, "business": 700}, "date": )"
        R"("2024-05-20"}, {"flight_number": "HAT006", "origin": "ATL", "destination": "BOS", "scheduled_departure_time_est": )"
        R"("07:00:00", "scheduled_arrival_time_est": "09:00:00", "status": "available", "available_seats": {"basic_economy": )"
        R"(5, "economy": 5, "business": 5}, "prices": {"basic_economy": 60, "economy": 120, "business": 300}, "date": )"
        R"("2024-05-21"}]])");
  CHECK(call(db, "search_onestop_flight", R"({"origin": "JFK", "destination": "SEA", "date": "2024-05-20"})").find("HAT002") !=
        std::string::npos);
  CHECK(call(db, "search_onestop_flight", R"({"origin": "SEA", "destination": "BOS", "date": "2024-05-ab"})") ==
        "Error: invalid literal for int() with base 10: 'ab'");
  CHECK(call(db, "think", R"({"thought": "x"})").empty());
  CHECK(call(db, "calculate", R"({"expression": "150 * 2 + 30"})") == "330.0");
  auto transfer = call_airline_tool(db, "transfer_to_human_agents", args(R"({"summary": "s"})"));
  CHECK(transfer.observation == "Transfer successful");
  CHECK(transfer.terminal);
  CHECK(call(db, "send_certificate", R"({"user_id": "raj_kim_2002", "amount": 150})") ==
        "Certificate certificate_3221322 added to user raj_kim_2002 with amount 150.");
  CHECK(call(db, "send_certificate", R"({"user_id": "raj_kim_2002", "amount": 150.0})") ==
        "Certificate certificate_3221323 added to user raj_kim_2002 with amount 150.0.");
  CHECK(method_of(db, "raj_kim_2002", "certificate_3221323").at("amount").is_double());
}

TEST_CASE("tau airline: every tool's precondition errors are tau-bench's and change nothing", "[tau][airline]") {
  Db db = fixture_db();
  // Binding and unknown tools.
  CHECK(fails(db, "get_user_details", "{}") == "Error: GetUserDetails.invoke() missing 1 required positional argument: 'user_id'");
  CHECK(fails(db, "search_onestop_flight", R"({"origin": "JFK", "destination": "SEA", "date": "2024-05-20", "foo": 1})") ==
        "Error: SearchOnestopFlight.invoke() got an unexpected keyword argument 'foo'");
  CHECK(fails(db, "update_reservation_baggages", R"({"reservation_id": "ABC123", "payment_id": "x"})") ==
        "Error: UpdateReservationBaggages.invoke() missing 2 required positional arguments: 'total_baggages' and 'nonfree_baggages'");
  CHECK(fails(db, "fly_me", "{}") == "Unknown action fly_me");
  // Look-ups.
  CHECK(fails(db, "get_user_details", R"({"user_id": "nobody_1"})") == "Error: user not found");
  CHECK(fails(db, "get_reservation_details", R"({"reservation_id": "ZZZZZZ"})") == "Error: user not found");  // sic
  // book_reservation, in tau-bench's order of checks.
  const std::string book =
      R"({"user_id": "%U", "origin": "JFK", "destination": "ORD", "flight_type": "one_way", "cabin": "%C", "flights": )"
      R"([{"flight_number": "%F", "date": "%D"}], "passengers": [{"first_name": "Ada", "last_name": "Moss", "dob": )"
      R"("1985-03-02"}], "payment_methods": [{"payment_id": "%P", "amount": %A}], "total_baggages": 0, "nonfree_baggages": 0, )"
      R"("insurance": "no"})";
  auto booking = [&](const char* user, const char* cabin, const char* flight, const char* date, const char* pid, const char* amount) {
    std::string s = book;
    for (auto [k, v] : {std::pair{"%U", user}, {"%C", cabin}, {"%F", flight}, {"%D", date}, {"%P", pid}, {"%A", amount}})
      s.replace(s.find(k), 2, v);
    return s;
  };
  CHECK(fails(db, "book_reservation", booking("nobody_1", "economy", "HAT001", "2024-05-20", "credit_card_1111111", "150")) ==
        "Error: user not found");
  CHECK(fails(db, "book_reservation", booking("ada_moss_1001", "economy", "HAT999", "2024-05-20", "credit_card_1111111", "150")) ==
        "Error: flight HAT999 not found");
  CHECK(fails(db, "book_reservation", booking("ada_moss_1001", "economy", "HAT001", "2024-05-25", "credit_card_1111111", "150")) ==
        "Error: flight HAT001 not found on date 2024-05-25");
  CHECK(fails(db, "book_reservation", booking("ada_moss_1001", "economy", "HAT001", "2024-05-14", "credit_card_1111111", "150")) ==
        "Error: flight HAT001 not available on date 2024-05-14");
  CHECK(fails(db, "book_reservation", booking("ada_moss_1001", "business", "HAT004", "2024-05-20", "credit_card_1111111", "600")) ==
        "Error: not enough seats on flight HAT004");
  CHECK(fails(db, "book_reservation", booking("ada_moss_1001", "first", "HAT001", "2024-05-20", "credit_card_1111111", "150")) ==
        "Error: 'first'");
  CHECK(fails(db, "book_reservation", booking("ada_moss_1001", "economy", "HAT001", "2024-05-20", "credit_card_0000000", "150")) ==
        "Error: payment method credit_card_0000000 not found");
  CHECK(fails(db, "book_reservation", booking("ada_moss_1001", "economy", "HAT001", "2024-05-20", "gift_card_2222222", "150")) ==
        "Error: not enough balance in payment method gift_card_2222222");
  CHECK(fails(db, "book_reservation", booking("ada_moss_1001", "economy", "HAT001", "2024-05-20", "credit_card_1111111", "1")) ==
        "Error: payment amount does not add up, total price is 150, but paid 1");
  CHECK(fails(db, "book_reservation", booking("ada_moss_1001", "economy", "HAT001", "2024-05-20", "credit_card_1111111", "149.5")) ==
        "Error: payment amount does not add up, total price is 150, but paid 149.5");
  // cancel_reservation.
  CHECK(fails(db, "cancel_reservation", R"({"reservation_id": "ZZZZZZ"})") == "Error: reservation not found");
  // update_reservation_baggages.
  CHECK(fails(db, "update_reservation_baggages",
              R"({"reservation_id": "ZZZZZZ", "total_baggages": 1, "nonfree_baggages": 1, "payment_id": "credit_card_4444444"})") ==
        "Error: reservation not found");
  CHECK(fails(db, "update_reservation_baggages",
              R"({"reservation_id": "GHI789", "total_baggages": 2, "nonfree_baggages": 1, "payment_id": "credit_card_1111111"})") ==
        "Error: payment method not found");  // another user's card
  CHECK(fails(db, "update_reservation_baggages",
              R"({"reservation_id": "ABC123", "total_baggages": 3, "nonfree_baggages": 1, "payment_id": "certificate_3333333"})") ==
        "Error: certificate cannot be used to update reservation");
  CHECK(fails(db, "update_reservation_baggages",
              R"({"reservation_id": "GHI789", "total_baggages": 2, "nonfree_baggages": 1, "payment_id": "gift_card_5555555"})") ==
        "Error: gift card balance is not enough");
  // update_reservation_flights: the booking's flight checks, then the payment's.
  const char* flights_call = R"({"reservation_id": "%R", "cabin": "%C", "flights": [{"flight_number": "%F", "date": "%D"}], "payment_id": "%P"})";
  auto change = [&](const char* res, const char* cabin, const char* flight, const char* date, const char* pid) {
    std::string s = flights_call;
    for (auto [k, v] : {std::pair{"%R", res}, {"%C", cabin}, {"%F", flight}, {"%D", date}, {"%P", pid}}) s.replace(s.find(k), 2, v);
    return s;
  };
  CHECK(fails(db, "update_reservation_flights", change("ZZZZZZ", "economy", "HAT001", "2024-05-21", "credit_card_4444444")) ==
        "Error: reservation not found");
  CHECK(fails(db, "update_reservation_flights", change("GHI789", "business", "HAT998", "2024-05-21", "credit_card_4444444")) ==
        "Error: flight HAT998 not found");
  CHECK(fails(db, "update_reservation_flights", change("GHI789", "business", "HAT001", "2024-05-22", "credit_card_4444444")) ==
        "Error: flight HAT001 not found on date 2024-05-22");
  CHECK(fails(db, "update_reservation_flights", change("GHI789", "business", "HAT001", "2024-05-15", "credit_card_4444444")) ==
        "Error: flight HAT001 not available on date 2024-05-15");
  CHECK(fails(db, "update_reservation_flights", change("GHI789", "business", "HAT004", "2024-05-20", "credit_card_4444444")) ==
        "Error: not enough seats on flight HAT004");
  CHECK(fails(db, "update_reservation_flights", change("GHI789", "business", "HAT001", "2024-05-20", "paypal_1")) ==
        "Error: payment method not found");
  CHECK(fails(db, "update_reservation_flights", change("ABC123", "business", "HAT001", "2024-05-20", "certificate_3333333")) ==
        "Error: certificate cannot be used to update reservation");
  CHECK(fails(db, "update_reservation_flights", change("GHI789", "business", "HAT003", "2024-05-20", "gift_card_5555555")) ==
        "Error: gift card balance is not enough");
  // update_reservation_passengers.
  CHECK(fails(db, "update_reservation_passengers", R"({"reservation_id": "ZZZZZZ", "passengers": []})") == "Error: reservation not found");
  CHECK(fails(db, "update_reservation_passengers", R"({"reservation_id": "ABC123", "passengers": [{"first_name": "A"}]})") ==
        "Error: number of passengers does not match");
  // send_certificate: an unknown user; a user holding all three certificate ids (tau-bench itself fails there).
  CHECK(fails(db, "send_certificate", R"({"user_id": "nobody_1", "amount": 100})") == "Error: user not found");
  CHECK(fails(db, "send_certificate", R"({"user_id": "lena_berg_3003", "amount": 100})").rfind("Error: ", 0) == 0);
}

TEST_CASE("tau airline: write effects follow tau-bench's", "[tau][airline]") {
  Db db = fixture_db();
  // Booking: certificate removed whole, gift card debited, ids HATHAT, HATHAU, HATHAV, then HATHAV again.
  std::string booked = call(db, "book_reservation",
                            R"({"user_id": "ada_moss_1001", "origin": "JFK", "destination": "ORD", "flight_type": "one_way", )"
                            R"("cabin": "economy", "flights": [{"flight_number": "HAT001", "date": "2024-05-20"}], "passengers": )"
                            R"([{"first_name": "Ada", "last_name": "Moss", "dob": "1985-03-02"}], "payment_methods": [{"payment_id": )"
                            R"("certificate_3333333", "amount": 100}, {"payment_id": "gift_card_2222222", "amount": 80}], )"
                            R"("total_baggages": 1, "nonfree_baggages": 0, "insurance": "yes"})");
  CHECK(booked ==
        R"({"reservation_id": "HATHAT", "user_id": "ada_moss_1001", "origin": "JFK", "destination": "ORD", "flight_type": )"
        R"("one_way", "cabin": "economy", "flights": [{"flight_number": "HAT001", "date": "2024-05-20", "price": 150, "origin": )"
        R"("JFK", "destination": "ORD"}], "passengers": [{"first_name": "Ada", "last_name": "Moss", "dob": "1985-03-02"}], )"
        R"("payment_history": [{"payment_id": "certificate_3333333", "amount": 100}, {"payment_id": "gift_card_2222222", )"
        R"("amount": 80}], "created_at": "2024-05-15T15:00:00", "total_baggages": 1, "nonfree_baggages": 0, "insurance": "yes"})");
  CHECK_FALSE(db.at("users").at("ada_moss_1001").at("payment_methods").as_object().contains("certificate_3333333"));
  CHECK(method_of(db, "ada_moss_1001", "gift_card_2222222").at("amount") == 20);
  CHECK(db.at("users").at("ada_moss_1001").at("reservations").as_array().back() == "HATHAT");
  CHECK(db.at("flights").at("HAT001").at("dates").at("2024-05-20").at("available_seats").at("economy") == 10);  // seats untouched
  const char* cheap = R"({"user_id": "raj_kim_2002", "origin": "JFK", "destination": "ORD", "flight_type": "one_way", "cabin": )"
                      R"("basic_economy", "flights": [{"flight_number": "HAT001", "date": "2024-05-21"}], "passengers": [{"first_name": )"
                      R"("Raj", "last_name": "Kim", "dob": "1979-11-23"}], "payment_methods": [{"payment_id": "credit_card_4444444", )"
                      R"("amount": 85}], "total_baggages": 0, "nonfree_baggages": 0, "insurance": "no"})";
  CHECK(call(db, "book_reservation", cheap).find(R"("reservation_id": "HATHAU")") != std::string::npos);
  CHECK(call(db, "book_reservation", cheap).find(R"("reservation_id": "HATHAV")") != std::string::npos);
  CHECK(call(db, "book_reservation", cheap).find(R"("reservation_id": "HATHAV")") != std::string::npos);
  CHECK(db.at("reservations").as_object().size() == 8);

  // Cancelling appends negated payments (and again on a second cancel), sets the status, refunds nothing.
  call(db, "cancel_reservation", R"({"reservation_id": "DEF456"})");
  std::string twice = call(db, "cancel_reservation", R"({"reservation_id": "DEF456"})");
  CHECK(twice.find(R"("payment_history": [{"payment_id": "gift_card_2222222", "amount": 90}, {"payment_id": "gift_card_2222222", )"
                   R"("amount": -90}, {"payment_id": "gift_card_2222222", "amount": -90}, {"payment_id": "gift_card_2222222", "amount": 90}])") !=
        std::string::npos);
  CHECK(twice.find(R"("insurance": "no", "status": "cancelled"})") != std::string::npos);
  CHECK(method_of(db, "ada_moss_1001", "gift_card_2222222").at("amount") == 20);

  // Bags: $50 per new non-free bag, debited from a gift card; nothing appended when free.
  Db b = fixture_db();
  call(b, "update_reservation_baggages",
       R"({"reservation_id": "ABC123", "total_baggages": 4, "nonfree_baggages": 2, "payment_id": "gift_card_2222222"})");
  CHECK(method_of(b, "ada_moss_1001", "gift_card_2222222").at("amount") == 0);
  CHECK(b.at("reservations").at("ABC123").at("payment_history").as_array().back() ==
        *parse_json(R"({"payment_id": "gift_card_2222222", "amount": 100})"));
  std::string fewer = call(b, "update_reservation_baggages",
                           R"({"reservation_id": "ABC123", "total_baggages": 1, "nonfree_baggages": 0, "payment_id": "gift_card_2222222"})");
  CHECK(b.at("reservations").at("ABC123").at("payment_history").as_array().size() == 2);
  CHECK(b.at("reservations").at("ABC123").at("nonfree_baggages") == 0);

  // Flights: kept segments keep their price in the same cabin; the difference (here a credit) goes to
  // the gift card; the cabin field is not updated.
  Db f = fixture_db();
  std::string changed = call(f, "update_reservation_flights",
                             R"({"reservation_id": "ABC123", "cabin": "economy", "flights": [{"flight_number": "HAT001", "date": )"
                             R"("2024-05-20"}, {"flight_number": "HAT002", "date": "2024-05-21"}], "payment_id": "gift_card_2222222"})");
  CHECK(changed.find(R"("flights": [{"flight_number": "HAT001", "date": "2024-05-20", "price": 150, "origin": "JFK", "destination": )"
                     R"("ORD"}, {"flight_number": "HAT002", "date": "2024-05-21", "price": 165, "origin": "ORD", "destination": "SEA"}])") !=
        std::string::npos);
  CHECK(method_of(f, "ada_moss_1001", "gift_card_2222222").at("amount") == 90);  // 100 - (150+165-310)*2
  std::string up = call(f, "update_reservation_flights",
                        R"({"reservation_id": "DEF456", "cabin": "economy", "flights": [{"flight_number": "HAT004", "date": )"
                        R"("2024-05-20"}], "payment_id": "credit_card_1111111"})");
  CHECK(up.find(R"("cabin": "basic_economy")") != std::string::npos);
  CHECK(up.find(R"({"payment_id": "credit_card_1111111", "amount": 90})") != std::string::npos);
  std::string down = call(f, "update_reservation_flights",
                          R"({"reservation_id": "ABC123", "cabin": "economy", "flights": [{"flight_number": "HAT001", "date": )"
                          R"("2024-05-20"}, {"flight_number": "HAT002", "date": "2024-05-20"}], "payment_id": "gift_card_2222222"})");
  CHECK(method_of(f, "ada_moss_1001", "gift_card_2222222").at("amount") == 100);  // the credit: -(160-165)*2
  CHECK(down.find(R"({"payment_id": "gift_card_2222222", "amount": -10})") != std::string::npos);
}

TEST_CASE("tau airline: gold actions of every fixture task score 1.0, one wrong write scores 0 and names the record",
          "[tau][airline]") {
  auto game = make_game("tau");
  auto tasks = game->import_folder(fixture_files(), "test");
  for (const auto& task : tasks) {
    INFO(task.id);
    TauTask t = tau_task_from(task);
    auto episode = game->new_episode(task, EpisodeOptions{});
    StepResult last;
    bool ended = false;
    for (const auto& a : t.actions) {
      last = drive(*episode, tool_action(a.name, a.kwargs));
      if (last.terminated) {
        ended = true;
        break;
      }
    }
    if (!ended) {
      std::string done = "Done.";
      for (const auto& o : t.outputs) done += " " + o;
      drive(*episode, "[action] " + done);
      if (!episode->over()) last = drive(*episode, "[finish]");
    }
    CHECK(last.reward == 1.0);
    CHECK(last.info.at("differing_records").as_array().empty());
  }
  // One wrong write: a bag too many paid.
  auto episode = game->new_episode(tasks[1], EpisodeOptions{});
  drive(*episode, R"([tool] update_reservation_baggages {"reservation_id": "GHI789", "total_baggages": 3, "nonfree_baggages": 2, "payment_id": "credit_card_4444444"})");
  StepResult r = drive(*episode, "[finish]");
  CHECK(r.reward == 0.0);
  REQUIRE(r.info.at("differing_records").as_array().size() == 1);
  CHECK(r.info.at("differing_records").as_array()[0] == "reservations/GHI789 (payment_history, nonfree_baggages)");
  // int vs float (V6's lesson): the same booking paid with 150.0 passes every check and scores 0.
  auto book = game->new_episode(tasks[2], EpisodeOptions{});
  TauTask t2 = tau_task_from(tasks[2]);
  json::object kwargs = t2.actions[1].kwargs;
  kwargs["payment_methods"] = *parse_json(R"([{"payment_id": "certificate_3333333", "amount": 150.0}])");
  CHECK(drive(*book, tool_action("book_reservation", kwargs)).observation.rfind("{\"reservation_id\": \"HATHAT\"", 0) == 0);
  r = drive(*book, "[finish]");
  CHECK(r.reward == 0.0);
  CHECK(get_string(r.info, "ended_by") == "finish");
  // A missing output.
  auto ask = game->new_episode(tasks[4], EpisodeOptions{});
  drive(*ask, "[action] You paid a lot.");
  r = drive(*ask, "[finish]");
  CHECK(r.info.at("outputs").at("450") == false);
}

TEST_CASE("tau airline: the domain reaches the agent's instructions, the LLM customer and the scripted agent", "[tau][airline]") {
  auto game = make_game("tau(domain=airline,tier=medium)");
  Task task = game->task(5, 0);
  TauTask t = tau_task_from(task);
  CHECK(t.domain == "airline");
  CHECK(task.id.rfind("airline-medium-5-", 0) == 0);
  auto episode = game->new_episode(task, EpisodeOptions{});
  CHECK(episode->system_prompt().find("call one of the airline's tools") != std::string::npos);
  CHECK(&domain_of_prompt(episode->system_prompt()) == &find_domain("airline"));
  CHECK(&domain_of_prompt(make_game("tau")->new_episode(make_game("tau")->task(5, 0), EpisodeOptions{})->system_prompt()) ==
        &find_domain("retail"));
  CustomerView view{&t, {}, "Hello", {}};
  LlmRequest r = customer_request(view);
  CHECK(r.messages[0].content.find("customer-service agent of an airline") != std::string::npos);
  CHECK(r.messages[0].content.find(t.instruction) != std::string::npos);
  // [search] help shows an airline call.
  StepResult help = drive(*episode, "[search] help");
  CHECK(help.observation.find("get_reservation_details") != std::string::npos);
}
