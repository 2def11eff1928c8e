// The built-in demo model of `rapport serve` (POST /v1/chat/completions): an OpenAI-compatible
// stand-in so that a newcomer can try the playground's LLM mode with no model server. It is a
// script, not a language model, and deterministic:
//  - a request offering tools (the agent) gets interact_with_env calls by how many tool results it
//    has seen: two questions to the user ("action"), then an answer, then "finish";
//  - any other request (a simulated user or a judge) gets one fixed sentence saying it is the demo
//    model; the environments' documented fallbacks apply to judges that wanted a verdict.
#pragma once

#include <string>
#include <string_view>

namespace rapport {

struct DemoReply {
  int status = 200;
  std::string body;  // JSON: a chat completion, or an OpenAI-style error
};

DemoReply demo_completion(std::string_view request_body);

// GET /v1/models: the one model the demo offers.
std::string demo_models();

inline constexpr const char* kDemoModelName = "rapport-demo";

}  // namespace rapport
