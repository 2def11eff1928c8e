// The domains TauGym runs (tau.h, Domain): each is a table of its tools, policy, world, task
// generator and scripted players; everything else looks a domain up here by name or by policy.
#include <fmt/format.h>

#include "core/params.h"
#include "envs/tau/airline.h"
#include "envs/tau/tau.h"

namespace rapport::tau {
namespace {

const Domain kRetail{"retail",
                     "shop",
                     "an online shop",
                     R"({"name": "get_order_details", "arguments": {"order_id": "#W0000000"}} or get_order_details: {"order_id": "#W0000000"})",
                     {"orders", "products", "users"},
                     retail_tool_specs,
                     call_retail_tool,
                     is_write_tool,
                     retail_policy,
                     generate_retail_db,
                     generate_task,
                     make_scripted_customer,
                     make_retail_agent,
                     request_text};

const Domain kAirline{"airline",
                      "airline",
                      "an airline",
                      R"({"name": "get_reservation_details", "arguments": {"reservation_id": "ABC123"}} or get_reservation_details: {"reservation_id": "ABC123"})",
                      {"flights", "reservations", "users"},
                      airline_tool_specs,
                      call_airline_tool,
                      is_airline_write_tool,
                      airline_policy,
                      generate_airline_db,
                      generate_airline_task,
                      make_airline_customer,
                      make_airline_agent,
                      airline::request_text};

}  // namespace

const std::vector<const Domain*>& domains() {
  static const std::vector<const Domain*> all{&kRetail, &kAirline};
  return all;
}

const Domain& find_domain(std::string_view name) {
  std::string known;
  for (const Domain* d : domains()) {
    if (d->name == name) return *d;
    known += (known.empty() ? "" : ", ") + std::string(d->name);
  }
  throw ConfigError(fmt::format("tau: unknown domain '{}' (known: {})", name, known));
}

const Domain& domain_of_prompt(std::string_view system_prompt) {
  for (const Domain* d : domains())
    if (system_prompt.substr(0, d->policy().size()) == d->policy()) return *d;
  return kRetail;
}

}  // namespace rapport::tau
