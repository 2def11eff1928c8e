#include "native/http_client.h"

#include <curl/curl.h>
#include <fmt/format.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <deque>
#include <mutex>
#include <queue>
#include <random>
#include <stdexcept>
#include <unordered_set>
#include <vector>

namespace rapport {

const char* to_string(FailureKind kind) {
  switch (kind) {
    case FailureKind::RateLimited: return "rate_limited";
    case FailureKind::ServerError: return "server_error";
    case FailureKind::ClientError: return "client_error";
    case FailureKind::Timeout: return "timeout";
    case FailureKind::Connection: return "connection";
    case FailureKind::Truncated: return "truncated";
    case FailureKind::BadBody: return "bad_body";
    case FailureKind::BodyTooLarge: return "body_too_large";
    case FailureKind::CacheMiss: return "cache_miss";
    case FailureKind::NotConfigured: return "not_configured";
  }
  return "unknown";
}

CallReport failed_without_request(FailureKind kind) {
  CallReport report;
  report.failures[static_cast<std::size_t>(kind)] = 1;
  return report;
}

int CallReport::failed_attempts() const {
  int n = 0;
  for (int f : failures) n += f;
  return n;
}

namespace {

using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;

double seconds_between(TimePoint a, TimePoint b) { return std::chrono::duration<double>(b - a).count(); }

// A token bucket: refills at a per-minute rate and holds at most `burst_s` seconds' worth, so that
// a limit is kept over every short window and not only per minute. A rate of 0 means unlimited.
class RateBucket {
 public:
  RateBucket(double per_minute = 0, double burst_s = 1)
      : rate_(per_minute), capacity_(std::max(1.0, per_minute * burst_s / 60.0)), level_(capacity_) {}
  bool unlimited() const { return rate_ <= 0; }
  // Time from `now` until `cost` can be taken (0: now).
  double wait_for(double cost, TimePoint now) {
    if (unlimited()) return 0;
    refill(now);
    cost = std::min(cost, capacity_);  // a request larger than the burst waits for a full bucket
    return level_ >= cost ? 0 : (cost - level_) * 60.0 / rate_;
  }
  void take(double cost, TimePoint now) {
    if (unlimited()) return;
    refill(now);
    level_ -= std::min(cost, capacity_);
  }
  // Charges what was only known later (completion tokens); may leave the bucket in debt.
  void charge(double cost) {
    if (!unlimited()) level_ -= cost;
  }

