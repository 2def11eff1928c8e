// The model client: OpenAI-compatible chat completions over libcurl's multi interface, every
// request of the process driven by one event loop (epoll + curl's socket API) on the thread that
// calls poll(). Per-endpoint limits on concurrency, requests/minute and tokens/minute; per-attempt
// timeouts; retries with exponential backoff and jitter on HTTP 429 and 5xx, timeouts, broken
// connections and truncated bodies, honouring Retry-After. An endpoint may name several replicas:
// each attempt goes to the in-service replica with the fewest requests outstanding; a replica whose
// attempt fails (transport, 5xx, timeout) is taken out for a while (1 s, doubling to 30 s) and then
// probed with one request; the retry goes to another replica at once. Limits count across replicas. Every failure is classified and
// reported with the call, so that a runner can count them per trajectory.
//
//   HttpClient client;
//   int policy = client.add_endpoint(endpoint);
//   client.submit(policy, request, [](LlmResponse r, const CallReport& report) { ... });
//   while (client.active() > 0) client.poll(100);
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/llm.h"
#include "native/endpoint.h"

namespace rapport {

enum class FailureKind {
  RateLimited,  // HTTP 429
  ServerError,  // HTTP 5xx (and 408)
  ClientError,  // other HTTP 4xx: not retried (bad key, unknown model, request too long)
  Timeout,      // no complete answer within the endpoint's timeout
  Connection,   // refused, reset or closed without an answer; name resolution
  Truncated,    // the body ended early
  BadBody,      // HTTP 200 whose body is not a chat completion (retried)
  BodyTooLarge, // the body exceeded the endpoint's max_body_bytes (not retried)
  CacheMiss,    // cache mode read and no recorded completion: no request was made
  NotConfigured,  // no endpoint serves the call's role
};
inline constexpr std::size_t kFailureKinds = 10;
const char* to_string(FailureKind kind);  // rate_limited, server_error, client_error, timeout, ...


// What obtaining one completion took.
struct CallReport {
  int attempts = 0;
  std::array<int, kFailureKinds> failures{};  // failed attempts, by kind
  bool ok = false;                            // a completion was obtained
  double seconds = 0;                         // from submit to the result, queueing included

  int retries() const { return attempts > 0 ? attempts - 1 : 0; }
  int failed_attempts() const;
};
// A call given up without a request (cache miss in read mode, no endpoint for the role): its
// failure, classified, and the report that counts it.
CallReport failed_without_request(FailureKind kind);

// Totals over the client's lifetime, for progress lines and summaries.
struct ClientStats {
  std::int64_t calls_done = 0;
  std::int64_t calls_failed = 0;  // gave up (or not retryable)
  std::int64_t attempts = 0;
  std::int64_t retries = 0;
  std::array<std::int64_t, kFailureKinds> failures{};
  std::int64_t prompt_tokens = 0;
  std::int64_t completion_tokens = 0;
};

// One replica of an endpoint (a base URL of --base-url a,b,c), for the run summary.
struct ReplicaStats {
  std::string url;
  std::int64_t requests = 0;  // attempts sent to it
  std::int64_t failures = 0;  // attempts that failed there (transport, 5xx, timeouts)
  std::int64_t outages = 0;   // times it was taken out of rotation
  bool in_service = true;     // now
};

// The chat-completions request body: the same JSON as to_json(to_openai_body(request, model)),
// written directly (no intermediate tree), since it is built for every request.
std::string openai_request_body(const LlmRequest& request, std::string_view model);

class HttpClient {
 public:
  using Done = std::function<void(LlmResponse, const CallReport&)>;

  HttpClient();
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Registers an endpoint; returns its id for submit().
  int add_endpoint(const Endpoint& endpoint);
  const Endpoint& endpoint(int id) const;

  // Queues a completion. `done` runs later, inside poll(), exactly once: with the completion, or
  // with ok=false and the reason once retries are exhausted or the failure is not retryable.
  void submit(int endpoint, const LlmRequest& request, Done done);

  // Queues a POST of a JSON body to the endpoint's `url` (for retrieval servers and web search),
  // limited and retried like completions. `done` runs later, inside poll(), exactly once: ok with
  // the body of an HTTP 200 answer, or not ok with the reason.
  using RawDone = std::function<void(bool ok, std::string body_or_error, const CallReport&)>;
  void post(int endpoint, std::string body, RawDone done);

  // Runs the event loop until at least one call has finished or timeout_ms has passed, then runs
  // the callbacks of the finished calls (which may submit more). Returns how many ran. Not
  // re-entrant: callbacks must not call poll().
  int poll(int timeout_ms);

  // Calls not yet finished: queued, in flight or waiting to retry.
  std::size_t active() const;
  // Requests on the wire right now.
  std::size_t in_flight() const;
  const ClientStats& stats() const;
  // Per replica of an endpoint, in the order its base URLs were given.
  std::vector<ReplicaStats> replica_stats(int endpoint) const;

  // For hosts with an event loop of their own (`rapport serve` on Asio): a descriptor that becomes
  // readable when poll(0) has network work to do. Timers (timeouts, retries, rate limits) still
  // need poll() to be called regularly while active() > 0.
  int wake_fd() const;

  // Convenience for one-at-a-time hosts (`rapport play`): submits and polls until done.
  LlmResponse complete(int endpoint, const LlmRequest& request, CallReport* report = nullptr);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace rapport
