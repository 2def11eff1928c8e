// `rapport serve`: the playground's files, OpenEnv-compatible environment sessions for trainers,
// and a built-in demo model, from one process (native/env_server.h).
#include <fmt/format.h>

#include <csignal>
#include <iostream>

#include "core/params.h"
#include "core/registry.h"
#include "native/cli/command.h"
#include "native/env_server.h"
#include "native/cli/flags.h"

#ifndef RAPPORT_WEB_DIR
#define RAPPORT_WEB_DIR "build/wasm/web"
#endif

namespace rapport::cli {
namespace {

struct ServeFlags {
  ServerOptions server;
  EndpointFlags user, judge;
  ClientFlags client;
  std::string cache_mode;
};

const char* const kServeHelp = R"HELP(Serve the browser playground and OpenEnv-compatible environment sessions on this machine.

Routes (one port, one event-loop thread; every connection has its own timeouts):
  GET  /, /app.js, ...       the playground's files from --dir (nothing outside it is ever read)
  WS   /ws                   OpenEnv 0.2.x sessions, one episode at a time per connection:
         {"type":"reset","data":{"env":"travel(tier=easy)","seed":0,"task_index":3,"oracle":"scripted"}}
             data keys (all optional, others ignored): env, task_id | seed + task_index, oracle
             (scripted|llm), sample, max_turns, agent, episode_id
         {"type":"step","data":{"choice":"action","content":"What do you prefer?"}}
             interact_with_env's arguments (or {"action":"[answer] 42"}, or {"tool":NAME,"arguments":{..}}
             for an environment's own tools, listed in the reset observation's "tools"); optional "reasoning"
         {"type":"state"}  episode_id, step_count, done and the trajectory (the `rapport run` record)
         {"type":"close"}  no reply
       Replies: {"type":"observation","data":{"observation":{"text","raw_reward","format_error",
       "terminated","truncated","done","info","step",... and when done "stop_reason","rewards",
       "total_reward","metrics"},"reward":r,"done":b}}, or {"type":"error","data":{"message","code"}}
       with code INVALID_JSON, UNKNOWN_TYPE, VALIDATION_ERROR, EXECUTION_ERROR, SESSION_ERROR or
       CAPACITY_REACHED (sent on connect when --max-sessions are open, then closed).
  GET  /health, /schema, /metadata     OpenEnv's: status; JSON schemas of action, observation, state; metadata
  GET  /environments         every environment with its parameters and defaults
  POST /v1/chat/completions  the built-in demo model (CORS enabled; base URL http://HOST:PORT/v1, any
       model name): a fixed script, not a language model. With tools (the agent) it calls
       interact_with_env twice with "action" questions, then "answer", then "finish"; without tools
       (a simulated user or judge) it answers one fixed sentence. --no-demo-model turns it off.

Simulated users and judges of "oracle":"llm" sessions call --user-model (judges: --judge-model,
else the user's) from the event loop, with limits, retries and the cache of `rapport run`. A step
still waiting after --step-timeout gets EXECUTION_ERROR and the episode must be reset. Sessions are
independent, so several servers behind any load balancer work unchanged (a session lives on one
connection). Python client: python/rapport_client (see its README).)HELP";

void install(CLI::App& app) {
  auto f = std::make_shared<ServeFlags>();
  f->server.dir = RAPPORT_WEB_DIR;
  auto* cmd = app.add_subcommand("serve", "Serve the playground and OpenEnv environment sessions (http://127.0.0.1:8080/)");
  cmd->footer(kServeHelp);
  cmd->add_option("--dir", f->server.dir, "Folder of static files (the WebAssembly build's web/ folder)")->capture_default_str();
  cmd->add_option("--host", f->server.host, "Address to listen on")->capture_default_str();
  cmd->add_option("--port", f->server.port, "Port (0: any free port; the URL is printed)")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  const std::string sessions = "Sessions";
  cmd->add_option("--env", f->server.session.env, "Environment spec of a reset that names none")
      ->capture_default_str()
      ->group(sessions);
  cmd->add_option("--max-turns", f->server.session.max_turns, "Agent moves per episode when a reset names none")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str()
      ->group(sessions);
  cmd->add_option("--max-sessions", f->server.max_sessions, "Open /ws sessions at most; more get CAPACITY_REACHED")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str()
      ->group(sessions);
  cmd->add_option("--idle-timeout", f->server.idle_timeout_s, "Seconds without a message before a session is closed")
      ->check(finite_number(0.1, 1e7))
      ->capture_default_str()
      ->group(sessions);
  cmd->add_option("--step-timeout", f->server.step_timeout_s,
                  "Seconds a step may wait for its model calls (OpenEnv clients wait 60 s for a reply)")
      ->check(finite_number(0.1, 3600))
      ->capture_default_str()
      ->group(sessions);
  cmd->add_option("--max-message", f->server.max_message_bytes, "Largest WebSocket message or HTTP body, bytes")
      ->check(CLI::Range(1024, 1 << 30))
      ->capture_default_str()
      ->group(sessions);
  cmd->add_option("--search", f->server.search,
                  "Where SearchGym's searches are answered: builtin (our corpus) or index:PATH (rapport index)")
      ->capture_default_str()
      ->group(sessions);
  cmd->add_flag("!--no-demo-model", f->server.demo_model, "Do not serve the demo model at /v1/chat/completions");
  add_endpoint_flags(*cmd, "user-", "user simulator", f->user);
  add_endpoint_flags(*cmd, "judge-", "judge", f->judge);
  add_client_flags(*cmd, f->client);
  cmd->add_option("--cache", f->server.cache_path, "SQLite cache of the users' and judges' completions")
      ->group("Record/replay cache");
  cmd->add_option("--cache-mode", f->cache_mode, "off | read | write | read-write (default: read-write with --cache)")
      ->group("Record/replay cache");
  cmd->callback([f] {
    ServerOptions o = f->server;
    make_game(o.session.env);  // a bad --env is a configuration error now, not at every reset
    o.user = resolve_endpoint("user", f->user, nullptr, f->client);
    o.judge = resolve_endpoint("judge", f->judge, &f->user, f->client);
    if (!f->cache_mode.empty()) {
      auto mode = parse_cache_mode(f->cache_mode);
      if (!mode) throw ConfigError(fmt::format("--cache-mode '{}': expected off, read, write or read-write", f->cache_mode));
      o.cache_mode = *mode;
    } else {
      o.cache_mode = o.cache_path.empty() ? CacheMode::Off : CacheMode::ReadWrite;
    }
    std::signal(SIGPIPE, SIG_IGN);  // a reader of stdout that goes away must not stop the server
    EnvServer server(o);
    std::string root = server.static_root();
    std::cout << fmt::format("Serving {} at http://{}:{}/ (Ctrl-C to stop)", root.empty() ? "no playground" : root,
                             o.host, server.port())
              << std::endl;
    if (root.empty())
      std::cerr << fmt::format("warning: '{}' is not a folder, so no playground is served. Build it (cmake --preset wasm "
                               "&& cmake --build --preset wasm) or pass --dir\n",
                               o.dir);
    std::cout << fmt::format("OpenEnv sessions at ws://{}:{}/ws{}", o.host, server.port(),
                             o.demo_model ? fmt::format(" · demo model at http://{}:{}/v1", o.host, server.port()) : "")
              << std::endl;
    server.run(true);
  });
}

RAPPORT_CLI_COMMAND(70, install);

}  // namespace
}  // namespace rapport::cli
