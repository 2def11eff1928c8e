// Our shop and its tasks: a database drawn from a world seed (users, products with variants,
// orders in every status), and tasks drawn from it whose gold actions and outputs follow from the
// customer's goal by construction. Also the task record codec.
#include <fmt/format.h>

#include <algorithm>

#include "core/params.h"
#include "core/pynum.h"
#include "core/rng.h"
#include "envs/tau/task_plan.h"
#include "envs/tau/tau.h"

namespace rapport::tau {
namespace {

struct OptionDim {
  const char* key;
  std::vector<const char*> values;
};
struct ProductType {
  const char* name;
  int base_cents;
  std::vector<OptionDim> options;
};

const std::vector<ProductType>& catalog() {
  static const std::vector<ProductType> c = {
      {"T-Shirt", 2500, {{"color", {"red", "blue", "black", "white"}}, {"size", {"S", "M", "L", "XL"}}}},
      {"Desk Lamp", 4800, {{"color", {"black", "white", "silver"}}, {"power", {"USB", "AC adapter"}}}},
      {"Water Bottle", 2200, {{"capacity", {"500ml", "750ml", "1000ml"}}, {"material", {"steel", "plastic"}}}},
      {"Running Shoes", 8900, {{"size", {"7", "8", "9", "10"}}, {"color", {"black", "grey"}}}},
      {"Backpack", 6400, {{"color", {"navy", "green", "black"}}, {"size", {"small", "large"}}}},
      {"Headphones", 12900, {{"type", {"over-ear", "in-ear"}}, {"color", {"black", "white"}}}},
      {"Coffee Maker", 7900, {{"capacity", {"4 cups", "8 cups"}}, {"color", {"black", "steel"}}}},
      {"Yoga Mat", 3100, {{"thickness", {"4mm", "6mm"}}, {"color", {"purple", "blue", "green"}}}},
      {"Notebook", 900, {{"pages", {"100", "200"}}, {"cover", {"hard", "soft"}}}},
      {"Wall Clock", 3900, {{"style", {"modern", "classic"}}, {"color", {"black", "wood"}}}},
  };
  return c;
}

const std::vector<const char*> kFirst = {"Ava",   "Liam", "Mia",  "Noah",  "Emma", "Omar", "Sofia", "Yusuf", "Chen",
                                         "Lucas", "Aria", "Ivan", "Nora",  "Raj",  "Lena", "Mateo", "Zoe",   "Kofi"};
const std::vector<const char*> kLast = {"Lee",    "Garcia", "Patel",  "Kim",   "Rossi", "Silva", "Nguyen", "Brown",
                                        "Khan",   "Moreau", "Novak",  "Sato",  "Evans", "Ortiz", "Haddad", "Berg"};
const std::vector<const char*> kStreets = {"Oak Street",  "Maple Avenue", "Cedar Lane", "Hill Road",
                                           "Lake Drive",  "Pine Court",   "River Way",  "Elm Street"};
struct City {
  const char* city;
  const char* state;
};
const std::vector<City> kCities = {{"Austin", "TX"},  {"Denver", "CO"},   {"Portland", "OR"}, {"Boston", "MA"},
                                   {"Phoenix", "AZ"}, {"Columbus", "OH"}, {"Seattle", "WA"},  {"Atlanta", "GA"}};

std::string digits(Rng& rng, int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s += static_cast<char>('0' + (i == 0 ? 1 + rng.below(9) : rng.below(10)));
  return s;
}

json::object random_address(Rng& rng) {
  const City& c = rng.pick(kCities);
  // One draw per statement: the order of a call's arguments is unspecified, and the native and
  // WebAssembly compilers differ.
  const char* street = rng.pick(kStreets);
  auto number = rng.range(10, 999);
  auto unit = rng.range(1, 400);
  const char* unit_kind = rng.chance(0.5) ? "Apt" : "Suite";
  return json::object{{"address1", fmt::format("{} {}", number, street)},
                      {"address2", fmt::format("{} {}", unit_kind, unit)},
                      {"city", c.city},
                      {"country", "USA"},
                      {"state", c.state},
                      {"zip", digits(rng, 5)}};
}

double money(std::int64_t cents) { return static_cast<double>(cents) / 100.0; }

}  // namespace

Db generate_retail_db(std::uint64_t world) {
  Rng rng = Rng::derive(world, "tau/retail/db");
  json::object products;
  std::vector<std::string> product_ids;
  for (const auto& type : catalog()) {
    std::string pid = digits(rng, 10);
    json::object variants;
    std::vector<std::vector<const char*>> combos{{}};
    for (const auto& dim : type.options) {
      std::vector<std::vector<const char*>> next;
      for (const auto& c : combos)
        for (const char* v : dim.values) {
          auto e = c;
          e.push_back(v);
          next.push_back(std::move(e));
        }
      combos = std::move(next);
    }
    for (const auto& combo : combos) {
      if (!rng.chance(0.8)) continue;
      std::string iid = digits(rng, 10);
      json::object options;
      for (std::size_t k = 0; k < combo.size(); ++k) options[type.options[k].key] = combo[k];
      std::int64_t cents = type.base_cents + rng.range(-type.base_cents / 5, type.base_cents / 5);
      variants[iid] = json::object{{"item_id", iid}, {"options", std::move(options)}, {"available", rng.chance(0.75)}, {"price", money(cents)}};
    }
    products[pid] = json::object{{"name", type.name}, {"product_id", pid}, {"variants", std::move(variants)}};
    product_ids.push_back(pid);
  }

  json::object users, orders;
  const int n_users = 24;
  for (int u = 0; u < n_users; ++u) {
    std::string first = rng.pick(kFirst), last = rng.pick(kLast);
    std::string uid = ascii_lower(fmt::format("{}_{}_{}", first, last, digits(rng, 4)));
    if (users.contains(uid)) continue;
    json::object methods;
    std::string card = "credit_card_" + digits(rng, 7);
    methods[card] = json::object{{"source", "credit_card"}, {"brand", rng.chance(0.5) ? "visa" : "mastercard"},
                                 {"last_four", digits(rng, 4)}, {"id", card}};
    if (rng.chance(0.5)) {
      std::string gift = "gift_card_" + digits(rng, 7);
      methods[gift] = json::object{{"source", "gift_card"}, {"balance", rng.range(20, 300)}, {"id", gift}};
    }
    if (rng.chance(0.4)) {
      std::string paypal = "paypal_" + digits(rng, 7);
      methods[paypal] = json::object{{"source", "paypal"}, {"id", paypal}};
    }
    json::object address = random_address(rng);
    json::array order_ids;
    int n_orders = static_cast<int>(rng.range(2, 4));
    for (int o = 0; o < n_orders; ++o) {
      std::string oid = "#W" + digits(rng, 7);
      json::array items, item_ids;
      std::int64_t cents = 0;
      int n_items = static_cast<int>(rng.range(1, 3));
      std::vector<std::string> used;
      for (int i = 0; i < n_items; ++i) {
        const std::string& pid = rng.pick(product_ids);
        if (std::find(used.begin(), used.end(), pid) != used.end()) continue;  // one unit per product keeps tasks unambiguous
        used.push_back(pid);
        const auto& product = products.at(pid).get_object();
        const auto& variants = product.at("variants").get_object();
        if (variants.empty()) continue;
        auto it = variants.begin() + static_cast<std::ptrdiff_t>(rng.below(variants.size()));
        const auto& v = it->value().get_object();
        items.push_back(json::object{{"name", product.at("name")}, {"product_id", pid}, {"item_id", v.at("item_id")},
                                     {"price", v.at("price")}, {"options", v.at("options")}});
        item_ids.push_back(v.at("item_id"));
        cents += static_cast<std::int64_t>(v.at("price").get_double() * 100 + 0.5);
      }
      if (items.empty()) continue;
      double roll = rng.uniform();
      std::string status = roll < 0.4 ? "pending" : roll < 0.75 ? "delivered" : roll < 0.87 ? "processed" : "cancelled";
      json::array fulfillments;
      if (status == "delivered" || status == "processed")
        fulfillments.push_back(json::object{{"tracking_id", json::array{json::string(digits(rng, 12))}}, {"item_ids", item_ids}});
      // Pay with the card or the gift card when it covers the order.
      std::string pay = card;
      for (const auto& [id, m] : methods)
        if (get_string(m.get_object(), "source") != "credit_card" && rng.chance(0.4) &&
            (get_string(m.get_object(), "source") != "gift_card" || m.at("balance").get_int64() * 100 >= cents))
          pay = std::string(id);
      json::array history{json::object{{"transaction_type", "payment"}, {"amount", money(cents)}, {"payment_method_id", pay}}};
      if (status == "cancelled")
        history.push_back(json::object{{"transaction_type", "refund"}, {"amount", money(cents)}, {"payment_method_id", pay}});
      orders[oid] = json::object{{"order_id", oid},          {"user_id", uid},          {"address", address},
                                 {"items", std::move(items)}, {"fulfillments", fulfillments}, {"status", status},
                                 {"payment_history", std::move(history)}};
      order_ids.push_back(json::string(oid));
    }
    std::string email = ascii_lower(fmt::format("{}.{}{}@example.com", first, last, digits(rng, 4)));
    users[uid] = json::object{{"name", json::object{{"first_name", first}, {"last_name", last}}},
                              {"address", std::move(address)},
                              {"email", email},
                              {"payment_methods", std::move(methods)},
                              {"orders", std::move(order_ids)}};
  }
  return Db{{"orders", std::move(orders)}, {"products", std::move(products)}, {"users", std::move(users)}};
}

// ---- Task generation ------------------------------------------------------------------------

namespace {

std::string item_list(const std::vector<std::string>& names) {
  std::string s;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) s += i + 1 == names.size() ? " and the " : ", the ";
    s += names[i];
  }
  return "the " + s;
}

