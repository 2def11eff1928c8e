#include "core/replay.h"

#include <fmt/format.h>

#include "core/registry.h"
#include "core/runner.h"

namespace rapport {

ReplayAgent::ReplayAgent(std::shared_ptr<const Trajectory> recorded, bool reissue_agent_calls, RequestOf request_of)
    : recorded_(std::move(recorded)), reissue_(reissue_agent_calls), request_of_(std::move(request_of)) {}

void ReplayAgent::start(const std::string&, const std::string&) { turn_ = 0; }

AgentMove ReplayAgent::recorded_move(std::size_t index) const {
  const Turn& turn = recorded_->turns[index];
  AgentMove m;
  m.action = turn.action;
  m.choice = turn.choice;
  m.content = turn.content;
  m.reasoning = turn.reasoning;
  // The agent's own format errors (a reply without a tool call, passed on as text) recur with the
  // move; the environment's recur by themselves.
  m.format_error = turn.format_error;
  // A turn that ended the conversation without a step is the record's last, with its note as the
  // observation.
  const bool last = index + 1 == recorded_->turns.size();
  const bool policy_failed = !turn.agent_calls.empty() && !turn.agent_calls.back().response.ok;
  if (last && (recorded_->stop_reason == "agent_stopped" || (recorded_->stop_reason == "infra_error" && policy_failed))) {
    m.stop = true;
    m.note = turn.observation;
  }
  return m;
}

Flow<AgentMove> ReplayAgent::issue(std::size_t turn, std::size_t call) {
  const auto& calls = recorded_->turns[turn].agent_calls;
  if (!reissue_ || call >= calls.size()) return recorded_move(turn);
  return Flow<AgentMove>::need(request_of_ ? request_of_(turn, call) : calls[call].request,
                               [this, turn, call](const LlmResponse&) { return issue(turn, call + 1); });
}

Flow<AgentMove> ReplayAgent::next_move() {
  if (turn_ >= recorded_->turns.size()) {
    AgentMove m;
    m.stop = true;
    m.note = "Replay: the record has no further moves.";
    return m;
  }
  return issue(turn_++, 0);
}

ReplayResponder::ReplayResponder(std::shared_ptr<const Trajectory> recorded, bool include_agent_calls)
    : recorded_(std::move(recorded)) {
  for (std::size_t t = 0; t < recorded_->turns.size(); ++t) {
    if (include_agent_calls)
      for (const auto& c : recorded_->turns[t].agent_calls) calls_.push_back({&c, t, true});
    for (const auto& c : recorded_->turns[t].env_calls) calls_.push_back({&c, t, false});
    for (const auto& c : recorded_->turns[t].search_calls) searches_.push_back({&c, t});
  }
}

void ReplayResponder::adopt_host_settings(LlmRequest& request) const {
  if (next_ >= calls_.size() || request.role == LlmRole::Policy) return;
  const LlmRequest& recorded = calls_[next_].exchange->request;
  if (recorded.role != request.role) return;
  request.sampling = recorded.sampling;
  request.response_format = recorded.response_format;
}

SearchResponse ReplayResponder::search(const SearchRequest& request) {
  if (next_search_ >= searches_.size())
    throw ReplayMismatch(fmt::format("replay: the episode searches for '{}' after the {} recorded searches", request.query,
                                     searches_.size()));
  const Search& s = searches_[next_search_];
  if (to_json(to_record(s.exchange->request)) != to_json(to_record(request)))
    throw ReplayMismatch(fmt::format(
        "replay: turn {} searches differently than recorded (search {} of the record: recorded '{}', now '{}'); the "
        "environment changed since the episode was recorded",
        s.turn + 1, next_search_ + 1, s.exchange->request.query, request.query));
  ++next_search_;
  return s.exchange->response;
}

LlmResponse ReplayResponder::respond(const LlmRequest& request) {
  if (next_ >= calls_.size())
    throw ReplayMismatch(fmt::format("replay: the episode asks for a {} call ({}) after the {} recorded ones",
                                     to_string(request.role), request.purpose, calls_.size()));
  const Call& call = calls_[next_];
  // Equal requests are exactly those with equal records; comparing them needs no serialising.
  if (!(request == call.exchange->request)) {
    throw ReplayMismatch(fmt::format(
        "replay: turn {} asks for a different {} call than recorded (call {} of the record: recorded {} '{}', now {} "
        "'{}'); the environment changed since the episode was recorded",
        call.turn + 1, call.agent ? "agent" : "environment", next_ + 1, to_string(call.exchange->request.role),
        call.exchange->request.purpose, to_string(request.role), request.purpose));
  }
  ++next_;
  return call.exchange->response;
}

Trajectory replay_trajectory(const Trajectory& recorded) {
  auto game = make_game(recorded.env);
  auto oracle = parse_oracle_kind(recorded.oracle);
  if (!oracle) throw ConfigError(fmt::format("replay: unknown oracle kind '{}' in the record", recorded.oracle));
  auto shared = std::make_shared<const Trajectory>(recorded);
  ReplayResponder responder(shared);
  RunSettings settings;
  // Every recorded ending (terminated, truncated, agent stopped, max_turns) recurs with this limit.
  settings.max_turns = static_cast<int>(recorded.turns.size());
  settings.group = recorded.group;
  settings.sample = recorded.sample;
  settings.adjust_request = [&](LlmRequest& r) { responder.adopt_host_settings(r); };
  Task task{recorded.task_id, recorded.task};
  Trajectory out = run_episode(*game, task, EpisodeOptions{*oracle, recorded.seed},
                               std::make_unique<ReplayAgent>(shared, true), settings,
                               [&](const LlmRequest& r) { return responder.respond(r); },
                               [&](const SearchRequest& r) { return responder.search(r); });
  // Shaping belongs to the record's group, which a single episode cannot recompute.
  out.shaping = recorded.shaping;
  return out;
}

}  // namespace rapport
