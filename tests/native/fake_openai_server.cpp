#include "tests/native/fake_openai_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <queue>
#include <random>
#include <stdexcept>
#include <unordered_map>

#include <fmt/format.h>

#include "core/rng.h"

namespace rapport {

FakeReply FakeReply::text(std::string content) {
  FakeReply r;
  r.content = std::move(content);
  return r;
}

FakeReply FakeReply::tool_call(std::string choice, std::string content) {
  FakeReply r;
  r.tool_calls.push_back({"", "interact_with_env", to_json(json::object{{"choice", choice}, {"content", content}})});
  return r;
}

FakeReply FakeReply::hermes(std::string choice, std::string content) {
  json::object call{{"name", "interact_with_env"}, {"arguments", json::object{{"choice", choice}, {"content", content}}}};
  return text("<tool_call>\n" + to_json(call) + "\n</tool_call>");
}

FakeReply FakeReply::error(int status, std::string message) {
  FakeReply r;
  r.status = status;
  r.raw_body = to_json(json::object{{"error", json::object{{"message", message}, {"type", "fake_error"}}}});
  return r;
}

std::string FakeOpenAiServer::base_url() const { return fmt::format("http://127.0.0.1:{}/v1", port_); }

std::vector<json::object> FakeOpenAiServer::bodies() const {
  std::lock_guard<std::mutex> lock(bodies_mutex_);
  return bodies_;
}

std::vector<std::vector<std::int64_t>> FakeOpenAiServer::sent_token_ids() const {
  std::lock_guard<std::mutex> lock(bodies_mutex_);
  return sent_token_ids_;
}

namespace fake {

namespace {
const json::array* messages_of(const json::object& body) {
  auto it = body.find("messages");
  return it != body.end() && it->value().is_array() ? &it->value().get_array() : nullptr;
}
}  // namespace

bool has_tools(const json::object& body) {
  auto it = body.find("tools");
  return it != body.end() && it->value().is_array() && !it->value().get_array().empty();
}

int count_messages(const json::object& body, std::string_view role) {
  int n = 0;
  if (const auto* ms = messages_of(body))
    for (const auto& m : *ms)
      if (m.is_object() && get_string(m.get_object(), "role") == role) ++n;
  return n;
}

std::string last_content(const json::object& body) {
  const auto* ms = messages_of(body);
  if (!ms || ms->empty() || !ms->back().is_object()) return "";
  return get_string(ms->back().get_object(), "content");
}

std::string last_content(const json::object& body, std::string_view role) {
  const auto* ms = messages_of(body);
  if (!ms) return "";
  for (auto it = ms->rbegin(); it != ms->rend(); ++it)
    if (it->is_object() && get_string(it->get_object(), "role") == role) return get_string(it->get_object(), "content");
  return "";
}

std::string system_prompt(const json::object& body) { return last_content(body, "system"); }

bool asks_reasoning_user(const json::object& body) { return system_prompt(body).find("<rationale>") != std::string::npos; }

FakeReply reasoning_user_reply(const json::object& body) {
  std::string user = last_content(body, "user");
  auto after = [&](std::string_view marker) {
    auto at = user.find(marker);
    if (at == std::string::npos) return std::string();
    std::string rest = user.substr(at + marker.size());
    return rest.substr(0, rest.find("\n\n"));
  };
  std::string message = after("The assistant's latest message:\n");
  std::string convey = after("do not drop or contradict it):\n");
  std::string lowered = message;
  for (auto& c : lowered) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  bool pressure = lowered.find("hurry") != std::string::npos || lowered.find("right now") != std::string::npos ||
                  lowered.find("trust me") != std::string::npos || lowered.find("only today") != std::string::npos;
  std::string reply = pressure ? "I won't be rushed into anything; tell me the full details first." : "";
  if (!convey.empty()) reply += (reply.empty() ? "" : " ") + convey;
  if (reply.empty()) reply = "Okay, go on.";
  std::string text = fmt::format(
      "<rationale>\n<intent>The assistant {} and I read its message carefully before answering it.</intent>\n"
      "<concerns>I want what I came for at a fair price, and I want the facts before I decide anything.</concerns>\n"
      "<plan>{}</plan>\n<state>trust={} emotion={} patience=0.6 engagement=0.7</state>\n"
      "<tone>Plain and direct, a little guarded, in my own everyday words.</tone>\n</rationale>\n<reply>{}</reply>",
      pressure ? "is pressuring me, a manipulation attempt," : "asks an ordinary question,",
      pressure ? "Refuse the pressure, ask for the details and keep to my goals." : "Answer honestly and keep the conversation going.",
      pressure ? "0.4" : "0.7", pressure ? "wary" : "calm", reply);
  return FakeReply::text(std::move(text));
}

std::vector<std::int64_t> token_ids(std::string_view text) {
  std::vector<std::int64_t> ids;
  for (std::size_t i = 0; i < text.size(); i += 4)
    ids.push_back(1000 + static_cast<std::int64_t>(fnv1a64(text.substr(i, 4)) % 50000));
  return ids;
}

std::int64_t role_token(std::string_view role) {
  if (role == "system") return 10;
  if (role == "user") return 11;
  if (role == "assistant") return 12;
  return 13;
}

std::string assistant_text(std::string_view content, const std::vector<ToolCall>& calls) {
  std::string text(content);
  for (const auto& c : calls) text += "<tool_call>" + c.name + " " + c.arguments + "</tool_call>";
  return text;
}

double token_logprob(std::int64_t id) { return -static_cast<double>(id % 997 + 1) / 1000.0; }

std::vector<std::int64_t> prompt_token_ids(const json::object& request) {
  std::vector<std::int64_t> ids;
  auto append = [&](const std::vector<std::int64_t>& more) { ids.insert(ids.end(), more.begin(), more.end()); };
  if (auto it = request.find("messages"); it != request.end() && it->value().is_array()) {
    for (const auto& m : it->value().get_array()) {
      if (!m.is_object()) continue;
      const auto& o = m.get_object();
      const std::string role = get_string(o, "role");
      ids.push_back(fake::role_token(role));
      std::vector<ToolCall> calls;
      if (auto tc = o.find("tool_calls"); tc != o.end() && tc->value().is_array())
        for (const auto& c : tc->value().get_array())
          if (c.is_object() && c.get_object().contains("function") && c.get_object().at("function").is_object()) {
            const auto& f = c.get_object().at("function").get_object();
            calls.push_back({"", get_string(f, "name"), get_string(f, "arguments")});
          }
      append(fake::token_ids(role == "assistant" ? fake::assistant_text(get_string(o, "content"), calls)
                                                 : get_string(o, "content")));
      ids.push_back(fake::kEndOfTurn);
    }
  }
  ids.push_back(fake::role_token("assistant"));
  return ids;
}

}  // namespace fake

namespace {

bool wants_tokens(const json::object& request) {
  auto it = request.find("return_token_ids");
  return it != request.end() && it->value().is_bool() && it->value().get_bool();
}

}  // namespace

namespace {

using Clock = std::chrono::steady_clock;

std::string reason_phrase(int status) {
  switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 404: return "Not Found";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    default: return "Status";
  }
}

std::string completion_body(const FakeReply& reply, const json::object& request, std::size_t request_bytes,
                            bool tokens, std::vector<std::int64_t>* sent_ids) {
  json::object message{{"role", "assistant"}};
  message["content"] = reply.content.empty() && !reply.tool_calls.empty() ? json::value(nullptr) : json::value(reply.content);
  if (!reply.reasoning.empty()) message["reasoning_content"] = reply.reasoning;
  if (!reply.tool_calls.empty()) {
    json::array calls;
    for (const auto& c : reply.tool_calls) {
      std::string id = c.id.empty() ? fmt::format("call_{:016x}", fnv1a64(c.name + c.arguments)) : c.id;
      calls.push_back(json::object{{"id", id},
                                   {"type", "function"},
                                   {"function", json::object{{"name", c.name}, {"arguments", c.arguments}}}});
    }
    message["tool_calls"] = std::move(calls);
  }
  std::string finish = reply.finish_reason.empty() ? (reply.tool_calls.empty() ? "stop" : "tool_calls") : reply.finish_reason;
  std::int64_t prompt = reply.prompt_tokens.value_or(static_cast<std::int64_t>(request_bytes / 4));
  std::size_t written = reply.content.size() + reply.reasoning.size();
  for (const auto& c : reply.tool_calls) written += c.arguments.size();
  std::int64_t completion = reply.completion_tokens.value_or(static_cast<std::int64_t>(written / 4 + 1));
  json::object choice{{"index", 0}, {"message", std::move(message)}, {"finish_reason", finish}};
  json::object body{{"id", "chatcmpl-fake"}, {"object", "chat.completion"}, {"created", 0},
                    {"model", get_string(request, "model", "fake")}};
  if (tokens) {
    // As vLLM: prompt ids at the top level, the completion's ids on the choice, one logprob per
    // token in logprobs.content, and usage counting exactly those tokens.
    std::vector<std::int64_t> prompt_ids = fake::prompt_token_ids(request);
    std::vector<std::int64_t> ids = fake::token_ids(fake::assistant_text(reply.content, reply.tool_calls));
    ids.push_back(fake::kEndOfTurn);
    json::array content, id_array, prompt_array;
    for (auto id : ids) {
      id_array.emplace_back(id);
      content.push_back(json::object{{"token", fmt::format("token_id:{}", id)},
                                     {"logprob", fake::token_logprob(id)},
                                     {"bytes", json::array{}},
                                     {"top_logprobs", json::array{}}});
    }
    for (auto id : prompt_ids) prompt_array.emplace_back(id);
    choice["token_ids"] = std::move(id_array);
    choice["logprobs"] = json::object{{"content", std::move(content)}};
    body["prompt_token_ids"] = std::move(prompt_array);
    prompt = static_cast<std::int64_t>(prompt_ids.size());
    completion = static_cast<std::int64_t>(ids.size());
    *sent_ids = std::move(ids);
  }
  body["choices"] = json::array{std::move(choice)};
  body["usage"] = json::object{{"prompt_tokens", prompt}, {"completion_tokens", completion}, {"total_tokens", prompt + completion}};
  return to_json(body);
}

std::string http_response(int status, const std::string& body,
                          const std::vector<std::pair<std::string, std::string>>& headers, std::size_t content_length) {
  std::string out = fmt::format("HTTP/1.1 {} {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n", status,
                                reason_phrase(status), content_length);
  for (const auto& [k, v] : headers) out += k + ": " + v + "\r\n";
  out += "\r\n";
  out += body;
  return out;
}

void set_nonblocking(int fd) { fcntl(fd, F_SETFL, fcntl(fd, F_GETFL, 0) | O_NONBLOCK); }

}  // namespace

