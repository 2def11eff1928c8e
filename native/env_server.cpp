#include "native/env_server.h"


#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <deque>

#include "core/registry.h"
#include "native/demo_model.h"
#include "native/http_client.h"
#include "native/search_backend.h"
#include "native/static_files.h"

namespace rapport {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

std::chrono::milliseconds ms(double seconds) {
  return std::chrono::milliseconds(static_cast<std::int64_t>(seconds * 1000));
}

bool accepts_gzip(const http::request<http::string_body>& request) {
  auto it = request.find(http::field::accept_encoding);
  return it != request.end() && std::string_view(it->value()).find("gzip") != std::string_view::npos;
}

std::string_view path_of(std::string_view target) { return target.substr(0, target.find_first_of("?#")); }

// The environments with their parameters (GET /environments).
json::array environment_list() {
  json::array envs;
  for (const EnvInfo* info : Registry::instance().all()) {
    json::array params;
    for (const auto& p : info->params)
      params.push_back(json::object{{"name", p.name}, {"default", p.default_value}, {"type", p.describe()}, {"help", p.help}});
    envs.push_back(json::object{{"name", info->name},
                                {"title", info->title},
                                {"description", info->description},
                                {"version", info->version},
                                {"params", std::move(params)}});
  }
  return envs;
}

// OpenEnv's EnvironmentMetadata, with exactly its fields (its model forbids others).
json::object metadata() {
  std::string readme =
      "# Rapport\n\nOpenEnv sessions at /ws. Reset data: env (spec), task_id or seed + task_index, oracle "
      "(scripted|llm), sample, max_turns. Action: interact_with_env's {choice, content}. GET /environments lists "
      "the environments with their parameters.\n\n";
  for (const EnvInfo* info : Registry::instance().all())
    readme += fmt::format("- `{}` ({}): {}\n", info->name, info->title, info->description);
  return json::object{{"name", "rapport"},
                      {"description", "User-centric environments for LLM agents: the UserRL/UserBench gyms"},
                      {"readme_content", readme},
                      {"version", "0.1.0"},
                      {"author", nullptr},
                      {"documentation_url", nullptr}};
}

}  // namespace

// ---- The shared state: options, games, model client, cache, counters ---------------------------

struct EnvServer::Impl : std::enable_shared_from_this<EnvServer::Impl> {
  explicit Impl(ServerOptions o)
      : options(std::move(o)), files(options.dir), acceptor(ioc), wake(ioc), ticker(ioc), signals(ioc) {}

  ServerOptions options;
  StaticFiles files;
  asio::io_context ioc{1};
  tcp::acceptor acceptor;
  GameCache games;
  HttpClient client;
  int user_endpoint = -1, judge_endpoint = -1;
  std::unique_ptr<CompletionCache> cache;
  asio::posix::stream_descriptor wake;
  asio::steady_timer ticker;
  bool ticking = false;
  bool poll_posted = false;
  Clock::time_point last_commit = Clock::now();
  asio::signal_set signals;
  ServerCounters counters;
  std::atomic<bool> stopped{false};

  void accept();
  void arm_wake();
  void poll_client();
  void ensure_ticking();

  // Obtains one completion for a session's step; `done` runs later on the loop, exactly once.
  void complete(const LlmRequest& request, const Game* game, std::function<void(const LlmResponse&)> done);
};

void EnvServer::Impl::arm_wake() {
  wake.async_wait(asio::posix::stream_descriptor::wait_read, [self = shared_from_this()](beast::error_code ec) {
    if (ec) return;
    self->poll_client();
    self->arm_wake();
  });
}

void EnvServer::Impl::poll_client() {
  if (client.active() > 0) client.poll(0);
  if (cache && Clock::now() - last_commit > std::chrono::seconds(1)) {
    cache->commit();
    last_commit = Clock::now();
  }
}

// Timers inside the client (per-attempt timeouts, retries, rate limits) need poll() now and then.
void EnvServer::Impl::ensure_ticking() {
  if (ticking) return;
  ticking = true;
  ticker.expires_after(std::chrono::milliseconds(5));
  ticker.async_wait([self = shared_from_this()](beast::error_code ec) {
    self->ticking = false;
    if (ec) return;
    self->poll_client();
    if (self->client.active() > 0) self->ensure_ticking();
  });
}

