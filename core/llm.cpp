#include "core/llm.h"

#include <fmt/format.h>

#include "core/llm_output.h"

namespace rapport {

const char* to_string(LlmRole role) {
  switch (role) {
    case LlmRole::Policy: return "policy";
    case LlmRole::User: return "user";
    case LlmRole::Judge: return "judge";
  }
  return "user";
}

std::optional<LlmRole> parse_llm_role(std::string_view text) {
  if (text == "policy") return LlmRole::Policy;
  if (text == "user") return LlmRole::User;
  if (text == "judge") return LlmRole::Judge;
  return std::nullopt;
}

LlmResponse llm_failure(std::string error) {
  LlmResponse r;
  r.ok = false;
  r.error = std::move(error);
  return r;
}

LlmResponse llm_text(std::string content) {
  LlmResponse r;
  r.ok = true;
  r.message.role = "assistant";
  r.message.content = std::move(content);
  r.finish_reason = "stop";
  return r;
}

namespace {

json::array tool_calls_json(const std::vector<ToolCall>& calls) {
  json::array out;
  for (const auto& call : calls) {
    out.push_back(json::object{{"id", call.id},
                               {"type", "function"},
                               {"function", json::object{{"name", call.name}, {"arguments", call.arguments}}}});
  }
  return out;
}

std::vector<ToolCall> tool_calls_from_json(const json::value& v) {
  std::vector<ToolCall> out;
  if (!v.is_array()) return out;
  for (const auto& item : v.get_array()) {
    if (!item.is_object()) continue;
    const auto& o = item.get_object();
    ToolCall call;
    call.id = get_string(o, "id");
    if (auto it = o.find("function"); it != o.end() && it->value().is_object()) {
      const auto& f = it->value().get_object();
      call.name = get_string(f, "name");
      // Some servers send arguments as an object rather than a JSON string.
      if (auto a = f.find("arguments"); a != f.end())
        call.arguments = a->value().is_string() ? std::string(a->value().get_string()) : to_json(a->value());
    } else {
      call.name = get_string(o, "name");
      call.arguments = get_string(o, "arguments");
    }
    out.push_back(std::move(call));
  }
  return out;
}

json::object sampling_json(const Sampling& s) {
  json::object o{{"temperature", s.temperature}, {"top_p", s.top_p}, {"max_tokens", s.max_tokens}};
  if (s.seed) o["seed"] = *s.seed;
  return o;
}

}  // namespace

json::object to_openai_body(const LlmRequest& request, std::string_view model) {
  json::array messages;
  for (const auto& m : request.messages) {
    json::object o{{"role", m.role}, {"content", m.content}};
    if (!m.tool_calls.empty()) o["tool_calls"] = tool_calls_json(m.tool_calls);
    if (!m.tool_call_id.empty()) o["tool_call_id"] = m.tool_call_id;
    messages.push_back(std::move(o));
  }
  json::object body{{"model", model}, {"messages", std::move(messages)}};
  for (auto& [k, v] : sampling_json(request.sampling)) body[k] = v;
  if (!request.tools.empty()) {
    body["tools"] = request.tools;
    if (!request.tool_choice.empty()) body["tool_choice"] = request.tool_choice;
  }
  if (!request.response_format.empty()) body["response_format"] = request.response_format;
  return body;
}

namespace {

// An array of integers (token ids); empty when absent or not all integers.
std::vector<std::int64_t> int_array(const json::object& o, std::string_view key) {
  std::vector<std::int64_t> out;
  auto it = o.find(key);
  if (it == o.end() || !it->value().is_array()) return out;
  out.reserve(it->value().get_array().size());
  for (const auto& v : it->value().get_array()) {
    if (v.is_int64()) out.push_back(v.get_int64());
    else if (v.is_uint64()) out.push_back(static_cast<std::int64_t>(v.get_uint64()));
    else return {};
  }
  return out;
}

std::vector<double> number_array(const json::object& o, std::string_view key) {
  std::vector<double> out;
  auto it = o.find(key);
  if (it == o.end() || !it->value().is_array()) return out;
  out.reserve(it->value().get_array().size());
  for (const auto& v : it->value().get_array()) {
    if (!v.is_number()) return {};
    out.push_back(v.to_number<double>());
  }
  return out;
}

json::array to_json_array(const std::vector<std::int64_t>& ids) {
  json::array a;
  a.reserve(ids.size());
  for (auto id : ids) a.emplace_back(id);
  return a;
}

json::array to_json_array(const std::vector<double>& xs) {
  json::array a;
  a.reserve(xs.size());
  for (double x : xs) a.emplace_back(x);
  return a;
}

// The token record of a chat completion: prompt ids at the top level, completion ids on the
// choice, logprobs as OpenAI's logprobs.content[].logprob. Kept only when complete and consistent.
void read_tokens(const json::object& root, const json::object& choice, LlmResponse& r) {
  r.prompt_token_ids = int_array(root, "prompt_token_ids");
  if (r.prompt_token_ids.empty()) r.prompt_token_ids = int_array(choice, "prompt_token_ids");
  r.completion_token_ids = int_array(choice, "token_ids");
  if (auto lp = choice.find("logprobs"); lp != choice.end() && lp->value().is_object()) {
    if (auto content = lp->value().get_object().find("content");
        content != lp->value().get_object().end() && content->value().is_array()) {
      for (const auto& entry : content->value().get_array()) {
        if (!entry.is_object()) break;
        auto x = entry.get_object().find("logprob");
        if (x == entry.get_object().end() || !x->value().is_number()) break;
        r.completion_logprobs.push_back(x->value().to_number<double>());
      }
    }
  }
  if (r.completion_token_ids.empty() || r.completion_logprobs.size() != r.completion_token_ids.size())
    r.completion_logprobs.clear();
}

}  // namespace

LlmResponse parse_openai_response(std::string_view body) {
  auto parsed = parse_json(body);
  if (!parsed || !parsed->is_object()) return llm_failure("response body is not a JSON object");
  const auto& root = parsed->get_object();
  if (auto err = root.find("error"); err != root.end()) {
    std::string message = err->value().is_object() ? get_string(err->value().get_object(), "message")
                                                    : to_json(err->value());
    return llm_failure("server error: " + message);
  }
  auto choices = root.find("choices");
  if (choices == root.end() || !choices->value().is_array() || choices->value().get_array().empty() ||
      !choices->value().get_array()[0].is_object())
    return llm_failure("response has no choices");
  const auto& choice = choices->value().get_array()[0].get_object();
  auto message = choice.find("message");
  if (message == choice.end() || !message->value().is_object()) return llm_failure("choice has no message");
  const auto& m = message->value().get_object();

  LlmResponse r;
  r.ok = true;
  r.message.role = "assistant";
  r.finish_reason = get_string(choice, "finish_reason");
  r.message.reasoning = get_string(m, "reasoning_content");
  if (r.message.reasoning.empty()) r.message.reasoning = get_string(m, "reasoning");
  std::string content = get_string(m, "content");
  ThinkSplit split = split_think(content);
  if (!split.reasoning.empty()) {
    if (!r.message.reasoning.empty()) r.message.reasoning += "\n";
    r.message.reasoning += split.reasoning;
    content = split.visible;
  }
  r.message.content = std::move(content);
  if (auto calls = m.find("tool_calls"); calls != m.end()) r.message.tool_calls = tool_calls_from_json(calls->value());
  if (auto usage = root.find("usage"); usage != root.end() && usage->value().is_object()) {
    r.prompt_tokens = get_int(usage->value().get_object(), "prompt_tokens");
    r.completion_tokens = get_int(usage->value().get_object(), "completion_tokens");
  }
  read_tokens(root, choice, r);
  return r;
}

json::object to_record(const ChatMessage& m) {
  json::object o{{"role", m.role}, {"content", m.content}};
  if (!m.reasoning.empty()) o["reasoning"] = m.reasoning;
  if (!m.tool_calls.empty()) o["tool_calls"] = tool_calls_json(m.tool_calls);
  if (!m.tool_call_id.empty()) o["tool_call_id"] = m.tool_call_id;
  return o;
}

json::object request_frame_record(const LlmRequest& request) {
  json::object o{{"role", to_string(request.role)}, {"purpose", request.purpose}, {"sampling", sampling_json(request.sampling)}};
  if (!request.tools.empty()) o["tools"] = request.tools;
  if (!request.tool_choice.empty()) o["tool_choice"] = request.tool_choice;
  if (!request.response_format.empty()) o["response_format"] = request.response_format;
  return o;
}

json::object to_record(const LlmRequest& request) {
  json::array messages;
  messages.reserve(request.messages.size());
  for (const auto& m : request.messages) messages.push_back(to_record(m));
  json::object frame = request_frame_record(request);
  json::object o;
  o.reserve(frame.size() + 1);
  // The messages follow role and purpose, as records have always had them.
  for (auto& member : frame) {
    o.emplace(member.key(), std::move(member.value()));
    if (member.key() == "purpose") o.emplace("messages", std::move(messages));
  }
  return o;
}

json::object to_record(const LlmResponse& r) {
  json::object o{{"ok", r.ok}};
  if (r.ok) {
    o["message"] = to_record(r.message);
    o["finish_reason"] = r.finish_reason;
    o["prompt_tokens"] = r.prompt_tokens;
    o["completion_tokens"] = r.completion_tokens;
    if (!r.prompt_token_ids.empty()) o["prompt_token_ids"] = to_json_array(r.prompt_token_ids);
    if (!r.completion_token_ids.empty()) o["token_ids"] = to_json_array(r.completion_token_ids);
    if (!r.completion_logprobs.empty()) o["logprobs"] = to_json_array(r.completion_logprobs);
  } else {
    o["error"] = r.error;
  }
  return o;
}

ChatMessage chat_message_from_record(const json::value& record) {
  ChatMessage m;
  if (!record.is_object()) return m;
  const auto& o = record.get_object();
  m.role = get_string(o, "role");
  m.content = get_string(o, "content");
  m.reasoning = get_string(o, "reasoning");
  m.tool_call_id = get_string(o, "tool_call_id");
  if (auto it = o.find("tool_calls"); it != o.end()) m.tool_calls = tool_calls_from_json(it->value());
  return m;
}

LlmRequest llm_request_from_record(const json::value& record) {
  LlmRequest r;
  if (!record.is_object()) return r;
  const auto& o = record.get_object();
  r.role = parse_llm_role(get_string(o, "role")).value_or(LlmRole::User);
  r.purpose = get_string(o, "purpose");
  if (auto it = o.find("messages"); it != o.end() && it->value().is_array())
    for (const auto& m : it->value().get_array()) r.messages.push_back(chat_message_from_record(m));
  if (auto it = o.find("sampling"); it != o.end() && it->value().is_object()) {
    const auto& s = it->value().get_object();
    r.sampling.temperature = get_number(s, "temperature", 0.0);
    r.sampling.top_p = get_number(s, "top_p", 1.0);
    r.sampling.max_tokens = static_cast<int>(get_int(s, "max_tokens", 2048));
    if (s.contains("seed")) r.sampling.seed = get_int(s, "seed");
  }
  if (auto it = o.find("tools"); it != o.end() && it->value().is_array()) r.tools = it->value().get_array();
  r.tool_choice = get_string(o, "tool_choice");
  if (auto it = o.find("response_format"); it != o.end() && it->value().is_object())
    r.response_format = it->value().get_object();
  return r;
}

LlmResponse llm_response_from_record(const json::value& record) {
  if (!record.is_object()) return llm_failure("missing response record");
  const auto& o = record.get_object();
  LlmResponse r;
  r.ok = get_bool(o, "ok");
  if (!r.ok) {
    r.error = get_string(o, "error", "unknown error");
    return r;
  }
  if (auto it = o.find("message"); it != o.end()) r.message = chat_message_from_record(it->value());
  r.finish_reason = get_string(o, "finish_reason");
  r.prompt_tokens = get_int(o, "prompt_tokens");
  r.completion_tokens = get_int(o, "completion_tokens");
  r.prompt_token_ids = int_array(o, "prompt_token_ids");
  r.completion_token_ids = int_array(o, "token_ids");
  r.completion_logprobs = number_array(o, "logprobs");
  return r;
}

}  // namespace rapport
