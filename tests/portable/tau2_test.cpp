// TauGym's tau2-bench importer on our own fixtures in tau2-bench's format (tests/data/tau2/retail):
// the folder and its splits, the typed database and JSON-text hash, tau2-bench's reworded errors
// and changed tool behaviour (§8.2), and the reward over each task's basis: gold actions score
// 1.0, one wrong write scores 0 with the record named, ACTION checks the calls, NL_ASSERTION is
// graded by the judge with a model oracle and reported ungraded without one.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "core/registry.h"
#include "core/runner.h"
#include "core/sha256.h"
#include "envs/tau/tau.h"
#include "tests/portable/episode_support.h"

using namespace rapport;
using rapport::test::drive;
using namespace rapport::tau;

namespace {

std::vector<std::pair<std::string, std::string>> tau2_files() {
  std::vector<std::pair<std::string, std::string>> files;
  for (const char* n : {"db.json", "tasks.json", "split_tasks.json"}) {
    std::ifstream in(std::string(RAPPORT_TEST_DATA) + "/tau2/retail/" + n, std::ios::binary);
    REQUIRE(in.good());
    std::stringstream s;
    s << in.rdbuf();
    files.emplace_back(std::string("retail/") + n, s.str());
  }
  return files;
}

Db tau2_db() { return *imported_db(import_tau2_folder(tau2_files(), "all").front().db_ref); }

std::string call(Db& db, std::string_view name, std::string_view arguments) {
  return call_tau2_retail_tool(db, name, parse_json(arguments)->get_object()).observation;
}

std::string tool_action(const GoldAction& a) { return "[tool] " + a.name + " " + to_json(json::value(a.kwargs)); }

// Plays `actions`, then tells the customer the task's outputs, then finishes: the final step's info.
json::object play(const Game& game, const Task& task, const std::vector<std::string>& actions) {
  auto e = game.new_episode(task, EpisodeOptions{});
  for (const auto& a : actions) drive(*e, a);
  TauTask t = tau_task_from(task);
  if (!t.outputs.empty()) {
    std::string said = "Done.";
    for (const auto& o : t.outputs) said += " " + o;
    drive(*e, "[action] " + said);
  }
  StepResult r = drive(*e, "[finish]");
  REQUIRE(r.terminated);
  r.info["reward"] = r.reward;
  return r.info;
}

}  // namespace

