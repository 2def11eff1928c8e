// Model endpoints: where each role's completions go (the policy, the user simulator, the judges),
// with per-endpoint limits, and the command-line flags that configure them. OPENAI_API_KEY and
// OPENAI_BASE_URL are the defaults, as with the OpenAI clients.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "core/llm.h"

namespace rapport {

struct Endpoint {
  std::string name;      // "policy", "user", "judge": for messages and statistics
  std::string base_url;  // e.g. http://127.0.0.1:8000/v1 (the /chat/completions path is added)
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

  // Services other than chat completions (retrieval servers, web search): requests go to `url` as
  // it is, with `headers` ("Name: value") added.
  std::string url;
  std::vector<std::string> headers;

  std::string completions_url() const;
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

// Adds --<prefix>model, --<prefix>base-url, --<prefix>api-key, --<prefix>max-requests, --<prefix>rpm
// and --<prefix>tpm, e.g. prefix "" for the policy, "user-" and "judge-" for the oracles.
void add_endpoint_flags(CLI::App& command, const std::string& prefix, const std::string& who, EndpointFlags& flags);

// Retry and timeout flags shared by every endpoint: --timeout, --retries.
struct ClientFlags {
  double timeout_s = 120;
  int max_retries = 6;
};
void add_client_flags(CLI::App& command, ClientFlags& flags);

// Endpoint for one role: flags, then `fallback` (the judge falls back to the user simulator's
// settings), then OPENAI_BASE_URL (or https://api.openai.com/v1) and OPENAI_API_KEY. nullopt
// when no model is named anywhere.
std::optional<Endpoint> resolve_endpoint(const std::string& name, const EndpointFlags& flags,
                                         const EndpointFlags* fallback, const ClientFlags& client);

// The endpoints a run or a play session uses, by role.
struct Endpoints {
  std::optional<Endpoint> policy;
  std::optional<Endpoint> user;
  std::optional<Endpoint> judge;
  const Endpoint* for_role(LlmRole role) const;
};

}  // namespace rapport
