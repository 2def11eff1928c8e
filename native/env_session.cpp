#include "native/env_session.h"


#include <fmt/format.h>

#include <cmath>
#include <limits>

#include "core/action.h"
#include "core/agent.h"
#include "core/registry.h"
#include "native/scheduler.h"
#include "native/search_backend.h"

namespace rapport {

const char* to_string(SessionErrorCode code) {
  switch (code) {
    case SessionErrorCode::InvalidJson: return "INVALID_JSON";
    case SessionErrorCode::UnknownType: return "UNKNOWN_TYPE";
    case SessionErrorCode::ValidationError: return "VALIDATION_ERROR";
    case SessionErrorCode::ExecutionError: return "EXECUTION_ERROR";
    case SessionErrorCode::CapacityReached: return "CAPACITY_REACHED";
    case SessionErrorCode::SessionError: return "SESSION_ERROR";
  }
  return "EXECUTION_ERROR";
}

std::string session_error_message(SessionErrorCode code, std::string_view message) {
  return to_json(json::object{{"type", "error"},
                              {"data", json::object{{"message", json::string(message)}, {"code", to_string(code)}}}});
}

std::shared_ptr<const Game> GameCache::get(const std::string& spec) {
  auto it = games_.find(spec);
  if (it != games_.end()) return it->second;
  std::shared_ptr<const Game> game = make_game(spec);
  // A spec may be written several ways (`travel(tier=hard)`, `travel( tier = hard )`): keep both.
  games_[spec] = game;
  return game;
}

// The trainer's policy: plays whatever move the client sent with the current step.
class RemoteAgent : public Agent {
 public:
  explicit RemoteAgent(std::string name) : name_(std::move(name)) {}
  std::string name() const override { return name_; }
  void start(const std::string&, const std::string&) override {}
  Flow<AgentMove> next_move() override { return std::move(move_); }
  void observe(const StepResult&) override {}
  void set(AgentMove move) { move_ = std::move(move); }