std::string order_ref(const Request& r) {
  return r.knows_order_id ? "order " + r.order_id : "my order with the " + r.hint_item;
}

std::string address_text(const json::object& a) {
  return fmt::format("{}, {}, {}, {}, {}, {}", get_string(a, "address1"), get_string(a, "address2"), get_string(a, "city"),
                     get_string(a, "state"), get_string(a, "country"), get_string(a, "zip"));
}

struct Builder {
  const Db& db;
  Rng& rng;
  const json::object& user;
  std::string user_id;
  std::vector<GoldAction> gold;
  std::vector<std::string> used_orders;

  const json::object& order(const std::string& id) const { return db.at("orders").at(id).get_object(); }

  // Orders of the user in `statuses`, not used by an earlier request.
  std::vector<std::string> orders_with(std::initializer_list<const char*> statuses) const {
    std::vector<std::string> out;
    for (const auto& id : user.at("orders").get_array()) {
      std::string oid(id.get_string());
      if (std::find(used_orders.begin(), used_orders.end(), oid) != used_orders.end()) continue;
      std::string status = get_string(order(oid), "status");
      for (const char* s : statuses)
        if (status == s) out.push_back(oid);
    }
    return out;
  }

  // An item name of the order found in no other order of the user: the customer's hint.
  std::string unique_item(const std::string& oid) const {
    for (const auto& item : order(oid).at("items").get_array()) {
      std::string name = get_string(item.get_object(), "name");
      bool elsewhere = false;
      for (const auto& other : user.at("orders").get_array())
        if (other.get_string() != oid)
          for (const auto& it2 : order(std::string(other.get_string())).at("items").get_array())
            if (get_string(it2.get_object(), "name") == name) elsewhere = true;
      if (!elsewhere) return name;
    }
    return "";
  }

