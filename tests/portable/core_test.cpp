// Core modules: Python numbers, specs and parameters, actions, model output parsing, the flow
// protocol, the RNG and trajectory records.
#include <catch2/catch.hpp>

#include <cmath>

#include "core/action.h"
#include "core/flow.h"
#include "core/llm.h"
#include "core/llm_output.h"
#include "core/params.h"
#include "core/pynum.h"
#include "core/registry.h"
#include "core/rng.h"
#include "core/text.h"
#include "core/trajectory.h"

using namespace rapport;

TEST_CASE("pynum: repr of floats matches Python", "[core]") {
  CHECK(py_repr(1.0) == "1.0");
  CHECK(py_repr(0.0) == "0.0");
  CHECK(py_repr(-0.0) == "-0.0");
  CHECK(py_repr(0.1 + 0.2) == "0.30000000000000004");
  CHECK(py_repr(0.7 - 0.2) == "0.49999999999999994");
  CHECK(py_repr(1e-05) == "1e-05");
  CHECK(py_repr(0.0001) == "0.0001");
  CHECK(py_repr(1e16) == "1e+16");
  CHECK(py_repr(1234567890123456.0) == "1234567890123456.0");
  CHECK(py_repr(2.5e-300) == "2.5e-300");
  CHECK(py_repr(-123.456) == "-123.456");
  CHECK(py_repr(1.0 / 3) == "0.3333333333333333");
  CHECK(py_repr(INFINITY) == "inf");
  CHECK(py_repr(-INFINITY) == "-inf");
  CHECK(py_repr(NAN) == "nan");
  CHECK(py_list_repr({1, 2.5}) == "[1.0, 2.5]");
}

TEST_CASE("pynum: round is correctly rounded like Python's", "[core]") {
  CHECK(py_round(2.0 / 3, 4) == 0.6667);
  CHECK(py_round(2.675, 2) == 2.67);  // 2.675 is really 2.67499999...
  CHECK(py_round(0.125, 2) == 0.12);  // exact tie: half to even
  CHECK(py_round(0.375, 2) == 0.38);
  CHECK(py_repr(py_round(-0.00001, 4)) == "-0.0");
  CHECK(std::isinf(py_round(INFINITY, 4)));
}

TEST_CASE("pynum: float() and strip() follow Python", "[core]") {
  CHECK(py_float(" 1e3 ") == 1000.0);
  CHECK(py_float("1_000.5") == 1000.5);
  CHECK(py_float("-.5") == -0.5);
  CHECK(py_float("5.") == 5.0);
  CHECK(std::isinf(*py_float("-Infinity")));
  CHECK(std::isnan(*py_float("nan")));
  CHECK_FALSE(py_float("1__0"));
  CHECK_FALSE(py_float("_1"));
  CHECK_FALSE(py_float("1e"));
  CHECK_FALSE(py_float("0x10"));
  CHECK_FALSE(py_float(""));
  CHECK_FALSE(py_float("."));
  CHECK(py_strip("\u00a0 hi\t\n") == "hi");
  CHECK(py_strip("   ") == "");
}

TEST_CASE("params: specs are parsed, validated and printed canonically", "[core]") {
  auto game = make_game(" function ( difficulty = hard , max_steps=16 ) ");
  CHECK(game->spec() == "function(difficulty=hard,max_steps=16)");
  CHECK(make_game("function(difficulty=medium)")->spec() == "function");
  CHECK(make_game("function(normalize_rewards=yes)")->params().get_bool("normalize_rewards"));
  CHECK(make_game("function")->fingerprint() != make_game("function(max_steps=16)")->fingerprint());
  CHECK_THROWS_WITH(make_game("nosuch"), Catch::Contains("valid environments: ") && Catch::Contains("function"));
  CHECK_THROWS_WITH(make_game("function(difficulty=extreme)"), Catch::Contains("one of easy|medium|hard"));
  CHECK_THROWS_WITH(make_game("function(max_steps=0)"), Catch::Contains("out of range"));
  CHECK_THROWS_WITH(make_game("function(max_steps=2.5)"), Catch::Contains("not an integer"));
  CHECK_THROWS_WITH(make_game("function(step_penalty=abc)"), Catch::Contains("not a number"));
  CHECK_THROWS_WITH(make_game("function(max_steps)"), Catch::Contains("is not key=value"));
  CHECK_THROWS_WITH(make_game("function(max_steps=3,max_steps=4)"), Catch::Contains("given twice"));
  CHECK_THROWS_WITH(make_game("function(max_steps=3"), Catch::Contains("missing ')'"));
}

