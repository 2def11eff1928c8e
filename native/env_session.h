// One OpenEnv session of `rapport serve`: the JSON messages of one WebSocket connection
// (reset, step, state, close) turned into episode moves, and their replies. Sans-I/O like the
// core: when a step needs a completion (a simulated user, a judge) the session says so and the
// server's event loop obtains it, so thousands of sessions share one thread.
//
// Protocol (OpenEnv 0.2.x, src/openenv/core/env_server/types.py of meta-pytorch/OpenEnv):
//   {"type":"reset","data":{...}} → {"type":"observation","data":{"observation":{...},"reward":null,"done":false}}
//   {"type":"step","data":{"choice":"action","content":"..."}} → the same, with reward and done
//   {"type":"state"} → {"type":"state","data":{"episode_id":..,"step_count":..,"trajectory":{..}}}
//   {"type":"close"} → no reply
//   any failure → {"type":"error","data":{"message":"...","code":"VALIDATION_ERROR"}}
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/environment.h"
#include "core/runner.h"

namespace rapport {

// OpenEnv's WebSocket error codes (WSErrorCode).
enum class SessionErrorCode { InvalidJson, UnknownType, ValidationError, ExecutionError, CapacityReached, SessionError };
const char* to_string(SessionErrorCode code);  // "INVALID_JSON", ...
// {"type":"error","data":{"message":...,"code":...}}
std::string session_error_message(SessionErrorCode code, std::string_view message);

// Games by spec, shared by every session of a server (a Game is immutable).
class GameCache {
 public:
  // Throws ConfigError for an unknown environment or bad parameters.
  std::shared_ptr<const Game> get(const std::string& spec);

 private:
  std::map<std::string, std::shared_ptr<const Game>> games_;
};

class SearchBackend;

struct SessionDefaults {
  std::string env = "function";
  int max_turns = 16;
  int max_turns_limit = 1000;  // the most a reset may ask for
  bool llm_available = false;  // a user-simulator model is configured (oracle "llm" allowed)
  // Answers the episodes' searches (SearchGym) at once: the built-in corpus or an index file.
  std::shared_ptr<SearchBackend> search;
};

class RemoteAgent;

class EnvSession {
 public:
  EnvSession(GameCache& games, SessionDefaults defaults);
  ~EnvSession();

  enum class Outcome {
    Reply,    // send reply() now
    Pending,  // the reply waits for completions: obtain request(), then supply()
    Close,    // the client said close: no reply
  };

  // Handles one text message from the client.
  Outcome handle(std::string_view text);
  // The completion the current step waits for (Outcome::Pending).
  const LlmRequest& request() const;
  // Hands in that completion (failed calls too); Pending again while more are needed.
  Outcome supply(const LlmResponse& response);
  // The reply of the last Reply outcome.
  const std::string& reply() const { return reply_; }

  // Gives up the step in progress (it took too long): the reply is an EXECUTION_ERROR, and the
  // episode can no longer go on (the next step asks for a reset).
  const std::string& abandon_step(std::string_view why);

  bool stepping() const { return pending_ != nullptr; }
  // The game of the current episode (for cache keys), or nullptr before the first reset.
  const Game* game() const { return game_.get(); }
  std::int64_t steps() const { return steps_; }

 private:
  Outcome dispatch(std::string_view text);
  Outcome reset(const json::object& data);
  Outcome step(const json::object& data);
  Outcome state();
  Outcome advance();  // runs the episode until it needs a completion or the next move
  Outcome error(SessionErrorCode code, std::string_view message);
  std::string observation_reply() const;

  GameCache& games_;
  SessionDefaults defaults_;
  std::shared_ptr<const Game> game_;
  std::unique_ptr<EpisodeRunner> runner_;
  RemoteAgent* agent_ = nullptr;  // owned by runner_
  std::string episode_id_;
  const LlmRequest* pending_ = nullptr;
  bool abandoned_ = false;
  std::int64_t steps_ = 0;  // steps answered, over every episode of the session
  std::string reply_;
};

// The JSON schemas served at /schema: action, observation and state.
json::object session_schemas();

}  // namespace rapport
