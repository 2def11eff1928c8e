// Cache keys of completions (llm_cache_key), computed along a conversation without serialising
// it again: the key is a hash of the request's canonical text, and the requests of a conversation
// share their leading messages, so the hash state after those messages carries over to the next
// call and only the added messages are serialised and hashed. Keys are byte-identical to
// llm_cache_key's for the same request (caches written by earlier builds stay valid).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/llm.h"

namespace rapport {

class CacheKeyChain {
 public:
  std::string key(const LlmRequest& request, std::string_view model, std::string_view env_fingerprint);

 private:
  using Lanes = std::array<std::uint64_t, 2>;
  // Everything of the key but the messages: requests with equal frames differ only in messages.
  struct Conversation {
    LlmRole role;
    Sampling sampling;
    json::array tools;
    std::string tool_choice;
    json::object response_format;
    std::string model;
    std::string env;
    Lanes after_head;   // hash state after the text before the first message
    std::string tail;   // the text after the last message
    MessageList messages;  // of the latest call, and the state after them
    Lanes after_messages;
  };
  // A few conversations per episode (the agent's, and one per judge or simulator prompt).
  static constexpr std::size_t kConversations = 6;
  std::vector<Conversation> conversations_;  // most recently used last
};

}  // namespace rapport