 private:
  void refill(TimePoint now) {
    if (last_ != TimePoint{}) level_ = std::min(capacity_, level_ + seconds_between(last_, now) * rate_ / 60.0);
    last_ = now;
  }
  double rate_;
  double capacity_;
  double level_;
  TimePoint last_{};
};

struct Call;

struct Replica {
  ReplicaStats stats;
  int in_flight = 0;
  TimePoint out_until{};       // out of service until then (when !stats.in_service)
  bool probing = false;        // the one request allowed after out_until is on the wire
  double out_for_s = 1.0;      // how long the next outage lasts
};

constexpr double kFirstOutage_s = 1.0;
constexpr double kLongestOutage_s = 30.0;

struct EndpointState {
  Endpoint config;
  std::vector<Replica> replicas;
  curl_slist* headers = nullptr;
  std::deque<Call*> queue;
  int in_flight = 0;
  RateBucket requests;
  RateBucket tokens;
};

struct Call {
  int endpoint = 0;
  int replica = 0;    // of the attempt in progress
  bool raw = false;   // post(): the body of a 200 answer is the result, unparsed
  std::string body;
  double token_estimate = 0;
  HttpClient::Done done;
  CallReport report;
  TimePoint submitted;
  // The attempt in progress
  struct Multi* multi = nullptr;
  CURL* easy = nullptr;
  std::string response;
  std::size_t max_body = 0;
  bool too_large = false;
  double retry_after_s = -1;
  char error[CURL_ERROR_SIZE] = {0};
  // The outcome
  LlmResponse result;
};

// One curl multi handle and its connection pool. curl looks for a reusable connection by scanning
// every connection to the host, so thousands of connections in one pool make each request cost
// thousands of checks; transfers are spread over pools of at most kTransfersPerMulti instead.
constexpr std::size_t kTransfersPerMulti = 256;
constexpr std::size_t kMaxMultis = 64;

struct HttpClientLoop {
  int epoll_fd = -1;
};

struct Multi {
  CURLM* handle = nullptr;
  std::uint32_t index = 0;
  TimePoint deadline = TimePoint::max();  // curl's timer
  std::size_t active = 0;                 // transfers on it now
  HttpClientLoop* loop = nullptr;
};

struct Retry {
  TimePoint at;
  Call* call;
  bool operator>(const Retry& o) const { return at > o.at; }
};

std::once_flag curl_initialised;

// Retry-After: delay-seconds or an HTTP date.
double parse_retry_after(std::string value) {
  while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) value.pop_back();
  std::size_t start = value.find_first_not_of(' ');
  if (start == std::string::npos) return -1;
  value = value.substr(start);
  char* end = nullptr;
  double s = std::strtod(value.c_str(), &end);
  if (end && *end == '\0' && s >= 0) return s;
  time_t when = curl_getdate(value.c_str(), nullptr);
  if (when < 0) return -1;
  return std::max(0.0, static_cast<double>(when - time(nullptr)));
}

std::string snippet(const std::string& body) {
  std::string s = body.substr(0, 300);
  std::replace(s.begin(), s.end(), '\n', ' ');
  return s;
}

void append_json_string(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  std::size_t run = 0;  // start of the current run of bytes that need no escape
  for (std::size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        out += "\\u00";
        out += kHex[c >> 4];
        out += kHex[c & 15];
    }
  }
  out.append(s.data() + run, s.size() - run);
  out += '"';
}

}  // namespace

std::string openai_request_body(const LlmRequest& request, std::string_view model) {
  std::string out;
  std::size_t guess = 256 + model.size();
  for (const auto& m : request.messages) guess += m.content.size() + 64;
  out.reserve(guess + 1024 * request.tools.size());
  out += "{\"model\":";
  append_json_string(out, model);
  out += ",\"messages\":[";
  for (std::size_t i = 0; i < request.messages.size(); ++i) {
    const ChatMessage& m = request.messages[i];
    if (i) out += ',';
    out += "{\"role\":";
    append_json_string(out, m.role);
    out += ",\"content\":";
    append_json_string(out, m.content);
    if (!m.tool_calls.empty()) {
      out += ",\"tool_calls\":[";
      for (std::size_t k = 0; k < m.tool_calls.size(); ++k) {
        const ToolCall& c = m.tool_calls[k];
        if (k) out += ',';
        out += "{\"id\":";
        append_json_string(out, c.id);
        out += ",\"type\":\"function\",\"function\":{\"name\":";
        append_json_string(out, c.name);
        out += ",\"arguments\":";
        append_json_string(out, c.arguments);
        out += "}}";
      }
      out += ']';
    }
    if (!m.tool_call_id.empty()) {
      out += ",\"tool_call_id\":";
      append_json_string(out, m.tool_call_id);
    }
    out += '}';
  }
  out += "],\"temperature\":" + to_json(json::value(request.sampling.temperature));
  out += ",\"top_p\":" + to_json(json::value(request.sampling.top_p));
  out += ",\"max_tokens\":" + std::to_string(request.sampling.max_tokens);
  if (request.sampling.seed) out += ",\"seed\":" + std::to_string(*request.sampling.seed);
  if (!request.tools.empty()) {
    out += ",\"tools\":" + to_json(request.tools);
    if (!request.tool_choice.empty()) {
      out += ",\"tool_choice\":";
      append_json_string(out, request.tool_choice);
    }
  }
  if (!request.response_format.empty()) out += ",\"response_format\":" + to_json(request.response_format);
  out += '}';
  return out;
}