  std::string original_payment(const std::string& oid) const {
    return get_string(order(oid).at("payment_history").at(0).get_object(), "payment_method_id");
  }
  const json::object* method(const std::string& id) const {
    const auto& m = user.at("payment_methods").get_object();
    auto it = m.find(id);
    return it == m.end() ? nullptr : &it->value().get_object();
  }

  void read(const char* name, json::object kwargs) { gold.push_back({name, std::move(kwargs)}); }

  // Fills r for `kind`; false when this user has no order that fits.
  bool make(Request& r, const std::string& kind, bool knows_id, bool rich) {
    r.kind = kind;
    std::vector<std::string> candidates;
    if (kind == "cancel" || kind == "address") candidates = orders_with({"pending"});
    else if (kind == "return") candidates = orders_with({"delivered"});
    else if (kind == "exchange") candidates = orders_with({"pending", "delivered"});
    else if (kind == "refused_cancel") candidates = orders_with({"delivered", "processed"});
    else if (kind == "ask_total") candidates = orders_with({"pending", "delivered", "processed"});
    rng.shuffle(candidates);
    for (const auto& oid : candidates) {
      r.order_id = oid;
      r.knows_order_id = knows_id;
      r.hint_item = unique_item(oid);
      if (!knows_id && r.hint_item.empty()) continue;
      const auto& o = order(oid);
      const auto& items = o.at("items").get_array();
      if (kind == "cancel" || kind == "refused_cancel") {
        r.reason = rng.chance(0.5) ? "no longer needed" : "ordered by mistake";
        if (kind == "cancel") read("cancel_pending_order", {{"order_id", oid}, {"reason", r.reason}});
      } else if (kind == "address") {
        r.address = random_address(rng);
        json::object kw{{"order_id", oid}};
        for (const char* k : {"address1", "address2", "city", "state", "country", "zip"}) kw[k] = r.address.at(k);
        read("modify_pending_order_address", std::move(kw));
      } else if (kind == "return") {
        std::size_t n = rich && items.size() > 1 ? 2 : 1;
        json::array ids;
        for (std::size_t i = 0; i < n; ++i) {
          r.items.push_back(get_string(items[i].get_object(), "name"));
          ids.push_back(items[i].at("item_id"));
        }
        std::string pm = original_payment(oid);
        if (rich)
          for (const auto& [id, m] : user.at("payment_methods").get_object())
            if (get_string(m.get_object(), "source") == "gift_card" && std::string(id) != pm) {
              pm = std::string(id);
              r.to_gift_card = true;
            }
        read("return_delivered_order_items", {{"order_id", oid}, {"item_ids", ids}, {"payment_method_id", pm}});
      } else if (kind == "exchange") {
        if (!exchange(r, o)) continue;
      } else if (kind == "ask_total") {
        const auto& pay = o.at("payment_history").at(0).get_object();
        r.figure = py_repr(pay.at("amount").get_double());
      }
      used_orders.push_back(oid);
      return true;
    }
    return false;
  }

