// What the engine asks of a language model and what it gets back: OpenAI-compatible chat
// completion requests and responses, their wire JSON, and their canonical record form (used in
// trajectories, share links and the replay cache). The core never sends anything; hosts do.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/json.h"

namespace rapport {

struct ToolCall {
  std::string id;
  std::string name;
  std::string arguments;  // JSON text, as the model wrote it
};

struct ChatMessage {
  std::string role;  // system | user | assistant | tool
  std::string content;
  std::string reasoning;  // hidden reasoning (reasoning_content or <think>), never sent back as content
  std::vector<ToolCall> tool_calls;
  std::string tool_call_id;  // for role "tool"
};

// Which configured endpoint serves a call: the agent's model, the simulated user, or a judge.
enum class LlmRole { Policy, User, Judge };
const char* to_string(LlmRole role);
std::optional<LlmRole> parse_llm_role(std::string_view text);

struct Sampling {
  double temperature = 0.0;
  double top_p = 1.0;
  int max_tokens = 2048;
  std::optional<std::int64_t> seed;
};

struct LlmRequest {
  LlmRole role = LlmRole::User;
  std::string purpose;  // why the call is made, e.g. "search_judge"; recorded, not sent
  std::vector<ChatMessage> messages;
  Sampling sampling;
  json::array tools;        // OpenAI tool schemas; empty for simulators and judges
  std::string tool_choice;  // "", "auto" or "required"
  // OpenAI's `response_format` (e.g. {"type": "json_schema", "json_schema": {...}}) for calls that
  // must answer JSON; empty: none. Oracles set it, hosts may drop it (robust parsing stays).
  json::object response_format;
};

struct LlmResponse {
  bool ok = false;
  ChatMessage message;  // role "assistant"
  std::string finish_reason;
  std::string error;  // why ok is false: transport, HTTP status, unparsable body
  std::int64_t prompt_tokens = 0;
  std::int64_t completion_tokens = 0;
  // Token-level record for on-policy training, when the server was asked for it and returns it
  // (vLLM: top-level prompt_token_ids, the choice's token_ids and logprobs.content[].logprob), in
  // the server's own tokenizer. Empty otherwise; one logprob per completion token.
  std::vector<std::int64_t> prompt_token_ids;
  std::vector<std::int64_t> completion_token_ids;
  std::vector<double> completion_logprobs;
  bool has_tokens() const { return !completion_token_ids.empty(); }
};

LlmResponse llm_failure(std::string error);
LlmResponse llm_text(std::string content);  // a successful plain-text response (scripted hosts, tests)

// The OpenAI chat-completions request body for `model`.
json::object to_openai_body(const LlmRequest& request, std::string_view model);
// Reads an OpenAI chat-completions response body. Never throws: a malformed body gives ok=false
// with a message. Reasoning comes from `reasoning_content` or a leading <think>...</think> block.
LlmResponse parse_openai_response(std::string_view body);

// Canonical record form, identical on every target.
json::object to_record(const ChatMessage& message);
json::object to_record(const LlmRequest& request);
json::object to_record(const LlmResponse& response);
ChatMessage chat_message_from_record(const json::value& record);
LlmRequest llm_request_from_record(const json::value& record);
LlmResponse llm_response_from_record(const json::value& record);

// Content address of a completion: model, messages, sampling, tools and the environment
// fingerprint. Hex text; the same on every target.
std::string llm_cache_key(const LlmRequest& request, std::string_view model, std::string_view env_fingerprint);

}  // namespace rapport