 private:
  std::string name_;
  AgentMove move_;
};

namespace {

// Reads an optional non-negative integer field; false (with `why`) when present but not one.
bool read_count(const json::object& data, std::string_view key, std::uint64_t& out, std::string& why,
                std::uint64_t max = std::numeric_limits<std::uint64_t>::max()) {
  auto it = data.find(key);
  if (it == data.end() || it->value().is_null()) return true;
  const json::value& v = it->value();
  bool ok = false;
  if (v.is_int64() && v.get_int64() >= 0) {
    out = static_cast<std::uint64_t>(v.get_int64());
    ok = true;
  } else if (v.is_uint64()) {
    out = v.get_uint64();
    ok = true;
  } else if (v.is_double() && v.get_double() >= 0 && v.get_double() < 9007199254740992.0 &&
             std::floor(v.get_double()) == v.get_double()) {
    out = static_cast<std::uint64_t>(v.get_double());
    ok = true;
  }
  if (!ok || out > max) {
    why = fmt::format("'{}' must be an integer from 0 to {}, not {}", key, max, to_json(v));
    return false;
  }
  return true;
}

bool read_text(const json::object& data, std::string_view key, std::string& out, std::string& why) {
  auto it = data.find(key);
  if (it == data.end() || it->value().is_null()) return true;
  if (!it->value().is_string()) {
    why = fmt::format("'{}' must be a string, not {}", key, to_json(it->value()));
    return false;
  }
  out = std::string(it->value().get_string());
  return true;
}

}  // namespace

EnvSession::EnvSession(GameCache& games, SessionDefaults defaults) : games_(games), defaults_(std::move(defaults)) {}
EnvSession::~EnvSession() = default;

const LlmRequest& EnvSession::request() const { return *pending_; }

EnvSession::Outcome EnvSession::error(SessionErrorCode code, std::string_view message) {
  reply_ = session_error_message(code, message);
  return Outcome::Reply;
}

EnvSession::Outcome EnvSession::handle(std::string_view text) {
  try {
    return dispatch(text);
  } catch (const std::exception& e) {
    // Environments answer bad agent and model text with observations; anything else that goes
    // wrong ends this episode, never the server.
    runner_.reset();
    pending_ = nullptr;
    return error(SessionErrorCode::ExecutionError, fmt::format("the request failed: {}; send reset to start again", e.what()));
  }
}

EnvSession::Outcome EnvSession::supply(const LlmResponse& response) {
  try {
    runner_->supply(response);
    return advance();
  } catch (const std::exception& e) {
    runner_.reset();
    pending_ = nullptr;
    return error(SessionErrorCode::ExecutionError, fmt::format("the step failed: {}; send reset to start again", e.what()));
  }
}

EnvSession::Outcome EnvSession::dispatch(std::string_view text) {
  if (pending_) return error(SessionErrorCode::SessionError, "a step is still in progress");  // the server queues
  auto parsed = parse_json(text);
  if (!parsed) return error(SessionErrorCode::InvalidJson, "the message is not valid JSON");
  if (!parsed->is_object()) return error(SessionErrorCode::InvalidJson, "the message must be a JSON object");
  const json::object& message = parsed->get_object();
  auto type = message.find("type");
  if (type == message.end() || !type->value().is_string())
    return error(SessionErrorCode::ValidationError, "the message needs a \"type\": reset, step, state or close");
  std::string_view kind = type->value().get_string();
  json::object data;
  if (auto d = message.find("data"); d != message.end() && !d->value().is_null()) {
    if (!d->value().is_object()) return error(SessionErrorCode::ValidationError, "\"data\" must be a JSON object");
    data = d->value().get_object();
  }
  if (kind == "reset") return reset(data);
  if (kind == "step") {
    if (message.find("data") == message.end())
      return error(SessionErrorCode::ValidationError, "a step needs \"data\": the action, e.g. {\"choice\": \"action\", \"content\": \"...\"}");
    return step(data);
  }
  if (kind == "state") return state();
  if (kind == "close") return Outcome::Close;
  return error(SessionErrorCode::UnknownType,
               fmt::format("unknown message type '{}': expected reset, step, state or close", kind));
}

EnvSession::Outcome EnvSession::reset(const json::object& data) {
  std::string why, spec = defaults_.env, task_id, oracle_text = "scripted", agent_name = "remote", episode_id;
  std::uint64_t seed = 0, task_index = 0, sample = 0, max_turns = static_cast<std::uint64_t>(defaults_.max_turns);
  if (!read_text(data, "env", spec, why) || !read_text(data, "task_id", task_id, why) ||
      !read_text(data, "oracle", oracle_text, why) || !read_text(data, "agent", agent_name, why) ||
      !read_text(data, "episode_id", episode_id, why) || !read_count(data, "seed", seed, why) ||
      !read_count(data, "task_index", task_index, why) || !read_count(data, "sample", sample, why, 1'000'000) ||
      !read_count(data, "max_turns", max_turns, why, static_cast<std::uint64_t>(defaults_.max_turns_limit)))
    return error(SessionErrorCode::ValidationError, why);
  if (max_turns < 1) return error(SessionErrorCode::ValidationError, "'max_turns' must be at least 1");
  auto oracle = parse_oracle_kind(oracle_text);
  if (!oracle)
    return error(SessionErrorCode::ValidationError, fmt::format("'oracle' must be scripted or llm, not '{}'", oracle_text));
  if (*oracle == OracleKind::Llm && !defaults_.llm_available)
    return error(SessionErrorCode::ValidationError,
                 "oracle 'llm' needs a user-simulator model: start the server with --user-model (and --user-base-url)");
  std::shared_ptr<const Game> game;
  try {
    game = games_.get(spec);
  } catch (const ConfigError& e) {
    return error(SessionErrorCode::ValidationError, e.what());
  }
  Task task;
  if (!task_id.empty()) {
    // Built-in datasets are searched whole; generated supplies by their first indices.
    std::size_t n = game->builtin_size() > 0 ? game->builtin_size() : 256;
    bool found = false;
    for (std::size_t i = 0; i < n && !found; ++i) {
      task = game->task(seed, i);
      found = task.id == task_id;
    }
    if (!found)
      return error(SessionErrorCode::ValidationError,
                   fmt::format("no task '{}' in {}'s built-in supply for seed {}; give 'seed' and 'task_index' instead",
                               task_id, game->spec(), seed));
  } else {
    task = game->task(seed, task_index);
  }
  // A new episode replaces the previous one (repeated resets work on one connection).
  game_ = std::move(game);
  auto agent = std::make_unique<RemoteAgent>(agent_name);
  agent_ = agent.get();
  RunSettings settings;
  settings.max_turns = static_cast<int>(max_turns);
  settings.group = task.id;
  settings.sample = static_cast<int>(sample);
  settings.pause_between_turns = true;
  EpisodeOptions options{*oracle, episode_seed(seed, task.id, static_cast<int>(sample))};
  runner_ = std::make_unique<EpisodeRunner>(*game_, task, options, std::move(agent), settings);
  episode_id_ = episode_id.empty() ? fmt::format("{}/{}/{}", game_->spec(), task.id, sample) : episode_id;
  abandoned_ = false;
  pending_ = nullptr;
  runner_->advance();  // to the pause before the first move
  const Trajectory& t = runner_->trajectory();
  // interact_with_env, then the environment's own tools (TauGym's), as OpenAI function schemas.
  json::array tools{interact_tool_schema()};
  for (const auto& tool : t.tools) tools.push_back(tool);
  json::object observation{{"text", t.opening},
                           {"system_prompt", t.system_prompt},
                           {"opening", t.opening},
                           {"env", t.env},
                           {"task_id", t.task_id},
                           {"seed", seed},
                           {"episode_seed", t.seed},
                           {"oracle", t.oracle},
                           {"episode_id", episode_id_},
                           {"step", 0},
                           {"max_turns", max_turns},
                           {"raw_reward", 0.0},
                           {"format_error", false},
                           {"terminated", false},
                           {"truncated", false},
                           {"done", false},
                           {"info", json::object{}},
                           {"tools", tools}};
  reply_ = to_json(json::object{
      {"type", "observation"},
      {"data", json::object{{"observation", std::move(observation)}, {"reward", nullptr}, {"done", false}}}});
  return Outcome::Reply;
}

EnvSession::Outcome EnvSession::step(const json::object& data) {
  if (!runner_) return error(SessionErrorCode::SessionError, "no episode yet: send reset first");
  if (abandoned_)
    return error(SessionErrorCode::SessionError, "the episode was abandoned after a step timed out: send reset to start another");
  if (runner_->finished())
    return error(SessionErrorCode::SessionError,
                 fmt::format("the episode is over ({}): send reset to start another", runner_->trajectory().stop_reason));
  AgentMove move;
  std::string why, choice, content, action, reasoning;
  bool has_choice = data.find("choice") != data.end(), has_action = data.find("action") != data.end();
  bool has_tool = data.find("tool") != data.end();
  for (const auto& field : data) {
    std::string_view key = field.key();
    if (key != "choice" && key != "content" && key != "action" && key != "reasoning" && key != "metadata" &&
        key != "tool" && key != "arguments")
      return error(SessionErrorCode::ValidationError,
                   fmt::format("unknown action field '{}': an action is {{\"choice\": \"action|search|answer|finish\", "
                               "\"content\": \"...\"}} (interact_with_env), or {{\"action\": \"[action] ...\"}}",
                               key));
  }
  if (!read_text(data, "choice", choice, why) || !read_text(data, "content", content, why) ||
      !read_text(data, "action", action, why) || !read_text(data, "reasoning", reasoning, why))
    return error(SessionErrorCode::ValidationError, why);
  if (int(has_choice) + int(has_action) + int(has_tool) != 1)
    return error(SessionErrorCode::ValidationError,
                 "an action needs one of \"choice\" (with \"content\"), as interact_with_env takes them, \"action\" "
                 "(a bracket action such as \"[answer] 42\"), or \"tool\" (with \"arguments\"), a call of one of "
                 "the environment's own tools");
  if (has_tool) {
    std::string tool;
    if (!read_text(data, "tool", tool, why)) return error(SessionErrorCode::ValidationError, why);
    json::object arguments;
    if (auto a = data.find("arguments"); a != data.end() && !a->value().is_null()) {
      if (a->value().is_object()) {
        arguments = a->value().get_object();
      } else if (auto parsed = a->value().is_string() ? parse_json(a->value().get_string()) : std::nullopt;
                 parsed && parsed->is_object()) {
        arguments = parsed->get_object();  // as OpenAI tool calls carry them: JSON text
      } else {
        return error(SessionErrorCode::ValidationError, "\"arguments\" must be a JSON object (or its JSON text)");
      }
    }
    move = AgentMove::call(tool, arguments);  // an unknown tool is the environment's to explain
  } else if (has_choice) {
    move = AgentMove::tool(choice, content);  // an unknown choice is the environment's to explain
  } else {
    move.action = action;
  }
  move.reasoning = reasoning;
  agent_->set(std::move(move));
  return advance();
}

EnvSession::Outcome EnvSession::advance() {
  pending_ = nullptr;
  while (auto call = runner_->next_call()) {
    if (call->completion) {
      pending_ = call->completion;
      return Outcome::Pending;
    }
    // Index backends answer at once; without one the episode sees a failed search.
    std::optional<SearchResponse> answer;
    if (defaults_.search) defaults_.search->search(*call->search, [&](SearchResponse r) { answer = std::move(r); });
    runner_->supply(answer ? *answer : search_failure("this server answers no searches"));
  }
  ++steps_;
  reply_ = observation_reply();
  return Outcome::Reply;
}

const std::string& EnvSession::abandon_step(std::string_view why) {
  pending_ = nullptr;
  abandoned_ = true;
  reply_ = session_error_message(SessionErrorCode::ExecutionError, why);
  return reply_;
}

std::string EnvSession::observation_reply() const {
  const Trajectory& t = runner_->trajectory();
  const Turn& turn = t.turns.back();
  const bool done = runner_->finished();
  json::object observation{{"text", turn.observation},
                           {"raw_reward", turn.reward},
                           {"format_error", turn.format_error},
                           {"terminated", turn.terminated},
                           {"truncated", turn.truncated || t.stop_reason == "max_turns"},
                           {"done", done},
                           {"info", turn.info},
                           {"step", static_cast<std::int64_t>(t.turns.size())},
                           {"action", turn.action},
                           {"env_calls", static_cast<std::int64_t>(turn.env_calls.size())}};
  if (done) {
    observation["stop_reason"] = t.stop_reason;
    observation["total_reward"] = t.total_reward();
    observation["format_errors"] = t.format_errors();
    observation["metrics"] = t.metrics;
    json::array rewards;
    for (double r : t.rewards()) rewards.push_back(r);
    observation["rewards"] = std::move(rewards);
  }
  return to_json(json::object{
      {"type", "observation"},
      {"data", json::object{{"observation", std::move(observation)}, {"reward", turn.reward}, {"done", done}}}});
}

EnvSession::Outcome EnvSession::state() {
  json::object data{{"episode_id", episode_id_.empty() ? json::value(nullptr) : json::value(episode_id_)},
                    {"step_count", runner_ ? static_cast<std::int64_t>(runner_->trajectory().turns.size()) : 0}};
  if (runner_) {
    Trajectory t = runner_->trajectory();
    data["done"] = runner_->finished();
    if (runner_->finished()) {
      // Shaped as a group of one: the turn credits and score are the trainer's; the advantage
      // needs the whole GRPO group, which only the trainer holds.
      t.shaping = shape_trajectories({&t}, ShapingConfig{}, false).front();
    }
    data["trajectory"] = to_record(t);
  }
  reply_ = to_json(json::object{{"type", "state"}, {"data", std::move(data)}});
  return Outcome::Reply;
}

json::object session_schemas() {
  json::object action{
      {"title", "InteractWithEnv"},
      {"type", "object"},
      {"description", "interact_with_env(choice, content); or {\"action\": \"[answer] ...\"} as a bracket action"},
      {"properties",
       json::object{{"choice", json::object{{"type", "string"}, {"enum", json::array{"action", "search", "answer", "finish"}}}},
                    {"content", json::object{{"type", "string"}}},
                    {"action", json::object{{"type", "string"}}},
                    {"reasoning", json::object{{"type", "string"}}},
                    {"metadata", json::object{{"type", "object"}}}}},
      {"additionalProperties", false}};
  json::object observation{
      {"title", "RapportObservation"},
      {"type", "object"},
      {"properties",
       json::object{{"text", json::object{{"type", "string"}}},
                    {"raw_reward", json::object{{"type", "number"}}},
                    {"format_error", json::object{{"type", "boolean"}}},
                    {"terminated", json::object{{"type", "boolean"}}},
                    {"truncated", json::object{{"type", "boolean"}}},
                    {"done", json::object{{"type", "boolean"}}},
                    {"info", json::object{{"type", "object"}}},
                    {"step", json::object{{"type", "integer"}}},
                    {"system_prompt", json::object{{"type", "string"}, {"description", "reset only"}}},
                    {"tools", json::object{{"type", "array"}, {"description", "reset only: OpenAI tool schemas"}}},
                    {"stop_reason", json::object{{"type", "string"}, {"description", "when done"}}},
                    {"total_reward", json::object{{"type", "number"}, {"description", "when done"}}},
                    {"rewards", json::object{{"type", "array"}, {"description", "when done: raw reward per turn"}}},
                    {"metrics", json::object{{"type", "object"}, {"description", "when done"}}}}},
      {"required", json::array{"text", "raw_reward", "done"}}};
  json::object state{
      {"title", "RapportState"},
      {"type", "object"},
      {"properties", json::object{{"episode_id", json::object{{"type", json::array{"string", "null"}}}},
                                  {"step_count", json::object{{"type", "integer"}, {"minimum", 0}}},
                                  {"done", json::object{{"type", "boolean"}}},
                                  {"trajectory", json::object{{"type", "object"},
                                                              {"description", "the record `rapport run` writes"}}}}}};
  return json::object{{"action", std::move(action)}, {"observation", std::move(observation)}, {"state", std::move(state)}};
}

}  // namespace rapport