struct HttpClient::Impl : HttpClientLoop {
  std::vector<std::unique_ptr<Multi>> multis;
  std::vector<std::unique_ptr<EndpointState>> endpoints;
  std::unordered_set<Call*> calls;  // every unfinished call (owned)
  std::priority_queue<Retry, std::vector<Retry>, std::greater<>> retries;
  std::vector<Call*> finished;
  std::vector<CURL*> spare_easy;
  std::size_t in_flight = 0;
  ClientStats stats;
  std::mt19937_64 jitter{std::random_device{}()};

  Impl() {
    std::call_once(curl_initialised, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
    epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    if (epoll_fd < 0) throw std::runtime_error("cannot start the HTTP client (epoll)");
  }

  ~Impl() {
    for (Call* c : calls) {
      if (c->easy) {
        curl_multi_remove_handle(c->multi->handle, c->easy);
        curl_easy_cleanup(c->easy);
      }
      delete c;
    }
    for (CURL* e : spare_easy) curl_easy_cleanup(e);
    for (auto& e : endpoints) curl_slist_free_all(e->headers);
    for (auto& m : multis) curl_multi_cleanup(m->handle);
    close(epoll_fd);
  }

  Multi& new_multi() {
    auto m = std::make_unique<Multi>();
    m->handle = curl_multi_init();
    if (!m->handle) throw std::runtime_error("cannot start the HTTP client (curl)");
    m->index = static_cast<std::uint32_t>(multis.size());
    m->loop = this;
    curl_multi_setopt(m->handle, CURLMOPT_SOCKETFUNCTION, &Impl::on_socket);
    curl_multi_setopt(m->handle, CURLMOPT_SOCKETDATA, m.get());
    curl_multi_setopt(m->handle, CURLMOPT_TIMERFUNCTION, &Impl::on_timer);
    curl_multi_setopt(m->handle, CURLMOPT_TIMERDATA, m.get());
    // Keep every connection alive for reuse: reconnecting per request would dominate the cost.
    curl_multi_setopt(m->handle, CURLMOPT_MAXCONNECTS, static_cast<long>(4 * kTransfersPerMulti));
    multis.push_back(std::move(m));
    return *multis.back();
  }

  // The least busy pool, or a new one when all are full.
  Multi& pick_multi() {
    Multi* best = nullptr;
    for (auto& m : multis)
      if (!best || m->active < best->active) best = m.get();
    if (!best || (best->active >= kTransfersPerMulti && multis.size() < kMaxMultis)) best = &new_multi();
    return *best;
  }

  static std::uint64_t tag(const Multi& m, curl_socket_t s) {
    return (static_cast<std::uint64_t>(m.index) << 32) | static_cast<std::uint32_t>(s);
  }

  static int on_socket(CURL*, curl_socket_t s, int what, void* userp, void* socketp) {
    auto* m = static_cast<Multi*>(userp);
    const int epoll_fd = m->loop->epoll_fd;
    if (what == CURL_POLL_REMOVE) {
      epoll_ctl(epoll_fd, EPOLL_CTL_DEL, s, nullptr);
      curl_multi_assign(m->handle, s, nullptr);
      return 0;
    }
    epoll_event ev{};
    ev.data.u64 = tag(*m, s);
    if (what == CURL_POLL_IN || what == CURL_POLL_INOUT) ev.events |= EPOLLIN;
    if (what == CURL_POLL_OUT || what == CURL_POLL_INOUT) ev.events |= EPOLLOUT;
    if (socketp) {
      epoll_ctl(epoll_fd, EPOLL_CTL_MOD, s, &ev);
    } else {
      // A descriptor reused by curl may still be registered from before: MOD covers that.
      if (epoll_ctl(epoll_fd, EPOLL_CTL_ADD, s, &ev) != 0 && errno == EEXIST) epoll_ctl(epoll_fd, EPOLL_CTL_MOD, s, &ev);
      curl_multi_assign(m->handle, s, m);  // marks the socket as registered
    }
    return 0;
  }

  static int on_timer(CURLM*, long timeout_ms, void* userp) {
    auto* m = static_cast<Multi*>(userp);
    m->deadline = timeout_ms < 0 ? TimePoint::max() : Clock::now() + std::chrono::milliseconds(timeout_ms);
    return 0;
  }

  static size_t on_body(char* data, size_t size, size_t n, void* userp) {
    auto* c = static_cast<Call*>(userp);
    if (c->response.size() + size * n > c->max_body) {
      c->too_large = true;
      return 0;  // curl ends the transfer (CURLE_WRITE_ERROR)
    }
    c->response.append(data, size * n);
    return size * n;
  }

  static size_t on_header(char* data, size_t size, size_t n, void* userp) {
    std::string_view line(data, size * n);
    constexpr std::string_view kName = "retry-after:";
    if (line.size() > kName.size()) {
      std::string head(line.substr(0, kName.size()));
      std::transform(head.begin(), head.end(), head.begin(), [](unsigned char c) { return std::tolower(c); });
      if (head == kName) static_cast<Call*>(userp)->retry_after_s = parse_retry_after(std::string(line.substr(kName.size())));
    }
    return size * n;
  }

  CURL* take_easy() {
    if (spare_easy.empty()) return curl_easy_init();
    CURL* e = spare_easy.back();
    spare_easy.pop_back();
    curl_easy_reset(e);
    return e;
  }

  // The replica for the next attempt: in service (or due for its probe) with the fewest requests
  // outstanding, then the fewest sent; when every one is out, the one back soonest.
  static int pick_replica(EndpointState& ep, TimePoint now) {
    int best = -1;
    auto usable = [&](const Replica& r) { return r.stats.in_service || (!r.probing && r.out_until <= now); };
    for (int i = 0; i < static_cast<int>(ep.replicas.size()); ++i) {
      const Replica& r = ep.replicas[i];
      if (!usable(r)) continue;
      if (best < 0) { best = i; continue; }
      const Replica& b = ep.replicas[best];
      if (r.in_flight < b.in_flight || (r.in_flight == b.in_flight && r.stats.requests < b.stats.requests)) best = i;
    }
    if (best >= 0) return best;
    best = 0;
    for (int i = 1; i < static_cast<int>(ep.replicas.size()); ++i)
      if (ep.replicas[i].out_until < ep.replicas[best].out_until) best = i;
    return best;
  }

  void start(Call* c, TimePoint now) {
    EndpointState& ep = *endpoints[c->endpoint];
    c->replica = pick_replica(ep, now);
    Replica& replica = ep.replicas[c->replica];
    if (!replica.stats.in_service) replica.probing = true;
    ++replica.in_flight;
    ++replica.stats.requests;
    ep.requests.take(1, now);
    ep.tokens.take(c->token_estimate, now);
    ++ep.in_flight;
    ++in_flight;
    ++c->report.attempts;
    ++stats.attempts;
    c->response.clear();
    c->max_body = ep.config.max_body_bytes;
    c->too_large = false;
    c->retry_after_s = -1;
    c->error[0] = '\0';
    CURL* e = c->easy = take_easy();
    curl_easy_setopt(e, CURLOPT_URL, replica.stats.url.c_str());
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");  // never file://, even from a bad URL
    curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_POST, 1L);
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, c->body.data());
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(c->body.size()));
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, ep.headers);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &Impl::on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, c);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, &Impl::on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, c);
    curl_easy_setopt(e, CURLOPT_PRIVATE, c);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, c->error);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
    const long timeout_ms = std::max(1L, static_cast<long>(ep.config.timeout_s * 1000));
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, std::min(timeout_ms, 30000L));
    Multi& m = pick_multi();
    c->multi = &m;
    ++m.active;
    curl_multi_add_handle(m.handle, e);
  }

  // Starts every queued call that the endpoints' limits allow; returns the earliest time a call
  // held back by a rate limit may go (max: none waiting on a rate).
  TimePoint dispatch() {
    TimePoint wake = TimePoint::max();
    const TimePoint now = Clock::now();
    for (auto& ep : endpoints) {
      while (!ep->queue.empty()) {
        if (ep->config.max_concurrency > 0 && ep->in_flight >= ep->config.max_concurrency) break;
        Call* c = ep->queue.front();
        double wait = std::max(ep->requests.wait_for(1, now), ep->tokens.wait_for(c->token_estimate, now));
        if (wait > 0) {
          wake = std::min(wake, now + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(wait)));
          break;
        }
        ep->queue.pop_front();
        start(c, now);
      }
    }
    return wake;
  }

  void release_attempt(Call* c) {
    EndpointState& ep = *endpoints[c->endpoint];
    curl_multi_remove_handle(c->multi->handle, c->easy);
    --c->multi->active;
    c->multi = nullptr;
    spare_easy.push_back(c->easy);
    c->easy = nullptr;
    --ep.in_flight;
    --in_flight;
    --ep.replicas[c->replica].in_flight;
  }

  // A replica answered: it is in service again.
  static void replica_ok(Replica& r) {
    r.probing = false;
    if (!r.stats.in_service) {
      r.stats.in_service = true;
      r.out_for_s = kFirstOutage_s;
    }
  }

  // A replica failed an attempt: with others to turn to, it is taken out for a while. True when
  // another replica is in service now (the retry may go at once).
  static bool replica_failed(EndpointState& ep, int index, TimePoint now) {
    Replica& r = ep.replicas[index];
    ++r.stats.failures;
    if (ep.replicas.size() < 2) return false;
    if (r.stats.in_service || r.probing) {
      if (r.stats.in_service) ++r.stats.outages;
      r.stats.in_service = false;
      r.probing = false;
      r.out_until = now + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(r.out_for_s));
      r.out_for_s = std::min(kLongestOutage_s, 2 * r.out_for_s);
    }
    for (const Replica& other : ep.replicas)
      if (other.stats.in_service) return true;
    return false;
  }

  double backoff(const Call* c) {
    const Endpoint& cfg = endpoints[c->endpoint]->config;
    double base = std::min(cfg.backoff_max_s, cfg.backoff_initial_s * std::pow(2.0, c->report.attempts - 1));
    // "Equal jitter": half fixed, half random, so retries of a burst spread out but still back off.
    double delay = base * (0.5 + 0.5 * std::uniform_real_distribution<double>(0, 1)(jitter));
    if (c->retry_after_s >= 0) delay = std::max(delay, std::min(c->retry_after_s, 300.0));
    return delay;
  }

  void attempt_finished(Call* c, CURLcode code) {
    long status = 0;
    curl_easy_getinfo(c->easy, CURLINFO_RESPONSE_CODE, &status);
    release_attempt(c);
    EndpointState& ep = *endpoints[c->endpoint];

    std::optional<FailureKind> failure;
    std::string detail;
    bool retryable = true;
    if (c->too_large) {
      failure = FailureKind::BodyTooLarge;
      detail = fmt::format("the response body exceeds {} bytes", ep.config.max_body_bytes);
      retryable = false;
    } else if (code == CURLE_OK && status == 200 && c->raw) {
      replica_ok(ep.replicas[c->replica]);
      c->result.ok = true;
      c->result.message.content = std::move(c->response);
      c->report.ok = true;
      finished.push_back(c);
      return;
    } else if (code == CURLE_OK && status == 200) {
      LlmResponse r = parse_openai_response(c->response);
      if (r.ok) {
        replica_ok(ep.replicas[c->replica]);
        // The prompt was charged (estimated) on sending; the completion is charged now.
        ep.tokens.charge(static_cast<double>(r.completion_tokens));
        stats.prompt_tokens += r.prompt_tokens;
        stats.completion_tokens += r.completion_tokens;
        c->result = std::move(r);
        c->report.ok = true;
        finished.push_back(c);
        return;
      }
      failure = FailureKind::BadBody;
      detail = r.error;
    } else if (code == CURLE_OK) {
      detail = fmt::format("HTTP {}: {}", status, snippet(c->response));
      if (status == 429) failure = FailureKind::RateLimited;
      else if (status >= 500 || status == 408) failure = FailureKind::ServerError;
      else {
        failure = FailureKind::ClientError;
        retryable = false;
      }
    } else {
      detail = c->error[0] ? c->error : curl_easy_strerror(code);
      switch (code) {
        case CURLE_OPERATION_TIMEDOUT: failure = FailureKind::Timeout; break;
        case CURLE_PARTIAL_FILE: failure = FailureKind::Truncated; break;
        case CURLE_UNSUPPORTED_PROTOCOL:
        case CURLE_URL_MALFORMAT:
          failure = FailureKind::ClientError;
          retryable = false;
          break;
        default: failure = FailureKind::Connection; break;
      }
    }
    ++c->report.failures[static_cast<std::size_t>(*failure)];
    ++stats.failures[static_cast<std::size_t>(*failure)];
    // A replica is judged by failures of its own making; 429 and 4xx say nothing of its health.
    bool failover = false;
    if (*failure == FailureKind::RateLimited || *failure == FailureKind::ClientError) replica_ok(ep.replicas[c->replica]);
    else failover = replica_failed(ep, c->replica, Clock::now());
    if (retryable && c->report.attempts <= ep.config.max_retries) {
      ++stats.retries;
      double delay = failover ? 0.0 : backoff(c);
      retries.push({Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(delay)), c});
      return;
    }
    c->result = llm_failure(fmt::format("{} ({}, {} attempt{}): {}", ep.config.name, to_string(*failure),
                                        c->report.attempts, c->report.attempts == 1 ? "" : "s", detail));
    finished.push_back(c);
  }

  void read_transfers(Multi& multi) {
    int pending = 0;
    while (CURLMsg* m = curl_multi_info_read(multi.handle, &pending)) {
      if (m->msg != CURLMSG_DONE) continue;
      Call* c = nullptr;
      curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, &c);
      CURLcode code = m->data.result;
      attempt_finished(c, code);
    }
  }

  int run_finished() {
    int n = 0;
    // Callbacks may submit (which appends to queues, never to `finished`), so swap first.
    std::vector<Call*> done;
    done.swap(finished);
    for (Call* c : done) {
      calls.erase(c);
      c->report.seconds = seconds_between(c->submitted, Clock::now());
      ++stats.calls_done;
      if (!c->report.ok) ++stats.calls_failed;
      std::unique_ptr<Call> owned(c);
      owned->done(std::move(owned->result), owned->report);
      ++n;
    }
    return n;
  }

  int poll(int timeout_ms) {
    const TimePoint deadline = Clock::now() + std::chrono::milliseconds(std::max(0, timeout_ms));
    while (true) {
      TimePoint now = Clock::now();
      while (!retries.empty() && retries.top().at <= now) {
        Call* c = retries.top().call;
        retries.pop();
        endpoints[c->endpoint]->queue.push_front(c);  // a retry goes before new work
      }
      TimePoint wake = dispatch();
      if (!finished.empty()) return run_finished();

      TimePoint until = std::min(deadline, wake);
      for (const auto& m : multis) until = std::min(until, m->deadline);
      if (!retries.empty()) until = std::min(until, retries.top().at);
      now = Clock::now();
      int wait_ms = until <= now ? 0
                                 : static_cast<int>(std::ceil(
                                       std::chrono::duration<double, std::milli>(until - now).count()));
      epoll_event events[256];
      int n = epoll_wait(epoll_fd, events, 256, wait_ms);
      int running = 0;
      for (int i = 0; i < n; ++i) {
        int flags = 0;
        if (events[i].events & EPOLLIN) flags |= CURL_CSELECT_IN;
        if (events[i].events & EPOLLOUT) flags |= CURL_CSELECT_OUT;
        if (events[i].events & (EPOLLERR | EPOLLHUP)) flags |= CURL_CSELECT_ERR;
        Multi& m = *multis[events[i].data.u64 >> 32];
        curl_multi_socket_action(m.handle, static_cast<curl_socket_t>(events[i].data.u64 & 0xffffffffu), flags, &running);
      }
      now = Clock::now();
      for (auto& m : multis) {
        if (now >= m->deadline) {
          m->deadline = TimePoint::max();
          curl_multi_socket_action(m->handle, CURL_SOCKET_TIMEOUT, 0, &running);
        }
        read_transfers(*m);
      }
      if (!finished.empty()) {
        dispatch();
        return run_finished();
      }
      if (Clock::now() >= deadline) return 0;
    }
  }
};