  // An item of the order and an available variant of its product differing in exactly one option.
  bool exchange(Request& r, const json::object& o) {
    for (const auto& item_value : o.at("items").get_array()) {
      const auto& item = item_value.get_object();
      const auto& product = db.at("products").at(get_string(item, "product_id")).get_object();
      const auto& old_options = item.at("options").get_object();
      for (const auto& [vid, vv] : product.at("variants").get_object()) {
        const auto& v = vv.get_object();
        if (!get_bool(v, "available") || v.at("item_id") == item.at("item_id")) continue;
        json::object changes;
        for (const auto& [k, val] : v.at("options").get_object())
          if (old_options.at(k) != val) changes[k] = val;
        if (changes.size() != 1) continue;
        std::string pm = original_payment(std::string(o.at("order_id").get_string()));
        const json::object* m = method(pm);
        if (!m) continue;
        double diff = v.at("price").get_double() - item.at("price").get_double();
        if (get_string(*m, "source") == "gift_card" && m->at("balance").to_number<double>() < diff) continue;
        r.items = {get_string(item, "name")};
        r.changes = changes;
        const char* tool = get_string(o, "status") == "pending" ? "modify_pending_order_items" : "exchange_delivered_order_items";
        read(tool, {{"order_id", o.at("order_id")},
                    {"item_ids", json::array{item.at("item_id")}},
                    {"new_item_ids", json::array{v.at("item_id")}},
                    {"payment_method_id", pm}});
        return true;
      }
    }
    return false;
  }
};

}  // namespace

std::string request_text(const Request& r) {
  if (r.kind == "cancel" || r.kind == "refused_cancel")
    return fmt::format("I want to cancel {} because I {}.", order_ref(r),
                       r.reason == "no longer needed" ? "no longer need it" : "ordered it by mistake");
  if (r.kind == "address")
    return fmt::format("Please change the shipping address of {} to {}.", order_ref(r), address_text(r.address));
  if (r.kind == "return")
    return fmt::format("I'd like to return {} from {}, with the refund going to {}.", item_list(r.items), order_ref(r),
                       r.to_gift_card ? "my gift card" : "my original payment method");
  if (r.kind == "exchange") {
    std::string with;
    for (const auto& [k, v] : r.changes) with += (with.empty() ? "" : " and ") + std::string(k) + " " + py_str(v);
    return fmt::format(
        "I'd like to exchange {} in {} for the same item with {} (everything else the same). Please settle any price "
        "difference with the original payment method.",
        item_list(r.items), order_ref(r), with);
  }
  if (r.kind == "ask_total") return fmt::format("How much did I pay in total for {}?", order_ref(r));
  return "I need some help with my order.";
}

