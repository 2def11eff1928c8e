// Model endpoints: where each role's completions go (the policy, the user simulator, the judges),
// with per-endpoint limits, and the settings the command line gives them (its flags are added in
// native/cli/flags.h). OPENAI_API_KEY and OPENAI_BASE_URL are the defaults, as with the OpenAI
// clients.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/llm.h"

namespace rapport {

struct Endpoint {
  std::string name;      // "policy", "user", "judge": for messages and statistics
  // e.g. http://127.0.0.1:8000/v1 (the /chat/completions path is added). Several replicas of the
  // same model, comma-separated, share the endpoint's limits: requests go to the replica with the
  // fewest outstanding, and a failing one is taken out and probed back.
  std::string base_url;
  std::string model;
  std::string api_key;   // sent as "Authorization: Bearer <key>" when not empty
  // Limits; 0 means unlimited.
  int max_concurrency = 0;          // requests in flight
  double requests_per_minute = 0;
  double tokens_per_minute = 0;     // prompt (estimated from its length) plus completion tokens
  // Requests/minute are kept over every second, tokens/minute over every ten seconds.
  double timeout_s = 120;           // one attempt, from connection to the last byte
  int max_retries = 6;              // further attempts after the first, on retryable failures
  double backoff_initial_s = 0.5;   // first retry delay; doubles per retry, with jitter
  double backoff_max_s = 30;
  std::size_t max_body_bytes = std::size_t{64} << 20;  // a longer response body is a failure (body_too_large)
  // Ask for token ids and logprobs (vLLM's return_token_ids, logprobs, top_logprobs: 0).
  bool record_tokens = false;

  // Services other than chat completions (retrieval servers, web search): requests go to `url` as
  // it is, with `headers` ("Name: value") added.
  std::string url;
  std::vector<std::string> headers;

  std::string completions_url() const;                // the first replica's
  std::vector<std::string> completions_urls() const;  // one per replica, in the order given
};

// One role's command-line settings before defaults are applied. Empty strings mean "not given".
struct EndpointFlags {
  std::string model;
  std::string base_url;
  std::string api_key;
  int max_concurrency = 0;
  double requests_per_minute = 0;
  double tokens_per_minute = 0;
};

// Retry and timeout settings shared by every endpoint (--timeout, --retries).
struct ClientFlags {
  double timeout_s = 120;
  int max_retries = 6;
};

// Endpoint for one role: flags, then `fallback` (the judge falls back to the user simulator's
// settings), then OPENAI_BASE_URL (or https://api.openai.com/v1) and OPENAI_API_KEY. nullopt
// when no model is named anywhere.
std::optional<Endpoint> resolve_endpoint(const std::string& name, const EndpointFlags& flags,
                                         const EndpointFlags* fallback, const ClientFlags& client);

// A role's sampling flags (--temperature, --user-top-p, --judge-max-tokens, ...). Negative means
// "not given": the request keeps what the agent or the oracle asks for.
struct SamplingFlags {
  double temperature = -1;
  double top_p = -1;
  int max_tokens = -1;
  std::string response_format;  // user and judge: auto | on | off; empty: not given
};

// Structured outputs for oracle calls that must answer JSON: off never sends the call's JSON
// schema as `response_format`; on always does; auto does for servers known to enforce it (a
// loopback or private address, where vLLM, SGLang and llama.cpp's server run, and api.openai.com).
enum class ResponseFormatMode { Auto, On, Off };

// What the host changes in an oracle's requests for one role, after the flags and their fallback
// (the judge falls back to the user's settings).
struct RoleSampling {
  double temperature = -1;
  double top_p = -1;
  int max_tokens = -1;
  ResponseFormatMode response_format = ResponseFormatMode::Auto;
  bool send_response_format = false;  // the mode applied to the role's endpoint
  void apply(LlmRequest& request) const;
};
RoleSampling resolve_sampling(const SamplingFlags& flags, const SamplingFlags* fallback, const Endpoint* endpoint);

// Throws ConfigError unless `url` is an http:// or https:// URL with a host (`flag` names where it
// came from, for the message).
void check_base_url(const std::string& url, const std::string& flag);

// The endpoints a run or a play session uses, by role.
struct Endpoints {
  std::optional<Endpoint> policy;
  std::optional<Endpoint> user;
  std::optional<Endpoint> judge;
  const Endpoint* for_role(LlmRole role) const;
  // The configured API keys, for scrub().
  std::vector<std::string> secrets() const;
};

// Replaces every occurrence of each key in `secrets` (keys of 4 or more characters) by
// "[redacted]": applied to every model response (error text, content, reasoning, tool calls)
// before it is recorded, cached or shown, so that a gateway echoing the Authorization header
// leaks no key into trajectories, share links or the cache.
std::string scrub(std::string text, const std::vector<std::string>& secrets);
void scrub(LlmResponse& response, const std::vector<std::string>& secrets);

}  // namespace rapport
