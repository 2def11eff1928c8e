// tau2-bench's task format for a domain folder (taubench-behaviour §8): db.json (one object of
// tables), tasks.json (structured user scenarios and evaluation criteria), split_tasks.json (split
// name -> task ids); its typed database (numbers coerced to the declared types, optional fields
// present), its JSON-text database hash, and its reward over the task's reward basis. The tools'
// own differences live in retail_tools.cpp as tau2 mode. Retail is read; a domain with its own
// schema (airline) adds its coercion to coerce_db.
#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "core/pynum.h"
#include "core/sha256.h"
#include "envs/tau/tau.h"

namespace rapport::tau {
namespace {

std::string base_name(const std::string& path) {
  std::size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

void to_float(json::value& v) {
  if (v.is_int64()) v = static_cast<double>(v.get_int64());
  else if (v.is_uint64()) v = static_cast<double>(v.get_uint64());
}

json::object* object_at(json::object& o, std::string_view key) {
  auto it = o.find(key);
  return it != o.end() && it->value().is_object() ? &it->value().get_object() : nullptr;
}

json::array* array_at(json::object& o, std::string_view key) {
  auto it = o.find(key);
  return it != o.end() && it->value().is_array() ? &it->value().get_array() : nullptr;
}

// Keys sorted at every level, as json.dumps(sort_keys=True) writes them (code-point order, which
// UTF-8 byte order preserves).
json::value sorted_keys(const json::value& v) {
  if (v.is_array()) {
    json::array out;
    for (const auto& x : v.get_array()) out.push_back(sorted_keys(x));
    return out;
  }
  if (!v.is_object()) return v;
  std::vector<std::pair<std::string, const json::value*>> kv;
  for (const auto& e : v.get_object()) kv.emplace_back(std::string(e.key()), &e.value());
  std::sort(kv.begin(), kv.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  json::object out;
  for (const auto& [k, x] : kv) out[k] = sorted_keys(*x);
  return out;
}

// Python's == on decoded JSON: 1 == 1.0, containers element-wise.
bool py_equal(const json::value& a, const json::value& b) {
  if (a.is_number() && b.is_number()) return a.to_number<double>() == b.to_number<double>();
  if (a.is_array() && b.is_array()) {
    const auto &x = a.get_array(), &y = b.get_array();
    if (x.size() != y.size()) return false;
    for (std::size_t i = 0; i < x.size(); ++i)
      if (!py_equal(x[i], y[i])) return false;
    return true;
  }
  if (a.is_object() && b.is_object()) {
    const auto &x = a.get_object(), &y = b.get_object();
    if (x.size() != y.size()) return false;
    for (const auto& kv : x)
      if (!y.contains(kv.key()) || !py_equal(kv.value(), y.at(kv.key()))) return false;
    return true;
  }
  return a == b;
}

std::vector<std::string> strings_of(const json::object& o, std::string_view key) {
  std::vector<std::string> out;
  if (auto it = o.find(key); it != o.end() && it->value().is_array())
    for (const auto& x : it->value().get_array())
      if (x.is_string()) out.emplace_back(x.get_string());
  return out;
}

// The customer's instruction from user_scenario: the structured fields as labelled lines (the
// persona first when there is one), or the scenario's text.
std::string instruction_of(const json::object& task, const std::string& id) {
  auto us = task.find("user_scenario");
  if (us == task.end() || !us->value().is_object()) throw ConfigError(fmt::format("tau: tasks.json: task {} has no user_scenario", id));
  const auto& scenario = us->value().get_object();
  std::string out;
  if (auto p = scenario.find("persona"); p != scenario.end() && p->value().is_string()) out = "Persona: " + std::string(p->value().get_string()) + "\n";
  auto in = scenario.find("instructions");
  if (in == scenario.end()) throw ConfigError(fmt::format("tau: tasks.json: task {} has no user_scenario.instructions", id));
  if (in->value().is_string()) return out + std::string(in->value().get_string());
  if (!in->value().is_object()) throw ConfigError(fmt::format("tau: tasks.json: task {}: instructions is neither text nor an object", id));
  const auto& i = in->value().get_object();
  for (const auto& [key, label] : std::vector<std::pair<const char*, const char*>>{{"reason_for_call", "Reason for call"},
                                                                                   {"known_info", "Known info"},
                                                                                   {"unknown_info", "Unknown info"},
                                                                                   {"task_instructions", "Task instructions"}})
    if (auto f = i.find(key); f != i.end() && f->value().is_string() && !f->value().get_string().empty())
      out += fmt::format("{}: {}\n", label, std::string(f->value().get_string()));
  return std::string(py_strip(out));
}

TauTask task_from(const json::object& o, const std::string& domain, const std::string& hash) {
  TauTask t;
  std::string raw_id = o.contains("id") ? py_str(o.at("id")) : "";
  if (raw_id.empty()) throw ConfigError("tau: tasks.json: a task has no id");
  t.id = fmt::format("tau2-{}-{}", domain, raw_id);
  t.domain = domain;
  t.source = "tau2-bench";
  t.db_ref = hash;
  t.instruction = instruction_of(o, raw_id);
  // tau2-bench's customer writes its own first message; without a model ours opens plainly.
  t.opening = "Hi, I need some help with my account.";
  if (auto s = o.find("initial_state"); s != o.end() && !s->value().is_null()) {
    const auto& st = s->value();
    bool empty = st.is_object() && std::all_of(st.get_object().begin(), st.get_object().end(), [](const auto& kv) {
      return kv.value().is_null() || (kv.value().is_array() && kv.value().get_array().empty()) ||
             (kv.value().is_object() && kv.value().get_object().empty());
    });
    if (!empty) throw ConfigError(fmt::format("tau: tasks.json: task {} has an initial_state, which this importer does not apply yet", raw_id));
  }
  json::object criteria;
  if (auto c = o.find("evaluation_criteria"); c != o.end() && c->value().is_object()) criteria = c->value().get_object();
  json::array compare;
  if (auto* actions = array_at(criteria, "actions")) {
    for (const auto& a : *actions) {
      if (!a.is_object()) throw ConfigError(fmt::format("tau: tasks.json: task {}: an action is not an object", raw_id));
      const auto& ao = a.get_object();
      if (get_string(ao, "requestor", "assistant") != "assistant")
        throw ConfigError(fmt::format("tau: tasks.json: task {}: user-side gold actions (dual control) are not supported", raw_id));
      json::object args;
      if (auto x = ao.find("arguments"); x != ao.end() && x->value().is_object()) args = x->value().get_object();
      t.actions.push_back({get_string(ao, "name"), args});
      compare.push_back(ao.contains("compare_args") ? ao.at("compare_args") : json::value(nullptr));
    }
  }
  t.outputs = strings_of(criteria, "communicate_info");
  json::array basis;
  if (auto it = criteria.find("reward_basis"); it != criteria.end() && it->value().is_array()) basis = it->value().get_array();
  else basis = {"DB", "COMMUNICATE"};
  for (const auto& b : basis) {
    std::string name = b.is_string() ? std::string(b.get_string()) : "";
    if (name != "DB" && name != "COMMUNICATE" && name != "ACTION" && name != "NL_ASSERTION")
      throw ConfigError(fmt::format("tau: tasks.json: task {}: reward basis '{}' is not supported (DB, COMMUNICATE, ACTION, NL_ASSERTION)",
                                    raw_id, py_str(b)));
  }
  json::array nl;
  for (const auto& s : strings_of(criteria, "nl_assertions")) nl.push_back(json::string(s));
  t.tau2 = json::object{{"reward_basis", std::move(basis)}, {"nl_assertions", std::move(nl)}, {"compare_args", std::move(compare)}};
  return t;
}

}  // namespace

Db coerce_tau2_retail_db(Db db) {
  static const char* kOptional[] = {"cancel_reason",      "exchange_items",      "exchange_new_items", "exchange_payment_method_id",
                                    "exchange_price_difference", "return_items", "return_payment_method_id"};
  if (auto* products = object_at(db, "products"))
    for (auto& p : *products)
      if (p.value().is_object())
        if (auto* variants = object_at(p.value().get_object(), "variants"))
          for (auto& v : *variants)
            if (v.value().is_object())
              if (auto it = v.value().get_object().find("price"); it != v.value().get_object().end()) to_float(it->value());
  if (auto* users = object_at(db, "users"))
    for (auto& u : *users)
      if (u.value().is_object())
        if (auto* methods = object_at(u.value().get_object(), "payment_methods"))
          for (auto& m : *methods)
            if (m.value().is_object())
              if (auto it = m.value().get_object().find("balance"); it != m.value().get_object().end()) to_float(it->value());
  if (auto* orders = object_at(db, "orders"))
    for (auto& o : *orders) {
      if (!o.value().is_object()) continue;
      json::object& order = o.value().get_object();
      if (auto* items = array_at(order, "items"))
        for (auto& i : *items)
          if (i.is_object())
            if (auto it = i.get_object().find("price"); it != i.get_object().end()) to_float(it->value());
      if (auto* history = array_at(order, "payment_history"))
        for (auto& p : *history)
          if (p.is_object())
            if (auto it = p.get_object().find("amount"); it != p.get_object().end()) to_float(it->value());
      for (const char* f : kOptional)
        if (!order.contains(f)) order[f] = nullptr;
      to_float(order["exchange_price_difference"]);
    }
  return db;
}

std::string tau2_db_hash(const json::value& db) { return sha256_hex(to_python_json(sorted_keys(db))); }

bool is_tau2_folder(const std::vector<std::pair<std::string, std::string>>& files) {
  bool db = false, tasks = false;
  for (const auto& f : files) {
    std::string n = base_name(f.first);
    db = db || n == "db.json";
    tasks = tasks || n == "tasks.json";
  }
  return db && tasks;
}

std::vector<TauTask> import_tau2_folder(const std::vector<std::pair<std::string, std::string>>& files, std::string_view split) {
  std::map<std::string, const std::string*> by_name;
  for (const auto& [path, text] : files) by_name.emplace(base_name(path), &text);
  auto read = [&](const char* name) -> std::optional<json::value> {
    auto it = by_name.find(name);
    if (it == by_name.end()) return std::nullopt;
    auto v = parse_json(*it->second);
    if (!v) throw ConfigError(fmt::format("tau: {} is not valid JSON", name));
    return v;
  };
  auto db_value = read("db.json");
  if (!db_value || !db_value->is_object()) throw ConfigError("tau: the tau2-bench folder's db.json is missing or not a JSON object");
  Db db = std::move(db_value->get_object());
  for (const char* t : {"orders", "products", "users"})
    if (!db.contains(t) || !db.at(t).is_object())
      throw ConfigError(fmt::format("tau: db.json has no '{}' table: only tau2-bench's retail domain is read", t));
  db = coerce_tau2_retail_db(std::move(db));
  std::string hash = tau2_db_hash(db);
  import_store(hash, std::move(db));

  auto tasks_value = read("tasks.json");
  if (!tasks_value || !tasks_value->is_array()) throw ConfigError("tau: the tau2-bench folder's tasks.json is missing or not a JSON list");
  std::vector<std::string> wanted;
  bool all = split == "all";
  if (!all) {
    auto splits = read("split_tasks.json");
    if (!splits || !splits->is_object())
      throw ConfigError(fmt::format("tau: split '{}' needs split_tasks.json (or --split all)", split));
    auto it = splits->get_object().find(split);
    if (it == splits->get_object().end() || !it->value().is_array()) {
      std::string names;
      for (const auto& kv : splits->get_object()) names += (names.empty() ? "" : ", ") + std::string(kv.key());
      throw ConfigError(fmt::format("tau: split_tasks.json has no split '{}' (it has: {}; or --split all)", split, names));
    }
    for (const auto& id : it->value().get_array()) wanted.push_back(py_str(id));
  }
  std::vector<TauTask> out;
  for (const auto& item : tasks_value->get_array()) {
    if (!item.is_object()) throw ConfigError("tau: tasks.json: a task is not an object");
    const auto& o = item.get_object();
    std::string id = o.contains("id") ? py_str(o.at("id")) : "";
    if (!all && std::find(wanted.begin(), wanted.end(), id) == wanted.end()) continue;
    out.push_back(task_from(o, "retail", hash));
  }
  if (out.empty()) throw ConfigError(fmt::format("tau: the tau2-bench folder has no tasks for split '{}'", split));
  return out;
}

std::vector<std::string> nl_assertions_to_grade(const TauTask& task) {
  std::vector<std::string> out;
  auto basis = task.tau2.find("reward_basis");
  if (basis == task.tau2.end() || !basis->value().is_array()) return out;
  const auto& b = basis->value().get_array();
  if (std::find(b.begin(), b.end(), json::value("NL_ASSERTION")) == b.end()) return out;
  return strings_of(task.tau2, "nl_assertions");
}

RewardReport score_tau2_episode(const TauTask& task, const Db& initial, const Db& final_db, const std::vector<ToolInvocation>& calls,
                                const std::vector<std::string>& agent_messages, const std::optional<std::vector<bool>>& nl_verdicts) {
  // DB and COMMUNICATE as tau-bench computes them, but on tau2-bench's tools and hash.
  Db gold_db = initial;
  for (const auto& a : task.actions) call_tau2_retail_tool(gold_db, a.name, a.kwargs);  // errors are part of the gold
  RewardReport r = score_episode(initial, final_db, {}, task.outputs, agent_messages);
  r.db_hash = tau2_db_hash(final_db);
  r.gold_hash = tau2_db_hash(gold_db);
  r.db_match = r.db_hash == r.gold_hash;
  r.differing = r.db_match ? std::vector<std::string>{} : differing_records(final_db, gold_db);

  // ACTION: every gold action among the agent's calls, by name and its compare_args.
  const json::array empty;
  auto compare_it = task.tau2.find("compare_args");
  const json::array& compare = compare_it != task.tau2.end() && compare_it->value().is_array() ? compare_it->value().get_array() : empty;
  json::array action_checks;
  bool actions_ok = true;
  for (std::size_t i = 0; i < task.actions.size(); ++i) {
    const GoldAction& g = task.actions[i];
    std::vector<std::string> keys;
    if (i < compare.size() && compare[i].is_array())
      for (const auto& k : compare[i].get_array()) keys.push_back(py_str(k));
    else
      for (const auto& kv : g.kwargs) keys.emplace_back(kv.key());
    bool matched = std::any_of(calls.begin(), calls.end(), [&](const ToolInvocation& c) {
      if (c.name != g.name) return false;
      for (const auto& k : keys) {
        auto want = g.kwargs.find(k);
        auto got = c.arguments.find(k);
        if ((want == g.kwargs.end()) != (got == c.arguments.end())) return false;
        if (want != g.kwargs.end() && !py_equal(want->value(), got->value())) return false;
      }
      return true;
    });
    actions_ok = actions_ok && matched;
    action_checks.push_back(json::object{{"name", g.name}, {"matched", matched}});
  }

  json::object components;
  json::array ungraded;
  double reward = 1.0;
  const json::array& basis = task.tau2.at("reward_basis").get_array();
  for (const auto& b : basis) {
    std::string name(b.get_string());
    if (name == "DB") components["DB"] = r.db_match ? 1.0 : 0.0;
    else if (name == "COMMUNICATE") components["COMMUNICATE"] = r.outputs_ok ? 1.0 : 0.0;
    else if (name == "ACTION") components["ACTION"] = actions_ok ? 1.0 : 0.0;
    else if (nl_assertions_to_grade(task).empty()) components["NL_ASSERTION"] = 1.0;  // none to grade
    else if (nl_verdicts) components["NL_ASSERTION"] = std::all_of(nl_verdicts->begin(), nl_verdicts->end(), [](bool v) { return v; }) ? 1.0 : 0.0;
    else ungraded.push_back(json::string(name));  // NL_ASSERTION needs an LLM judge
  }
  if (nl_verdicts) {
    json::array results;
    for (bool v : *nl_verdicts) results.push_back(v);
    r.extra["nl_assertion_results"] = std::move(results);
    r.extra["nl_assertions"] = task.tau2.at("nl_assertions");
  }
  for (const auto& c : components) reward *= c.value().as_double();
  r.reward = reward;
  r.extra["reward_basis"] = basis;
  r.extra["reward_components"] = std::move(components);
  if (!action_checks.empty()) r.extra["action_checks"] = std::move(action_checks);
  if (!ungraded.empty()) {
    r.extra["ungraded"] = std::move(ungraded);
    r.extra["nl_assertions"] = task.tau2.at("nl_assertions");
  }
  return r;
}

}  // namespace rapport::tau