TEST_CASE("tau2: the importer reads tau2-bench's folder, splits and typed database", "[tau][tau2]") {
  CHECK(is_tau2_folder(tau2_files()));
  auto test = import_tau2_folder(tau2_files(), "test");
  REQUIRE(test.size() == 6);
  CHECK(test[0].id == "tau2-retail-0");
  CHECK(test[0].source == "tau2-bench");
  CHECK(test[0].instruction.find("Known info: Your name is Ada Moss and your zip code is 74103.") != std::string::npos);
  CHECK(test[0].actions.size() == 3);
  CHECK(test[4].outputs == std::vector<std::string>{"3"});
  CHECK(import_tau2_folder(tau2_files(), "train").size() == 1);
  CHECK(import_tau2_folder(tau2_files(), "all").size() == 7);
  CHECK_THROWS_WITH(import_tau2_folder(tau2_files(), "dev"), Catch::Contains("no split 'dev'") && Catch::Contains("train, test, base"));
  auto no_db = tau2_files();
  no_db.erase(no_db.begin());
  CHECK_FALSE(is_tau2_folder(no_db));
  CHECK_THROWS_WITH(import_tau2_folder(no_db, "all"), Catch::Contains("db.json"));
  auto stateful = tau2_files();
  stateful[1].second = R"([{"id": "9", "user_scenario": {"instructions": "x"}, "initial_state": {"initialization_actions": [{"env_type": "assistant", "func_name": "f", "arguments": {}}]}}])";
  CHECK_THROWS_WITH(import_tau2_folder(stateful, "all"), Catch::Contains("initial_state"));

  // Typed: prices, amounts and balances are floats; optional order fields exist, null.
  Db db = tau2_db();
  const auto& gift = db.at("users").at("ada_moss_1001").at("payment_methods").at("gift_card_2222222");
  CHECK(gift.at("balance").is_double());
  CHECK(gift.at("balance").as_double() == 40.0);
  const auto& order = db.at("orders").at("#W0000001").as_object();
  CHECK(order.at("cancel_reason").is_null());
  CHECK(order.at("return_items").is_null());
  CHECK(order.at("exchange_price_difference").is_null());

  // The hash is sha256 of json.dumps(sort_keys=True), as Python writes it (values from Python).
  auto v = parse_json(R"({"b": [1, 2.5, {"x": true, "n": null}], "a": "it's café 😀", "c": [], "d": {}, "f": 51.0, "g": 1e-05})");
  CHECK(tau2_db_hash(*v) == "d0be2ad0b8896da5bf15351666ffa030444675eb9ad93c284495b207f28b484a");
  CHECK(tau2_db_hash(db) == "bb4893a23af7812d954be440f2e92378fa3687a0a7b24d84c407a831bc8aa332");
  // 51 and 51.0 are one value in a typed field, but not in the hash of an untyped one.
  CHECK(tau2_db_hash(*parse_json(R"({"x": 51})")) != tau2_db_hash(*parse_json(R"({"x": 51.0})")));

  // The game imports the folder through import_folder, and its records round-trip.
  auto game = make_game("tau");
  auto tasks = game->import_folder(tau2_files(), "all");
  REQUIRE(tasks.size() == 7);
  CHECK(rapport::to_json(to_json(tau_task_from(tasks[2]))) == rapport::to_json(tasks[2].data));
}

TEST_CASE("tau2: tool errors are tau2-bench's wording; its changed checks and effects", "[tau][tau2]") {
  Db db = tau2_db();
  // §8.2's reworded strings.
  CHECK(call(db, "get_order_details", R"({"order_id": "#W9999999"})") == "Error: Order not found");
  CHECK(call(db, "find_user_id_by_email", R"({"email": "nobody@example.com"})") == "Error: User not found");
  CHECK(call(db, "cancel_pending_order", R"({"order_id": "#W0000002", "reason": "no longer needed"})") ==
        "Error: Non-pending order cannot be cancelled");
  CHECK(call(db, "return_delivered_order_items", R"({"order_id": "#W0000004", "item_ids": ["2000000013"], "payment_method_id": "paypal_3333333"})") ==
        "Error: Payment method should be the original payment method");
  CHECK(call(db, "exchange_delivered_order_items",
             R"({"order_id": "#W0000004", "item_ids": ["2000000099"], "new_item_ids": ["2000000012"], "payment_method_id": "credit_card_4444444"})") ==
        "Error: Number of 2000000099 not found.");
  CHECK(call(db, "calculate", R"({"expression": "1e3"})") == "Error: Invalid characters in expression");
  CHECK(call_tau2_retail_tool(db, "calculate", parse_json(R"({"expression": "1e3"})")->get_object()).error);
  // tau-bench's own wording is unchanged.
  Db v1 = tau2_db();
  CHECK(call_retail_tool(v1, "get_order_details", parse_json(R"({"order_id": "#W9999999"})")->get_object()).observation ==
        "Error: order not found");

  // The toolkit: no think, get_item_details added.
  std::vector<std::string> names;
  for (const auto& t : tau2_retail_tool_specs()) names.push_back(t.name);
  CHECK(std::find(names.begin(), names.end(), "think") == names.end());
  CHECK(std::find(names.begin(), names.end(), "get_item_details") != names.end());
  CHECK(std::is_sorted(names.begin(), names.end()));
  CHECK(call(db, "think", R"({"thought": "x"})") == "Unknown action think");
  CHECK(parse_json(call(db, "get_item_details", R"({"item_id": "2000000012"})"))->at("item_id") == "2000000012");
  CHECK(call(db, "get_item_details", R"({"item_id": "0"})") == "Error: Item not found");

  // Modifying items rejects an unchanged id; an order whose items changed is still pending for
  // address changes.
  CHECK(call(db, "modify_pending_order_items",
             R"({"order_id": "#W0000003", "item_ids": ["2000000011"], "new_item_ids": ["2000000011"], "payment_method_id": "paypal_3333333"})") ==
        "Error: The new item id should be different from the old item id");
  std::string out = call(db, "modify_pending_order_items",
                         R"({"order_id": "#W0000003", "item_ids": ["2000000011"], "new_item_ids": ["2000000012"], "payment_method_id": "paypal_3333333"})");
  REQUIRE(out.rfind("Error", 0) != 0);
  CHECK(db.at("orders").at("#W0000003").at("status") == "pending (item modified)");
  out = call(db, "modify_pending_order_address",
             R"({"order_id": "#W0000003", "address1": "1 A St", "address2": "", "city": "Reno", "state": "NV", "country": "USA", "zip": "89502"})");
  CHECK(out.rfind("Error", 0) != 0);
  CHECK(call_retail_tool(v1, "modify_pending_order_items",
                         parse_json(R"({"order_id": "#W0000003", "item_ids": ["2000000011"], "new_item_ids": ["2000000012"], "payment_method_id": "paypal_3333333"})")
                             ->get_object())
            .observation.rfind("Error", 0) != 0);
  CHECK(call_retail_tool(v1, "modify_pending_order_address",
                         parse_json(R"({"order_id": "#W0000003", "address1": "1 A St", "address2": "", "city": "Reno", "state": "NV", "country": "USA", "zip": "89502"})")
                             ->get_object())
            .observation == "Error: non-pending order cannot be modified");
  // A payment change needs exactly one payment: after the change there are more.
  CHECK(call(db, "modify_pending_order_payment", R"({"order_id": "#W0000003", "payment_method_id": "credit_card_4444444"})") ==
        "Error: There should be exactly one payment for a pending order");
}

TEST_CASE("tau2: gold actions score 1.0 on every task; a wrong write scores 0 and names the record", "[tau][tau2]") {
  auto game = make_game("tau");
  auto tasks = game->import_folder(tau2_files(), "all");
  for (const auto& task : tasks) {
    INFO(task.id);
    TauTask t = tau_task_from(task);
    std::vector<std::string> gold;
    for (const auto& a : t.actions) gold.push_back(tool_action(a));
    json::object info = play(*game, task, gold);
    CHECK(info.at("reward").as_double() == 1.0);
    CHECK(info.at("data_hash") == info.at("gt_data_hash"));
    CHECK(info.at("reward_basis").is_array());
    // NL_ASSERTION needs a judge: it is reported ungraded, never counted as passed.
    bool nl = false;
    for (const auto& b : t.tau2.at("reward_basis").as_array()) nl = nl || b == "NL_ASSERTION";
    CHECK(info.contains("ungraded") == nl);
    if (nl) CHECK(info.at("nl_assertions").as_array().size() == 1);
  }

  // One wrong write: the cancellation with another reason.
  Task cancel = tasks[0];
  json::object info = play(*game, cancel,
                           {R"([tool] cancel_pending_order {"order_id": "#W0000001", "reason": "ordered by mistake"})"});
  CHECK(info.at("reward").as_double() == 0.0);
  CHECK(info.at("reward_components").at("DB").as_double() == 0.0);
  REQUIRE(info.at("differing_records").as_array().size() == 1);
  CHECK(info.at("differing_records").at(0) == "orders/#W0000001 (cancel_reason)");

  // ACTION: the gold call must be among the agent's calls, arguments compared as Python does.
  Task modify = tasks[2];
  REQUIRE(tau_task_from(modify).tau2.at("reward_basis").as_array().size() == 2);
  info = play(*game, modify, {R"([tool] modify_pending_order_items {"order_id": "#W0000003", "item_ids": ["2000000011"], "new_item_ids": ["2000000012"], "payment_method_id": "paypal_3333333"})"});
  CHECK(info.at("reward_components").at("ACTION").as_double() == 1.0);
  info = play(*game, modify, {});
  CHECK(info.at("reward").as_double() == 0.0);
  CHECK(info.at("reward_components").at("ACTION").as_double() == 0.0);
  CHECK(info.at("action_checks").at(0).at("matched") == false);

  // COMMUNICATE: the figure must be said.
  Task ask = tasks[4];
  auto e = game->new_episode(ask, EpisodeOptions{});
  StepResult r = drive(*e, "[finish]");
  CHECK(r.reward == 0.0);
  CHECK(r.info.at("reward_components").at("COMMUNICATE").as_double() == 0.0);

  // The episode offers tau2-bench's toolkit.
  CHECK(game->new_episode(tasks[0], EpisodeOptions{})->tools().size() == tau2_retail_tool_specs().size());
}

TEST_CASE("tau2: with a model oracle the judge grades NL_ASSERTION; an unusable verdict is counted, not passed", "[tau][tau2]") {
  auto game = make_game("tau");
  auto tasks = game->import_folder(tau2_files(), "all");
  const Task& cancel = tasks[0];  // basis DB and NL_ASSERTION
  TauTask t = tau_task_from(cancel);
  auto run = [&](const std::string& verdict) {
    auto e = game->new_episode(cancel, EpisodeOptions{OracleKind::Llm, 0});
    int judge_calls = 0;
    auto model = [&](const LlmRequest& r) {
      if (r.purpose != "tau2_nl_assertions") return llm_text("Yes, go ahead.");
      ++judge_calls;
      CHECK(r.role == LlmRole::Judge);
      CHECK(r.messages.back().content.find("1. The agent confirms the cancellation") != std::string::npos);
      CHECK(r.messages.back().content.find("Agent: I will cancel it now.") != std::string::npos);
      return llm_text(verdict);
    };
    auto step = [&](const std::string& a) {
      Flow<StepResult> f = e->step(a);
      while (!f.ready()) f = f.resume(model(f.request()));
      return f.value();
    };
    step("[action] I will cancel it now.");
    for (const auto& a : t.actions) step(tool_action(a));
    StepResult r = step("[finish]");
    CHECK(judge_calls == 1);
    return std::make_pair(r, e->metrics());
  };
  auto [met, m1] = run(R"({"results": [{"index": 1, "met": true, "reason": "it asked"}]})");
  CHECK(met.reward == 1.0);
  CHECK(met.info.at("reward_components").at("NL_ASSERTION").as_double() == 1.0);
  CHECK_FALSE(met.info.contains("ungraded"));
  CHECK(m1.at("judge_failures").as_int64() == 0);
  auto [unmet, m2] = run(R"({"results": [{"index": 1, "met": false, "reason": "it did not ask"}]})");
  CHECK(unmet.reward == 0.0);
  CHECK(unmet.info.at("reward_components").at("DB").as_double() == 1.0);
  CHECK(unmet.info.at("reward_components").at("NL_ASSERTION").as_double() == 0.0);
  auto [junk, m3] = run("I think it was fine.");
  CHECK(junk.info.at("judge_failure") == true);
  CHECK(junk.info.at("ungraded").at(0) == "NL_ASSERTION");
  CHECK(m3.at("judge_failures").as_int64() == 1);
}
