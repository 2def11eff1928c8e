#include "native/endpoint.h"

#include <cctype>
#include <cstdlib>

namespace rapport {
namespace {

std::string env_or(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::string(v) : fallback;
}

std::string completions_url_of(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  // Accept a full URL as well as the usual base ending in /v1.
  const std::string path = "/chat/completions";
  if (url.size() >= path.size() && url.compare(url.size() - path.size(), path.size(), path) == 0) return url;
  return url + path;
}

}  // namespace

std::string Endpoint::completions_url() const { return completions_urls().front(); }

std::vector<std::string> Endpoint::completions_urls() const {
  std::vector<std::string> urls;
  std::size_t start = 0;
  while (start <= base_url.size()) {
    std::size_t comma = base_url.find(',', start);
    if (comma == std::string::npos) comma = base_url.size();
    std::string one = base_url.substr(start, comma - start);
    while (!one.empty() && std::isspace(static_cast<unsigned char>(one.front()))) one.erase(0, 1);
    while (!one.empty() && std::isspace(static_cast<unsigned char>(one.back()))) one.pop_back();
    if (!one.empty()) urls.push_back(completions_url_of(one));
    start = comma + 1;
  }
  if (urls.empty()) urls.push_back(completions_url_of(base_url));
  return urls;
}

void add_endpoint_flags(CLI::App& command, const std::string& prefix, const std::string& who, EndpointFlags& flags) {
  const std::string group = who == "policy" ? "Policy model" : (who == "user simulator" ? "User simulator" : "Judge");
  command.add_option("--" + prefix + "model", flags.model, "Model name of the " + who)->group(group);
  command.add_option("--" + prefix + "base-url", flags.base_url,
                     "OpenAI-compatible base URL of the " + who +
                         " (default: $OPENAI_BASE_URL or https://api.openai.com/v1); several replicas of the same model: "
                         "repeat the flag or separate with commas")
      ->multi_option_policy(CLI::MultiOptionPolicy::Join)
      ->delimiter(',')
      ->group(group);
  command.add_option("--" + prefix + "api-key", flags.api_key, "API key of the " + who + " (default: $OPENAI_API_KEY)")
      ->group(group);
  command.add_option("--" + prefix + "max-requests", flags.max_concurrency,
                     "Most requests in flight to the " + who + " (default: no limit)")
      ->check(CLI::NonNegativeNumber)
      ->group(group);
  command.add_option("--" + prefix + "rpm", flags.requests_per_minute, "Requests per minute to the " + who + " (default: no limit)")
      ->check(CLI::NonNegativeNumber)
      ->group(group);
  command.add_option("--" + prefix + "tpm", flags.tokens_per_minute, "Tokens per minute to the " + who + " (default: no limit)")
      ->check(CLI::NonNegativeNumber)
      ->group(group);
}

void add_client_flags(CLI::App& command, ClientFlags& flags) {
  command.add_option("--timeout", flags.timeout_s, "Seconds one model request may take before it is retried")
      ->check(CLI::PositiveNumber)
      ->capture_default_str()
      ->group("Requests");
  command.add_option("--retries", flags.max_retries,
                     "Retries of a request after HTTP 429/5xx, timeouts and broken connections (exponential backoff "
                     "with jitter, Retry-After honoured)")
      ->check(CLI::Range(0, 100))
      ->capture_default_str()
      ->group("Requests");
}

std::optional<Endpoint> resolve_endpoint(const std::string& name, const EndpointFlags& flags,
                                         const EndpointFlags* fallback, const ClientFlags& client) {
  auto pick = [&](const std::string EndpointFlags::*field) {
    if (!(flags.*field).empty()) return flags.*field;
    if (fallback && !((*fallback).*field).empty()) return (*fallback).*field;
    return std::string();
  };
  Endpoint e;
  e.name = name;
  e.model = pick(&EndpointFlags::model);
  if (e.model.empty()) return std::nullopt;
  e.base_url = pick(&EndpointFlags::base_url);
  if (e.base_url.empty()) e.base_url = env_or("OPENAI_BASE_URL", "https://api.openai.com/v1");
  e.api_key = pick(&EndpointFlags::api_key);
  if (e.api_key.empty()) e.api_key = env_or("OPENAI_API_KEY", "");
  e.max_concurrency = flags.max_concurrency ? flags.max_concurrency : (fallback ? fallback->max_concurrency : 0);
  e.requests_per_minute = flags.requests_per_minute ? flags.requests_per_minute
                                                    : (fallback ? fallback->requests_per_minute : 0.0);
  e.tokens_per_minute = flags.tokens_per_minute ? flags.tokens_per_minute : (fallback ? fallback->tokens_per_minute : 0.0);
  e.timeout_s = client.timeout_s;
  e.max_retries = client.max_retries;
  return e;
}

const Endpoint* Endpoints::for_role(LlmRole role) const {
  switch (role) {
    case LlmRole::Policy: return policy ? &*policy : nullptr;
    case LlmRole::User: return user ? &*user : nullptr;
    case LlmRole::Judge: return judge ? &*judge : (user ? &*user : nullptr);
  }
  return nullptr;
}

}  // namespace rapport