HttpClient::HttpClient() : impl_(std::make_unique<Impl>()) {}
HttpClient::~HttpClient() = default;

int HttpClient::add_endpoint(const Endpoint& endpoint) {
  auto ep = std::make_unique<EndpointState>();
  ep->config = endpoint;
  // Services other than completions name their URL as it is; completions may have replicas.
  const std::vector<std::string> urls = endpoint.url.empty() ? endpoint.completions_urls() : std::vector<std::string>{endpoint.url};
  for (const std::string& url : urls) {
    Replica r;
    r.stats.url = url;
    ep->replicas.push_back(std::move(r));
  }
  ep->headers = curl_slist_append(ep->headers, "Content-Type: application/json");
  // curl would otherwise wait for "100 Continue" before sending a body over 1 KiB.
  ep->headers = curl_slist_append(ep->headers, "Expect:");
  if (!endpoint.api_key.empty())
    ep->headers = curl_slist_append(ep->headers, ("Authorization: Bearer " + endpoint.api_key).c_str());
  for (const auto& h : endpoint.headers) ep->headers = curl_slist_append(ep->headers, h.c_str());
  ep->requests = RateBucket(endpoint.requests_per_minute);
  ep->tokens = RateBucket(endpoint.tokens_per_minute, 10);
  impl_->endpoints.push_back(std::move(ep));
  return static_cast<int>(impl_->endpoints.size() - 1);
}