void EnvServer::Impl::complete(const LlmRequest& request, const Game* game, std::function<void(const LlmResponse&)> done) {
  ++counters.model_calls;
  int endpoint = -1;
  if (request.role == LlmRole::User) endpoint = user_endpoint;
  if (request.role == LlmRole::Judge) endpoint = judge_endpoint >= 0 ? judge_endpoint : user_endpoint;
  auto later = [this](std::function<void()> f) { asio::post(ioc, std::move(f)); };
  if (endpoint < 0) {
    LlmResponse failure = llm_failure(fmt::format("no model is configured for the {} (start the server with --user-model)",
                                                  to_string(request.role)));
    later([done, failure] { done(failure); });
    return;
  }
  std::string key;
  if (cache) {
    key = llm_cache_key(request, client.endpoint(endpoint).model, game ? game->fingerprint() : "");
    if (auto hit = cache->find(key)) {
      later([done, response = hit->response] { done(response); });
      return;
    }
    if (!cache->writes()) {
      later([done] { done(llm_failure("not in the cache (cache mode read makes no requests)")); });
      return;
    }
  }
  client.submit(endpoint, request, [this, key, endpoint, done](LlmResponse response, const CallReport& report) {
    if (cache && response.ok) cache->put(key, client.endpoint(endpoint).model, response, report);
    // Run the session outside the client's poll (it may submit the next call).
    asio::post(ioc, [done, response = std::move(response)] { done(response); });
  });
  // Start the transfer now rather than at the next tick; one poll serves a burst of submits.
  if (poll_posted) return;
  poll_posted = true;
  asio::post(ioc, [self = shared_from_this()] {
    self->poll_posted = false;
    self->poll_client();
    self->ensure_ticking();
  });
}

// ---- One OpenEnv session on one WebSocket ---------------------------------------------------------

class WsSession : public std::enable_shared_from_this<WsSession> {
 public:
  WsSession(std::shared_ptr<EnvServer::Impl> server, beast::tcp_stream stream)
      : server_(std::move(server)),
        ws_(std::move(stream)),
        session_(server_->games, server_->options.session),
        idle_timer_(ws_.get_executor()),
        step_timer_(ws_.get_executor()) {}