TauTask generate_task(std::uint64_t world, std::uint64_t index, std::string_view tier) {
  Db db = generate_retail_db(world);
  Rng rng = Rng::derive(world, fmt::format("tau/retail/task/{}", tier), index);
  const auto& users = db.at("users").get_object();
  for (int attempt = 0;; ++attempt) {
    auto it = users.begin() + static_cast<std::ptrdiff_t>(rng.below(users.size()));
    Builder b{db, rng, it->value().get_object(), std::string(it->key()), {}, {}};
    TauTask t;
    t.source = "generated";
    t.tier = std::string(tier);
    t.world = world;
    t.user_id = b.user_id;
    const auto& name = b.user.at("name").get_object();
    t.identity = Identity{get_string(name, "first_name"), get_string(name, "last_name"),
                          get_string(b.user.at("address").get_object(), "zip"), get_string(b.user, "email"), rng.chance(0.4)};
    // The identity look-up and profile read every gold run starts with.
    if (t.identity.knows_email) b.read("find_user_id_by_email", {{"email", t.identity.email}});
    else b.read("find_user_id_by_name_zip", {{"first_name", t.identity.first_name}, {"last_name", t.identity.last_name}, {"zip", t.identity.zip}});
    b.read("get_user_details", {{"user_id", b.user_id}});
    static const TierKinds kinds{{"cancel", "return", "exchange", "address"},
                                 {"cancel", "return", "exchange", "address", "return"},
                                 {"refused_cancel", "ask_total", "cancel", "return", "exchange"},
                                 {"cancel", "return", "exchange", "address"}};
    const bool ok = make_requests(b, plan_tier(tier, rng, kinds), t.requests);
    if (!ok && attempt < 200) continue;
    if (!ok) throw ConfigError(fmt::format("tau: world {} has no user for a {} task", world, tier));
    t.actions = std::move(b.gold);
    for (const auto& r : t.requests)
      if (!r.figure.empty()) t.outputs.push_back(r.figure);
    t.id = fmt::format("retail-{}-{}-{}", tier, world, index);
    t.opening = "Hi! " + request_text(t.requests.front());
    const std::string goals = numbered_requests(t.requests, request_text);
    t.instruction = fmt::format(
        "You are {} {}, a customer of an online shop; your zip code is {}{}. You contact customer service for the "
        "following, one after the other (in your own words):{}\nGive your name and zip code{} when asked to identify "
        "yourself. You do not know anything else about your account (such as ids other than those above). Agree only "
        "to what matches these wishes. If the agent says a request cannot be done, accept it and move on.",
        t.identity.first_name, t.identity.last_name, t.identity.zip,
        t.identity.knows_email ? fmt::format(" and your email is {}", t.identity.email) : "", goals,
        t.identity.knows_email ? " (or your email)" : "");
    return t;
  }
}

Db initial_db(const TauTask& task) {
  if (task.source == "generated") return find_domain(task.domain).generate_db(task.world);
  if (const Db* db = imported_db(task.db_ref)) return *db;
  throw ConfigError(fmt::format("tau: task {} needs the tau-bench database it was imported with: pass --data DIR", task.id));
}

// ---- Task records ---------------------------------------------------------------------------

json::value to_json(const TauTask& t) {
  json::array actions;
  for (const auto& a : t.actions) actions.push_back(json::object{{"name", a.name}, {"kwargs", a.kwargs}});
  json::array outputs;
  for (const auto& o : t.outputs) outputs.push_back(json::string(o));
  json::object o{{"domain", t.domain}, {"source", t.source}, {"user_id", t.user_id}, {"instruction", t.instruction},
                 {"opening", t.opening}, {"actions", std::move(actions)}, {"outputs", std::move(outputs)}};
  if (t.source == "generated") {
    o["tier"] = t.tier;
    o["world"] = t.world;
    o["identity"] = json::object{{"first_name", t.identity.first_name}, {"last_name", t.identity.last_name},
                                 {"zip", t.identity.zip}, {"email", t.identity.email}, {"knows_email", t.identity.knows_email}};
    json::array requests;
    for (const auto& r : t.requests) {
      json::array items;
      for (const auto& i : r.items) items.push_back(json::string(i));
      requests.push_back(json::object{{"kind", r.kind}, {"order_id", r.order_id}, {"knows_order_id", r.knows_order_id},
                                      {"hint_item", r.hint_item}, {"items", std::move(items)}, {"reason", r.reason},
                                      {"changes", r.changes}, {"address", r.address}, {"to_gift_card", r.to_gift_card},
                                      {"figure", r.figure}});
      if (!r.details.empty()) requests.back().as_object()["details"] = r.details;
    }
    o["requests"] = std::move(requests);
  } else {
    o["db_ref"] = t.db_ref;
    if (!t.tau2.empty()) o["tau2"] = t.tau2;
  }
  return o;
}