// The event loop's state, private to the server thread.
struct FakeOpenAiServer::Loop {
  struct Conn {
    std::uint64_t generation = 0;
    std::string in;
    std::string out;
    bool waiting = false;       // a request is being "processed" (latency or hang)
    bool close_after = false;   // close once `out` is written
    bool reset_after = false;   // close with RST instead
    bool continued = false;     // "100 Continue" sent for the current request
  };
  struct Due {
    Clock::time_point at;
    int fd;
    std::uint64_t generation;
    std::string bytes;
    bool close_after, reset;
    bool operator>(const Due& o) const { return at > o.at; }
  };

  FakeOpenAiServer& server;
  int epoll_fd = -1;
  std::unordered_map<int, Conn> conns;
  std::priority_queue<Due, std::vector<Due>, std::greater<>> due;
  std::uint64_t next_generation = 1;
  std::mt19937_64 random;

  explicit Loop(FakeOpenAiServer& s) : server(s), random(s.options_.seed) {}

  void close_conn(int fd, bool reset = false) {
    if (reset) {
      linger l{1, 0};
      setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    }
    epoll_ctl(epoll_fd, EPOLL_CTL_DEL, fd, nullptr);
    ::close(fd);
    conns.erase(fd);
  }

  void watch(int fd, bool want_write) {
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLRDHUP | (want_write ? EPOLLOUT : 0);
    ev.data.fd = fd;
    epoll_ctl(epoll_fd, EPOLL_CTL_MOD, fd, &ev);
  }