const Endpoint& HttpClient::endpoint(int id) const { return impl_->endpoints.at(id)->config; }

void HttpClient::submit(int endpoint, const LlmRequest& request, Done done) {
  EndpointState& ep = *impl_->endpoints.at(endpoint);
  auto* c = new Call;
  c->endpoint = endpoint;
  c->body = openai_request_body(request, ep.config.model);
  if (ep.config.record_tokens) {
    c->body.pop_back();  // the closing brace
    c->body += ",\"logprobs\":true,\"top_logprobs\":0,\"return_token_ids\":true}";
  }
  // Roughly four bytes a token for the prompt; the completion is charged when it arrives.
  c->token_estimate = static_cast<double>(c->body.size()) / 4.0;
  c->done = std::move(done);
  c->submitted = Clock::now();
  impl_->calls.insert(c);
  ep.queue.push_back(c);
}

void HttpClient::post(int endpoint, std::string body, RawDone done) {
  EndpointState& ep = *impl_->endpoints.at(endpoint);
  auto* c = new Call;
  c->endpoint = endpoint;
  c->raw = true;
  c->body = std::move(body);
  c->done = [done = std::move(done)](LlmResponse r, const CallReport& report) {
    done(r.ok, r.ok ? std::move(r.message.content) : std::move(r.error), report);
  };
  c->submitted = Clock::now();
  impl_->calls.insert(c);
  ep.queue.push_back(c);
}

int HttpClient::poll(int timeout_ms) { return impl_->poll(timeout_ms); }
std::size_t HttpClient::active() const { return impl_->calls.size(); }
std::size_t HttpClient::in_flight() const { return impl_->in_flight; }
int HttpClient::wake_fd() const { return impl_->epoll_fd; }
const ClientStats& HttpClient::stats() const { return impl_->stats; }

std::vector<ReplicaStats> HttpClient::replica_stats(int endpoint) const {
  std::vector<ReplicaStats> out;
  for (const Replica& r : impl_->endpoints.at(endpoint)->replicas) out.push_back(r.stats);
  return out;
}

LlmResponse HttpClient::complete(int endpoint, const LlmRequest& request, CallReport* report) {
  std::optional<LlmResponse> out;
  submit(endpoint, request, [&](LlmResponse r, const CallReport& rep) {
    out = std::move(r);
    if (report) *report = rep;
  });
  while (!out) poll(1000);
  return std::move(*out);
}

}  // namespace rapport
