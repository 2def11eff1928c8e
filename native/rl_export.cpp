#include "native/rl_export.h"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>

namespace rapport {

const char* to_string(RlSkip why) {
  switch (why) {
    case RlSkip::None: return "none";
    case RlSkip::NoTokens: return "no token ids (run with --record-tokens against a server that returns them)";
    case RlSkip::NotShaped: return "no shaping record";
    case RlSkip::NotPrefix: return "a prompt does not extend the previous turn's tokens (use --per-turn)";
    case RlSkip::FailedCalls: return "a policy call failed";
  }
  return "unknown";
}

namespace {

struct PolicyCall {
  const LlmResponse* response;
  int turn;
};

}  // namespace

std::vector<RlSample> rl_samples(const Trajectory& t, bool per_turn, RlSkip* why) {
  auto skip = [&](RlSkip reason) {
    if (why) *why = reason;
    return std::vector<RlSample>{};
  };
  if (why) *why = RlSkip::None;
  if (!t.shaping || t.shaping->turn_advantage.size() != t.turns.size()) return skip(RlSkip::NotShaped);
  std::vector<PolicyCall> calls;
  for (std::size_t i = 0; i < t.turns.size(); ++i) {
    for (const auto& call : t.turns[i].agent_calls) {
      if (!call.response.ok) return skip(RlSkip::FailedCalls);
      const LlmResponse& r = call.response;
      if (!r.has_tokens() || r.prompt_token_ids.empty() || r.completion_logprobs.size() != r.completion_token_ids.size())
        return skip(RlSkip::NoTokens);
      calls.push_back({&r, static_cast<int>(i)});
    }
  }
  if (calls.empty()) return skip(RlSkip::NoTokens);
  const std::vector<double>& advantage = t.shaping->turn_advantage;

  auto add_completion = [&](RlSample& s, const PolicyCall& c) {
    const LlmResponse& r = *c.response;
    s.turn_starts.push_back(static_cast<std::uint32_t>(s.completion_ids.size()));
    s.call_turns.push_back(c.turn);
    s.completion_ids.insert(s.completion_ids.end(), r.completion_token_ids.begin(), r.completion_token_ids.end());
    s.loss_mask.insert(s.loss_mask.end(), r.completion_token_ids.size(), 1);
    s.old_logprobs.insert(s.old_logprobs.end(), r.completion_logprobs.begin(), r.completion_logprobs.end());
    s.advantages.insert(s.advantages.end(), r.completion_token_ids.size(), advantage[static_cast<std::size_t>(c.turn)]);
  };

  std::vector<RlSample> out;
  if (per_turn) {
    for (const PolicyCall& c : calls) {
      RlSample s;
      s.turn = c.turn;
      s.prompt_ids = c.response->prompt_token_ids;
      add_completion(s, c);
      out.push_back(std::move(s));
    }
    return out;
  }
  RlSample s;
  s.prompt_ids = calls.front().response->prompt_token_ids;
  add_completion(s, calls.front());
  for (std::size_t k = 1; k < calls.size(); ++k) {
    // The context so far is prompt_ids + completion_ids; this call's prompt must begin with it.
    const auto& prompt = calls[k].response->prompt_token_ids;
    const std::size_t head = s.prompt_ids.size(), tail = s.completion_ids.size();
    if (prompt.size() < head + tail || !std::equal(s.prompt_ids.begin(), s.prompt_ids.end(), prompt.begin()) ||
        !std::equal(s.completion_ids.begin(), s.completion_ids.end(), prompt.begin() + static_cast<std::ptrdiff_t>(head)))
      return skip(RlSkip::NotPrefix);
    const std::size_t fresh = prompt.size() - head - tail;  // tool results and the generation prompt
    s.completion_ids.insert(s.completion_ids.end(), prompt.end() - static_cast<std::ptrdiff_t>(fresh), prompt.end());
    s.loss_mask.insert(s.loss_mask.end(), fresh, 0);
    s.old_logprobs.insert(s.old_logprobs.end(), fresh, 0.0);
    s.advantages.insert(s.advantages.end(), fresh, 0.0);
    add_completion(s, calls[k]);
  }
  out.push_back(std::move(s));
  return out;
}

namespace {

template <class T>
void append_array(fmt::memory_buffer& b, const char* key, const std::vector<T>& xs) {
  fmt::format_to(std::back_inserter(b), ",\"{}\":[", key);
  for (std::size_t i = 0; i < xs.size(); ++i) {
    if (i) b.push_back(',');
    fmt::format_to(std::back_inserter(b), "{}", xs[i]);
  }
  b.push_back(']');
}

}  // namespace

std::string rl_record_line(const Trajectory& t, const RlSample& s) {
  fmt::memory_buffer b;
  b.reserve(64 + 24 * (s.prompt_ids.size() + 4 * s.completion_ids.size()));
  fmt::format_to(std::back_inserter(b), "{{\"uid\":{},\"task_id\":{},\"sample\":{}", to_json(json::value(t.group)),
                 to_json(json::value(t.task_id)), t.sample);
  if (s.turn >= 0) fmt::format_to(std::back_inserter(b), ",\"turn\":{}", s.turn);
  append_array(b, "prompt_ids", s.prompt_ids);
  append_array(b, "completion_ids", s.completion_ids);
  append_array(b, "loss_mask", s.loss_mask);
  append_array(b, "old_logprobs", s.old_logprobs);
  append_array(b, "advantages", s.advantages);
  append_array(b, "turn_starts", s.turn_starts);
  // Per-turn rewards as a list, and as verl's token-level scores: r_t on the last token of the
  // last call of turn t, 0 elsewhere.
  const std::vector<double> rewards = t.rewards();
  std::vector<double> scores(s.completion_ids.size(), 0.0);
  for (std::size_t k = 0; k < s.turn_starts.size(); ++k) {
    const bool last_of_turn = k + 1 == s.turn_starts.size() || s.call_turns[k + 1] != s.call_turns[k];
    std::size_t end = k + 1 < s.turn_starts.size() ? s.turn_starts[k + 1] : s.completion_ids.size();
    while (end > s.turn_starts[k] && s.loss_mask[end - 1] == 0) --end;
    if (last_of_turn && end > s.turn_starts[k]) scores[end - 1] = rewards[static_cast<std::size_t>(s.call_turns[k])];
  }
  append_array(b, "turn_rewards", rewards);
  append_array(b, "turn_scores", scores);
  fmt::format_to(std::back_inserter(b), ",\"score\":{},\"advantage\":{}}}\n", t.shaping ? t.shaping->score : 0.0,
                 t.shaping ? t.shaping->advantage : 0.0);
  return fmt::to_string(b);
}

}  // namespace rapport