TauTask tau_task_from(const Task& task) {
  if (!task.data.is_object()) throw ConfigError("tau: task data is not an object");
  const auto& o = task.data.get_object();
  TauTask t;
  t.id = task.id;
  t.domain = find_domain(get_string(o, "domain", "retail")).name;
  t.source = get_string(o, "source");
  if (t.source != "generated" && t.source != "tau-bench" && t.source != "tau2-bench")
    throw ConfigError("tau: task source must be generated, tau-bench or tau2-bench");
  t.user_id = get_string(o, "user_id");
  t.instruction = get_string(o, "instruction");
  t.opening = get_string(o, "opening");
  if (auto a = o.find("actions"); a != o.end() && a->value().is_array())
    for (const auto& x : a->value().get_array()) {
      if (!x.is_object()) throw ConfigError("tau: an action is not an object");
      const auto& xo = x.get_object();
      auto kw = xo.find("kwargs");
      t.actions.push_back({get_string(xo, "name"), kw != xo.end() && kw->value().is_object() ? kw->value().get_object() : json::object{}});
    }
  if (auto a = o.find("outputs"); a != o.end() && a->value().is_array())
    for (const auto& x : a->value().get_array()) t.outputs.push_back(py_str(x));
  if (t.source == "generated") {
    t.tier = get_string(o, "tier");
    auto w = o.find("world");
    if (w == o.end() || !(w->value().is_uint64() || (w->value().is_int64() && w->value().get_int64() >= 0)))
      throw ConfigError("tau: generated task without world (a non-negative whole number)");
    t.world = w->value().to_number<std::uint64_t>();
    if (auto i = o.find("identity"); i != o.end() && i->value().is_object()) {
      const auto& io = i->value().get_object();
      t.identity = Identity{get_string(io, "first_name"), get_string(io, "last_name"), get_string(io, "zip"),
                            get_string(io, "email"), get_bool(io, "knows_email")};
    }
    if (auto rs = o.find("requests"); rs != o.end() && rs->value().is_array())
      for (const auto& x : rs->value().get_array()) {
        if (!x.is_object()) continue;
        const auto& ro = x.get_object();
        Request r;
        r.kind = get_string(ro, "kind");
        r.order_id = get_string(ro, "order_id");
        r.knows_order_id = get_bool(ro, "knows_order_id", true);
        r.hint_item = get_string(ro, "hint_item");
        if (auto it = ro.find("items"); it != ro.end() && it->value().is_array())
          for (const auto& n : it->value().get_array()) r.items.push_back(py_str(n));
        r.reason = get_string(ro, "reason");
        if (auto c = ro.find("changes"); c != ro.end() && c->value().is_object()) r.changes = c->value().get_object();
        if (auto c = ro.find("address"); c != ro.end() && c->value().is_object()) r.address = c->value().get_object();
        r.to_gift_card = get_bool(ro, "to_gift_card");
        r.figure = get_string(ro, "figure");
        if (auto c = ro.find("details"); c != ro.end() && c->value().is_object()) r.details = c->value().get_object();
        t.requests.push_back(std::move(r));
      }
  } else {
    t.db_ref = get_string(o, "db_ref");
    if (t.source == "tau2-bench") {
      auto x = o.find("tau2");
      if (x == o.end() || !x->value().is_object() || !x->value().get_object().contains("reward_basis") ||
          !x->value().at("reward_basis").is_array())
        throw ConfigError("tau: tau2-bench task without its reward basis");
      for (const auto& b : x->value().at("reward_basis").get_array())
        if (!b.is_string()) throw ConfigError("tau: tau2-bench task with a malformed reward basis");
      t.tau2 = x->value().get_object();
    }
  }
  return t;
}

}  // namespace rapport::tau
