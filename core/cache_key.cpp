#include "core/cache_key.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/rng.h"

namespace rapport {
namespace {

constexpr std::uint64_t kLaneBasis[2] = {0xcbf29ce484222325ULL, 0x84222325cbf29ce4ULL};
// Stands for the messages in the key text, to split it into the parts before and after them.
constexpr std::string_view kMarker = "\x01rapport:messages\x01";

struct Frame {
  std::string head;  // up to and including "messages":[
  std::string tail;  // from the closing ] on
};

// The key text is the request's record without "purpose", plus model and env. Boost.JSON's
// object::erase moves the last member into the erased one's place, so the member after "role" is
// whichever came last; the text is cut around a marker rather than assembled by hand, so that it
// stays exactly what the record gives.
Frame key_frame(const LlmRequest& request, std::string_view model, std::string_view env) {
  json::object key = request_frame_record(request);
  // The record's member order: role, purpose, messages, then the rest of the frame.
  json::object ordered;
  ordered.reserve(key.size() + 1);
  for (auto& member : key) {
    ordered.emplace(member.key(), std::move(member.value()));
    if (member.key() == "purpose") ordered.emplace("messages", json::array{json::string(kMarker)});
  }
  ordered.erase("purpose");  // a label for people; the completion does not depend on it
  ordered["model"] = model;
  ordered["env"] = env;
  std::string text = to_json(ordered);
  std::string marker = to_json(json::string(kMarker));
  std::size_t at = text.find(marker);
  return Frame{text.substr(0, at), text.substr(at + marker.size())};
}

std::uint64_t hash(std::uint64_t state, std::string_view text) { return fnv1a64(text, state); }

void hash_messages(std::array<std::uint64_t, 2>& lanes, const MessageList& messages, std::size_t from) {
  for (std::size_t i = from; i < messages.size(); ++i) {
    std::string text = (i ? "," : "") + to_json(to_record(messages[i]));
    for (auto& lane : lanes) lane = hash(lane, text);
  }
}

std::string hex(const std::array<std::uint64_t, 2>& lanes, std::string_view tail) {
  // Two independent 64-bit FNV-1a lanes: 128 bits, plenty for a cache of completions.
  return fmt::format("{:016x}{:016x}", hash(lanes[0], tail), hash(lanes[1], tail));
}

}  // namespace

std::string llm_cache_key(const LlmRequest& request, std::string_view model, std::string_view env_fingerprint) {
  Frame frame = key_frame(request, model, env_fingerprint);
  std::array<std::uint64_t, 2> lanes{hash(kLaneBasis[0], frame.head), hash(kLaneBasis[1], frame.head)};
  hash_messages(lanes, request.messages, 0);
  return hex(lanes, frame.tail);
}

std::string CacheKeyChain::key(const LlmRequest& request, std::string_view model, std::string_view env_fingerprint) {
  auto same_frame = [&](const Conversation& c) {
    return c.role == request.role && c.sampling == request.sampling && c.tool_choice == request.tool_choice &&
           c.model == model && c.env == env_fingerprint && c.tools == request.tools &&
           c.response_format == request.response_format;
  };
  auto it = std::find_if(conversations_.begin(), conversations_.end(), same_frame);
  if (it == conversations_.end()) {
    if (conversations_.size() >= kConversations) conversations_.erase(conversations_.begin());
    Frame frame = key_frame(request, model, env_fingerprint);
    Conversation c{request.role,
                   request.sampling,
                   request.tools,
                   request.tool_choice,
                   request.response_format,
                   std::string(model),
                   std::string(env_fingerprint),
                   {hash(kLaneBasis[0], frame.head), hash(kLaneBasis[1], frame.head)},
                   std::move(frame.tail),
                   {},
                   {}};
    c.after_messages = c.after_head;
    conversations_.push_back(std::move(c));
    it = conversations_.end() - 1;
  } else if (it != conversations_.end() - 1) {
    std::rotate(it, it + 1, conversations_.end());
    it = conversations_.end() - 1;
  }
  Conversation& c = *it;
  // The previous call's messages must all lead this one's for its state to carry over.
  std::size_t kept = c.messages.common_prefix(request.messages);
  if (kept < c.messages.size()) {
    kept = 0;
    c.after_messages = c.after_head;
  }
  hash_messages(c.after_messages, request.messages, kept);
  c.messages = request.messages;
  return hex(c.after_messages, c.tail);
}

}  // namespace rapport
