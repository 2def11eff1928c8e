#include "native/demo_model.h"

#include <fmt/format.h>

#include "core/json.h"

namespace rapport {

namespace {

DemoReply error(int status, std::string message) {
  return {status, to_json(json::object{
                      {"error", json::object{{"message", std::move(message)}, {"type", "invalid_request_error"}}}})};
}

}  // namespace

std::string demo_models() {
  return to_json(json::object{
      {"object", "list"},
      {"data", json::array{json::object{{"id", kDemoModelName}, {"object", "model"}, {"owned_by", "rapport"}}}}});
}

DemoReply demo_completion(std::string_view request_body) {
  auto parsed = parse_json(request_body);
  if (!parsed || !parsed->is_object()) return error(400, "the request body must be a JSON object");
  const json::object& body = parsed->get_object();
  auto messages = body.find("messages");
  if (messages == body.end() || !messages->value().is_array() || messages->value().get_array().empty())
    return error(400, "'messages' must be a non-empty array");
  int tool_results = 0;
  for (const auto& m : messages->value().get_array())
    if (m.is_object() && get_string(m.get_object(), "role") == "tool") ++tool_results;
  auto tools = body.find("tools");
  bool agent = tools != body.end() && tools->value().is_array() && !tools->value().get_array().empty();

  json::object message{{"role", "assistant"}};
  std::string finish = "stop";
  if (agent) {
    static const char* const kScript[][2] = {
        {"action", "Hello! Could you tell me a little more about what you need?"},
        {"action", "Thanks. What matters most to you here?"},
        {"answer", "Here is my best answer from what you told me."},
        {"finish", ""}};
    const auto& step = kScript[std::min(tool_results, 3)];
    json::object arguments{{"choice", step[0]}, {"content", step[1]}};
    message["content"] = nullptr;
    message["tool_calls"] = json::array{json::object{
        {"id", fmt::format("call_demo_{}", tool_results)},
        {"type", "function"},
        {"function", json::object{{"name", "interact_with_env"}, {"arguments", to_json(arguments)}}}}};
    finish = "tool_calls";
  } else {
    message["content"] =
        "I am Rapport's built-in demo model, a fixed script rather than a language model: connect a real model "
        "server for real answers.";
  }
  std::string model = get_string(body, "model", kDemoModelName);
  auto prompt_tokens = static_cast<std::int64_t>(request_body.size() / 4);
  json::object completion{
      {"id", fmt::format("demo-{}", tool_results)},
      {"object", "chat.completion"},
      {"created", 0},
      {"model", model},
      {"choices", json::array{json::object{{"index", 0}, {"message", std::move(message)}, {"finish_reason", finish}}}},
      {"usage", json::object{{"prompt_tokens", prompt_tokens}, {"completion_tokens", 16}, {"total_tokens", prompt_tokens + 16}}}};
  return {200, to_json(completion)};
}

}  // namespace rapport
