// TauGym: customer service with tools, a policy and a simulated customer (reference
// taubench-behaviour.md, userrl-behaviour.md §2.2). The agent talks with a customer, looks up and
// changes records through the environment's tools (core/tools.h), must follow the shop's policy,
// and is rewarded 1 when the database ends exactly as the gold actions leave it and it said every
// required output. Files: pydata.cpp (Python-exact text and the database hash), retail_tools.cpp,
// calculate.cpp, reward.cpp, tau_env.cpp (rules), tasks.cpp (generator), importer.cpp (tau-bench
// data), scripted_oracle.cpp / llm_oracle.cpp (the customer), agent.cpp, policy.cpp; domain.cpp
// (the domains), tool_support.cpp, and the airline's airline_*.cpp.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/agent.h"
#include "core/environment.h"
#include "core/flow.h"
#include "core/tools.h"
#include "core/user_episode.h"

namespace rapport::tau {

inline constexpr const char* kName = "tau";
inline constexpr const char* kVersion = "1";
inline constexpr std::string_view kStop = "###STOP###";
// tau-bench's fixed agent greeting, which the simulated customer answers first.
inline constexpr const char* kGreeting = "Hi! How can I help you today?";

// A domain's database in tau-bench's schema, insertion-ordered: retail {"orders", "products",
// "users"} (taubench-behaviour §1.2), airline {"flights", "reservations", "users"} (§1.3).
using Db = json::object;

// ---- Python-exact text (pydata.cpp) ---------------------------------------------------------

// str(canon(value)) of taubench §5.1: objects as key-sorted tuples of pairs, lists as tuples,
// Python reprs of strings, numbers, booleans and None.
std::string canonical_repr(const json::value& value);
// sha256 of canonical_repr: tau-bench's get_data_hash.
std::string db_hash(const json::value& db);
// str(value) as Python prints a decoded JSON value (strings bare, 150 vs 150.0, True, None).
std::string py_str(const json::value& value);
// Python arithmetic on JSON numbers: int op int stays int, anything with a float is a double.
json::value py_add(const json::value& a, const json::value& b);
json::value py_sub(const json::value& a, const json::value& b);
// round(x, 2): ints stay ints.
json::value py_round2(const json::value& x);
// a < b for JSON numbers (false when either is not a number).
bool py_less(const json::value& a, const json::value& b);

// ---- Tools (retail_tools.cpp, calculate.cpp) -------------------------------------------------

struct ToolOutcome {
  std::string observation;
  bool terminal = false;  // transfer_to_human_agents
  bool error = false;     // an "Error: ..." or unknown-tool observation
};

// The 16 retail tools, alphabetically as tau-bench lists them.
const std::vector<ToolSpec>& retail_tool_specs();
// Executes one tool call on `db` exactly as tau-bench does (errors, effects, output text),
// including its Python binding errors for missing or unexpected arguments and "Unknown action".
ToolOutcome call_retail_tool(Db& db, std::string_view name, const json::object& arguments);
// Whether a tool can change the database (the reward replays only these for nothing; listed for
// agents and reports).
bool is_write_tool(std::string_view name);
// calculate(expression): tau-bench's result text ("4.0", "3.33", "Error: ...").
std::string calculate(std::string_view expression);

// ---- Tasks (tasks.cpp, importer.cpp) --------------------------------------------------------

struct GoldAction {
  std::string name;
  json::object kwargs;
};

// One customer request, structured, for the scripted customer (generated tasks only). Retail kinds:
// cancel | return | exchange | address | refused_cancel (asks for what the policy forbids; the
// agent must refuse) | ask_total (wants a figure said back: the task's outputs). Airline kinds are
// listed in airline.h; their order_id is the reservation id.
struct Request {
  std::string kind;
  std::string order_id;
  bool knows_order_id = true;
  std::string hint_item;           // an item name of the order, for a customer without the order id
  std::vector<std::string> items;  // item names concerned (return, exchange)
  std::string reason;              // cancel
  json::object changes;            // exchange: option -> new value
  json::object address;            // address: the new address
  bool to_gift_card = false;       // return: refund to the gift card instead of the original method
  std::string figure;              // ask_total: what the agent must say
  json::object details;            // what a domain's request needs beyond these (airline: flights, bags, ...)
};

struct Identity {
  std::string first_name, last_name, zip, email;
  bool knows_email = false;
};

struct TauTask {
  std::string id;
  std::string domain = "retail";
  std::string source;  // generated | tau-bench
  std::string tier;    // easy | medium | hard (generated)
  std::uint64_t world = 0;  // generated: the database seed
  std::string db_ref;       // tau-bench: hash of the imported database (held by import_store)
  std::string user_id;
  std::string instruction;  // what the simulated customer is told
  std::string opening;      // the customer's first message
  std::vector<GoldAction> actions;
  std::vector<std::string> outputs;
  Identity identity;              // generated
  std::vector<Request> requests;  // generated
  // tau2-bench tasks (source "tau2-bench"): reward_basis, nl_assertions, the gold actions'
  // compare_args (tau2_importer.cpp); empty for every other task.
  json::object tau2;
};

json::value to_json(const TauTask& task);
TauTask tau_task_from(const Task& task);  // throws ConfigError on a malformed task

// Our shop: a database drawn from `world` (users, products with variants, orders).
Db generate_retail_db(std::uint64_t world);
// Task `index` of tier `tier` on the shop of `world`, gold actions and outputs by construction.
TauTask generate_task(std::uint64_t world, std::uint64_t index, std::string_view tier);
// The database a task starts from (generated in its domain's world, or imported earlier in this
// process).
Db initial_db(const TauTask& task);

// tau-bench's data folder for a domain (found by its table files: retail users.json, orders.json,
// products.json; airline flights.json, reservations.json, users.json) and task files: tasks_test.py / tasks_train.py / tasks_dev.py (Task(...) literals) or UserRL's
// tau_*.json dumps. The database is kept for the process (import_store); tasks refer to it by
// hash. Throws ConfigError naming what is missing or malformed.
std::vector<TauTask> import_tau_folder(const std::vector<std::pair<std::string, std::string>>& files,
                                       std::string_view split);
// Parses tau-bench's task list source (`TASKS = [Task(annotator=..., user_id=..., ...), ...]`).
std::vector<TauTask> parse_tau_task_source(std::string_view text, std::string_view id_prefix);
void import_store(const std::string& hash, Db db);
const Db* imported_db(const std::string& hash);

// ---- Reward (reward.cpp) --------------------------------------------------------------------

struct RewardReport {
  double reward = 0.0;
  bool db_match = false;
  std::string db_hash, gold_hash;
  std::vector<std::string> differing;  // "orders/#W1234567 (status, payment_history)", ...
  bool outputs_ok = true;
  json::object outputs;  // output -> said
  json::object extra;    // a task format's own parts of the breakdown (tau2-bench: reward_basis, ...)
  json::object info() const;
};
// Replays the gold actions on `initial` and compares with `final_db`; checks outputs against the
// agent's messages (lower-case substring, commas removed).
RewardReport score_episode(const Db& initial, const Db& final_db, const std::vector<GoldAction>& gold,
                           const std::vector<std::string>& outputs, const std::vector<std::string>& agent_messages);
// The records of two databases that differ, with their differing top-level fields.
std::vector<std::string> differing_records(const Db& a, const Db& b);

// ---- The customer ---------------------------------------------------------------------------

struct Utterance {
  std::string role;  // agent | customer
  std::string text;
};

struct CustomerView {
  const TauTask* task = nullptr;
  std::vector<Utterance> history;  // from the customer's opening on
  std::string agent_message;
  json::object state;  // the oracle's own memory, as it returned it last time
};

struct CustomerReply {
  std::string text;  // contains kStop when the customer ends the conversation
  json::object state;
  bool failed = false;  // the oracle gave nothing usable: the fallback reply applies
};

class Customer {
 public:
  virtual ~Customer() = default;
  virtual Ask<CustomerReply> reply(const CustomerView& view) const = 0;
};

std::unique_ptr<Customer> make_scripted_customer();
std::unique_ptr<Customer> make_llm_customer();
LlmRequest customer_request(const CustomerView& view);
CustomerReply read_customer_reply(const LlmResponse& response);

// What the customer says about a request, as the generator and the scripted customer phrase it.
std::string request_text(const Request& request);

// ---- Domains (domain.cpp) ---------------------------------------------------------------------

// A business TauGym can run: its tools, policy, generated world and tasks, and its scripted
// players. The env, reward, importer and agents go through this and know no domain by name.
struct Domain {
  const char* name;         // retail | airline: the `domain` parameter, task ids, task records
  const char* business;     // how the agent's instructions call the company: shop | airline
  const char* company;      // how the customer's instructions call it: an online shop | an airline
  const char* example_call; // a look-up as [search] help shows it, {"name": ..., "arguments": ...}
  std::vector<const char*> tables;  // the database's tables, each a <table>.json in tau-bench's folder
  const std::vector<ToolSpec>& (*tool_specs)();
  ToolOutcome (*call_tool)(Db& db, std::string_view name, const json::object& arguments);
  bool (*is_write_tool)(std::string_view name);
  const std::string& (*policy)();
  Db (*generate_db)(std::uint64_t world);
  TauTask (*generate_task)(std::uint64_t world, std::uint64_t index, std::string_view tier);
  std::unique_ptr<Customer> (*scripted_customer)();
  std::unique_ptr<Agent> (*scripted_agent)(std::uint64_t seed);
  // A generated request in the customer's words (the instruction's goals, the reasoning user's concerns).
  std::string (*request_text)(const Request& request);
};

// Every domain, retail first (the default).
const std::vector<const Domain*>& domains();
// The domain of that name; throws ConfigError naming the known ones.
const Domain& find_domain(std::string_view name);
// The domain whose policy the agent's instructions begin with (retail when none does).
const Domain& domain_of_prompt(std::string_view system_prompt);

// Replays the gold actions with the domain's tools (score_episode above is retail's).
RewardReport score_episode(const Domain& domain, const Db& initial, const Db& final_db, const std::vector<GoldAction>& gold,
                           const std::vector<std::string>& outputs, const std::vector<std::string>& agent_messages);

// ---- Airline (airline_tools.cpp, airline_world.cpp, airline_tasks.cpp, airline_policy.cpp) ----

// The 14 airline tools, alphabetically as tau-bench lists them (§2.3).
const std::vector<ToolSpec>& airline_tool_specs();
// Executes one airline tool call on `db` exactly as tau-bench does.
ToolOutcome call_airline_tool(Db& db, std::string_view name, const json::object& arguments);
bool is_airline_write_tool(std::string_view name);
const std::string& airline_policy();
// Our airline: airports, flights with per-date records, users and reservations in every state.
Db generate_airline_db(std::uint64_t world);
TauTask generate_airline_task(std::uint64_t world, std::uint64_t index, std::string_view tier);
std::unique_ptr<Customer> make_airline_customer();
std::unique_ptr<Agent> make_airline_agent(std::uint64_t seed);

// The customer's goals for the reasoning user (core/user_episode.h; user_adapter.cpp): the
// domain's stance, concerns from the task's requests (or its instruction), the stop signal kept.
UserAdapter user_adapter(const TauTask& task, const Params& params);

// ---- tau2-bench (tau2_importer.cpp; taubench-behaviour §8) --------------------------------------

// A tau2-bench domain folder: db.json and tasks.json (split_tasks.json optional).
bool is_tau2_folder(const std::vector<std::pair<std::string, std::string>>& files);
// Its tasks of `split` (a split_tasks.json name, or all). The database, coerced to tau2-bench's
// types, is kept for the process like tau-bench's (import_store). Throws ConfigError naming what
// is missing, malformed or not supported.
std::vector<TauTask> import_tau2_folder(const std::vector<std::pair<std::string, std::string>>& files, std::string_view split);
// tau2-bench's typed retail database (§8.2): price, amount and balance as floats, the optional
// order fields present (null until set).
Db coerce_tau2_retail_db(Db db);
// sha256 of json.dumps(db, sort_keys=True): tau2-bench's database hash.
std::string tau2_db_hash(const json::value& db);
// tau2-bench's retail toolkit (retail_tools.cpp): no think, get_item_details, reworded errors,
// its changed checks and effects.
const std::vector<ToolSpec>& tau2_retail_tool_specs();
ToolOutcome call_tau2_retail_tool(Db& db, std::string_view name, const json::object& arguments);
// The reward over the task's reward basis: DB (tau2 hash of the gold replay), COMMUNICATE (as
// tau-bench's outputs), ACTION (every gold action among the agent's calls, by compare_args),
// NL_ASSERTION needs an LLM judge: with `nl_verdicts` (one per assertion) it is graded, without
// it reported ungraded and left out of the product.
RewardReport score_tau2_episode(const TauTask& task, const Db& initial, const Db& final_db, const std::vector<ToolInvocation>& calls,
                                const std::vector<std::string>& agent_messages,
                                const std::optional<std::vector<bool>>& nl_verdicts = std::nullopt);

// The task's NL assertions (empty when it has none or NL_ASSERTION is not in its basis).
std::vector<std::string> nl_assertions_to_grade(const TauTask& task);
// The judge's call for them (tau2_judge.cpp; role Judge, purpose "tau2_nl_assertions") and its
// reader: one verdict per assertion, nullopt when the reply is unusable.
LlmRequest nl_assertion_request(const std::vector<Utterance>& conversation, const std::vector<std::string>& assertions);
std::optional<std::vector<bool>> read_nl_assertions(const LlmResponse& response, std::size_t count);

// ---- Policy and agents (policy.cpp, agent.cpp) ----------------------------------------------

const std::string& retail_policy();

// Plays from the policy, the tools and the conversation only: authenticates, looks up, checks the
// policy, proposes, writes after a yes. Picks the domain's agent by the policy it is given.
std::unique_ptr<Agent> make_scripted_agent(std::uint64_t seed);
// The retail shop's scripted agent.
std::unique_ptr<Agent> make_retail_agent(std::uint64_t seed);
// Random moves: random tools with ids it has seen, random messages. A floor for comparisons.
std::unique_ptr<Agent> make_random_agent(std::uint64_t seed);

}  // namespace rapport::tau