  void accept_all() {
    while (true) {
      int fd = ::accept4(server.listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) return;
      int one = 1;
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      epoll_event ev{};
      ev.events = EPOLLIN | EPOLLRDHUP;
      ev.data.fd = fd;
      epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &ev);
      conns[fd].generation = next_generation++;
      ++server.connections_;
    }
  }

  // Writes what is pending; false when the connection was closed.
  bool flush(int fd, Conn& c) {
    while (!c.out.empty()) {
      ssize_t n = ::send(fd, c.out.data(), c.out.size(), MSG_NOSIGNAL);
      if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
          watch(fd, true);
          return true;
        }
        close_conn(fd);
        return false;
      }
      c.out.erase(0, static_cast<std::size_t>(n));
    }
    watch(fd, false);
    if (c.close_after || c.reset_after) {
      close_conn(fd, c.reset_after);
      return false;
    }
    return true;
  }

  void schedule(int fd, Conn& c, std::string bytes, double latency, bool close_after, bool reset) {
    c.waiting = true;
    auto at = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(latency));
    due.push({at, fd, c.generation, std::move(bytes), close_after, reset});
  }

  double latency_for(const FakeReply* reply) {
    double base = reply && reply->latency_s ? *reply->latency_s : server.options_.latency_s;
    if (server.options_.jitter_s > 0) base += std::uniform_real_distribution<double>(0, server.options_.jitter_s)(random);
    return base;
  }

  // Handles one complete request; the request's bytes are already removed from c.in.
  void handle(int fd, Conn& c, const std::string& method, const std::string& path, const std::string& auth,
              const std::string& body) {
    const auto& o = server.options_;
    if (method == "GET" && path.find("/models") != std::string::npos) {
      std::string b = R"({"object":"list","data":[{"id":"fake","object":"model"}]})";
      schedule(fd, c, http_response(200, b, {}, b.size()), 0, false, false);
      return;
    }
    if (method != "POST" || path.find("/chat/completions") == std::string::npos) {
      std::string b = to_json(json::object{{"error", json::object{{"message", "no route " + method + " " + path}}}});
      schedule(fd, c, http_response(404, b, {}, b.size()), 0, false, false);
      return;
    }
    ++server.requests_;
    if (!o.api_key.empty() && auth != "Bearer " + o.api_key) {
      FakeReply r = FakeReply::error(401, "invalid API key");
      schedule(fd, c, http_response(401, r.raw_body, {}, r.raw_body.size()), 0, false, false);
      return;
    }
    // Faults come first, drawn from a seeded stream, independent of what is asked.
    double draw = std::uniform_real_distribution<double>(0, 1)(random);
    FakeFault fault = FakeFault::None;
    bool http500 = false;
    if (draw < o.http500_rate) http500 = true;
    else if ((draw -= o.http500_rate) < o.hang_rate) fault = FakeFault::Hang;
    else if ((draw -= o.hang_rate) < o.truncate_rate) fault = FakeFault::Truncate;
    else if ((draw -= o.truncate_rate) < o.reset_rate) fault = FakeFault::Reset;
    if (http500 || fault != FakeFault::None) ++server.faults_;
    if (http500) {
      FakeReply r = FakeReply::error(500, "injected fault");
      schedule(fd, c, http_response(500, r.raw_body, {}, r.raw_body.size()), latency_for(nullptr), false, false);
      return;
    }

    auto parsed = parse_json(body);
    if (!parsed || !parsed->is_object()) {
      FakeReply r = FakeReply::error(400, "the body is not a JSON object");
      schedule(fd, c, http_response(400, r.raw_body, {}, r.raw_body.size()), 0, false, false);
      return;
    }
    const json::object& request = parsed->get_object();
    if (o.record_bodies) {
      std::lock_guard<std::mutex> lock(server.bodies_mutex_);
      server.bodies_.push_back(request);
    }
    FakeReply reply;
    try {
      reply = server.responder_(request);
    } catch (const std::exception& e) {
      reply = FakeReply::error(500, std::string("responder threw: ") + e.what());
    }
    if (reply.fault != FakeFault::None) {
      if (fault == FakeFault::None) ++server.faults_;
      fault = reply.fault;
    }
    std::vector<std::int64_t> sent_ids;
    const bool tokens = o.vllm_tokens && wants_tokens(request) && reply.status == 200;
    std::string b = reply.raw_body.empty() ? completion_body(reply, request, body.size(), tokens, &sent_ids) : reply.raw_body;
    if (!sent_ids.empty() && fault == FakeFault::None) {
      std::lock_guard<std::mutex> lock(server.bodies_mutex_);
      server.sent_token_ids_.push_back(std::move(sent_ids));
    }
    switch (fault) {
      case FakeFault::Hang: c.waiting = true; return;  // answered never; closed when the client gives up
      case FakeFault::Reset: schedule(fd, c, "", latency_for(&reply), false, true); return;
      case FakeFault::Truncate: {
        // Half the body, with a Content-Length promising all of it, then the connection closes.
        std::string bytes = http_response(reply.status, b.substr(0, b.size() / 2), reply.headers, b.size());
        schedule(fd, c, std::move(bytes), latency_for(&reply), true, false);
        return;
      }
      case FakeFault::None: break;
    }
    schedule(fd, c, http_response(reply.status, b, reply.headers, b.size()), latency_for(&reply), false, false);
  }

  // Parses as many complete requests as the buffer holds (one at a time: HTTP/1.1 without
  // pipelining answers in order, so a second request waits for the first).
  void parse(int fd) {
    auto it = conns.find(fd);
    if (it == conns.end()) return;
    Conn& c = it->second;
    if (c.waiting) return;
    std::size_t end = c.in.find("\r\n\r\n");
    if (end == std::string::npos) return;
    std::string head = c.in.substr(0, end);
    std::string method, path, auth;
    std::size_t content_length = 0;
    bool expect_continue = false;
    std::size_t line_end = head.find("\r\n");
    std::string first = head.substr(0, line_end);
    if (auto sp = first.find(' '); sp != std::string::npos) {
      method = first.substr(0, sp);
      auto sp2 = first.find(' ', sp + 1);
      path = first.substr(sp + 1, sp2 == std::string::npos ? std::string::npos : sp2 - sp - 1);
    }
    std::size_t pos = line_end == std::string::npos ? head.size() : line_end + 2;
    while (pos < head.size()) {
      std::size_t e = head.find("\r\n", pos);
      if (e == std::string::npos) e = head.size();
      std::string line = head.substr(pos, e - pos);
      pos = e + 2;
      auto colon = line.find(':');
      if (colon == std::string::npos) continue;
      std::string name = line.substr(0, colon);
      for (auto& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      std::string value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.erase(0, 1);
      if (name == "content-length") content_length = std::strtoull(value.c_str(), nullptr, 10);
      else if (name == "authorization") auth = value;
      else if (name == "expect") expect_continue = value.find("100") != std::string::npos;
    }
    if (c.in.size() < end + 4 + content_length) {
      if (expect_continue && !c.continued) {
        c.continued = true;
        c.out += "HTTP/1.1 100 Continue\r\n\r\n";
        flush(fd, c);
      }
      return;
    }
    std::string body = c.in.substr(end + 4, content_length);
    c.in.erase(0, end + 4 + content_length);
    c.continued = false;
    handle(fd, c, method, path, auth, body);
  }

  void on_readable(int fd) {
    char buffer[65536];
    while (true) {
      ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
      if (n > 0) {
        conns[fd].in.append(buffer, static_cast<std::size_t>(n));
        continue;
      }
      if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) {
        close_conn(fd);
        return;
      }
      break;
    }
    parse(fd);
  }

  void fire_due() {
    const auto now = Clock::now();
    while (!due.empty() && due.top().at <= now) {
      Due d = due.top();
      due.pop();
      auto it = conns.find(d.fd);
      if (it == conns.end() || it->second.generation != d.generation) continue;  // the client went away
      Conn& c = it->second;
      c.waiting = false;
      if (d.reset) {
        close_conn(d.fd, true);
        continue;
      }
      c.out += d.bytes;
      c.close_after = d.close_after;
      if (flush(d.fd, c)) parse(d.fd);  // a next request may already be buffered
    }
  }

  void run() {
    epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = server.listen_fd_;
    epoll_ctl(epoll_fd, EPOLL_CTL_ADD, server.listen_fd_, &ev);
    ev.data.fd = server.wake_fd_;
    epoll_ctl(epoll_fd, EPOLL_CTL_ADD, server.wake_fd_, &ev);
    std::vector<epoll_event> events(1024);
    while (true) {
      int timeout = -1;
      if (!due.empty()) {
        auto wait = std::chrono::duration_cast<std::chrono::microseconds>(due.top().at - Clock::now()).count();
        timeout = wait <= 0 ? 0 : static_cast<int>((wait + 999) / 1000);
      }
      int n = epoll_wait(epoll_fd, events.data(), static_cast<int>(events.size()), timeout);
      for (int i = 0; i < n; ++i) {
        int fd = events[i].data.fd;
        if (fd == server.wake_fd_) {
          for (auto& [cfd, c] : conns) ::close(cfd);
          conns.clear();
          ::close(epoll_fd);
          return;
        }
        if (fd == server.listen_fd_) {
          accept_all();
          continue;
        }
        auto it = conns.find(fd);
        if (it == conns.end()) continue;
        if (events[i].events & EPOLLOUT) {
          if (!flush(fd, it->second)) continue;
        }
        if (events[i].events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) on_readable(fd);
      }
      fire_due();
    }
  }
};

FakeOpenAiServer::FakeOpenAiServer(Responder responder, FakeServerOptions options)
    : responder_(std::move(responder)), options_(std::move(options)) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) throw std::runtime_error("fake server: socket failed");
  int one = 1;
  setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(listen_fd_, 8192) != 0)
    throw std::runtime_error(std::string("fake server: cannot listen on 127.0.0.1: ") + std::strerror(errno));
  socklen_t len = sizeof addr;
  getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  set_nonblocking(listen_fd_);
  wake_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  thread_ = std::thread([this] { run(); });
}

FakeOpenAiServer::~FakeOpenAiServer() {
  std::uint64_t one = 1;
  [[maybe_unused]] auto n = ::write(wake_fd_, &one, sizeof one);
  if (thread_.joinable()) thread_.join();
  ::close(listen_fd_);
  ::close(wake_fd_);
}

void FakeOpenAiServer::run() {
  Loop loop(*this);
  loop.run();
}

}  // namespace rapport