  void start(http::request<http::string_body> request) {
    beast::get_lowest_layer(ws_).expires_never();  // the websocket keeps its own timeouts
    websocket::stream_base::timeout timeout{};
    timeout.handshake_timeout = std::chrono::seconds(30);
    // Dead peers: a ping after 30 s of silence, closed after 60 s without anything (a pong counts).
    timeout.idle_timeout = std::chrono::seconds(60);
    timeout.keep_alive_pings = true;
    ws_.set_option(timeout);
    // permessage-deflate is declined (Beast's default): a zlib state per session would cost
    // more memory than thousands of sessions can afford, and messages are small.
    ws_.read_message_max(server_->options.max_message_bytes);
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& r) { r.set(http::field::server, "rapport"); }));
    ws_.async_accept(request, [self = shared_from_this()](beast::error_code ec) { self->on_accept(ec); });
  }

 private:
  void on_accept(beast::error_code ec) {
    if (ec) return;
    if (server_->counters.sessions >= server_->options.max_sessions) {
      ++server_->counters.rejected;
      send(session_error_message(SessionErrorCode::CapacityReached,
                                 fmt::format("the server holds its maximum of {} sessions; try again later or another "
                                             "server",
                                             server_->options.max_sessions)));
      close_after_writes_ = true;
      close_reason_ = websocket::close_reason(websocket::close_code::try_again_later, "capacity reached");
      read();  // to see the close handshake through
      return;
    }
    counted_ = true;
    ++server_->counters.sessions;
    ++server_->counters.sessions_total;
    arm_idle();
    read();
  }

  void read() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
  }

  void on_read(beast::error_code ec) {
    if (ec) return finish();
    std::string text = beast::buffers_to_string(buffer_.data());
    buffer_.consume(buffer_.size());
    if (close_after_writes_) return read();
    if (inbox_.size() >= kMaxQueued) {
      close_with(websocket::close_reason(websocket::close_code::policy_error, "too many requests waiting for replies"));
      return;
    }
    inbox_.push_back(std::move(text));
    arm_idle();
    read();  // always a read pending, so pings are answered while a step waits for its model
    process();
  }

  // Handles queued messages in order while no step is waiting: one reply per request, in order.
  void process() {
    while (!closing_ && !session_.stepping() && !inbox_.empty()) {
      std::string text = std::move(inbox_.front());
      inbox_.pop_front();
      EnvSession::Outcome outcome = session_.handle(text);
      if (outcome == EnvSession::Outcome::Close) {
        close_with(websocket::close_reason(websocket::close_code::normal));
        return;
      }
      if (outcome == EnvSession::Outcome::Pending) {
        step_timer_.expires_after(ms(server_->options.step_timeout_s));
        step_timer_.async_wait([self = shared_from_this(), generation = generation_](beast::error_code ec) {
          if (!ec) self->on_step_timeout(generation);
        });
        call_host();
        return;
      }
      reply();
    }
  }

  void reply() {
    if (session_.reply().rfind("{\"type\":\"observation\"", 0) == 0) ++server_->counters.steps;
    send(session_.reply());
  }

  // What the step waits for, by kind of host service. Today every request is a completion.
  void call_host() {
    server_->complete(session_.request(), session_.game(),
                      [self = shared_from_this(), generation = generation_](const LlmResponse& response) {
                        self->on_completion(generation, response);
                      });
  }

  void on_completion(std::uint64_t generation, const LlmResponse& response) {
    if (generation != generation_ || finished_) return;  // the step was abandoned
    EnvSession::Outcome outcome = session_.supply(response);
    if (outcome == EnvSession::Outcome::Pending) return call_host();
    step_timer_.cancel();
    reply();
    process();
  }

  void on_step_timeout(std::uint64_t generation) {
    if (generation != generation_ || !session_.stepping() || finished_) return;
    ++generation_;
    send(session_.abandon_step(fmt::format(
        "the step did not finish within {} s (the simulated user's or judge's model is too slow or unreachable); "
        "the episode is abandoned: send reset to start another",
        server_->options.step_timeout_s)));
    process();
  }

  void arm_idle() {
    idle_timer_.expires_after(ms(server_->options.idle_timeout_s));
    idle_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec || self->finished_) return;
      if (self->session_.stepping()) return self->arm_idle();  // waiting for a model is not idleness
      self->close_with(websocket::close_reason(websocket::close_code::going_away,
                                               fmt::format("idle for {} s", self->server_->options.idle_timeout_s)));
    });
  }

  void send(std::string text) {
    if (finished_) return;
    outbox_.push_back(std::move(text));
    if (!writing_) write_next();
  }

  void write_next() {
    if (outbox_.empty()) {
      writing_ = false;
      if (close_after_writes_ && !closing_) start_close();
      return;
    }
    writing_ = true;
    ws_.text(true);
    ws_.async_write(asio::buffer(outbox_.front()), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      self->outbox_.pop_front();
      if (ec) return self->finish();
      self->write_next();
    });
  }

  void close_with(websocket::close_reason reason) {
    close_reason_ = std::move(reason);
    close_after_writes_ = true;
    if (!writing_) start_close();
  }

  void start_close() {
    closing_ = true;
    ws_.async_close(close_reason_, [self = shared_from_this()](beast::error_code) { self->finish(); });
  }

  void finish() {
    if (finished_) return;
    finished_ = true;
    ++generation_;
    idle_timer_.cancel();
    step_timer_.cancel();
    if (counted_) --server_->counters.sessions;
    beast::error_code ignored;
    beast::get_lowest_layer(ws_).socket().close(ignored);
  }

  static constexpr std::size_t kMaxQueued = 64;

  std::shared_ptr<EnvServer::Impl> server_;
  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  EnvSession session_;
  asio::steady_timer idle_timer_, step_timer_;
  std::deque<std::string> inbox_, outbox_;
  websocket::close_reason close_reason_;
  std::uint64_t generation_ = 0;  // changes when a pending step is given up
  bool writing_ = false, closing_ = false, close_after_writes_ = false, finished_ = false, counted_ = false;
};

// ---- Plain HTTP: static files, /health, /schema, /metadata, the demo model ----------------------

class HttpConnection : public std::enable_shared_from_this<HttpConnection> {
 public:
  HttpConnection(std::shared_ptr<EnvServer::Impl> server, tcp::socket socket)
      : server_(std::move(server)), stream_(std::move(socket)) {}

