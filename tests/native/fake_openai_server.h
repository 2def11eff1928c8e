// A fake OpenAI-compatible chat-completions server for tests and benchmarks: real HTTP/1.1 on
// 127.0.0.1 (an ephemeral port), one event-loop thread, keep-alive connections, configurable
// latency, and injected faults (HTTP 500, hung requests, truncated bodies, reset connections).
// What it answers is up to the test: a responder callback gets each request's JSON body and returns
// a FakeReply.
//
//   FakeOpenAiServer server([](const json::object& body) {
//     if (fake::has_tools(body)) return FakeReply::tool_call("answer", "42");  // the policy
//     return FakeReply::text("{\"verdict\": \"yes\"}");                       // a judge or user
//   });
//   rapport run ... --base-url server.base_url() --model fake
//
// The responder runs on the server's thread, one request at a time; it may keep state without
// locking as long as the test reads that state only after the server is destroyed (or uses atomics).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "core/json.h"
#include "core/llm.h"

namespace rapport {

// What happens to a request instead of a normal answer.
enum class FakeFault {
  None,
  Hang,      // never answered: the client must time out
  Truncate,  // the body is cut in half, then the connection closes
  Reset,     // the connection is reset without an answer
};

struct FakeReply {
  int status = 200;
  std::string content;
  std::string reasoning;             // sent as reasoning_content when not empty
  std::vector<ToolCall> tool_calls;  // empty ids are filled with a stable hash of the arguments
  std::string finish_reason;         // default: "tool_calls" with calls, else "stop"
  std::optional<std::int64_t> prompt_tokens;      // default: request bytes / 4
  std::optional<std::int64_t> completion_tokens;  // default: content bytes / 4 + 1
  std::string raw_body;  // when not empty, sent verbatim as the body instead of a completion
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers, e.g. Retry-After
  std::optional<double> latency_s;  // overrides the server's latency for this reply
  FakeFault fault = FakeFault::None;

  // Plain assistant text (user simulators, judges, or a policy that forgot its tool).
  static FakeReply text(std::string content);
  // A structured interact_with_env call.
  static FakeReply tool_call(std::string choice, std::string content);
  // The same call written as text, as models without a tool parser do:
  // <tool_call>{"name": "interact_with_env", "arguments": {...}}</tool_call>.
  static FakeReply hermes(std::string choice, std::string content);
  // An HTTP error with an OpenAI-style error body.
  static FakeReply error(int status, std::string message);
};

struct FakeServerOptions {
  double latency_s = 0;  // before each answer
  double jitter_s = 0;   // plus a uniform random [0, jitter_s)
  // Faults injected at random (seeded), before the responder is asked.
  double http500_rate = 0;
  double hang_rate = 0;
  double truncate_rate = 0;
  double reset_rate = 0;
  std::uint64_t seed = 1;
  std::string api_key;        // when set, requests must carry "Authorization: Bearer <api_key>" (else 401)
  bool record_bodies = false;  // keep every request body (see bodies())
  bool vllm_tokens = true;     // answer return_token_ids/logprobs; false: ignore them, as servers without them do
};

class FakeOpenAiServer {
 public:
  using Responder = std::function<FakeReply(const json::object& request_body)>;

  explicit FakeOpenAiServer(Responder responder, FakeServerOptions options = {});
  ~FakeOpenAiServer();  // stops the thread and closes every connection
  FakeOpenAiServer(const FakeOpenAiServer&) = delete;
  FakeOpenAiServer& operator=(const FakeOpenAiServer&) = delete;

  int port() const { return port_; }
  std::string base_url() const;  // "http://127.0.0.1:<port>/v1"

  // Chat-completion requests received, faults injected, and connections accepted so far.
  std::int64_t requests() const { return requests_.load(); }
  std::int64_t faults() const { return faults_.load(); }
  std::int64_t connections() const { return connections_.load(); }
  // Request bodies received so far (with record_bodies).
  std::vector<json::object> bodies() const;
  // The completion token ids of every answer that carried them, in the order sent.
  std::vector<std::vector<std::int64_t>> sent_token_ids() const;

 private:
  struct Loop;
  void run();

  Responder responder_;
  FakeServerOptions options_;
  int port_ = 0;
  int listen_fd_ = -1;
  int wake_fd_ = -1;
  std::atomic<std::int64_t> requests_{0}, faults_{0}, connections_{0};
  mutable std::mutex bodies_mutex_;
  std::vector<json::object> bodies_;
  std::vector<std::vector<std::int64_t>> sent_token_ids_;
  std::thread thread_;
};

// Helpers for responders.
namespace fake {
// The request offers tools: it comes from the policy (an LLM agent), not from an oracle.
bool has_tools(const json::object& body);
// Messages of a role, e.g. the number of tool results the policy has seen so far.
int count_messages(const json::object& body, std::string_view role);
// Content of the last message (of any role), and of the last message of `role`.
std::string last_content(const json::object& body);
std::string last_content(const json::object& body, std::string_view role);
// The content of the system message, or "".
std::string system_prompt(const json::object& body);
// The request is the reasoning user's (--user reasoning): it asks for the <rationale>/<reply> format.
bool asks_reasoning_user(const json::object& body);
// A well-formed tagged answer to it: five sub-steps, the state, and a reply that carries the text
// the request says it must convey (with pushback when the agent pressures the user).
FakeReply reasoning_user_reply(const json::object& body);
// The fake tokenizer: one id per 4 bytes (1000 + hash % 50000), and the chat template's tokens.
std::vector<std::int64_t> token_ids(std::string_view text);
inline constexpr std::int64_t kEndOfTurn = 2;  // closes every message, and every completion
std::int64_t role_token(std::string_view role);  // system 10, user 11, assistant 12, tool 13
// The prompt ids of a request under the fake chat template: per message its role token, its
// text's ids and kEndOfTurn; then the assistant's role token (the generation prompt).
std::vector<std::int64_t> prompt_token_ids(const json::object& request_body);
// What an assistant turn says, as text: its content, then each call as <tool_call>name args</tool_call>.
std::string assistant_text(std::string_view content, const std::vector<ToolCall>& calls);
// The "logprob" the fake policy gives a token: deterministic, in (-1, 0).
double token_logprob(std::int64_t id);
}  // namespace fake

}  // namespace rapport
