// TauGym's baseline agents. The scripted agent plays only from what an agent sees (the policy's
// rules, the tools, the conversation): it verifies the customer, finds the order (from its id, or
// from the item the customer mentions), checks the policy against the order's status, proposes the
// change with every detail, writes only after a yes, and reports. The random agent calls random
// tools with ids it has seen and says random things: the floor any agent should beat.
#include <fmt/format.h>

#include <map>
#include <regex>

#include "core/pynum.h"
#include "core/rng.h"
#include "core/tools.h"
#include "envs/tau/phrases.h"
#include "envs/tau/scripted_agent.h"
#include "envs/tau/tau.h"

namespace rapport::tau {
namespace {

// "... my order with the desk lamp because ...": the item that identifies the order, taken out of
// the text so that it is not mistaken for an item the request is about.
std::string take_hint(std::string& text) {
  static const std::string kPhrase = "order with the ";
  std::size_t at = text.find(kPhrase);
  if (at == std::string::npos) return "";
  std::size_t begin = at + kPhrase.size(), end = text.size();
  for (const char* stop : {" because", " for ", " from ", " to ", " in ", ",", ".", "?", "!"})
    if (std::size_t e = text.find(stop, begin); e != std::string::npos) end = std::min(end, e);
  std::string hint = text.substr(begin, end - begin);
  text.erase(at, end - at);
  return hint;
}

// What the customer wants, as the agent understands it from their words.
struct Goal {
  std::string kind;  // cancel | return | exchange | address | ask_total
  std::string hint;  // an item of the order, when the customer does not know its id
  std::string text;  // the customer's words, lower-case
  std::string order_id;
  std::string reason;
  json::object address;
  bool gift_card = false;
};

std::optional<Goal> read_goal(const std::string& said) {
  Goal g;
  g.text = ascii_lower(said);
  g.hint = take_hint(g.text);
  if (has(g.text, {"exchange", "swap"})) g.kind = "exchange";
  else if (has(g.text, {"return"})) g.kind = "return";
  else if (has(g.text, {"cancel"})) g.kind = "cancel";
  else if (has(g.text, {"address"})) g.kind = "address";
  else if (has(g.text, {"how much", "total"})) g.kind = "ask_total";
  else return std::nullopt;
  g.order_id = first_match(said, R"(#W\d{7})");
  if (has(g.text, {"no longer need"})) g.reason = "no longer needed";
  else if (has(g.text, {"by mistake"})) g.reason = "ordered by mistake";
  g.gift_card = has(g.text, {"gift card"});
  if (g.kind == "address") {
    // "... to 12 Oak Street, Apt 4, Austin, TX, USA, 73301."
    std::size_t to = said.rfind(" to ");
    if (to != std::string::npos) {
      std::string rest = said.substr(to + 4);
      while (!rest.empty() && (rest.back() == '.' || rest.back() == ' ')) rest.pop_back();
      std::vector<std::string> parts;
      std::size_t start = 0;
      for (;;) {
        std::size_t comma = rest.find(", ", start);
        parts.push_back(rest.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
        if (comma == std::string::npos) break;
        start = comma + 2;
      }
      if (parts.size() == 6)
        g.address = json::object{{"address1", parts[0]}, {"address2", parts[1]}, {"city", parts[2]},
                                 {"state", parts[3]},    {"country", parts[4]},  {"zip", parts[5]}};
    }
  }
  return g;
}

std::string money_text(const json::value& v) { return "$" + py_str(v); }

class ScriptedTauAgent : public ScriptedToolAgent<ScriptedTauAgent> {
 public:
  void observe(const StepResult& result) override {
    std::string tool = take_pending_tool();
    const std::string& out = result.observation;
    if (tool.empty()) return hear(out);
    bool error = out.rfind("Error", 0) == 0;
    if (tool == "find_user_id_by_email" || tool == "find_user_id_by_name_zip") {
      if (!error) user_id_ = out;
      else lookup_failed_ = true;
    } else if (tool == "get_user_details" && !error) {
      if (auto v = parse_json(out); v && v->is_object()) user_ = v->get_object();
    } else if (tool == "get_order_details" && !error) {
      if (auto v = parse_json(out); v && v->is_object()) orders_[get_string(v->get_object(), "order_id")] = v->get_object();
    } else if (tool == "get_order_details") {
      orders_[pending_order_] = json::object{};  // known not to exist
    } else if (tool == "get_product_details" && !error) {
      if (auto v = parse_json(out); v && v->is_object()) products_[get_string(v->get_object(), "product_id")] = v->get_object();
    } else if (is_write_tool(tool)) {
      write_result_ = out;
      written_ = true;
    }
  }

 private:
  friend class ScriptedToolAgent<ScriptedTauAgent>;

  void saw_call(const ToolInvocation& call) {
    if (call.name == "get_order_details") pending_order_ = get_string(call.arguments, "order_id");
  }

  // ---- reading the customer ----
  void hear(const std::string& said) {
    std::string email = first_match(said, R"(([A-Za-z0-9._]+@[A-Za-z0-9.]+\.[a-z]+))", 1);
    if (!email.empty() && email != email_) {
      email_ = email;
      lookup_failed_ = false;
    }
    std::smatch m;
    if (std::regex_search(said, m, std::regex(R"([Nn]ame is ([A-Z][a-zA-Z'-]*) ([A-Z][a-zA-Z'-]*))"))) {
      first_ = m[1];
      last_ = m[2];
      lookup_failed_ = false;
    }
    std::string zip = first_match(said, R"(zip code is (\d{5}))", 1);
    if (!zip.empty()) zip_ = zip;
    std::string lower = ascii_lower(said);
    if (goal_ && awaiting_yes_) {
      awaiting_yes_ = false;
      if (says_yes(lower)) {
        confirmed_ = true;
        return;
      }
      proposed_ = false;  // a no: listen to what they want instead
      if (auto g = read_goal(said)) set_goal(*g);
      return;
    }
    if (goal_ && !goal_done_) {
      if (goal_->kind == "cancel" && goal_->reason.empty()) {
        if (has(lower, {"no longer need"})) goal_->reason = "no longer needed";
        else if (has(lower, {"by mistake"})) goal_->reason = "ordered by mistake";
      }
      std::string id = first_match(said, R"(#W\d{7})");
      if (goal_->order_id.empty() && !id.empty()) goal_->order_id = id;
      if (!goal_->order_id.empty()) return;
      std::string more = lower;  // "it's the order with the Desk Lamp"
      if (std::string hint = take_hint(more); !hint.empty()) goal_->hint = hint;
      return;
    }
    if (auto g = read_goal(said)) set_goal(*g);
  }

  void set_goal(const Goal& g) {
    goal_ = g;
    goal_done_ = confirmed_ = proposed_ = awaiting_yes_ = written_ = false;
    write_result_.clear();
  }

  // ---- moves ----
  AgentMove decide() {
    if (messages_ > 24) return AgentMove::tool("finish", "");
    if (user_id_.empty()) {
      if (!lookup_failed_ && !email_.empty()) return call("find_user_id_by_email", {{"email", email_}});
      if (!lookup_failed_ && !first_.empty() && !zip_.empty())
        return call("find_user_id_by_name_zip", {{"first_name", first_}, {"last_name", last_}, {"zip", zip_}});
      lookup_failed_ = false;
      return say("Before I can help, I need to verify your identity. Could you please give me your email address, or "
                 "your first name, last name and zip code?");
    }
    if (user_.empty()) return call("get_user_details", {{"user_id", user_id_}});
    if (!goal_ || goal_done_) return say("Is there anything else I can help you with?");
    Goal& g = *goal_;

    // The order: named by the customer, or the one holding the item they mention.
    if (g.order_id.empty()) {
      for (const auto& id : array_in(user_, "orders")) {
        std::string oid(id.get_string());
        if (!orders_.count(oid)) {
          pending_order_ = oid;
          return call("get_order_details", {{"order_id", oid}});
        }
      }
      g.order_id = order_by_item(g);
      if (g.order_id.empty())
        return say("I couldn't tell which order you mean. Could you give me the order id (it starts with #W)?");
    }
    if (!orders_.count(g.order_id)) {
      pending_order_ = g.order_id;
      return call("get_order_details", {{"order_id", g.order_id}});
    }
    const json::object& order = orders_.at(g.order_id);
    if (order.empty() || get_string(order, "user_id") != user_id_) {
      std::string bad = g.order_id;
      g.order_id.clear();
      orders_.erase(bad);
      return done_with(fmt::format("I couldn't find order {} on your account. Could you check the order id?", bad));
    }
    std::string status = get_string(order, "status");

    if (g.kind == "ask_total") {
      const auto& history = array_in(order, "payment_history");
      if (history.empty() || !history[0].is_object() || !history[0].get_object().contains("amount"))
        return done_with("That order has no payment on record.");
      return done_with(fmt::format("The total you paid for order {} was {}.", g.order_id,
                                   money_text(history[0].at("amount"))));
    }
    // The policy, against the order's status.
    bool allowed = g.kind == "cancel" || g.kind == "address" ? status == "pending"
                   : g.kind == "return"                     ? status == "delivered"
                                                            : status == "pending" || status == "delivered";
    if (!allowed) {
      const char* need = g.kind == "return" ? "delivered" : g.kind == "exchange" ? "pending or delivered" : "pending";
      const char* verb = g.kind == "cancel" ? "cancel" : g.kind == "address" ? "change the address of" : g.kind == "return" ? "return items of" : "exchange items of";
      return done_with(fmt::format(
          "I'm sorry, but I cannot {} order {}: its status is '{}', and our policy allows this only for {} orders.", verb,
          g.order_id, status, need));
    }

    if (g.kind == "cancel" && g.reason.empty())
      return say("Could you tell me why you want to cancel: is it no longer needed, or was it ordered by mistake?");

    // Exchange: the item named, its product's variants, the one with the asked options.
    const json::object* item = nullptr;
    const json::object* variant = nullptr;
    if (g.kind == "exchange") {
      item = mentioned_items(order, g).empty() ? nullptr : mentioned_items(order, g).front();
      if (!item) return done_with("Which item of the order would you like to exchange, and for which options?");
      std::string pid = get_string(*item, "product_id");
      if (!products_.count(pid)) return call("get_product_details", {{"product_id", pid}});
      variant = wanted_variant(*item, products_.at(pid), g);
      if (!variant) return done_with("I'm sorry, that option is not available for this item, so I cannot make this exchange.");
    }

    const auto& payments = array_in(order, "payment_history");
    std::string original = payments.empty() || !payments[0].is_object() ? "" : get_string(payments[0].get_object(), "payment_method_id");
    std::string payment = original;
    if (g.kind == "return" && g.gift_card)
      for (const auto& [id, m] : object_in(user_, "payment_methods"))
        if (m.is_object() && get_string(m.get_object(), "source") == "gift_card") payment = std::string(id);

    if (written_) {
      if (write_result_.rfind("Error", 0) == 0) return done_with("I'm sorry, the system refused the change: " + write_result_);
      return done_with(success_text(g, order, status) + " Is there anything else I can help you with?");
    }
    if (confirmed_) {
      json::object args{{"order_id", g.order_id}};
      if (g.kind == "cancel") {
        args["reason"] = g.reason;
        return call("cancel_pending_order", std::move(args));
      }
      if (g.kind == "address") {
        for (const auto& kv : g.address) args[kv.key()] = kv.value();
        return call("modify_pending_order_address", std::move(args));
      }
      if (g.kind == "return") {
        json::array ids;
        for (const auto* i : mentioned_items(order, g)) ids.push_back(i->at("item_id"));
        args["item_ids"] = std::move(ids);
        args["payment_method_id"] = payment;
        return call("return_delivered_order_items", std::move(args));
      }
      args["item_ids"] = json::array{item->at("item_id")};
      args["new_item_ids"] = json::array{variant->at("item_id")};
      args["payment_method_id"] = payment;
      return call(status == "pending" ? "modify_pending_order_items" : "exchange_delivered_order_items", std::move(args));
    }
    if (proposed_) return say("Shall I proceed? Please answer yes or no.");
    proposed_ = awaiting_yes_ = true;
    return say(proposal(g, order, item, variant, payment, original) + " Shall I proceed? Please answer yes or no.");
  }

  // ---- helpers ----
  std::vector<const json::object*> mentioned_items(const json::object& order, const Goal& g) const {
    std::vector<const json::object*> out;
    for (const auto& i : array_in(order, "items"))
      if (g.text.find(ascii_lower(get_string(i.get_object(), "name"))) != std::string::npos) out.push_back(&i.get_object());
    return out;
  }

  std::string order_by_item(const Goal& g) const {
    if (!g.hint.empty()) {
      for (const auto& id : array_in(user_, "orders")) {
        auto it = orders_.find(std::string(id.get_string()));
        if (it == orders_.end() || it->second.empty()) continue;
        for (const auto& i : array_in(it->second, "items"))
          if (ascii_lower(get_string(i.get_object(), "name")) == g.hint) return it->first;
      }
    }
    for (const auto& id : array_in(user_, "orders")) {
      auto it = orders_.find(std::string(id.get_string()));
      if (it != orders_.end() && !it->second.empty() && !mentioned_items(it->second, g).empty()) return it->first;
    }
    return "";
  }

  // The available variant whose options equal the item's except those the customer named.
  const json::object* wanted_variant(const json::object& item, const json::object& product, const Goal& g) const {
    const json::object& old = object_in(item, "options");
    const json::object& variants = object_in(product, "variants");
    json::object wanted = old;
    for (const auto& kv : old) {
      std::string key(kv.key());
      for (const auto& [vid, v] : variants) {
        const json::object& options = object_in(v, "options");
        auto value = options.find(key);
        if (value == options.end()) continue;
        if (g.text.find(ascii_lower(key + " " + py_str(value->value()))) != std::string::npos) wanted[key] = value->value();
      }
    }
    if (wanted == old) return nullptr;
    for (const auto& [vid, v] : variants)
      if (v.is_object() && get_bool(v.get_object(), "available") && object_in(v, "options") == wanted) return &v.get_object();
    return nullptr;
  }

  std::string items_text(const std::vector<const json::object*>& items) const {
    std::string s;
    for (const auto* i : items) s += (s.empty() ? "" : ", ") + get_string(*i, "name") + " (" + get_string(*i, "item_id") + ")";
    return s;
  }

  std::string proposal(const Goal& g, const json::object& order, const json::object* item, const json::object* variant,
                       const std::string& payment, const std::string& original) const {
    if (g.kind == "cancel") {
      std::vector<const json::object*> all;
      for (const auto& i : array_in(order, "items")) all.push_back(&i.get_object());
      return fmt::format("I can cancel order {} ({}) with the reason '{}'; its payment will be refunded.", g.order_id,
                         items_text(all), g.reason);
    }
    if (g.kind == "address") {
      const auto& a = g.address;
      return fmt::format("I can change the shipping address of order {} to {}, {}, {}, {}, {}, {}.", g.order_id,
                         get_string(a, "address1"), get_string(a, "address2"), get_string(a, "city"), get_string(a, "state"),
                         get_string(a, "country"), get_string(a, "zip"));
    }
    if (g.kind == "return")
      return fmt::format("I can request a return of {} from order {}, refunded to {}.", items_text(mentioned_items(order, g)),
                         g.order_id, payment == original ? "your original payment method (" + payment + ")" : "your gift card (" + payment + ")");
    std::string options;
    for (const auto& kv : variant->at("options").get_object())
      options += (options.empty() ? "" : ", ") + std::string(kv.key()) + " " + py_str(kv.value());
    return fmt::format(
        "I can exchange the {} ({}) in order {} for the variant with {} (item {}, price {}); the price difference will be "
        "settled with the original payment method ({}).",
        get_string(*item, "name"), get_string(*item, "item_id"), g.order_id, options, get_string(*variant, "item_id"),
        money_text(variant->at("price")), payment);
  }

  std::string success_text(const Goal& g, const json::object&, const std::string& status) const {
    if (g.kind == "cancel") return fmt::format("Order {} has been cancelled.", g.order_id);
    if (g.kind == "address") return fmt::format("The shipping address of order {} has been updated.", g.order_id);
    if (g.kind == "return") return fmt::format("The return for order {} has been requested.", g.order_id);
    return status == "pending" ? fmt::format("The items of order {} have been changed.", g.order_id)
                               : fmt::format("The exchange for order {} has been requested.", g.order_id);
  }

  std::string email_, first_, last_, zip_;
  bool lookup_failed_ = false;
  std::string user_id_;
  json::object user_;
  std::map<std::string, json::object> orders_, products_;
  std::string pending_order_;
  std::optional<Goal> goal_;
  bool proposed_ = false, awaiting_yes_ = false, confirmed_ = false, written_ = false;
  std::string write_result_;
};

// ---- the random agent ----

class RandomTauAgent : public Agent {
 public:
  explicit RandomTauAgent(std::uint64_t seed) : rng_(Rng::derive(seed, "tau/random-agent")) {}
  std::string name() const override { return "random"; }
  void start(const std::string&, const std::string& opening) override { collect(opening); }
  void offer_tools(const std::vector<ToolSpec>& tools) override { tools_ = tools; }

  Flow<AgentMove> next_move() override {
    static const std::vector<std::string> lines = {
        "Could you tell me more?", "Yes.", "Your request has been done.", "Please wait a moment.",
        "Shall I proceed? (yes/no)", "I cannot do that.", "What is your zip code?", "Thank you!"};
    if (tools_.empty() || rng_.chance(0.4)) return AgentMove::tool("action", rng_.pick(lines));
    const ToolSpec& spec = rng_.pick(tools_);
    json::object args;
    for (const auto& kv : spec.parameters.at("properties").get_object()) {
      std::string type = get_string(kv.value().get_object(), "type");
      std::string v = seen_.empty() ? "x" : rng_.pick(seen_);
      if (type == "array") args[kv.key()] = json::array{json::string(v)};
      else if (kv.key() == "reason") args[kv.key()] = rng_.chance(0.5) ? "no longer needed" : "ordered by mistake";
      else args[kv.key()] = v;
    }
    return AgentMove::call(spec.name, args);
  }
  void observe(const StepResult& result) override { collect(result.observation); }

 private:
  void collect(const std::string& text) {
    static const std::regex ids(
        R"(#W\d{7}|\b\d{10}\b|\b(?:credit_card|gift_card|paypal|certificate)_\d{7}\b|\b[a-z]+_[a-z]+_\d{4}\b|)"
        R"(\bHAT\d{3}\b|\b(?=[A-Z]*\d)(?=\d*[A-Z])[A-Z0-9]{6}\b)");
    for (auto it = std::sregex_iterator(text.begin(), text.end(), ids); it != std::sregex_iterator(); ++it)
      if (seen_.size() < 200) seen_.push_back(it->str());
  }

  Rng rng_;
  std::vector<ToolSpec> tools_;
  std::vector<std::string> seen_;
};

// The scripted agent of whichever domain's policy it is given.
class DomainAgent : public Agent {
 public:
  explicit DomainAgent(std::uint64_t seed) : seed_(seed), inner_(make_retail_agent(seed)) {}
  std::string name() const override { return "scripted"; }
  void start(const std::string& system_prompt, const std::string& opening) override {
    inner_ = domain_of_prompt(system_prompt).scripted_agent(seed_);
    inner_->start(system_prompt, opening);
  }
  void offer_tools(const std::vector<ToolSpec>& tools) override { inner_->offer_tools(tools); }
  Flow<AgentMove> next_move() override { return inner_->next_move(); }
  void observe(const StepResult& result) override { inner_->observe(result); }
  void observe_move(const AgentMove& move, const StepResult& result) override { inner_->observe_move(move, result); }

 private:
  std::uint64_t seed_;
  std::unique_ptr<Agent> inner_;
};

}  // namespace

std::unique_ptr<Agent> make_scripted_agent(std::uint64_t seed) { return std::make_unique<DomainAgent>(seed); }
std::unique_ptr<Agent> make_retail_agent(std::uint64_t) { return std::make_unique<ScriptedTauAgent>(); }
std::unique_ptr<Agent> make_random_agent(std::uint64_t seed) { return std::make_unique<RandomTauAgent>(seed); }

}  // namespace rapport::tau
