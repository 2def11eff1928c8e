// The HTTP client against the fake server: completions, keys, retries by failure kind (500, 429
// with Retry-After, timeouts, truncated bodies, resets), giving up, and the per-endpoint limits.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>

#include "native/http_client.h"
#include "tests/native/fake_openai_server.h"

using namespace rapport;

namespace {

Endpoint endpoint_for(const FakeOpenAiServer& server, double timeout_s = 5) {
  Endpoint e;
  e.name = "policy";
  e.base_url = server.base_url();
  e.model = "fake-model";
  e.timeout_s = timeout_s;
  e.backoff_initial_s = 0.01;
  e.backoff_max_s = 0.05;
  return e;
}

LlmRequest question(std::string text) {
  LlmRequest r;
  r.role = LlmRole::User;
  r.messages = {{"system", "You are terse."}, {"user", std::move(text)}};
  return r;
}

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

// A responder that fails the first `failures` requests with `fault`, then answers.
struct FlakyResponder {
  std::shared_ptr<std::atomic<int>> seen = std::make_shared<std::atomic<int>>(0);
  int failures;
  FakeReply fault;
  FakeReply operator()(const json::object&) const {
    if ((*seen)++ < failures) return fault;
    return FakeReply::text("fine");
  }
};

}  // namespace

TEST_CASE("http client: a completion with its usage and the request body as sent", "[http]") {
  FakeServerOptions options;
  options.record_bodies = true;
  FakeOpenAiServer server([](const json::object& body) { return FakeReply::text("echo: " + fake::last_content(body)); }, options);
  HttpClient client;
  int id = client.add_endpoint(endpoint_for(server));
  CallReport report;
  LlmResponse r = client.complete(id, question("hello"), &report);
  REQUIRE(r.ok);
  CHECK(r.message.content == "echo: hello");
  CHECK(r.prompt_tokens > 0);
  CHECK(r.completion_tokens > 0);
  CHECK(report.attempts == 1);
  CHECK(report.failed_attempts() == 0);
  auto bodies = server.bodies();
  REQUIRE(bodies.size() == 1);
  CHECK(get_string(bodies[0], "model") == "fake-model");
  CHECK(fake::count_messages(bodies[0], "system") == 1);
}

TEST_CASE("http client: the API key is sent as a Bearer token; a wrong key is not retried", "[http]") {
  FakeServerOptions options;
  options.api_key = "sk-test";
  FakeOpenAiServer server([](const json::object&) { return FakeReply::text("ok"); }, options);
  HttpClient client;
  Endpoint good = endpoint_for(server);
  good.api_key = "sk-test";
  Endpoint bad = endpoint_for(server);
  bad.api_key = "sk-wrong";
  CHECK(client.complete(client.add_endpoint(good), question("x")).ok);
  CallReport report;
  LlmResponse r = client.complete(client.add_endpoint(bad), question("x"), &report);
  CHECK_FALSE(r.ok);
  CHECK(report.attempts == 1);
  CHECK(report.failures[static_cast<int>(FailureKind::ClientError)] == 1);
  CHECK(r.error.find("401") != std::string::npos);
}

TEST_CASE("http client: retryable failures are retried and classified", "[http]") {
  struct Case {
    const char* name;
    FakeReply fault;
    FailureKind kind;
  };
  FakeReply hang;
  hang.fault = FakeFault::Hang;
  FakeReply truncate = FakeReply::text(std::string(400, 'x'));
  truncate.fault = FakeFault::Truncate;
  FakeReply reset;
  reset.fault = FakeFault::Reset;
  FakeReply garbage;
  garbage.raw_body = "{\"choices\": [";
  std::vector<Case> cases{{"HTTP 500", FakeReply::error(500, "boom"), FailureKind::ServerError},
                          {"HTTP 503", FakeReply::error(503, "busy"), FailureKind::ServerError},
                          {"HTTP 429", FakeReply::error(429, "slow down"), FailureKind::RateLimited},
                          {"hung request", hang, FailureKind::Timeout},
                          {"truncated body", truncate, FailureKind::Truncated},
                          {"reset connection", reset, FailureKind::Connection},
                          {"unparsable 200 body", garbage, FailureKind::BadBody}};
  for (const auto& c : cases) {
    INFO(c.name);
    FakeOpenAiServer server(FlakyResponder{std::make_shared<std::atomic<int>>(0), 2, c.fault});
    HttpClient client;
    int id = client.add_endpoint(endpoint_for(server, 0.3));
    CallReport report;
    LlmResponse r = client.complete(id, question("x"), &report);
    REQUIRE(r.ok);
    CHECK(r.message.content == "fine");
    CHECK(report.attempts == 3);
    CHECK(report.failures[static_cast<int>(c.kind)] == 2);
    CHECK(report.failed_attempts() == 2);
    CHECK(client.stats().retries == 2);
  }
}

