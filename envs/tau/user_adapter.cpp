// TauGym's goals for the reasoning user: a customer who wants exactly the changes they came for,
// verifies who they are when asked, accepts a refusal the policy explains, and is not talked into
// changes, items, refunds or costs their requests do not ask for. The customer's stop signal stays
// the rules' to give (UserAdapter::end_signal). Stances are per domain (stance_of); a task's
// concerns come from its structured requests where the generator gives them, in the domain's
// words, else from the instruction.
#include <fmt/format.h>

#include <regex>

#include "core/pynum.h"
#include "envs/tau/tau.h"

namespace rapport::tau {
namespace {

const UserStance& stance_of(std::string_view domain) {
  static const UserStance kRetail{
      .accepts = {"changes to my orders exactly as I asked for them", "honest answers about what the shop's policy allows",
                  "giving my name and zip code, or my email, to prove who I am"},
      .refuses = {"changes I did not ask for", "a different item, option or refund method than the one I asked for",
                  "cancelling, returning or exchanging more than I asked for", "paying more than the price difference",
                  "being rushed into confirming"},
      .decision_policy = "confirm a change only when it is exactly what I asked for; accept a refusal the shop's policy "
                         "explains and move on; never invent ids or details I was not given",
      .topic_words = {"order", "item", "cancel", "return", "exchange", "refund", "address", "payment", "gift card", "email",
                      "zip", "name", "verify", "identity", "reason", "price", "total"},
      .end_signal = std::string(kStop)};
  static const UserStance kAirline{
      .accepts = {"changes to my reservations exactly as I asked for them",
                  "honest answers about what the airline's policy allows", "giving my user id to prove who I am"},
      .refuses = {"changes I did not ask for", "another flight, cabin, date or number of bags than the one I asked for",
                  "a payment method other than the one I named", "paying for bags or upgrades I did not ask for",
                  "being rushed into confirming"},
      .decision_policy = "confirm a change only when it is exactly what I asked for; accept a refusal the airline's policy "
                         "explains and move on; never invent reservation ids or details I was not given",
      .topic_words = {"reservation", "flight", "booking", "cancel", "change", "cabin", "economy", "business", "bag",
                      "baggage", "refund", "payment", "certificate", "gift card", "user id", "date", "price", "total"},
      .end_signal = std::string(kStop)};
  return domain == "airline" ? kAirline : kRetail;
}

// The instruction's sentences, as the concerns of a task without structured requests (imported).
std::vector<std::string> sentences(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find_first_of(".!?", start);
    std::size_t stop = end == std::string::npos ? text.size() : end + 1;
    std::string s(py_strip(std::string_view(text).substr(start, stop - start)));
    if (s.size() > 1) out.push_back(std::move(s));
    start = stop;
  }
  return out;
}

std::string customer_scenario(const TauTask& task) {
  const char* business = find_domain(task.domain).company;
  if (task.requests.empty()) return fmt::format("You are a customer contacting {}'s customer service.", business);
  const Identity& id = task.identity;
  if (id.zip.empty())  // the airline knows its customers by user id
    return fmt::format("You are {} {} (user id {}), a customer contacting {}'s customer service.", id.first_name, id.last_name,
                       task.user_id, business);
  return fmt::format("You are {} {} (zip code {}{}), a customer contacting {}'s customer service.", id.first_name, id.last_name,
                     id.zip, id.knows_email ? ", email " + id.email : "", business);
}

}  // namespace

UserAdapter user_adapter(const TauTask& task, const Params& params) {
  TaskConcerns c{.scenario = customer_scenario(task)};
  if (task.requests.empty()) {
    c.primary = sentences(task.instruction);
    static const std::regex kOrderId(R"(#W\d{7})");
    for (std::sregex_iterator it(task.instruction.begin(), task.instruction.end(), kOrderId), end; it != end; ++it)
      c.topic_words.push_back(it->str());
  } else {
    const Domain& domain = find_domain(task.domain);
    for (const auto& r : task.requests) {
      c.primary.push_back(domain.request_text(r));
      if (!r.order_id.empty()) c.topic_words.push_back(r.order_id);
      if (!r.hint_item.empty()) c.topic_words.push_back(r.hint_item);
      c.topic_words.insert(c.topic_words.end(), r.items.begin(), r.items.end());
      for (const auto& kv : r.changes) c.topic_words.push_back(py_str(kv.value()));
    }
  }
  c.secondary = {"a quick resolution without having to repeat myself"};
  return make_user_adapter(task.domain, std::move(c), stance_of(task.domain), hang_up_allowed(params));
}

}  // namespace rapport::tau
