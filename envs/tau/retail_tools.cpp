// The retail tools, reproducing tau-bench's (taubench-behaviour §2.1–2.2, §2.4): same checks in the
// same order with the same messages, same effects, outputs as json.dumps of the affected record.
// Arguments are bound by name with Python's TypeError texts and passed on unchecked, as tau-bench
// does, so wrong types meet the same fate as there (an int zip never matches, and so on).
#include <fmt/format.h>

#include <algorithm>

#include "core/pynum.h"
#include "envs/tau/tau.h"
#include "envs/tau/tool_support.h"

namespace rapport::tau {
namespace {

std::vector<Param> address_params(Param first) {
  return {first,
          {"address1", "string", "First line of the address, e.g. '123 Main St'."},
          {"address2", "string", "Second line of the address, e.g. 'Apt 1' (may be empty)."},
          {"city", "string", "City."},
          {"state", "string", "State, e.g. 'CA'."},
          {"country", "string", "Country, e.g. 'USA'."},
          {"zip", "string", "Five-digit zip code, as a string."}};
}

std::vector<ToolSpec> build_specs() {
  const Param order{"order_id", "string", "The order id, with its leading '#', e.g. '#W0000000'."};
  const Param payment{"payment_method_id", "string",
                      "A payment method id from the user's profile, e.g. 'credit_card_0000000' or 'gift_card_0000000'."};
  const Param items{"item_ids", "array", "Item ids of the order concerned; an id appears once per unit."};
  const Param new_items{"new_item_ids", "array",
                        "For each item id, in the same order, the id of the new variant of the same product."};
  return {
      calculate_spec(),
      make_spec("cancel_pending_order",
                "Cancel a pending order and refund its payments (gift cards at once, other methods in 5-7 business days). "
                "Only after the user confirms the order and the reason.",
                {order, {"reason", "string", "Either 'no longer needed' or 'ordered by mistake'."}}),
      make_spec("exchange_delivered_order_items",
                "Request an exchange of delivered items for other variants of the same products; the price difference is "
                "settled with the given payment method. Only once per order, after the user confirms every item.",
                {order, items, new_items, payment}),
      make_spec("find_user_id_by_email", "Find a user's id from their email address.",
                {{"email", "string", "The email address, e.g. 'jane.doe1234@example.com'."}}),
      make_spec("find_user_id_by_name_zip", "Find a user's id from their first name, last name and zip code.",
                {{"first_name", "string", "First name."}, {"last_name", "string", "Last name."},
                 {"zip", "string", "Zip code, as a string."}}),
      make_spec("get_order_details", "Show an order: items, status, fulfillments and payments.", {order}),
      make_spec("get_product_details", "Show a product and every variant with its options, availability and price.",
                {{"product_id", "string", "The product id (not an item id), e.g. '1000000000'."}}),
      make_spec("get_user_details", "Show a user's profile: name, address, email, payment methods and orders.",
                {{"user_id", "string", "The user id, e.g. 'jane_doe_1234'."}}),
      make_spec("list_all_product_types", "List every product type of the shop with its product id.", {}),
      make_spec("modify_pending_order_address", "Change the shipping address of a pending order, after the user confirms it.",
                address_params(order)),
      make_spec("modify_pending_order_items",
                "Change items of a pending order to other variants of the same products; the price difference is paid or "
                "refunded with the given method. Only once per order, after the user confirms every item.",
                {order, items, new_items, payment}),
      make_spec("modify_pending_order_payment", "Pay a pending order with another payment method of the user.", {order, payment}),
      make_spec("modify_user_address", "Change a user's default address, after the user confirms it.",
                address_params({"user_id", "string", "The user id, e.g. 'jane_doe_1234'."})),
      make_spec("return_delivered_order_items",
                "Request a return of delivered items; the refund goes to the original payment method or a gift card. After "
                "the user confirms the items and the refund method.",
                {order, items, payment}),
      think_spec(),
      transfer_spec(),
  };
}

std::string lower_of(const json::value& v) {
  if (!v.is_string()) throw Fail{.message = fmt::format("'{}' object has no attribute 'lower'", py_type(v)), .python = true};
  return ascii_lower(v.get_string());
}

json::array sorted_list(const std::vector<json::value>& items) {
  std::vector<json::value> v = items;
  std::stable_sort(v.begin(), v.end(), [](const json::value& a, const json::value& b) { return py_str(a) < py_str(b); });
  return json::array(v.begin(), v.end());
}

std::string source_of(const json::object& method) { return get_string(method, "source"); }

bool contains_gift_card(const json::value& id) {
  return id.is_string() && std::string_view(id.get_string()).find("gift_card") != std::string_view::npos;
}

json::object& user_method(Db& db, const json::object& order, const json::value& id, bool& found) {
  static json::object none;
  found = false;
  json::object* user = lookup(table(db, "users"), order.at("user_id"), "user not found");
  auto& methods = (*user)["payment_methods"].as_object();
  if (!id.is_string()) return none;
  auto it = methods.find(id.get_string());
  if (it == methods.end()) return none;
  found = true;
  return it->value().as_object();
}

std::size_t count_in(const std::vector<json::value>& list, const json::value& x) {
  return static_cast<std::size_t>(std::count(list.begin(), list.end(), x));
}

// The count check shared by modify, exchange and return: an id asked for more often than the
// order holds it.
std::optional<json::value> over_asked(const json::object& order, const std::vector<json::value>& ids) {
  std::vector<json::value> present;
  for (const auto& item : order.at("items").get_array()) present.push_back(item.at("item_id"));
  for (const auto& id : ids)
    if (count_in(ids, id) > count_in(present, id)) return id;
  return std::nullopt;
}

const json::object* first_item(const json::object& order, const json::value& id) {
  for (const auto& item : order.at("items").get_array())
    if (item.at("item_id") == id) return &item.get_object();
  return nullptr;
}

// Per pair, the new variant of the old item's product; throws tau-bench's message otherwise.
std::vector<const json::object*> new_variants(Db& db, const json::object& order, const std::vector<json::value>& old_ids,
                                              const std::vector<json::value>& new_ids) {
  std::vector<const json::object*> out;
  for (std::size_t i = 0; i < old_ids.size(); ++i) {
    const json::object* item = first_item(order, old_ids[i]);
    const json::object* variant = nullptr;
    if (item) {
      json::object* product = lookup(table(db, "products"), item->at("product_id"), "product not found");
      auto& variants = (*product)["variants"].as_object();
      if (new_ids[i].is_string())
        if (auto it = variants.find(new_ids[i].get_string()); it != variants.end()) variant = &it->value().get_object();
    }
    if (!variant || !get_bool(*variant, "available"))
      throw Fail{fmt::format("new item {} not found or available", py_str(new_ids[i]))};
    out.push_back(variant);
  }
  return out;
}

json::value price_difference(const json::object& order, const std::vector<json::value>& old_ids,
                             const std::vector<const json::object*>& variants) {
  json::value diff = std::int64_t{0};
  for (std::size_t i = 0; i < old_ids.size(); ++i)
    diff = py_add(diff, py_sub(variants[i]->at("price"), first_item(order, old_ids[i])->at("price")));
  return diff;
}

json::value py_abs(const json::value& v) {
  if (v.is_int64()) return std::abs(v.get_int64());
  if (v.is_double()) return std::abs(v.get_double());
  return v;
}

json::object address_from(const json::object& a) {
  return json::object{{"address1", a.at("address1")}, {"address2", a.at("address2")}, {"city", a.at("city")},
                      {"state", a.at("state")},       {"country", a.at("country")},   {"zip", a.at("zip")}};
}

// A pending order: exactly "pending" (tau-bench), or any status containing it (tau2-bench).
bool pending(const json::object& order, bool tau2) {
  const json::value& s = order.at("status");
  return tau2 ? s.is_string() && std::string_view(s.get_string()).find("pending") != std::string_view::npos : s == "pending";
}

// An item id asked for more often than the order holds it.
std::string count_missing(const json::value& id, bool tau2) {
  return tau2 ? fmt::format("Number of {} not found.", py_str(id)) : fmt::format("{} not found", py_str(id));
}

std::string find_user_id_by_email(Db& db, const json::object& a, bool) {
  std::string email = lower_of(a.at("email"));
  for (const auto& [id, user] : table(db, "users"))
    if (lower_of(user.at("email")) == email) return std::string(id);
  throw Fail{"user not found"};
}

std::string find_user_id_by_name_zip(Db& db, const json::object& a, bool) {
  for (const auto& [id, user] : table(db, "users")) {
    const auto& name = user.at("name").get_object();
    if (lower_of(name.at("first_name")) == lower_of(a.at("first_name")) &&
        lower_of(name.at("last_name")) == lower_of(a.at("last_name")) && user.at("address").at("zip") == a.at("zip"))
      return std::string(id);
  }
  throw Fail{"user not found"};
}

std::string get_user_details(Db& db, const json::object& a, bool) {
  return to_python_json(*lookup(table(db, "users"), a.at("user_id"), "user not found"));
}

std::string get_order_details(Db& db, const json::object& a, bool) {
  return to_python_json(*lookup(table(db, "orders"), a.at("order_id"), "order not found"));
}

std::string get_product_details(Db& db, const json::object& a, bool) {
  return to_python_json(*lookup(table(db, "products"), a.at("product_id"), "product not found"));
}

std::string list_all_product_types(Db& db, const json::object&, bool) {
  std::vector<std::pair<std::string, json::value>> names;
  for (const auto& [id, product] : table(db, "products"))
    names.emplace_back(std::string(product.at("name").get_string()), product.at("product_id"));
  std::stable_sort(names.begin(), names.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
  json::object out;
  for (auto& [name, id] : names) out[name] = id;  // a repeated name keeps its first place, last id (a dict)
  return to_python_json(out);
}

std::string cancel_pending_order(Db& db, const json::object& a, bool tau2) {
  json::object& order = *lookup(table(db, "orders"), a.at("order_id"), "order not found");
  if (order.at("status") != "pending") throw Fail{"non-pending order cannot be cancelled"};
  const json::value& reason = a.at("reason");
  if (reason != "no longer needed" && reason != "ordered by mistake") throw Fail{"invalid reason"};
  json::array refunds;
  for (const auto& p : order.at("payment_history").get_array()) {
    const json::value& id = p.at("payment_method_id");
    refunds.push_back(json::object{{"transaction_type", "refund"}, {"amount", p.at("amount")}, {"payment_method_id", id}});
    if (tau2) {  // tau2-bench refunds gift cards by the method's type
      bool found = false;
      json::object& method = user_method(db, order, id, found);
      if (found && source_of(method) == "gift_card") method["balance"] = py_round2(py_add(method.at("balance"), p.at("amount")));
    } else if (contains_gift_card(id)) {
      bool found = false;
      json::object& method = user_method(db, order, id, found);
      if (!found) throw Fail{.message = "'" + py_str(id) + "'", .python = true};  // Python's KeyError text
      method["balance"] = py_round2(py_add(method.at("balance"), p.at("amount")));
    }
  }
  order["status"] = "cancelled";
  order["cancel_reason"] = reason;
  for (auto& r : refunds) order["payment_history"].as_array().push_back(std::move(r));
  return to_python_json(order);
}

std::string modify_pending_order_address(Db& db, const json::object& a, bool tau2) {
  json::object& order = *lookup(table(db, "orders"), a.at("order_id"), "order not found");
  if (!pending(order, tau2)) throw Fail{"non-pending order cannot be modified"};
  order["address"] = address_from(a);
  return to_python_json(order);
}

std::string modify_pending_order_payment(Db& db, const json::object& a, bool tau2) {
  json::object& order = *lookup(table(db, "orders"), a.at("order_id"), "order not found");
  if (!pending(order, tau2)) throw Fail{"non-pending order cannot be modified"};
  const json::value& id = a.at("payment_method_id");
  bool found = false;
  json::object& method = user_method(db, order, id, found);
  if (!found) throw Fail{"payment method not found"};
  auto& history = order["payment_history"].as_array();
  if (history.empty() && !tau2) throw Fail{.message = "list index out of range", .python = true};
  if (history.size() != 1 || history[0].at("transaction_type") != "payment")
    throw Fail{"there should be exactly one payment for a pending order"};
  json::value amount = history[0].at("amount");
  json::value old_id = history[0].at("payment_method_id");
  if (old_id == id) throw Fail{"the new payment method should be different from the current one"};
  if (source_of(method) == "gift_card" && py_less(method.at("balance"), amount))
    throw Fail{"insufficient gift card balance to pay for the order"};
  history.push_back(json::object{{"transaction_type", "payment"}, {"amount", amount}, {"payment_method_id", id}});
  history.push_back(json::object{{"transaction_type", "refund"}, {"amount", amount}, {"payment_method_id", old_id}});
  if (source_of(method) == "gift_card") method["balance"] = py_round2(py_sub(method.at("balance"), amount));
  if (contains_gift_card(old_id)) {
    bool old_found = false;
    json::object& old_method = user_method(db, order, old_id, old_found);
    if (!old_found) throw Fail{.message = "'" + py_str(old_id) + "'", .python = true};
    old_method["balance"] = py_round2(py_add(old_method.at("balance"), amount));
  }
  return to_python_json(order);
}

std::string modify_pending_order_items(Db& db, const json::object& a, bool tau2) {
  json::object& order = *lookup(table(db, "orders"), a.at("order_id"), "order not found");
  if (order.at("status") != "pending") throw Fail{"non-pending order cannot be modified"};
  std::vector<json::value> old_ids = as_list(a.at("item_ids"));
  if (auto id = over_asked(order, old_ids)) throw Fail{count_missing(*id, tau2)};
  std::vector<json::value> new_ids = as_list(a.at("new_item_ids"));
  if (old_ids.size() != new_ids.size()) throw Fail{"the number of items to be exchanged should match"};
  if (tau2)
    for (std::size_t i = 0; i < old_ids.size(); ++i)
      if (old_ids[i] == new_ids[i]) throw Fail{"the new item id should be different from the old item id"};
  auto variants = new_variants(db, order, old_ids, new_ids);
  json::value diff = price_difference(order, old_ids, variants);
  const json::value& id = a.at("payment_method_id");
  bool found = false;
  json::object& method = user_method(db, order, id, found);
  if (!found) throw Fail{"payment method not found"};
  if (source_of(method) == "gift_card" && py_less(method.at("balance"), diff))
    throw Fail{"insufficient gift card balance to pay for the new item"};
  bool pay = py_less(json::value(std::int64_t{0}), diff);
  order["payment_history"].as_array().push_back(
      json::object{{"transaction_type", pay ? "payment" : "refund"}, {"amount", py_abs(diff)}, {"payment_method_id", id}});
  if (source_of(method) == "gift_card") method["balance"] = py_round2(py_sub(method.at("balance"), diff));
  for (std::size_t i = 0; i < old_ids.size(); ++i) {
    for (auto& item : order["items"].as_array()) {
      if (item.at("item_id") != old_ids[i]) continue;
      auto& o = item.as_object();
      o["item_id"] = new_ids[i];
      // tau2-bench writes the last validated variant's price and options to every modified item.
      const json::object* v = tau2 ? variants.back() : variants[i];
      o["price"] = v->at("price");
      o["options"] = v->at("options");
      break;
    }
  }
  order["status"] = "pending (item modified)";
  return to_python_json(order);
}

std::string exchange_delivered_order_items(Db& db, const json::object& a, bool tau2) {
  json::object& order = *lookup(table(db, "orders"), a.at("order_id"), "order not found");
  if (order.at("status") != "delivered") throw Fail{"non-delivered order cannot be exchanged"};
  std::vector<json::value> old_ids = as_list(a.at("item_ids"));
  if (auto id = over_asked(order, old_ids)) throw Fail{count_missing(*id, tau2)};
  std::vector<json::value> new_ids = as_list(a.at("new_item_ids"));
  if (old_ids.size() != new_ids.size()) throw Fail{"the number of items to be exchanged should match"};
  auto variants = new_variants(db, order, old_ids, new_ids);
  json::value diff = py_round2(price_difference(order, old_ids, variants));
  const json::value& id = a.at("payment_method_id");
  bool found = false;
  json::object& method = user_method(db, order, id, found);
  if (!found) throw Fail{"payment method not found"};
  if (source_of(method) == "gift_card" && py_less(method.at("balance"), diff))
    throw Fail{"insufficient gift card balance to pay for the price difference"};
  order["status"] = "exchange requested";
  order["exchange_items"] = sorted_list(old_ids);
  order["exchange_new_items"] = sorted_list(new_ids);
  order["exchange_payment_method_id"] = id;
  order["exchange_price_difference"] = diff;
  return to_python_json(order);
}

std::string return_delivered_order_items(Db& db, const json::object& a, bool tau2) {
  json::object& order = *lookup(table(db, "orders"), a.at("order_id"), "order not found");
  if (order.at("status") != "delivered") throw Fail{"non-delivered order cannot be returned"};
  const json::value& id = a.at("payment_method_id");
  bool found = false;
  user_method(db, order, id, found);
  if (!found) throw Fail{"payment method not found"};
  const auto& history = order.at("payment_history").get_array();
  if (!contains_gift_card(id) && (history.empty() || id != history[0].at("payment_method_id")))
    throw Fail{tau2 ? "payment method should be the original payment method"
                    : "payment method should be either the original payment method or a gift card"};
  std::vector<json::value> ids = as_list(a.at("item_ids"));
  if (over_asked(order, ids)) throw Fail{"some item not found"};
  order["status"] = "return requested";
  order["return_items"] = sorted_list(ids);
  order["return_payment_method_id"] = id;
  return to_python_json(order);
}

std::string modify_user_address(Db& db, const json::object& a, bool) {
  json::object& user = *lookup(table(db, "users"), a.at("user_id"), "user not found");
  user["address"] = address_from(a);
  return to_python_json(user);
}

// tau2-bench only: the variant record of an item id, searched over every product.
std::string get_item_details(Db& db, const json::object& a, bool) {
  const json::value& id = a.at("item_id");
  if (id.is_array() || id.is_object()) throw Fail{.message = fmt::format("unhashable type: '{}'", py_type(id)), .python = true};
  for (auto& [pid, product] : table(db, "products")) {
    auto& variants = product.as_object()["variants"].as_object();
    if (id.is_string())
      if (auto it = variants.find(id.get_string()); it != variants.end()) return to_python_json(it->value());
  }
  throw Fail{"item not found"};
}

const std::vector<ToolEntry>& handlers() {
  static const std::vector<ToolEntry> h = {
      {"calculate", calculate_tool},
      {"cancel_pending_order", cancel_pending_order},
      {"exchange_delivered_order_items", exchange_delivered_order_items},
      {"find_user_id_by_email", find_user_id_by_email},
      {"find_user_id_by_name_zip", find_user_id_by_name_zip},
      {"get_order_details", get_order_details},
      {"get_product_details", get_product_details},
      {"get_user_details", get_user_details},
      {"list_all_product_types", list_all_product_types},
      {"modify_pending_order_address", modify_pending_order_address},
      {"modify_pending_order_items", modify_pending_order_items},
      {"modify_pending_order_payment", modify_pending_order_payment},
      {"modify_user_address", modify_user_address},
      {"return_delivered_order_items", return_delivered_order_items},
      {"think", think_tool},
      {"transfer_to_human_agents", transfer_tool},
  };
  return h;
}

// tau2-bench's retail toolkit: think removed, get_item_details added (§8.2).
const std::vector<ToolEntry>& tau2_handlers() {
  static const std::vector<ToolEntry> h = [] {
    std::vector<ToolEntry> out;
    for (const auto& entry : handlers())
      if (std::string_view(entry.name) != "think") out.push_back(entry);
    out.insert(std::find_if(out.begin(), out.end(), [](const auto& e) { return std::string_view(e.name) > "get_item_details"; }),
               ToolEntry{"get_item_details", get_item_details});
    return out;
  }();
  return h;
}

// tau2-bench's wording of a tool check's error: its own sentences where §8.2 gives them, else the
// tool's message capitalised.
std::string tau2_error(std::string message) {
  if (!message.empty() && message[0] >= 'a' && message[0] <= 'z') message[0] = static_cast<char>(message[0] - 'a' + 'A');
  return message;
}

}  // namespace

const std::vector<ToolSpec>& retail_tool_specs() {
  static const std::vector<ToolSpec> specs = build_specs();
  return specs;
}

bool is_write_tool(std::string_view name) {
  return name == "cancel_pending_order" || name == "exchange_delivered_order_items" ||
         name == "modify_pending_order_address" || name == "modify_pending_order_items" ||
         name == "modify_pending_order_payment" || name == "modify_user_address" || name == "return_delivered_order_items";
}

ToolOutcome call_retail_tool(Db& db, std::string_view name, const json::object& arguments) {
  return dispatch_tool(db, retail_tool_specs(), handlers(), is_write_tool, name, arguments);
}

// ---- tau2-bench compatibility (§8.2) ------------------------------------------------------------

const std::vector<ToolSpec>& tau2_retail_tool_specs() {
  static const std::vector<ToolSpec> specs = [] {
    std::vector<ToolSpec> out;
    for (const auto& t : retail_tool_specs())
      if (t.name != "think") out.push_back(t);
    ToolSpec item = make_spec("get_item_details", "Get the details of an item (a product variant): its options, availability and price.",
                              {{"item_id", "string", "The item id, such as '6086499569'."}});
    out.insert(std::find_if(out.begin(), out.end(), [](const ToolSpec& t) { return t.name > "get_item_details"; }), std::move(item));
    return out;
  }();
  return specs;
}

ToolOutcome call_tau2_retail_tool(Db& db, std::string_view name, const json::object& arguments) {
  return dispatch_tool(db, tau2_retail_tool_specs(), tau2_handlers(), is_write_tool, name, arguments, tau2_error);
}

}  // namespace rapport::tau
