// tau2-bench's NL_ASSERTION component graded by the judge role (taubench-behaviour §8.3): one call
// (role Judge, purpose "tau2_nl_assertions") with the conversation and the task's assertions,
// answered as JSON verdicts, one per assertion. Our prompt; an unusable reply grades nothing.
#include <fmt/format.h>

#include "core/llm_output.h"
#include "envs/tau/tau.h"

namespace rapport::tau {

LlmRequest nl_assertion_request(const std::vector<Utterance>& conversation, const std::vector<std::string>& assertions) {
  std::string transcript;
  for (const auto& u : conversation) transcript += fmt::format("{}: {}\n", u.role == "agent" ? "Agent" : "Customer", u.text);
  std::string list;
  for (std::size_t i = 0; i < assertions.size(); ++i) list += fmt::format("{}. {}\n", i + 1, assertions[i]);
  LlmRequest r;
  r.role = LlmRole::Judge;
  r.purpose = "tau2_nl_assertions";
  r.messages.push_back(ChatMessage{
      "system",
      "You grade a customer-service conversation between an agent and a customer. For each numbered assertion, decide "
      "from the conversation alone whether the agent's behaviour meets it. Answer with JSON only: {\"results\": "
      "[{\"index\": 1, \"met\": true or false, \"reason\": \"one sentence\"}, ...]}, one entry per assertion, in order.",
      "", {}, ""});
  r.messages.push_back(ChatMessage{"user", fmt::format("Conversation:\n{}\nAssertions:\n{}", transcript, list), "", {}, ""});
  r.sampling.temperature = 0.0;
  r.sampling.max_tokens = 1024;
  return r;
}

std::optional<std::vector<bool>> read_nl_assertions(const LlmResponse& response, std::size_t count) {
  if (!response.ok) return std::nullopt;
  auto o = parse_llm_object(split_think(response.message.content).visible);
  if (!o) return std::nullopt;
  auto it = o->find("results");
  if (it == o->end() || !it->value().is_array() || it->value().get_array().size() != count) return std::nullopt;
  std::vector<bool> out;
  for (const auto& x : it->value().get_array()) {
    if (!x.is_object() || !x.get_object().contains("met") || !x.get_object().at("met").is_bool()) return std::nullopt;
    out.push_back(x.get_object().at("met").get_bool());
  }
  return out;
}

}  // namespace rapport::tau
