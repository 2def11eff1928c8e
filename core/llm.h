// What the engine asks of a language model and what it gets back: OpenAI-compatible chat
// completion requests and responses, their wire JSON, and their canonical record form (used in
// trajectories, share links and the replay cache). The core never sends anything; hosts do.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/iterator/indirect_iterator.hpp>

#include "core/json.h"

namespace rapport {

struct ToolCall {
  std::string id;
  std::string name;
  std::string arguments;  // JSON text, as the model wrote it
  bool operator==(const ToolCall&) const = default;
};

struct ChatMessage {
  std::string role;  // system | user | assistant | tool
  std::string content;
  std::string reasoning;  // hidden reasoning (reasoning_content or <think>), never sent back as content
  std::vector<ToolCall> tool_calls;
  std::string tool_call_id;  // for role "tool"
  bool operator==(const ChatMessage&) const = default;
};

// The messages of a request. A copy shares the messages instead of copying them, so the requests
// of one conversation (each the previous one plus a few messages) hold their common prefix once,
// in memory as in records (core/call_record.h). Messages are immutable once added; edit() gives
// a private copy of one.
class MessageList {
  using Items = std::vector<std::shared_ptr<const ChatMessage>>;

 public:
  using const_iterator = boost::indirect_iterator<Items::const_iterator>;

  MessageList() = default;
  MessageList(std::initializer_list<ChatMessage> messages) {
    for (const auto& m : messages) push_back(m);
  }

  std::size_t size() const { return items_.size(); }
  bool empty() const { return items_.empty(); }
  const ChatMessage& operator[](std::size_t i) const { return *items_[i]; }
  const ChatMessage& at(std::size_t i) const { return *items_.at(i); }
  const ChatMessage& front() const { return *items_.front(); }
  const ChatMessage& back() const { return *items_.back(); }
  const_iterator begin() const { return const_iterator(items_.begin()); }
  const_iterator end() const { return const_iterator(items_.end()); }

  void push_back(ChatMessage message) { items_.push_back(std::make_shared<const ChatMessage>(std::move(message))); }
  // Appends messages [from, to) of `other`, shared.
  void append(const MessageList& other, std::size_t from, std::size_t to) {
    items_.insert(items_.end(), other.items_.begin() + static_cast<std::ptrdiff_t>(from),
                  other.items_.begin() + static_cast<std::ptrdiff_t>(to));
  }
  void clear() { items_.clear(); }
  // Message i, made private to this list first.
  ChatMessage& edit(std::size_t i) {
    auto copy = std::make_shared<ChatMessage>(*items_.at(i));
    ChatMessage& message = *copy;
    items_[i] = std::move(copy);
    return message;
  }
  // How many leading messages the two lists have in common (shared ones are not compared).
  std::size_t common_prefix(const MessageList& other) const {
    std::size_t n = 0;
    while (n < size() && n < other.size() && (items_[n] == other.items_[n] || *items_[n] == *other.items_[n])) ++n;
    return n;
  }
  bool operator==(const MessageList& other) const {
    return size() == other.size() && common_prefix(other) == size();
  }

 private:
  Items items_;
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
  bool operator==(const Sampling&) const = default;
};

struct LlmRequest {
  LlmRole role = LlmRole::User;
  std::string purpose;  // why the call is made, e.g. "search_judge"; recorded, not sent
  MessageList messages;
  Sampling sampling;
  json::array tools;        // OpenAI tool schemas; empty for simulators and judges
  std::string tool_choice;  // "", "auto" or "required"
  // OpenAI's `response_format` (e.g. {"type": "json_schema", "json_schema": {...}}) for calls that
  // must answer JSON; empty: none. Oracles set it, hosts may drop it (robust parsing stays).
  json::object response_format;
  // Equal requests have equal records (and cache keys).
  bool operator==(const LlmRequest&) const = default;
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

// Canonical record form, identical on every target. A request's full record is
// {"role","purpose","messages","sampling","tools"?,"tool_choice"?}; its frame is the same without
// "messages" (what core/call_record.h compares between the calls of a conversation).
json::object to_record(const ChatMessage& message);
json::object to_record(const LlmRequest& request);
json::object request_frame_record(const LlmRequest& request);
json::object to_record(const LlmResponse& response);
ChatMessage chat_message_from_record(const json::value& record);
LlmRequest llm_request_from_record(const json::value& record);
LlmResponse llm_response_from_record(const json::value& record);

// Content address of a completion: model, messages, sampling, tools and the environment
// fingerprint. Hex text; the same on every target. core/cache_key.h computes the same key
// incrementally along a conversation.
std::string llm_cache_key(const LlmRequest& request, std::string_view model, std::string_view env_fingerprint);

}  // namespace rapport