TEST_CASE("http client: Retry-After is honoured", "[http]") {
  FakeReply limited = FakeReply::error(429, "rate limited");
  limited.headers.push_back({"Retry-After", "1"});
  FakeOpenAiServer server(FlakyResponder{std::make_shared<std::atomic<int>>(0), 1, limited});
  HttpClient client;
  int id = client.add_endpoint(endpoint_for(server));
  auto start = std::chrono::steady_clock::now();
  CallReport report;
  REQUIRE(client.complete(id, question("x"), &report).ok);
  CHECK(seconds_since(start) >= 0.95);
  CHECK(report.failures[static_cast<int>(FailureKind::RateLimited)] == 1);
}

TEST_CASE("http client: gives up after the configured retries, with the reason", "[http]") {
  FakeOpenAiServer server([](const json::object&) { return FakeReply::error(500, "always broken"); });
  HttpClient client;
  Endpoint e = endpoint_for(server);
  e.max_retries = 2;
  int id = client.add_endpoint(e);
  CallReport report;
  LlmResponse r = client.complete(id, question("x"), &report);
  CHECK_FALSE(r.ok);
  CHECK(report.attempts == 3);
  CHECK(r.error.find("server_error") != std::string::npos);
  CHECK(r.error.find("always broken") != std::string::npos);
  CHECK(server.requests() == 3);
  CHECK(client.stats().calls_failed == 1);
}

TEST_CASE("http client: an endpoint nobody listens on is a connection failure", "[http]") {
  int port;
  {
    FakeOpenAiServer gone([](const json::object&) { return FakeReply::text(""); });
    port = gone.port();
  }
  HttpClient client;
  Endpoint e;
  e.name = "user";
  e.base_url = "http://127.0.0.1:" + std::to_string(port) + "/v1";
  e.model = "m";
  e.max_retries = 1;
  e.backoff_initial_s = 0.01;
  CallReport report;
  LlmResponse r = client.complete(client.add_endpoint(e), question("x"), &report);
  CHECK_FALSE(r.ok);
  CHECK(report.failures[static_cast<int>(FailureKind::Connection)] == 2);
}

TEST_CASE("http client: concurrency and request-rate limits per endpoint", "[http]") {
  FakeServerOptions slow;
  slow.latency_s = 0.1;
  FakeOpenAiServer server([](const json::object&) { return FakeReply::text("ok"); }, slow);
  auto run = [&](Endpoint e, int n) {
    HttpClient client;
    int id = client.add_endpoint(e);
    int done = 0;
    auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < n; ++i)
      client.submit(id, question(std::to_string(i)), [&](LlmResponse r, const CallReport&) { done += r.ok ? 1 : 0; });
    std::size_t most_in_flight = 0;
    while (client.active() > 0) {
      client.poll(50);
      most_in_flight = std::max(most_in_flight, client.in_flight());
    }
    CHECK(done == n);
    return std::make_pair(seconds_since(start), most_in_flight);
  };
  Endpoint unlimited = endpoint_for(server);
  auto [free_time, free_peak] = run(unlimited, 40);
  CHECK(free_time < 0.45);
  Endpoint four = endpoint_for(server);
  four.max_concurrency = 4;
  auto [limited_time, limited_peak] = run(four, 40);
  CHECK(limited_peak <= 4);
  CHECK(limited_time >= 0.95);  // 10 rounds of 100 ms
  Endpoint paced = endpoint_for(server);
  paced.requests_per_minute = 1200;  // 20 per second, bursts of one second's worth
  auto [paced_time, paced_peak] = run(paced, 40);
  CHECK(paced_time >= 0.85);
  (void)free_peak;
  (void)paced_peak;
}

TEST_CASE("http client: a thousand requests in flight on one thread", "[http]") {
  FakeServerOptions options;
  options.latency_s = 0.2;
  FakeOpenAiServer server([](const json::object& body) { return FakeReply::text(fake::last_content(body)); }, options);
  HttpClient client;
  int id = client.add_endpoint(endpoint_for(server, 10));
  const int n = 1000;
  int correct = 0;
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < n; ++i)
    client.submit(id, question(std::to_string(i)), [&, i](LlmResponse r, const CallReport&) {
      correct += r.ok && r.message.content == std::to_string(i) ? 1 : 0;
    });
  while (client.active() > 0) client.poll(100);
  CHECK(correct == n);
  CHECK(seconds_since(start) < 3.0);
}

