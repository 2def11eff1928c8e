#include "core/call_record.h"

#include <fmt/format.h>

#include "core/params.h"

namespace rapport {

json::object CallRecordWriter::write(const LlmExchange& call) {
  const LlmRequest& request = call.request;
  json::object frame = request_frame_record(request);
  json::object out;
  auto key = std::make_pair(request.role, request.purpose);
  auto latest = latest_.find(key);
  if (latest == latest_.end()) {
    out["request"] = to_record(request);
  } else {
    const Latest& base = latest->second;
    const std::size_t keep = base.request->messages.common_prefix(request.messages);
    json::object delta{{"base", base.index}, {"keep", keep}};
    for (const auto& member : frame) {
      auto was = base.frame.find(member.key());
      if (was == base.frame.end() || was->value() != member.value()) delta[member.key()] = member.value();
    }
    for (const auto& member : base.frame)
      if (!frame.contains(member.key())) delta[member.key()] = nullptr;
    json::array added;
    added.reserve(request.messages.size() - keep);
    for (std::size_t i = keep; i < request.messages.size(); ++i) added.push_back(to_record(request.messages[i]));
    delta["messages"] = std::move(added);
    out["request"] = std::move(delta);
  }
  out["response"] = to_record(call.response);
  latest_.insert_or_assign(key, Latest{next_++, &request, std::move(frame)});
  return out;
}

LlmExchange CallRecordReader::read(const json::value& record, const std::string& where) {
  auto fail = [&](std::string_view what) { return ConfigError(fmt::format("trajectory record: {}: {}", where, what)); };
  if (!record.is_object()) throw fail("is not an object");
  const auto& o = record.get_object();
  if (auto kind = o.find("kind"); kind != o.end() && !(kind->value().is_string() && kind->value().get_string() == "completion"))
    throw fail(fmt::format("its kind {} is unknown to this build", to_json(kind->value())));
  auto request = o.find("request");
  auto response = o.find("response");
  if (request == o.end()) throw fail("has no 'request'");
  if (response == o.end()) throw fail("has no 'response'");
  LlmExchange call;
  call.response = llm_response_from_record(response->value());
  const json::object* delta = request->value().is_object() ? &request->value().get_object() : nullptr;
  if (!delta || !delta->contains("base")) {
    call.request = llm_request_from_record(request->value());
  } else {
    if (version_ < 2) throw fail(fmt::format("a delta request ('base') in a record of format {}", version_));
    const auto& base_value = delta->at("base");
    if (!base_value.is_int64() && !base_value.is_uint64()) throw fail("its 'base' is not a call number");
    const std::int64_t base_index = base_value.to_number<std::int64_t>();
    if (base_index < 0 || base_index >= static_cast<std::int64_t>(requests_.size()))
      throw fail(fmt::format("its base {} is not an earlier call (calls before it: {})", base_index, requests_.size()));
    const LlmRequest& base = requests_[static_cast<std::size_t>(base_index)];
    auto keep_value = delta->find("keep");
    if (keep_value == delta->end() || !(keep_value->value().is_int64() || keep_value->value().is_uint64()))
      throw fail("its 'keep' is missing or not a number");
    const std::int64_t keep = keep_value->value().to_number<std::int64_t>();
    if (keep < 0 || keep > static_cast<std::int64_t>(base.messages.size()))
      throw fail(fmt::format("it keeps {} messages of call {}, which has {}", keep, base_index, base.messages.size()));
    auto added = delta->find("messages");
    if (added == delta->end() || !added->value().is_array()) throw fail("its 'messages' is missing or not a list");
    json::object full = request_frame_record(base);
    for (const auto& member : *delta) {
      if (member.key() == "base" || member.key() == "keep" || member.key() == "messages") continue;
      if (member.value().is_null()) full.erase(member.key());
      else full[member.key()] = member.value();
    }
    full["messages"] = added->value();
    call.request = llm_request_from_record(full);
    MessageList messages;
    messages.append(base.messages, 0, static_cast<std::size_t>(keep));
    messages.append(call.request.messages, 0, call.request.messages.size());
    call.request.messages = std::move(messages);
  }
  requests_.push_back(call.request);
  return call;
}

}  // namespace rapport