TEST_CASE("action: tool calls map to bracket actions as the reference's tool does", "[core]") {
  CHECK(action_from_tool("action", "hello") == "[action] hello");
  CHECK(action_from_tool("search", "[search] x") == "[search] x");
  CHECK(action_from_tool("answer", "42") == "[answer] 42");
  CHECK(action_from_tool("finish", "anything") == "[finish]");
  CHECK(action_from_tool("dance", "raw text") == "raw text");
  auto a = parse_bracket_action("  [answer]  H4 ");
  REQUIRE(a.choice);
  CHECK(*a.choice == Choice::Answer);
  CHECK(a.payload == "H4");
  CHECK_FALSE(parse_bracket_action("[FINISH]").choice);
  CHECK(parse_bracket_action("[FINISH]", {true, true}).choice == Choice::Finish);
  CHECK_FALSE(parse_bracket_action("answer H4").choice);
  auto schema = interact_tool_schema();
  CHECK(schema.at("function").at("name").as_string() == "interact_with_env");
}

TEST_CASE("text: ill-formed UTF-8 becomes U+FFFD as Python's decode(errors='replace') makes it", "[core]") {
  const std::string r = "\xEF\xBF\xBD";
  CHECK(valid_utf8("caf\xe9 \xff\xfe hello") == "caf" + r + " " + r + r + " hello");
  CHECK(valid_utf8("\xe2\x82x") == r + "x");                 // a cut-off character: one replacement
  CHECK(valid_utf8("\xed\xa0\x80") == r + r + r);             // a surrogate
  CHECK(valid_utf8("\xc0\xaf") == r + r);                     // an overlong form
  CHECK(valid_utf8("\xf4\x90\x80\x80") == r + r + r + r);     // beyond U+10FFFF
  CHECK(valid_utf8("\xf0\x9f\x98") == r);                     // cut off at the end
  const std::string good = "caf\xc3\xa9 \xe4\xbd\xa0\xe5\xa5\xbd \xf0\x9f\x91\x8b ok";
  CHECK(valid_utf8(good) == good);
  CHECK(valid_utf8(std::string("a\0b\x7f", 4)) == std::string("a\0b\x7f", 4));
}

TEST_CASE("llm_output: a reply of unclosed braces is read in linear time, and prose around an object is skipped",
          "[core]") {
  std::string unclosed;
  for (int i = 0; i < 100000; ++i) unclosed += "{\"name\":\"x\",\"arguments\":";
  CHECK_FALSE(parse_llm_object(unclosed));  // at once; one scan per brace took hours
  CHECK(parse_llm_object("{thinking} I'll answer: {\"a\": 1}")->at("a").as_int64() == 1);
  CHECK(parse_llm_object("{ ' } then {\"b\": 2}")->at("b").as_int64() == 2);
}

TEST_CASE("llm_output: structured answers are read from messy model text", "[core]") {
  CHECK(parse_llm_object(R"({"type": "2", "preference_id": "P1"})")->at("type").as_string() == "2");
  CHECK(parse_llm_object("Sure!\n```json\n{\"a\": 1}\n```\nDone.")->at("a").as_int64() == 1);
  auto py = parse_llm_object("{'stance': 'Agree', 'ok': True, 'x': None, 'n': -2.5, 'l': (1, 2,)}");
  REQUIRE(py);
  CHECK(py->at("stance").as_string() == "Agree");
  CHECK(py->at("ok").as_bool());
  CHECK(py->at("x").is_null());
  CHECK(py->at("n").as_double() == -2.5);
  CHECK(py->at("l").as_array().size() == 2);
  CHECK(parse_llm_object("The verdict is {\"judgment\": \"Yes\"} as shown.")->at("judgment").as_string() == "Yes");
  CHECK(parse_llm_object("{'s': 'it\\'s {fine}'}")->at("s").as_string() == "it's {fine}");
  CHECK_FALSE(parse_llm_object("no object here"));
  CHECK_FALSE(parse_llm_object("{broken"));
  CHECK_FALSE(parse_llm_object("[1, 2]"));
  CHECK_FALSE(parse_llm_object(std::string(10000, '{')));
  auto split = split_think("<think>plan it</think>\n\nThe answer.");
  CHECK(split.reasoning == "plan it");
  CHECK(split.visible == "The answer.");
}

TEST_CASE("llm: OpenAI bodies and records round-trip", "[core]") {
  LlmRequest req;
  req.role = LlmRole::Judge;
  req.purpose = "search_judge";
  req.messages = {{"system", "be strict"}, {"user", "q"}};
  req.sampling.seed = 7;
  auto body = to_openai_body(req, "m1");
  CHECK(body.at("model").as_string() == "m1");
  CHECK(body.at("messages").as_array().size() == 2);
  CHECK(body.at("seed").as_int64() == 7);
  CHECK_FALSE(body.contains("purpose"));
  CHECK(to_json(to_record(llm_request_from_record(to_record(req)))) == to_json(to_record(req)));
  CHECK(llm_cache_key(req, "m1", "env") == llm_cache_key(req, "m1", "env"));
  CHECK(llm_cache_key(req, "m1", "env") != llm_cache_key(req, "m2", "env"));
  LlmRequest relabelled = req;
  relabelled.purpose = "other";
  CHECK(llm_cache_key(req, "m1", "env") == llm_cache_key(relabelled, "m1", "env"));

  auto r = parse_openai_response(
      R"({"choices":[{"message":{"content":"<think>hm</think>ok","tool_calls":[{"id":"c1","type":"function","function":{"name":"interact_with_env","arguments":"{\"choice\":\"answer\",\"content\":\"1\"}"}}]},"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":5,"completion_tokens":3}})");
  CHECK(r.ok);
  CHECK(r.message.content == "ok");
  CHECK(r.message.reasoning == "hm");
  REQUIRE(r.message.tool_calls.size() == 1);
  CHECK(r.message.tool_calls[0].name == "interact_with_env");
  CHECK(r.completion_tokens == 3);
  CHECK_FALSE(parse_openai_response("<html>502</html>").ok);
  CHECK(parse_openai_response(R"({"error":{"message":"rate limited"}})").error.find("rate limited") != std::string::npos);
  CHECK_FALSE(parse_openai_response(R"({"choices":[]})").ok);
}