TEST_CASE("http client: the request body it writes is the core's OpenAI body", "[http]") {
  LlmRequest r;
  r.role = LlmRole::Policy;
  r.messages = {{"system", "Rules: \"quote\", back\\slash, tab\t, newline\n, bell\x07, café, 漢字"},
                {"user", ""},
                {"assistant", "calling", "hidden reasoning", {{"call_1", "interact_with_env", "{\"choice\":\"action\"}"}}},
                {"tool", "result\r\n", "", {}, "call_1"}};
  r.sampling.temperature = 0.7;
  r.sampling.top_p = 0.95;
  r.sampling.max_tokens = 512;
  r.sampling.seed = 1234567;
  r.tools = json::array{json::object{{"type", "function"}, {"function", json::object{{"name", "interact_with_env"}}}}};
  r.tool_choice = "required";
  for (bool with_tools : {true, false}) {
    if (!with_tools) {
      r.tools.clear();
      r.sampling.seed.reset();
    }
    auto direct = parse_json(openai_request_body(r, "model-x"));
    REQUIRE(direct);
    CHECK(*direct == json::value(to_openai_body(r, "model-x")));
  }
}

TEST_CASE("http client: replicas share the load, a failing one is taken out and probed back", "[http][replicas]") {
  FakeServerOptions slow;
  slow.latency_s = 0.02;
  FakeOpenAiServer a([](const json::object&) { return FakeReply::text("a"); }, slow);
  FakeReply reset;
  reset.fault = FakeFault::Reset;
  FlakyResponder flaky{.failures = 2, .fault = reset};
  FakeOpenAiServer b(flaky, slow);
  Endpoint e = endpoint_for(a);
  e.base_url = a.base_url() + ", " + b.base_url();
  e.max_concurrency = 4;  // counted across both replicas
  HttpClient client;
  int id = client.add_endpoint(e);

  int ok = 0, answered = 0;
  std::size_t most_in_flight = 0;
  auto submit = [&](int n) {
    for (int i = 0; i < n; ++i)
      client.submit(id, question("q"), [&](LlmResponse r, const CallReport&) {
        ++answered;
        ok += r.ok;
      });
  };
  submit(8);
  while (client.active() > 0) {
    client.poll(50);
    most_in_flight = std::max(most_in_flight, client.in_flight());
  }
  CHECK(ok == 8);  // the failed attempts were retried on the healthy replica
  CHECK(most_in_flight <= 4);
  auto stats = client.replica_stats(id);
  REQUIRE(stats.size() == 2);
  CHECK(stats[1].outages == 1);
  CHECK_FALSE(stats[1].in_service);
  CHECK(stats[0].requests >= 6);

  // After its time out (1 s) one request probes it; it answers and is back in rotation.
  const auto start = std::chrono::steady_clock::now();
  while (seconds_since(start) < 1.3) {
    submit(2);
    while (client.active() > 0) client.poll(50);
  }
  stats = client.replica_stats(id);
  CHECK(stats[1].in_service);
  CHECK(stats[1].outages == 1);
  const std::int64_t b_before = b.requests();
  submit(8);
  while (client.active() > 0) client.poll(50);
  CHECK(ok == answered);
  CHECK(b.requests() - b_before >= 3);  // least outstanding: about half of the new requests
}

TEST_CASE("http client: record_tokens asks as vLLM and reads ids and logprobs", "[http][rl]") {
  FakeServerOptions options;
  options.record_bodies = true;
  FakeOpenAiServer server([](const json::object&) { return FakeReply::text("four byte chunks"); }, options);
  Endpoint e = endpoint_for(server);
  e.record_tokens = true;
  HttpClient client;
  int id = client.add_endpoint(e);
  LlmResponse r = client.complete(id, question("hello"));
  REQUIRE(r.ok);
  const json::object body = server.bodies().at(0);
  CHECK(body.at("return_token_ids").as_bool());
  CHECK(body.at("logprobs").as_bool());
  CHECK(body.at("top_logprobs").as_int64() == 0);
  std::vector<std::int64_t> expected = fake::token_ids("four byte chunks");
  expected.push_back(fake::kEndOfTurn);
  CHECK(r.completion_token_ids == expected);
  CHECK(r.prompt_token_ids == fake::prompt_token_ids(body));
  REQUIRE(r.completion_logprobs.size() == expected.size());
  CHECK(r.completion_logprobs[0] == fake::token_logprob(expected[0]));
  CHECK(r.completion_tokens == static_cast<std::int64_t>(expected.size()));
  // The record keeps them, and reads them back.
  LlmResponse back = llm_response_from_record(to_record(r));
  CHECK(back.completion_token_ids == r.completion_token_ids);
  CHECK(back.prompt_token_ids == r.prompt_token_ids);
  CHECK(back.completion_logprobs == r.completion_logprobs);
  // Without the flag nothing is asked and nothing recorded: records stay as they were.
  HttpClient plain;
  LlmResponse p = plain.complete(plain.add_endpoint(endpoint_for(server)), question("hello"));
  CHECK_FALSE(p.has_tokens());
  CHECK_FALSE(to_record(p).contains("token_ids"));
  CHECK_FALSE(server.bodies().at(1).contains("return_token_ids"));
}
