// The airline's scripted customer: needs no model. Like the shop's (scripted_oracle.cpp) it works
// through its requests in order: gives its user id and names the reservation when asked, says yes
// to a proposal that matches its wish and no otherwise, moves on when the agent reports a request
// done (or refuses one the policy forbids, or tells the figure it asked for), and ends with the stop
// signal when everything is settled or the agent keeps failing. Its memory travels in the reply
// state. On imported tasks it answers with the user id of the instruction and says yes to proposals.
#include <fmt/format.h>

#include <regex>

#include "core/pynum.h"
#include "envs/tau/airline.h"
#include "envs/tau/phrases.h"
#include "envs/tau/scripted_customer.h"
#include "envs/tau/tau.h"

namespace rapport::tau {
namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(ascii_lower(part)) != std::string::npos; }

std::string user_id_of(const TauTask& task) {
  if (!task.requests.empty() || task.instruction.empty()) return task.user_id;
  std::smatch m;
  if (std::regex_search(task.instruction, m, std::regex(R"(\b[a-z]+_[a-z]+_\d{4}\b)"))) return m[0];
  return task.user_id;
}

// Whether the agent's proposal (lower-case) matches the request.
bool matches(const Request& r, const std::string& m) {
  const json::object& d = r.details;
  if (r.kind == "book")
    return has(m, {"book"}) && contains(m, get_string(d, "flight_number")) && contains(m, get_string(d, "date"));
  if (!contains(m, r.order_id)) return false;
  if (r.kind == "cancel" || r.kind == "refused_cancel") return has(m, {"cancel"});
  if (r.kind == "bags") return contains(m, fmt::format("add {}", get_int(d, "add")));
  if (r.kind == "cabin") return contains(m, get_string(d, "cabin"));
  if (r.kind == "change" || r.kind == "refused_change")
    return contains(m, get_string(d, "flight_number")) && contains(m, get_string(d, "new_date"));
  return true;
}

class AirlineCustomer : public Customer {
 public:
  Ask<CustomerReply> reply(const CustomerView& view) const override {
    ScriptedCustomerTurn turn(view, airline::request_text);
    const TauTask& task = turn.task();
    const std::string& m = turn.message();
    const std::string user_id = user_id_of(task);

    const bool proposal = has(m, {"proceed", "yes/no", "yes or no"});
    const bool success = has(m, {"has been", "have been", "is now", "successfully", "is done", "done:"});
    const bool refusal = has(m, {"cannot", "can't", "unable", "not able", "not possible", "not eligible", "not allowed"});
    const bool asks_id = has(m, {"user id", "your id", "verify", "identify"});

    const Request* current = turn.request();
    if (!current) {
      if (!proposal && asks_id) return turn.say(fmt::format("My user id is {}.", user_id));
      if (proposal) return turn.agree();
      if (turn.confirmed() && success) return turn.advance("Thank you!");
      return turn.complain("Here is what I need: " + task.instruction, 4);
    }

    const Request& r = *current;
    const std::string restated = "As I said: " + airline::request_text(r);

    if (r.kind == "ask_total" && contains(m, r.figure)) return turn.advance("Thanks, that's what I wanted to know.");
    if (proposal) return matches(r, m) ? turn.agree() : turn.disagree(restated);
    if (turn.confirmed() && success && !refusal) return turn.advance("Thank you!");
    if (refusal) {
      if (r.kind == "refused_cancel" || r.kind == "refused_change") return turn.advance("I see, thank you for checking.");
      return turn.complain("Are you sure? " + restated, 2);
    }
    if (asks_id) return turn.say(fmt::format("My user id is {}.", user_id));
    if (has(m, {"reservation id", "reservation number", "which reservation", "confirmation"}))
      return turn.say(r.knows_order_id
                          ? fmt::format("It's reservation {}.", r.order_id)
                          : fmt::format("I don't have the reservation number at hand; it's my {}.", airline::reservation_ref(r)));
    if (has(m, {"reason"}) && !r.reason.empty()) return turn.say(fmt::format("The reason: {}.", r.reason));
    return turn.complain(restated, 5);
  }
};

}  // namespace

std::unique_ptr<Customer> make_airline_customer() { return std::make_unique<AirlineCustomer>(); }

}  // namespace rapport::tau
