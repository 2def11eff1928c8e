// The scripted customer: needs no model. It works through the task's requests in order: reveals
// its identity and order when asked, says yes to a proposal that matches its wish and no
// otherwise, moves on when the agent reports the request done (or, for a request the policy
// forbids, refused), and ends with the stop signal when everything is settled or the agent keeps
// failing. Its memory (request index, whether it said yes, complaints) travels in the reply state.
#include <fmt/format.h>

#include <regex>

#include "core/pynum.h"
#include "envs/tau/phrases.h"
#include "envs/tau/scripted_customer.h"
#include "envs/tau/tau.h"

namespace rapport::tau {
namespace {

// Identity facts from an imported tau-bench instruction ("Your name is Yusuf Rossi and your zip
// code is 19122", "your email is ...").
Identity identity_from_instruction(const std::string& instruction) {
  Identity id;
  std::smatch m;
  if (std::regex_search(instruction, m, std::regex(R"(name is ([A-Z][a-z]+) ([A-Z][a-z]+))"))) {
    id.first_name = m[1];
    id.last_name = m[2];
  }
  if (std::regex_search(instruction, m, std::regex(R"(zip(?: code)? is (\d{5}))"))) id.zip = m[1];
  if (std::regex_search(instruction, m, std::regex(R"(([a-z0-9._]+@[a-z0-9.]+\.[a-z]+))"))) {
    id.email = m[1];
    id.knows_email = true;
  }
  return id;
}

std::string identity_answer(const Identity& id, const std::string& asked) {
  std::string name = fmt::format("my name is {} {} and my zip code is {}.", id.first_name, id.last_name, id.zip);
  if (has(asked, {"email"}) && id.knows_email) return fmt::format("My email is {}.", id.email);
  if (has(asked, {"email"}) && !has(asked, {"zip", "name"})) return "I don't remember my email address, but " + name;
  return "Sure, " + name;
}

// Whether the agent's proposal matches the request.
bool matches(const Request& r, const std::string& m) {
  if (!r.order_id.empty() && m.find(ascii_lower(r.order_id)) == std::string::npos) return false;
  if (r.kind == "cancel" || r.kind == "refused_cancel") return has(m, {"cancel"}) && m.find(r.reason) != std::string::npos;
  if (r.kind == "address")
    return m.find(ascii_lower(get_string(r.address, "zip"))) != std::string::npos &&
           m.find(ascii_lower(get_string(r.address, "address1"))) != std::string::npos;
  if (r.kind == "return") {
    if (!has(m, {"return"})) return false;
    for (const auto& i : r.items)
      if (m.find(ascii_lower(i)) == std::string::npos) return false;
    return r.to_gift_card ? has(m, {"gift card", "gift_card"}) : has(m, {"original"});
  }
  if (r.kind == "exchange") {
    if (!has(m, {"exchange", "change"})) return false;
    for (const auto& i : r.items)
      if (m.find(ascii_lower(i)) == std::string::npos) return false;
    for (const auto& kv : r.changes)
      if (m.find(ascii_lower(py_str(kv.value()))) == std::string::npos) return false;
    return true;
  }
  return true;
}

class ScriptedCustomer : public Customer {
 public:
  Ask<CustomerReply> reply(const CustomerView& view) const override {
    ScriptedCustomerTurn turn(view, request_text);
    const TauTask& task = turn.task();
    const std::string& m = turn.message();
    Identity identity = task.requests.empty() ? identity_from_instruction(task.instruction) : task.identity;

    const bool proposal = has(m, {"proceed", "yes/no", "yes or no"});
    const bool success = has(m, {"has been", "have been", "is now", "successfully", "submitted", "is done", "done:"});
    const bool refusal = has(m, {"cannot", "can't", "unable", "not able", "not possible", "not eligible", "not allowed"});

    const Request* current = turn.request();
    if (!current) {
      // An imported task: the instruction is all this customer knows.
      if (!proposal && has(m, {"email", "zip", "your name"})) return turn.say(identity_answer(identity, m));
      if (proposal) return turn.agree();
      if (turn.confirmed() && success) return turn.advance("Thank you!");
      return turn.complain("Here is what I need: " + task.instruction, 4);
    }

    const Request& r = *current;
    const std::string restated = "As I said: " + request_text(r);

    if (r.kind == "ask_total" && m.find(ascii_lower(r.figure)) != std::string::npos)
      return turn.advance("Thanks, that's what I wanted to know.");
    if (proposal) return (r.kind == "refused_cancel" || matches(r, m)) ? turn.agree() : turn.disagree(restated);
    if (turn.confirmed() && success && !refusal) return turn.advance("Thank you!");
    if (refusal) {
      if (r.kind == "refused_cancel") return turn.advance("I see, thank you for checking.");
      return turn.complain("Are you sure? " + restated, 2);
    }
    if (has(m, {"email", "zip", "your name", "verify", "identity"})) return turn.say(identity_answer(identity, m));
    if (has(m, {"order id", "order number", "which order"}))
      return turn.say(r.knows_order_id
                          ? fmt::format("It's order {}.", r.order_id)
                          : fmt::format("I don't have the order number at hand, but it's the order with the {}.", r.hint_item));
    if (r.kind == "cancel" && has(m, {"reason"})) return turn.say(fmt::format("The reason: {}.", r.reason));
    return turn.complain(restated, 5);
  }
};

}  // namespace

std::unique_ptr<Customer> make_scripted_customer() { return std::make_unique<ScriptedCustomer>(); }

}  // namespace rapport::tau