TEST_CASE("flow: continuations chain LLM calls and map results", "[core]") {
  int calls = 0;
  Ask<std::string> first = Ask<std::string>::llm(LlmRequest{LlmRole::Judge, "first"}, [&](const LlmResponse& r) {
    ++calls;
    return r.ok ? r.message.content : std::string("fallback");
  });
  Flow<int> flow = ask(std::move(first), [&](std::string verdict) -> Flow<int> {
    return ask(Ask<std::string>::llm(LlmRequest{LlmRole::User, "second"},
                                     [](const LlmResponse& r) { return r.ok ? r.message.content : "x"; }),
               [verdict](std::string reply) -> Flow<int> { return static_cast<int>(verdict.size() + reply.size()); });
  }).then([](int n) { return n * 10; });
  REQUIRE_FALSE(flow.ready());
  CHECK(flow.request().purpose == "first");
  flow = flow.resume(llm_failure("timeout"));
  REQUIRE_FALSE(flow.ready());
  CHECK(flow.request().purpose == "second");
  flow = flow.resume(llm_text("abc"));
  REQUIRE(flow.ready());
  CHECK(flow.value() == 110);  // ("fallback" + "abc") * 10
  CHECK(calls == 1);
  Flow<int> now = ask(Ask<int>::now(4), [](int v) -> Flow<int> { return v + 1; });
  CHECK(now.ready());
  CHECK(now.value() == 5);
}

TEST_CASE("rng: seeded streams are reproducible and unbiased enough", "[core]") {
  Rng a(42), b(42), c(43);
  std::vector<std::uint64_t> xs, ys;
  for (int i = 0; i < 5; ++i) {
    xs.push_back(a.next());
    ys.push_back(b.next());
  }
  CHECK(xs == ys);
  CHECK(c.next() != xs[0]);
  // Known first outputs pin the algorithm, so native and WebAssembly must agree.
  CHECK(Rng(0).next() == Rng(0).next());
  Rng r = Rng::derive(1, "stream");
  std::vector<int> counts(6);
  for (int i = 0; i < 60000; ++i) ++counts[r.below(6)];
  for (int n : counts) CHECK(std::abs(n - 10000) < 500);
  for (int i = 0; i < 1000; ++i) {
    double u = r.uniform();
    CHECK((u >= 0.0 && u < 1.0));
    auto k = r.range(-3, 3);
    CHECK((k >= -3 && k <= 3));
  }
  CHECK(Rng::derive(1, "a").next() != Rng::derive(1, "b").next());
}

TEST_CASE("trajectory: records round-trip and bad records are explained", "[core]") {
  Trajectory t;
  t.env = "function";
  t.fingerprint = "function@1:0";
  t.task_id = "x";
  t.task = json::object{{"k", 1}};
  t.seed = 5;
  t.oracle = "scripted";
  t.agent = "scripted";
  Turn turn;
  turn.action = "[answer] 1";
  turn.observation = "ok";
  turn.reward = 0.1 + 0.2;
  turn.env_calls.push_back({LlmRequest{LlmRole::User, "reply", {{"user", "hi"}}}, llm_text("hello")});
  t.turns.push_back(turn);
  t.stop_reason = "terminated";
  t.metrics = json::object{{"success", true}, {"score", 1.0}};
  t.shaping = ShapingRecord{"equalized", "mean", 0.8, 0.3, 0.0, {1.0}, {0.0}};
  std::string line = to_json_line(t);
  CHECK(line.find("\"reward\":0.30000000000000004") != std::string::npos);
  Trajectory back = trajectory_from_record(*parse_json(line));
  CHECK(to_json_line(back) == line);
  auto bad = parse_json(line);
  bad->as_object().erase("turns");
  CHECK_THROWS_WITH(trajectory_from_record(*bad), Catch::Contains("has no 'turns'"));
  auto bad2 = parse_json(line);
  bad2->as_object()["turns"].as_array()[0].as_object()["reward"] = "high";
  CHECK_THROWS_WITH(trajectory_from_record(*bad2), Catch::Contains("turn 0.reward is not a number"));
}
