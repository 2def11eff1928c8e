#include "native/endpoint.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include <fmt/format.h>

#include "core/params.h"
#include "core/text.h"

namespace rapport {
namespace {

std::string env_or(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::string(v) : fallback;
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// The host of an http(s) URL, lower-cased, without port or brackets.
std::string url_host(const std::string& url) {
  std::size_t start = url.find("://");
  if (start == std::string::npos) return "";
  start += 3;
  std::size_t end = url.find_first_of("/?#", start);
  std::string authority = url.substr(start, end == std::string::npos ? std::string::npos : end - start);
  if (std::size_t at = authority.rfind('@'); at != std::string::npos) authority = authority.substr(at + 1);
  if (!authority.empty() && authority.front() == '[') return lower(authority.substr(1, authority.find(']') - 1));
  return lower(authority.substr(0, authority.find(':')));
}

// Loopback and private addresses: where local inference servers listen.
bool local_host(const std::string& host) {
  if (host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0 || host.rfind("10.", 0) == 0 ||
      host.rfind("192.168.", 0) == 0)
    return true;
  if (host.rfind("172.", 0) == 0) {
    int second = std::atoi(host.c_str() + 4);
    return second >= 16 && second <= 31;
  }
  return false;
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
  const std::string prefix = name == "policy" ? "" : name + "-";
  if (!e.base_url.empty()) {
    check_base_url(e.base_url, fmt::format("--{}base-url", prefix));
  } else {
    e.base_url = env_or("OPENAI_BASE_URL", "https://api.openai.com/v1");
    check_base_url(e.base_url, "OPENAI_BASE_URL");
  }
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

void check_base_url(const std::string& urls, const std::string& flag) {
  // Several replicas are separated by commas; each must be an http(s) URL naming a host.
  std::size_t start = 0;
  do {
    std::size_t comma = std::min(urls.find(',', start), urls.size());
    std::string url = urls.substr(start, comma - start);
    start = comma + 1;
    while (!url.empty() && std::isspace(static_cast<unsigned char>(url.front()))) url.erase(0, 1);
    while (!url.empty() && std::isspace(static_cast<unsigned char>(url.back()))) url.pop_back();
    const std::string scheme = lower(url.substr(0, url.find("://")));
    if (url.find("://") == std::string::npos || (scheme != "http" && scheme != "https"))
      throw ConfigError(fmt::format("{} '{}': only http:// and https:// URLs are accepted", flag, abbreviate(url)));
    if (url_host(url).empty()) throw ConfigError(fmt::format("{} '{}': the URL names no host", flag, abbreviate(url)));
  } while (start <= urls.size());
}

RoleSampling resolve_sampling(const SamplingFlags& flags, const SamplingFlags* fallback, const Endpoint* endpoint) {
  RoleSampling r;
  r.temperature = flags.temperature >= 0 ? flags.temperature : (fallback ? fallback->temperature : -1);
  r.top_p = flags.top_p >= 0 ? flags.top_p : (fallback ? fallback->top_p : -1);
  r.max_tokens = flags.max_tokens >= 0 ? flags.max_tokens : (fallback ? fallback->max_tokens : -1);
  std::string mode = !flags.response_format.empty() ? flags.response_format : (fallback ? fallback->response_format : "");
  r.response_format = mode == "on" ? ResponseFormatMode::On : mode == "off" ? ResponseFormatMode::Off : ResponseFormatMode::Auto;
  switch (r.response_format) {
    case ResponseFormatMode::On: r.send_response_format = true; break;
    case ResponseFormatMode::Off: r.send_response_format = false; break;
    case ResponseFormatMode::Auto: {
      std::string host = endpoint ? url_host(endpoint->base_url) : "";
      r.send_response_format = local_host(host) || host == "api.openai.com";
      break;
    }
  }
  return r;
}

void RoleSampling::apply(LlmRequest& request) const {
  if (temperature >= 0) request.sampling.temperature = temperature;
  if (top_p >= 0) request.sampling.top_p = top_p;
  if (max_tokens >= 0) request.sampling.max_tokens = max_tokens;
  if (!send_response_format) request.response_format = {};
}

const Endpoint* Endpoints::for_role(LlmRole role) const {
  switch (role) {
    case LlmRole::Policy: return policy ? &*policy : nullptr;
    case LlmRole::User: return user ? &*user : nullptr;
    case LlmRole::Judge: return judge ? &*judge : (user ? &*user : nullptr);
  }
  return nullptr;
}

std::vector<std::string> Endpoints::secrets() const {
  std::vector<std::string> keys;
  for (const auto* e : {&policy, &user, &judge})
    if (*e && !(*e)->api_key.empty()) keys.push_back((*e)->api_key);
  if (const char* env = std::getenv("OPENAI_API_KEY"); env && *env) keys.emplace_back(env);
  return keys;
}

std::string scrub(std::string text, const std::vector<std::string>& secrets) {
  static const std::string kRedacted = "[redacted]";
  for (const auto& key : secrets) {
    if (key.size() < 4) continue;
    for (std::size_t at = text.find(key); at != std::string::npos; at = text.find(key, at + kRedacted.size()))
      text.replace(at, key.size(), kRedacted);
  }
  return text;
}

void scrub(LlmResponse& response, const std::vector<std::string>& secrets) {
  if (secrets.empty()) return;
  response.error = scrub(std::move(response.error), secrets);
  response.message.content = scrub(std::move(response.message.content), secrets);
  response.message.reasoning = scrub(std::move(response.message.reasoning), secrets);
  for (auto& call : response.message.tool_calls) call.arguments = scrub(std::move(call.arguments), secrets);
}

}  // namespace rapport