  void start() { read(server_->options.request_timeout_s); }

 private:
  // A whole request must arrive within `seconds`: a client sending a byte at a time holds only
  // its own connection, and only that long.
  void read(double seconds) {
    parser_.emplace();
    parser_->header_limit(16 * 1024);
    parser_->body_limit(server_->options.max_message_bytes);
    stream_.expires_after(ms(seconds));
    http::async_read(stream_, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      self->on_read(ec);
    });
  }

  void on_read(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == beast::error::timeout || ec == asio::error::operation_aborted)
      return close();
    if (ec) {
      // Malformed, or over the header/body limits.
      auto r = text_response(400, "bad request\n", 11, false);
      if (ec == http::error::body_limit || ec == http::error::header_limit) r = text_response(413, "request too large\n", 11, false);
      return write(std::move(r));
    }
    http::request<http::string_body> request = parser_->release();
    if (websocket::is_upgrade(request)) {
      if (path_of(request.target()) != "/ws") return write(text_response(404, "WebSocket sessions are at /ws\n", request.version(), false));
      std::make_shared<WsSession>(server_, std::move(stream_))->start(std::move(request));
      return;
    }
    write(respond(request));
  }

  http::response<http::string_body> text_response(int status, std::string body, unsigned version, bool keep_alive,
                                                  std::string type = "text/plain; charset=utf-8") {
    http::response<http::string_body> r{static_cast<http::status>(status), version};
    r.set(http::field::server, "rapport");
    r.set(http::field::content_type, type);
    r.set(http::field::cache_control, "no-cache");
    r.set("X-Content-Type-Options", "nosniff");
    r.keep_alive(keep_alive);
    r.body() = std::move(body);
    r.prepare_payload();
    return r;
  }

  static void allow_cors(http::response<http::string_body>& r) {
    r.set(http::field::access_control_allow_origin, "*");
    r.set(http::field::access_control_allow_methods, "GET, POST, OPTIONS");
    r.set(http::field::access_control_allow_headers, "Content-Type, Authorization");
    r.set(http::field::access_control_max_age, "600");
  }

  http::response<http::string_body> respond(const http::request<http::string_body>& request) {
    const unsigned version = request.version();
    const bool keep = request.keep_alive();
    std::string_view path = path_of(request.target());
    const auto method = request.method();
    auto json_response = [&](int status, const json::value& body) {
      auto r = text_response(status, to_json(body) + "\n", version, keep, "application/json");
      allow_cors(r);
      return r;
    };

    bool demo = server_->options.demo_model && path.rfind("/v1/", 0) == 0;
    if (method == http::verb::options && (demo || path == "/health" || path == "/schema" || path == "/metadata" || path == "/environments")) {
      auto r = text_response(204, "", version, keep);
      allow_cors(r);
      return r;
    }
    if (demo && path == "/v1/chat/completions") {
      if (method != http::verb::post) return json_response(405, json::object{{"error", "POST a chat completion request"}});
      DemoReply reply = demo_completion(request.body());
      auto r = text_response(reply.status, reply.body, version, keep, "application/json");
      allow_cors(r);
      return r;
    }
    if (demo && path == "/v1/models" && method == http::verb::get) {
      auto r = text_response(200, demo_models(), version, keep, "application/json");
      allow_cors(r);
      return r;
    }
    if (method != http::verb::get && method != http::verb::head)
      return text_response(405, "only GET and HEAD here\n", version, keep);
    if (path == "/health") return json_response(200, json::object{{"status", "healthy"}});
    if (path == "/schema") return json_response(200, session_schemas());
    if (path == "/metadata") return json_response(200, metadata());
    if (path == "/environments") return json_response(200, environment_list());

    auto file = server_->files.get(request.target(), accepts_gzip(request));
    if (!file) {
      std::string why = server_->files.root_exists()
                            ? "not found\n"
                            : "not found: no playground is served (build it with cmake --preset wasm && cmake --build "
                              "--preset wasm, or pass --dir)\n";
      return text_response(404, why, version, keep);
    }
    auto r = text_response(200, std::move(file->body), version, keep, file->type);
    if (file->gzip) {
      r.set(http::field::content_encoding, "gzip");
      r.set(http::field::vary, "Accept-Encoding");
    }
    if (method == http::verb::head) {
      r.prepare_payload();
      std::string length = std::string(r[http::field::content_length]);
      r.body().clear();
      r.set(http::field::content_length, length);
    }
    return r;
  }

  void write(http::response<http::string_body> response) {
    auto r = std::make_shared<http::response<http::string_body>>(std::move(response));
    stream_.expires_after(ms(server_->options.request_timeout_s));
    http::async_write(stream_, *r, [self = shared_from_this(), r](beast::error_code ec, std::size_t) {
      if (ec || !r->keep_alive()) return self->close();
      self->read(self->server_->options.keep_alive_s);
    });
  }

  void close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.close();
  }

  std::shared_ptr<EnvServer::Impl> server_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
};

