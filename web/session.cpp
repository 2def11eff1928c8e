#include "web/session.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "core/params.h"
#include "core/registry.h"
#include "web/bridge.h"

namespace rapport::web {
namespace {

constexpr int kModelTimeoutMs = 180000;

}  // namespace

std::string chat_completions_url(const std::string& base_url) {
  std::string url = base_url;
  while (!url.empty() && url.back() == '/') url.pop_back();
  if (url.size() >= 17 && url.compare(url.size() - 17, 17, "/chat/completions") == 0) return url;
  return url + "/chat/completions";
}

std::string explain_http_error(int status, const std::string& body) {
  std::string meaning;
  switch (status) {
    case 400: meaning = "the server rejected the request (model name or parameters)"; break;
    case 401: meaning = "the API key is missing or was rejected"; break;
    case 403: meaning = "the API key may not use this model"; break;
    case 404: meaning = "no such endpoint or model: check the base URL (it usually ends in /v1) and the model name"; break;
    case 429: meaning = "rate limited or out of quota: wait and retry"; break;
    default: meaning = status >= 500 ? "the server failed" : "unexpected answer"; break;
  }
  std::string detail;
  if (auto v = parse_json(body); v && v->is_object()) {
    const auto& o = v->get_object();
    if (auto e = o.find("error"); e != o.end())
      detail = e->value().is_object() ? get_string(e->value().get_object(), "message") : to_json(e->value());
    else
      detail = get_string(o, "detail", get_string(o, "message"));
  }
  if (detail.empty()) detail = body.substr(0, 200);
  return fmt::format("HTTP {}: {}{}{}", status, meaning, detail.empty() ? "" : ". Server says: ", detail);
}

void Session::reset() {
  runner_.reset();
  agent_ = nullptr;
  viewing_ = false;
  replay_check_.reset();
  pending_.reset();
  pending_search_.reset();
  if (in_flight_) fetch_cancel(fetch_id_);
  in_flight_ = false;
  call_needed_ = false;
  model_error_.clear();
  autorun_.reset();
  resume_autorun_.reset();
  stats_.clear();
  fork_turns_ = 0;
  fork_responder_.reset();
}

void Session::start(std::unique_ptr<Game> game, Task task, EpisodeOptions options, int max_turns) {
  RunSettings settings;
  settings.max_turns = max_turns;
  settings.pause_between_turns = true;
  auto agent = std::make_unique<PlaygroundAgent>(game->scripted_agent(options.seed));
  PlaygroundAgent* agent_ptr = agent.get();
  // Built before anything is replaced, so a malformed task leaves the current episode alone.
  auto runner = std::make_unique<EpisodeRunner>(*game, task, options, std::move(agent), settings);
  reset();
  game_ = std::move(game);
  task_ = std::move(task);
  options_ = options;
  share_.max_turns = max_turns;
  runner_ = std::move(runner);
  agent_ = agent_ptr;
  ++serial_;
  drive();
}

void Session::view(Trajectory trajectory, ShareSettings settings, std::optional<ReplayOutcome> check) {
  reset();
  viewed_ = std::move(trajectory);
  share_ = std::move(settings);
  replay_check_ = std::move(check);
  viewing_ = true;
  ++serial_;
}

void Session::fork(std::size_t turns) {
  Trajectory source = trajectory();
  turns = std::min(turns, source.turns.size());
  auto game = make_game(source.env);
  auto oracle = parse_oracle_kind(source.oracle).value_or(OracleKind::Scripted);
  int max_turns = share_.max_turns > 0 ? share_.max_turns : std::max<int>(30, static_cast<int>(turns) + 1);
  ShareSettings keep = share_;
  start(std::move(game), Task{source.task_id, source.task}, EpisodeOptions{oracle, source.seed}, max_turns);
  share_ = keep;
  share_.max_turns = max_turns;
  // The kept turns, and nothing after them, are what the fork replays.
  source.turns.resize(turns);
  if (turns == 0 || source.stop_reason != "agent_stopped") source.stop_reason.clear();
  auto record = std::make_shared<const Trajectory>(std::move(source));
  agent_->set_record(record);
  fork_responder_ = std::make_unique<ReplayResponder>(record);
  fork_turns_ = turns;
  for (std::size_t i = 0; i < turns && awaiting_move(); ++i) move(NextMove{Mover::Recorded, "", ""});
}

void Session::move(NextMove next) {
  if (!awaiting_move()) return;
  agent_->set_next(std::move(next));
  drive();
}

void Session::drive() {
  while (runner_) {
    std::optional<HostCall> call = runner_->next_call();
    if (!call) {
      if (runner_->finished()) {
        autorun_.reset();
        history_.push_back(runner_->trajectory());
      }
      return;
    }
    std::size_t turn = runner_->trajectory().turns.size() - 1;
    if (call->search) {
      if (turn < fork_turns_ && fork_responder_) {
        try {
          runner_->supply(fork_responder_->search(*call->search));
          continue;
        } catch (const ReplayMismatch& e) {
          fork_turns_ = turn;
          model_error_ = e.what();
        }
      }
      pending_search_ = *call->search;
      return;
    }
    const LlmRequest* request = call->completion;
    if (turn < fork_turns_ && fork_responder_) {
      // A forked episode's first turns: the record answers, as in a replay.
      try {
        runner_->supply(fork_responder_->respond(*request));
        continue;
      } catch (const ReplayMismatch& e) {
        fork_turns_ = turn;  // from here on the episode is live
        model_error_ = e.what();
      }
    }
    pending_ = *request;
    call_needed_ = model_error_.empty();
    return;
  }
}

void Session::interrupt_autorun() {
  if (autorun_) resume_autorun_ = autorun_;
  autorun_.reset();
}

bool Session::pump(const ModelSettings& settings) {
  if (pending_search_ && !in_flight_) {
    if (settings.search_url.empty()) {
      SearchResponse none = search_failure("the playground has no search backend: set a retrieval server URL under Settings");
      pending_search_.reset();
      runner_->supply(none);
      drive();
      return true;
    }
    fetch_start(++fetch_id_, settings.search_url, retrieval_request_body({pending_search_->query}, pending_search_->k), "",
                kModelTimeoutMs);
    in_flight_ = true;
    return true;
  }
  if (pending_ && call_needed_ && !in_flight_) {
    call_needed_ = false;
    const bool agent_call = pending_->role == LlmRole::Policy;
    const std::string model = settings.model_for(pending_->role);
    const std::string base = settings.base_for(pending_->role);
    if (base.empty() || model.empty()) {
      model_error_ = fmt::format("{} needs a model: set the base URL and model under Settings, then Retry.",
                                 agent_call ? "The autopilot" : "The simulated user (LLM oracle)");
      interrupt_autorun();
      return true;
    }
    fetch_start(++fetch_id_, chat_completions_url(base), to_json(to_openai_body(*pending_, model)),
                settings.key_for(pending_->role), kModelTimeoutMs);
    in_flight_ = true;
    return true;
  }
  if (autorun_ && awaiting_move()) {
    NextMove next;
    next.mover = *autorun_;
    move(std::move(next));
    return true;
  }
  return false;
}

void Session::on_fetch_done(int id, int status, const std::string& body, const std::string& error, double ms) {
  if (id != fetch_id_ || !in_flight_ || !(pending_ || pending_search_)) return;  // from an episode since replaced
  in_flight_ = false;
  if (pending_search_) {
    // Search failures are the episode's to show, as natively.
    SearchResponse r = !error.empty() ? search_failure(error)
                       : status < 200 || status >= 300 ? search_failure(explain_http_error(status, body))
                                                       : parse_retrieval_response(body, pending_search_->k);
    pending_search_.reset();
    runner_->supply(r);
    drive();
    return;
  }
  CallStat stat;
  stat.turn = trajectory().turns.empty() ? 0 : trajectory().turns.size() - 1;
  stat.agent = pending_->role == LlmRole::Policy;
  stat.ms = ms;
  if (!error.empty()) {
    model_error_ = error;
    interrupt_autorun();
    return;
  }
  if (status < 200 || status >= 300) {
    model_error_ = explain_http_error(status, body);
    interrupt_autorun();
    return;
  }
  LlmResponse response = parse_openai_response(body);
  stat.prompt_tokens = response.prompt_tokens;
  stat.completion_tokens = response.completion_tokens;
  stats_.push_back(stat);
  if (!response.ok) {
    model_error_ = "The server's answer could not be read: " + response.error;
    interrupt_autorun();
    return;
  }
  pending_.reset();
  model_error_.clear();
  runner_->supply(response);
  drive();
}

void Session::retry() {
  if (pending_ && !in_flight_) {
    call_needed_ = true;
    model_error_.clear();
    if (resume_autorun_) autorun_ = resume_autorun_;  // Retry carries on "to the end"
    resume_autorun_.reset();
  }
}

void Session::give_up() {
  if (!pending_ || in_flight_) return;
  std::string why = model_error_.empty() ? "the call was given up" : model_error_;
  pending_.reset();
  model_error_.clear();
  resume_autorun_.reset();
  runner_->supply(llm_failure(why));
  drive();
}

void Session::cancel() {
  if (in_flight_ && pending_search_) {
    stop_autorun();
    fetch_cancel(fetch_id_);
    in_flight_ = false;
    pending_search_.reset();
    runner_->supply(search_failure("cancelled"));
    drive();
    return;
  }
  if (in_flight_) interrupt_autorun();
  else stop_autorun();
  if (in_flight_) {
    fetch_cancel(fetch_id_);
    in_flight_ = false;
    model_error_ = "Cancelled. Retry the call, or give it up.";
  }
}

}  // namespace rapport::web
