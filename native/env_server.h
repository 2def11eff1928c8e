// The server behind `rapport serve`, on Boost.Beast/Asio, one event-loop thread:
//  - the playground's static files (StaticFiles: nothing outside the folder);
//  - OpenEnv sessions at /ws (EnvSession), plus GET /health, /schema and /metadata;
//  - the built-in demo model at /v1/chat/completions (CORS enabled, for the playground);
//  - the simulated users' and judges' model calls, made from the same loop by the runner's
//    HttpClient (limits, retries) and CompletionCache, so a slow call delays only its own session.
// Every connection is asynchronous with its own timeouts: a slow or idle client holds only itself.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "native/cache.h"
#include "native/endpoint.h"
#include "native/env_session.h"

namespace rapport {

struct ServerOptions {
  std::string dir;  // static files; a missing folder only disables them
  std::string host = "127.0.0.1";
  int port = 8080;  // 0: any free port
  SessionDefaults session;
  std::size_t max_sessions = 8192;          // open /ws sessions; more get CAPACITY_REACHED
  double idle_timeout_s = 600;              // a session with no message for this long is closed
  double step_timeout_s = 50;               // a step still waiting for its model calls is answered with an error
  std::size_t max_message_bytes = 1 << 20;  // larger WebSocket messages close the connection (1009)
  double request_timeout_s = 10;            // to receive one whole HTTP request
  double keep_alive_s = 15;                 // an idle keep-alive HTTP connection is closed after this
  std::optional<Endpoint> user;             // the simulated user's model
  std::optional<Endpoint> judge;            // the judges' model (falls back to the user's)
  std::string cache_path;
  CacheMode cache_mode = CacheMode::Off;
  bool demo_model = true;
  std::string search = "builtin";  // --search: builtin or index:PATH (answered at once)
};

// Live figures, for /health and benchmarks.
struct ServerCounters {
  std::size_t sessions = 0;  // open /ws sessions
  std::int64_t sessions_total = 0;
  std::int64_t steps = 0;
  std::int64_t model_calls = 0;
  std::int64_t rejected = 0;  // CAPACITY_REACHED
};

class EnvServer {
 public:
  // Binds the port; throws ConfigError when it cannot (or the options are bad).
  explicit EnvServer(ServerOptions options);
  ~EnvServer();
  EnvServer(const EnvServer&) = delete;
  EnvServer& operator=(const EnvServer&) = delete;

  int port() const;
  const std::string& static_root() const;  // empty when no folder is served
  // Runs the event loop until stop() (from any thread) or SIGINT/SIGTERM when handle_signals.
  void run(bool handle_signals);
  void stop();
  ServerCounters counters() const;

  struct Impl;  // the loop's shared state, held by every connection

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace rapport
