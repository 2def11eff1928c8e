// The scripted customer: needs no model. It works through the task's requests in order: reveals
// its identity and order when asked, says yes to a proposal that matches its wish and no
// otherwise, moves on when the agent reports the request done (or, for a request the policy
// forbids, refused), and ends with the stop signal when everything is settled or the agent keeps
// failing. Its memory (request index, whether it said yes, complaints) travels in the reply state.
#include <fmt/format.h>

#include <regex>

#include "core/pynum.h"
#include "envs/tau/phrases.h"
#include "envs/tau/tau.h"

namespace rapport::tau {
namespace {

std::string stop_line(const std::string& text) { return text + " " + std::string(kStop); }

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
    const TauTask& task = *view.task;
    CustomerReply out;
    out.state = view.state;
    std::int64_t req = get_int(view.state, "request");
    bool confirmed = get_bool(view.state, "confirmed");
    std::int64_t complaints = get_int(view.state, "complaints");
    const std::string m = ascii_lower(view.agent_message);
    Identity identity = task.requests.empty() ? identity_from_instruction(task.instruction) : task.identity;

    auto set = [&](std::int64_t r, bool c, std::int64_t k) {
      out.state["request"] = r;
      out.state["confirmed"] = c;
      out.state["complaints"] = k;
    };
    // The current request is settled: the next one, or goodbye.
    auto advance = [&](const char* thanks) {
      if (req + 1 < static_cast<std::int64_t>(task.requests.size())) {
        out.text = fmt::format("{} I also have another request: {}", thanks,
                               request_text(task.requests[static_cast<std::size_t>(req + 1)]));
        set(req + 1, false, 0);
      } else {
        out.text = stop_line(std::string(thanks) + " That's all I needed.");
        set(req, false, 0);
      }
      return Ask<CustomerReply>::now(out);
    };
    auto complain = [&](const std::string& restated, std::int64_t limit) {
      if (complaints + 1 >= limit) {
        out.text = stop_line("Never mind, I'll try again another time.");
        set(req, confirmed, complaints + 1);
      } else {
        out.text = restated;
        set(req, confirmed, complaints + 1);
      }
      return Ask<CustomerReply>::now(out);
    };

    const bool proposal = has(m, {"proceed", "yes/no", "yes or no"});
    const bool success = has(m, {"has been", "have been", "is now", "successfully", "submitted", "is done", "done:"});
    const bool refusal = has(m, {"cannot", "can't", "unable", "not able", "not possible", "not eligible", "not allowed"});

    if (task.requests.empty()) {
      // An imported task: the instruction is all this customer knows.
      if (!proposal && has(m, {"email", "zip", "your name"})) return Ask<CustomerReply>::now({identity_answer(identity, m), out.state});
      if (proposal) {
        set(req, true, complaints);
        out.text = "Yes, please go ahead.";
        return Ask<CustomerReply>::now(out);
      }
      if (confirmed && success) return advance("Thank you!");
      return complain("Here is what I need: " + task.instruction, 4);
    }

    const Request& r = task.requests[static_cast<std::size_t>(std::min<std::int64_t>(req, task.requests.size() - 1))];
    const std::string restated = "As I said: " + request_text(r);

    if (r.kind == "ask_total" && m.find(ascii_lower(r.figure)) != std::string::npos) return advance("Thanks, that's what I wanted to know.");
    if (proposal) {
      if (r.kind == "refused_cancel" || matches(r, m)) {
        set(req, true, complaints);
        out.text = "Yes, please go ahead.";
        return Ask<CustomerReply>::now(out);
      }
      set(req, false, complaints);
      out.text = "No, that's not what I asked for. " + restated;
      return Ask<CustomerReply>::now(out);
    }
    if (confirmed && success && !refusal) return advance("Thank you!");
    if (refusal) {
      if (r.kind == "refused_cancel") return advance("I see, thank you for checking.");
      return complain("Are you sure? " + restated, 2);
    }
    if (has(m, {"email", "zip", "your name", "verify", "identity"})) return Ask<CustomerReply>::now({identity_answer(identity, m), out.state});
    if (has(m, {"order id", "order number", "which order"})) {
      out.text = r.knows_order_id ? fmt::format("It's order {}.", r.order_id)
                                  : fmt::format("I don't have the order number at hand, but it's the order with the {}.", r.hint_item);
      return Ask<CustomerReply>::now(out);
    }
    if (r.kind == "cancel" && has(m, {"reason"})) {
      out.text = fmt::format("The reason: {}.", r.reason);
      return Ask<CustomerReply>::now(out);
    }
    return complain(restated, 5);
  }
};

}  // namespace

std::unique_ptr<Customer> make_scripted_customer() { return std::make_unique<ScriptedCustomer>(); }

}  // namespace rapport::tau
