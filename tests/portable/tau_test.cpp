// TauGym: tau-bench's Python-exact data handling and hash, its tools' errors and effects on our
// own fixture data in tau-bench's format (tests/data/tau), the reward and its breakdown, the
// generated shop and tasks, the scripted and random agents, the LLM customer's stop signal, and
// UserRL's interact_with_env mapping.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "core/llm_agent.h"
#include "core/registry.h"
#include "core/runner.h"
#include "core/sha256.h"
#include "envs/tau/tau.h"
#include "tests/portable/episode_support.h"

using namespace rapport;
using rapport::test::no_model;
using rapport::test::drive;
using namespace rapport::tau;

namespace {

std::string read_fixture(const std::string& name) {
  std::ifstream in(std::string(RAPPORT_TEST_DATA) + "/tau/" + name, std::ios::binary);
  REQUIRE(in.good());
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::pair<std::string, std::string>> fixture_files() {
  std::vector<std::pair<std::string, std::string>> files;
  for (const char* n : {"orders.json", "products.json", "tasks_test.py", "tasks_train.py", "users.json"})
    files.emplace_back(n, read_fixture(n));
  return files;
}

Db fixture_db() {
  auto tasks = import_tau_folder(fixture_files(), "test");
  return *imported_db(tasks.front().db_ref);
}

json::object args(std::string_view text) { return parse_json(text)->get_object(); }

std::string call(Db& db, std::string_view name, std::string_view arguments) {
  return call_retail_tool(db, name, args(arguments)).observation;
}

}  // namespace

TEST_CASE("tau: canonical repr and hash are tau-bench's", "[tau]") {
  CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(sha256_hex(std::string(1000, 'a')) == "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3");
  // Vector V1 of the specification.
  auto v = parse_json(R"({"b": [1, 2.5, {"x": true, "n": null}], "a": "it's", "c": [], "d": {}})");
  CHECK(canonical_repr(*v) == R"((('a', "it's"), ('b', (1, 2.5, (('n', None), ('x', True)))), ('c', ()), ('d', ())))");
  CHECK(db_hash(*v) == "9790a151b9e14848d67dad0d649666a61f9f5b4626521dc80f2305fffbc7195f");
  CHECK(canonical_repr(*parse_json(R"({"k": ["x"], "q": "a'b\"c\\", "f": 250.0, "i": 250})")) ==
        R"((('f', 250.0), ('i', 250), ('k', ('x',)), ('q', 'a\'b"c\\')))");
  CHECK(py_str(*parse_json("150.0")) == "150.0");
  CHECK(py_str(*parse_json(R"([1, "a", null])")) == "[1, 'a', None]");
}

TEST_CASE("tau: calculate matches tau-bench's results and errors", "[tau]") {
  CHECK(calculate("2 + 2") == "4.0");
  CHECK(calculate("10 / 3") == "3.33");
  CHECK(calculate("0.1+0.2") == "0.3");
  CHECK(calculate("10**20") == "1e+20");
  CHECK(calculate("2**10") == "1024.0");
  CHECK(calculate("0.125*1") == "0.12");
  CHECK(calculate("-0.001*1") == "-0.0");
  CHECK(calculate("7 // 2 - -3") == "6.0");
  CHECK(calculate("1e3") == "Error: invalid characters in expression");
  CHECK(calculate("1/0") == "Error: division by zero");
  CHECK(calculate("1 2") == "Error: invalid syntax (<string>, line 1)");
  CHECK(calculate("") == "Error: invalid syntax (<string>, line 0)");
  CHECK(calculate("(1 + 2") == "Error: '(' was never closed (<string>, line 1)");
  CHECK(calculate("007") ==
        "Error: leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal integers (<string>, line 1)");
  CHECK(calculate("()") == "Error: float() argument must be a string or a real number, not 'tuple'");
  CHECK(calculate("9**9**9**9").rfind("Error", 0) == 0);  // bounded, not a hang
  // Nesting is bounded as Python's parser bounds it: an error, not an exhausted stack.
  auto nested = [](int n) { return std::string(n, '(') + "1" + std::string(n, ')'); };
  CHECK(calculate(nested(200)) == "1.0");
  CHECK(calculate(nested(201)) == "Error: too many nested parentheses (<string>, line 1)");
  CHECK(calculate(nested(30000)) == "Error: too many nested parentheses (<string>, line 1)");
  CHECK(calculate(std::string(500, '-') + "1") == "1.0");
  CHECK(calculate(std::string(100000, '-') + "1") == "Error: Parser stack overflowed - Python source too complex to parse");
  std::string powers;
  for (int i = 0; i < 5000; ++i) powers += "2**-";
  CHECK(calculate(powers + "1") == "Error: Parser stack overflowed - Python source too complex to parse");
}

TEST_CASE("tau: the importer reads tau-bench's data folder", "[tau]") {
  auto test = import_tau_folder(fixture_files(), "test");
  REQUIRE(test.size() == 7);
  CHECK(test[0].id == "retail-000");
  CHECK(test[1].actions.size() == 2);
  CHECK(test[1].instruction.find("exchange the blue T-Shirt") != std::string::npos);  // adjacent literals joined
  CHECK(test[5].instruction.find("\"7 Kiln Way\"") != std::string::npos);              // escapes
  CHECK(test[4].outputs == std::vector<std::string>{"3"});
  auto train = import_tau_folder(fixture_files(), "train");
  REQUIRE(train.size() == 1);
  CHECK(train[0].id == "retail-train-000");
  CHECK(import_tau_folder(fixture_files(), "all").size() == 8);
  CHECK_THROWS_WITH(import_tau_folder(fixture_files(), "dev"), Catch::Contains("no task file for split 'dev'"));
  auto files = fixture_files();
  files.erase(files.begin());
  CHECK_THROWS_WITH(import_tau_folder(files, "test"), Catch::Contains("orders.json"));
  auto broken = fixture_files();
  broken[2].second = "TASKS = [Task(user_id=\"x\", actions=[Action(name=\"think\", kwargs={\"thought\": \"x\"})]";
  CHECK_THROWS_WITH(import_tau_folder(broken, "test"), Catch::Contains("tasks_test.py"));
  // The game reads the folder through import_folder and plays its tasks.
  auto game = make_game("tau");
  auto tasks = game->import_folder(fixture_files(), "test");
  REQUIRE(tasks.size() == 7);
  CHECK_THROWS_WITH(game->import_tasks("{}", "all"), Catch::Contains("data folder"));
}

TEST_CASE("tau: tool outputs are json.dumps of the records, in their order", "[tau]") {
  Db db = fixture_db();
  CHECK(call(db, "find_user_id_by_name_zip", R"({"first_name": "ADA", "last_name": "moss", "zip": "74103"})") == "ada_moss_1001");
  CHECK(call(db, "find_user_id_by_name_zip", R"({"first_name": "Ada", "last_name": "Moss", "zip": 74103})") == "Error: user not found");
  CHECK(call(db, "find_user_id_by_email", R"({"email": "CY.PARK3003@example.com"})") == "cy_park_3003");
  CHECK(call(db, "find_user_id_by_email", R"({"email": "nobody@example.com"})") == "Error: user not found");
  CHECK(call(db, "get_user_details", R"({"user_id": "cy_park_3003"})") ==
        R"({"name": {"first_name": "Cy", "last_name": "Park"}, "address": {"address1": "5 Dune Street", "address2": "", )"
        R"("city": "Mesa", "country": "USA", "state": "AZ", "zip": "85201"}, "email": "cy.park3003@example.com", )"
        R"("payment_methods": {"gift_card_5555555": {"source": "gift_card", "balance": 10, "id": "gift_card_5555555"}}, )"
        R"("orders": ["#W0000005"]})");
  CHECK(call(db, "list_all_product_types", "{}") ==
        R"({"Desk Lamp": "1000000003", "T-Shirt": "1000000002", "Water Bottle": "1000000001"})");
  CHECK(call(db, "get_order_details", R"({"order_id": "W0000001"})") == "Error: order not found");
  CHECK(call(db, "get_product_details", R"({"product_id": "9999999999"})") == "Error: product not found");
  CHECK(call(db, "think", R"({"thought": "hm"})") == "");
  CHECK(call(db, "foo_bar", "{}") == "Unknown action foo_bar");
  CHECK(call(db, "get_order_details", "{}") ==
        "Error: GetOrderDetails.invoke() missing 1 required positional argument: 'order_id'");
  CHECK(call(db, "get_order_details", R"({"order_id": "#W0000001", "foo": 1})") ==
        "Error: GetOrderDetails.invoke() got an unexpected keyword argument 'foo'");
  CHECK(call(db, "cancel_pending_order", "{}") ==
        "Error: CancelPendingOrder.invoke() missing 2 required positional arguments: 'order_id' and 'reason'");
  CHECK(call(db, "return_delivered_order_items", "{}") ==
        "Error: ReturnDeliveredOrderItems.invoke() missing 3 required positional arguments: 'order_id', 'item_ids', and "
        "'payment_method_id'");
  auto transfer = call_retail_tool(db, "transfer_to_human_agents", args(R"({"summary": "s"})"));
  CHECK(transfer.observation == "Transfer successful");
  CHECK(transfer.terminal);
  CHECK(retail_tool_specs().size() == 16);
  for (std::size_t i = 1; i < retail_tool_specs().size(); ++i) CHECK(retail_tool_specs()[i - 1].name < retail_tool_specs()[i].name);
}

TEST_CASE("tau: every write tool's preconditions give tau-bench's errors and change nothing", "[tau]") {
  Db db = fixture_db();
  const std::string before = db_hash(db);
  struct Case {
    const char* tool;
    const char* arguments;
    const char* error;
  };
  const std::vector<Case> cases = {
      {"cancel_pending_order", R"({"order_id": "#W9999999", "reason": "no longer needed"})", "Error: order not found"},
      {"cancel_pending_order", R"({"order_id": "#W0000002", "reason": "other"})", "Error: non-pending order cannot be cancelled"},
      {"cancel_pending_order", R"({"order_id": "#W0000001", "reason": "other"})", "Error: invalid reason"},
      {"modify_pending_order_address",
       R"({"order_id": "#W0000002", "address1": "a", "address2": "b", "city": "c", "state": "d", "country": "e", "zip": "f"})",
       "Error: non-pending order cannot be modified"},
      {"modify_pending_order_payment", R"({"order_id": "#W0000005", "payment_method_id": "gift_card_5555555"})",
       "Error: non-pending order cannot be modified"},
      {"modify_pending_order_payment", R"({"order_id": "#W0000001", "payment_method_id": "paypal_3333333"})",
       "Error: payment method not found"},
      {"modify_pending_order_payment", R"({"order_id": "#W0000001", "payment_method_id": "gift_card_2222222"})",
       "Error: the new payment method should be different from the current one"},
      {"modify_pending_order_items",
       R"({"order_id": "#W0000002", "item_ids": [], "new_item_ids": [], "payment_method_id": "credit_card_1111111"})",
       "Error: non-pending order cannot be modified"},
      {"modify_pending_order_items",
       R"({"order_id": "#W0000003", "item_ids": ["2000000011", "2000000011", "2000000011"], "new_item_ids": ["2000000012", "2000000012", "2000000012"], "payment_method_id": "paypal_3333333"})",
       "Error: 2000000011 not found"},
      {"modify_pending_order_items",
       R"({"order_id": "#W0000003", "item_ids": ["2000000011"], "new_item_ids": [], "payment_method_id": "paypal_3333333"})",
       "Error: the number of items to be exchanged should match"},
      {"modify_pending_order_items",
       R"({"order_id": "#W0000001", "item_ids": ["2000000001"], "new_item_ids": ["2000000003"], "payment_method_id": "gift_card_2222222"})",
       "Error: new item 2000000003 not found or available"},
      {"modify_pending_order_items",
       R"({"order_id": "#W0000001", "item_ids": ["2000000001"], "new_item_ids": ["2000000012"], "payment_method_id": "gift_card_2222222"})",
       "Error: new item 2000000012 not found or available"},
      {"modify_pending_order_items",
       R"({"order_id": "#W0000001", "item_ids": ["2000000001"], "new_item_ids": ["2000000002"], "payment_method_id": "paypal_0"})",
       "Error: payment method not found"},
      {"exchange_delivered_order_items",
       R"({"order_id": "#W0000001", "item_ids": [], "new_item_ids": [], "payment_method_id": "gift_card_2222222"})",
       "Error: non-delivered order cannot be exchanged"},
      {"exchange_delivered_order_items",
       R"({"order_id": "#W0000004", "item_ids": ["1"], "new_item_ids": ["2000000002"], "payment_method_id": "credit_card_4444444"})",
       "Error: 1 not found"},
      {"exchange_delivered_order_items",
       R"({"order_id": "#W0000004", "item_ids": ["2000000013"], "new_item_ids": ["1"], "payment_method_id": "credit_card_4444444"})",
       "Error: new item 1 not found or available"},
      {"return_delivered_order_items", R"({"order_id": "#W0000005", "item_ids": ["2000000022"], "payment_method_id": "gift_card_5555555"})",
       "Error: non-delivered order cannot be returned"},
      {"return_delivered_order_items", R"({"order_id": "#W0000004", "item_ids": ["2000000013"], "payment_method_id": "paypal_3333333"})",
       "Error: payment method should be either the original payment method or a gift card"},
      {"return_delivered_order_items", R"({"order_id": "#W0000004", "item_ids": ["2000000013"], "payment_method_id": "gift_card_2222222"})",
       "Error: payment method not found"},
      {"return_delivered_order_items",
       R"({"order_id": "#W0000004", "item_ids": ["2000000013", "2000000013"], "payment_method_id": "credit_card_4444444"})",
       "Error: some item not found"},
      {"modify_user_address",
       R"({"user_id": "nobody", "address1": "a", "address2": "b", "city": "c", "state": "d", "country": "e", "zip": "f"})",
       "Error: user not found"},
  };
  for (const auto& c : cases) {
    INFO(c.tool << " " << c.arguments);
    CHECK(call(db, c.tool, c.arguments) == c.error);
  }
  CHECK(db_hash(db) == before);

  // A gift card that does not cover the change.
  Db small = db;
  small["users"].as_object()["ada_moss_1001"].as_object()["payment_methods"].as_object()["gift_card_2222222"].as_object()["balance"] = 1;
  CHECK(call(small, "modify_pending_order_items",
             R"({"order_id": "#W0000001", "item_ids": ["2000000001"], "new_item_ids": ["2000000002"], "payment_method_id": "gift_card_2222222"})") ==
        "Error: insufficient gift card balance to pay for the new item");
  CHECK(call(small, "modify_pending_order_payment", R"({"order_id": "#W0000001", "payment_method_id": "credit_card_1111111"})")
            .rfind("{", 0) == 0);
}

TEST_CASE("tau: write effects follow tau-bench's arithmetic", "[tau]") {
  Db db = fixture_db();
  // Cancel refunds a gift card at once, rounded to cents; the balance becomes a float.
  std::string out = call(db, "cancel_pending_order", R"({"order_id": "#W0000001", "reason": "no longer needed"})");
  CHECK(out.find(R"("status": "cancelled", "payment_history": [{"transaction_type": "payment", "amount": 44.49, )"
                 R"("payment_method_id": "gift_card_2222222"}, {"transaction_type": "refund", "amount": 44.49, )"
                 R"("payment_method_id": "gift_card_2222222"}], "cancel_reason": "no longer needed"})") != std::string::npos);
  CHECK(py_str(db.at("users").at("ada_moss_1001").at("payment_methods").at("gift_card_2222222").at("balance")) == "84.49");
  // Modify items keeps the float noise of the unrounded difference.
  out = call(db, "modify_pending_order_items",
             R"({"order_id": "#W0000003", "item_ids": ["2000000011"], "new_item_ids": ["2000000012"], "payment_method_id": "paypal_3333333"})");
  CHECK(out.find(R"({"transaction_type": "payment", "amount": 1.490000000000002, "payment_method_id": "paypal_3333333"})") !=
        std::string::npos);
  CHECK(out.find(R"x("status": "pending (item modified)")x") != std::string::npos);
  const auto& items = db.at("orders").at("#W0000003").at("items").get_array();
  CHECK(items[0].at("item_id") == "2000000012");
  CHECK(items[1].at("item_id") == "2000000011");  // only the first unit changes
  // Exchange stores sorted ids and the rounded difference; no payment yet.
  out = call(db, "exchange_delivered_order_items",
             R"({"order_id": "#W0000004", "item_ids": ["2000000013", "2000000001"], "new_item_ids": ["2000000012", "2000000002"], "payment_method_id": "credit_card_4444444"})");
  CHECK(out.find(R"("exchange_items": ["2000000001", "2000000013"], "exchange_new_items": ["2000000002", "2000000012"], )"
                 R"("exchange_payment_method_id": "credit_card_4444444", "exchange_price_difference": 8.24})") != std::string::npos);
}

TEST_CASE("tau: gold actions of every imported task score 1.0, one wrong write scores 0 and names the record", "[tau]") {
  auto game = make_game("tau");
  for (const char* split : {"test", "train"}) {
    for (const auto& task : game->import_folder(fixture_files(), split)) {
      INFO(task.id);
      TauTask t = tau_task_from(task);
      auto episode = game->new_episode(task, EpisodeOptions{});
      StepResult last;
      bool ended = false;
      for (const auto& a : t.actions) {
        last = drive(*episode, tool_action(a.name, a.kwargs));
        if (last.terminated) {
          ended = true;
          break;
        }
      }
      if (!ended) {
        std::string done = "Done.";
        for (const auto& o : t.outputs) done += " " + o;
        drive(*episode, "[action] " + done);
        if (!episode->over()) last = drive(*episode, "[finish]");
      }
      CHECK(last.reward == 1.0);
      CHECK(last.terminated);
      CHECK(last.info.at("differing_records").as_array().empty());
      CHECK(get_string(last.info, "ended_by") == (t.actions.back().name == "transfer_to_human_agents" ? "transfer" : "finish"));
    }
  }

  // One wrong write: the reason of the cancellation.
  auto tasks = game->import_folder(fixture_files(), "test");
  auto episode = game->new_episode(tasks[0], EpisodeOptions{});
  drive(*episode, R"([tool] cancel_pending_order {"order_id": "#W0000001", "reason": "ordered by mistake"})");
  StepResult r = drive(*episode, "[finish]");
  CHECK(r.reward == 0.0);
  CHECK(r.info.at("r_actions").as_double() == 0.0);
  REQUIRE(r.info.at("differing_records").as_array().size() == 1);
  CHECK(r.info.at("differing_records").as_array()[0] == "orders/#W0000001 (cancel_reason)");
  CHECK(episode->metrics().at("success") == false);

  // int/float spelling enters the hash (V6's lesson): a gift-card balance written as 40.0.
  Db a = fixture_db(), b = fixture_db();
  b["users"].as_object()["ada_moss_1001"].as_object()["payment_methods"].as_object()["gift_card_2222222"].as_object()["balance"] = 40.0;
  CHECK(db_hash(a) != db_hash(b));
  CHECK(differing_records(a, b) == std::vector<std::string>{"users/ada_moss_1001 (payment_methods)"});

  // A missing output: the breakdown says which.
  auto ask = game->new_episode(tasks[4], EpisodeOptions{});
  drive(*ask, "[action] There are several variants.");
  r = drive(*ask, "[finish]");
  CHECK(r.reward == 0.0);
  CHECK(r.info.at("outputs").at("3") == false);
  CHECK(r.info.at("r_actions").as_double() == 1.0);
}

TEST_CASE("tau: generated tasks are consistent and their gold actions score 1.0", "[tau]") {
  Db db = generate_retail_db(3);
  CHECK(db_hash(db) == db_hash(generate_retail_db(3)));
  CHECK(db_hash(db) != db_hash(generate_retail_db(4)));
  CHECK(db.at("users").as_object().size() >= 20);
  for (const char* tier : {"easy", "medium", "hard"}) {
    for (std::uint64_t i = 0; i < 15; ++i) {
      TauTask t = generate_task(3, i, tier);
      INFO(t.id);
      CHECK(t.opening.rfind("Hi! ", 0) == 0);
      bool writes = false;
      for (const auto& a : t.actions) writes = writes || is_write_tool(a.name);
      Db mine = db;
      for (const auto& a : t.actions) CHECK(call_retail_tool(mine, a.name, a.kwargs).error == false);
      std::vector<std::string> said{"Your total was " + (t.outputs.empty() ? std::string() : t.outputs[0])};
      CHECK(score_episode(db, mine, t.actions, t.outputs, said).reward == 1.0);
      if (writes) CHECK(score_episode(db, db, t.actions, t.outputs, said).reward == 0.0);
      Task record{t.id, to_json(t)};
      CHECK(to_json(to_json(tau_task_from(record))) == to_json(record.data));
    }
  }
}

TEST_CASE("tau: the scripted agent solves most tasks with the scripted customer; a random agent almost none", "[tau]") {
  auto rate = [](const std::string& spec, bool random, int n) {
    auto game = make_game(spec);
    int solved = 0;
    for (int i = 0; i < n; ++i) {
      Task task = game->task(1, static_cast<std::uint64_t>(i));
      auto agent = random ? make_random_agent(static_cast<std::uint64_t>(i)) : game->scripted_agent(static_cast<std::uint64_t>(i));
      Trajectory t = run_episode(*game, task, EpisodeOptions{OracleKind::Scripted, 1}, std::move(agent), RunSettings{40}, no_model);
      if (get_bool(t.metrics, "success")) ++solved;
    }
    return static_cast<double>(solved) / n;
  };
  const double easy = rate("tau(tier=easy)", false, 30);
  const double medium = rate("tau(tier=medium)", false, 20);
  const double random_easy = rate("tau(tier=easy)", true, 30);
  INFO("scripted easy " << easy << ", medium " << medium << ", random easy " << random_easy);
  CHECK(easy >= 0.8);
  CHECK(medium >= 0.6);
  CHECK(random_easy <= 0.1);
  CHECK(rate("tau(tier=easy,compat=userrl)", false, 10) >= 0.8);  // the same play through [answer] calls
}

TEST_CASE("tau: episodes offer tools, record them, and end on the LLM customer's stop signal", "[tau]") {
  auto game = make_game("tau");
  Task task = game->task(2, 0);
  auto episode = game->new_episode(task, EpisodeOptions{OracleKind::Llm, 0});
  CHECK(episode->tools().size() == 16);
  CHECK(episode->system_prompt().find("Verify who the customer is") != std::string::npos);
  int calls = 0;
  auto customer = [&](const LlmRequest& r) {
    ++calls;
    CHECK(r.role == LlmRole::User);
    CHECK(r.purpose == "customer");
    CHECK(r.messages.at(1).content == kGreeting);
    CHECK(r.messages.at(2).role == "assistant");  // the customer's own opening
    CHECK(r.messages.back().content == "Anything else?");
    return llm_text("Thanks, bye! ###STOP###");
  };
  StepResult r = drive(*episode, "[action] Anything else?", customer);
  CHECK(calls == 1);
  CHECK(r.terminated);
  CHECK(r.info.at("ended_by") == "customer_stop");
  CHECK(r.info.contains("gt_data_hash"));
  // A failed customer call is an observation, not the end.
  auto again = game->new_episode(task, EpisodeOptions{OracleKind::Llm, 0});
  r = drive(*again, "[action] Hello?");
  CHECK_FALSE(r.terminated);
  CHECK(r.info.at("oracle_failure") == true);

  // Bad tool actions are observations.
  r = drive(*again, "[tool] get_order_details {not json");
  CHECK(r.format_error);
  CHECK(r.observation.find("not a JSON object") != std::string::npos);
  r = drive(*again, R"([tool] get_order_details {"order_id": 5})");
  CHECK(r.observation == "Error: order not found");

  // The runner records the offered tools in the trajectory.
  Trajectory t = run_episode(*game, task, EpisodeOptions{}, game->scripted_agent(0), RunSettings{40}, no_model);
  CHECK(t.tools.size() == 16);
  CHECK(to_json_line(trajectory_from_record(to_record(t))) == to_json_line(t));
  bool tool_turn = false;
  for (const auto& turn : t.turns)
    if (parse_tool_action(turn.action)) tool_turn = tool_turn || turn.choice == "find_user_id_by_email" || turn.choice == "find_user_id_by_name_zip";
  CHECK(tool_turn);
}

TEST_CASE("tau: UserRL's interact_with_env mapping under compat=userrl", "[tau]") {
  auto game = make_game("tau(compat=userrl)");
  Task task = game->task(2, 0);
  auto e = game->new_episode(task, EpisodeOptions{});
  CHECK(e->tools().empty());
  StepResult r = drive(*e, "[search] tools");
  CHECK(r.observation.rfind("Available Tools:\n- calculate: ", 0) == 0);
  CHECK(r.observation.find("\n  Parameters:\n    - expression: ") != std::string::npos);
  CHECK(drive(*e, "[search] tools").observation.find("already") != std::string::npos);
  r = drive(*e, R"([answer] list_all_product_types: {})");
  CHECK(r.observation.rfind("{\"Backpack\": ", 0) == 0);
  r = drive(*e, R"([answer] {"name": "get_order_details", "arguments": {"order_id": "#W1"}})");
  CHECK(r.observation == "Error: order not found");
  r = drive(*e, "[answer] nonsense");
  CHECK(r.format_error);
  r = drive(*e, "hello");
  CHECK(r.format_error);
  r = drive(*e, "[finish]");
  CHECK(r.terminated);
  CHECK(r.reward == 0.0);
  CHECK(r.observation == "Episode finished. Final reward: 0");
}

TEST_CASE("tau: the LLM agent calls environment tools as tools", "[tau][llm_agent]") {
  LlmAgent agent;
  agent.start("policy", "Hi! I want to cancel an order.");
  agent.offer_tools(retail_tool_specs());
  Flow<AgentMove> f = agent.next_move();
  REQUIRE_FALSE(f.ready());
  CHECK(f.request().tools.size() == 17);
  LlmResponse response;
  response.ok = true;
  response.message.role = "assistant";
  response.message.tool_calls.push_back(ToolCall{"call_7", "get_order_details", R"({"order_id": "#W0000001"})"});
  AgentMove move = f.resume(response).value();
  CHECK(move.action == R"([tool] get_order_details {"order_id":"#W0000001"})");
  CHECK(move.choice == "get_order_details");
  StepResult result;
  result.observation = "Error: order not found";
  agent.observe(result);
  const auto& m = agent.messages();
  CHECK(m[2].tool_calls.at(0).name == "get_order_details");
  CHECK(m[3].role == "tool");
  CHECK(m[3].tool_call_id == "call_7");
  // A hermes block naming an environment tool works too; an unknown tool is a format error.
  LlmResponse text = llm_text("<tool_call>{\"name\": \"think\", \"arguments\": {\"thought\": \"x\"}}</tool_call>");
  move = agent.next_move().resume(text).value();
  CHECK(move.action == R"([tool] think {"thought":"x"})");
  LlmResponse unknown;
  unknown.ok = true;
  unknown.message.tool_calls.push_back(ToolCall{"c", "drop_tables", "{}"});
  move = agent.next_move().resume(unknown).value();
  CHECK(move.format_error);
}

TEST_CASE("tools: schema checks, typed calls and dispatch", "[tools]") {
  const ToolSpec& spec = retail_tool_specs()[10];  // modify_pending_order_items
  REQUIRE(spec.name == "modify_pending_order_items");
  ArgumentProblems p = check_arguments(spec, args(R"({"order_id": 1, "item_ids": ["a", 2], "extra": true})"));
  CHECK(p.missing == std::vector<std::string>{"new_item_ids", "payment_method_id"});
  CHECK(p.unexpected == std::vector<std::string>{"extra"});
  CHECK(p.mistyped == std::vector<std::string>{"order_id: expected string, got integer", "item_ids[1]: expected string, got integer"});
  CHECK(describe(spec, p).find("missing arguments 'new_item_ids', 'payment_method_id'") != std::string::npos);
  CHECK(typed_tool_action(R"(think {"thought": "a"})", retail_tool_specs()) == R"([tool] think {"thought":"a"})");
  CHECK(typed_tool_action("list_all_product_types", retail_tool_specs()) == "[tool] list_all_product_types {}");
  CHECK_FALSE(typed_tool_action("[action] hello", retail_tool_specs()));
  CHECK_FALSE(parse_tool_action("[action] x"));
  ToolBox box;
  box.add(ToolSpec{"echo", "Echo.", args(R"({"type": "object", "properties": {"text": {"type": "string"}}, "required": ["text"]})")},
          [](const json::object& a) { return std::string(a.at("text").get_string()); });
  CHECK(box.call("echo", args(R"({"text": "hi"})")).observation == "hi");
  auto bad = box.call("echo", args(R"({"text": 3})"));
  CHECK(bad.error);
  CHECK(bad.observation == "Error: echo: text: expected string, got integer. Call it with its parameters as a JSON object.");
  CHECK(box.call("nope", {}).observation == "Error: there is no tool named 'nope'. Tools: echo.");
}