void EnvServer::Impl::accept() {
  acceptor.async_accept([self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
    if (self->stopped) return;
    if (!ec) std::make_shared<HttpConnection>(self, std::move(socket))->start();
    // Out of descriptors and similar: keep serving the connections already open.
    if (ec == asio::error::no_descriptors) {
      auto wait = std::make_shared<asio::steady_timer>(self->ioc, std::chrono::milliseconds(100));
      wait->async_wait([self, wait](beast::error_code) { self->accept(); });
      return;
    }
    self->accept();
  });
}

// ---- EnvServer --------------------------------------------------------------------------------------

EnvServer::EnvServer(ServerOptions options) : impl_(std::make_shared<Impl>(std::move(options))) {
  Impl& s = *impl_;
  const ServerOptions& o = s.options;
  if (o.max_sessions < 1) throw ConfigError("--max-sessions must be at least 1");
  if (!(o.idle_timeout_s > 0) || !(o.step_timeout_s > 0)) throw ConfigError("timeouts must be positive numbers of seconds");
  if (o.user) s.user_endpoint = s.client.add_endpoint(*o.user);
  if (o.judge) s.judge_endpoint = s.client.add_endpoint(*o.judge);
  s.options.session.llm_available = o.user.has_value();
  SearchSpec search = parse_search_spec(o.search);
  if (search.kind != SearchSpec::Kind::Builtin && search.kind != SearchSpec::Kind::Index)
    throw ConfigError(fmt::format("--search '{}': rapport serve answers searches from builtin or index:PATH", o.search));
  s.options.session.search = make_search_backend(search, s.client);
  if (o.cache_mode != CacheMode::Off) {
    if (o.cache_path.empty()) throw ConfigError("a cache mode other than off needs --cache FILE");
    s.cache = std::make_unique<CompletionCache>(o.cache_path, o.cache_mode);
  }
  beast::error_code ec;
  auto address = asio::ip::make_address(o.host, ec);
  if (ec) throw ConfigError(fmt::format("--host '{}' is not an IP address", o.host));
  tcp::endpoint endpoint{address, static_cast<unsigned short>(o.port)};
  s.acceptor.open(endpoint.protocol(), ec);
  if (!ec) s.acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) s.acceptor.bind(endpoint, ec);
  if (!ec) s.acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) throw ConfigError(fmt::format("cannot listen on {}:{}: {}", o.host, o.port, ec.message()));
  s.wake.assign(::dup(s.client.wake_fd()));
}

EnvServer::~EnvServer() {
  stop();
}

int EnvServer::port() const { return impl_->acceptor.local_endpoint().port(); }
const std::string& EnvServer::static_root() const {
  static const std::string none;
  return impl_->files.root_exists() ? impl_->files.root().native() : none;
}

void EnvServer::run(bool handle_signals) {
  std::signal(SIGPIPE, SIG_IGN);
  Impl& s = *impl_;
  if (handle_signals) {
    s.signals.add(SIGINT);
    s.signals.add(SIGTERM);
    s.signals.async_wait([this](beast::error_code ec, int) {
      if (!ec) stop();
    });
  }
  s.accept();
  s.arm_wake();
  while (!s.stopped) {
    try {
      s.ioc.run();
      break;
    } catch (const std::exception& e) {
      // A handler failed (out of memory, a bug): that connection is lost, the others go on.
      std::fprintf(stderr, "rapport serve: %s\n", e.what());
    }
  }
  if (s.cache) s.cache->commit();
}

void EnvServer::stop() {
  if (impl_->stopped.exchange(true)) return;
  impl_->ioc.stop();
}

ServerCounters EnvServer::counters() const { return impl_->counters; }

}  // namespace rapport
