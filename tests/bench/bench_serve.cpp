// `rapport serve` under load: N concurrent OpenEnv sessions (TurtleGym, LLM user through the fake
// model server at a fixed latency), each playing question steps over its own WebSocket. Every step
// needs one model call, so the ideal is N ÷ latency steps per second. Prints achieved steps/s
// against that ideal, the server's memory per session (its RSS with every session open, less its
// RSS before), and the step latency overhead over the model's latency (p50, p99).
//
//   bench_serve                          4096 sessions, 200 ms, 5 steps each
//   bench_serve --sessions 1024 --latency 200 --steps 5
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

struct Child {
  pid_t pid = -1;
  std::string url;
};

// Starts a program that prints its URL first; returns its pid and the URL.
Child start(std::vector<std::string> args) {
  int out[2];
  if (pipe(out) != 0) std::exit(1);
  Child c;
  c.pid = fork();
  if (c.pid == 0) {
    dup2(out[1], STDOUT_FILENO);
    close(out[0]);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(out[1]);
  std::string line;
  char ch;
  while (read(out[0], &ch, 1) == 1 && ch != '\n') line += ch;
  close(out[0]);
  auto at = line.find("http://127.0.0.1:");
  if (at == std::string::npos) {
    std::fprintf(stderr, "%s did not start: %s\n", args[0].c_str(), line.c_str());
    std::exit(1);
  }
  c.url = line.substr(at, line.find_first_of(" /", at + 17) - at);
  return c;
}

double rss_mib(pid_t pid) {
  std::ifstream statm(fmt::format("/proc/{}/statm", pid));
  long pages = 0, resident = 0;
  statm >> pages >> resident;
  return resident * static_cast<double>(sysconf(_SC_PAGESIZE)) / (1024.0 * 1024.0);
}

// CPU seconds a process has used so far.
double cpu_s(pid_t pid) {
  std::ifstream stat(fmt::format("/proc/{}/stat", pid));
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  std::size_t at = text.rfind(')');
  if (at == std::string::npos) return 0;
  std::istringstream fields(text.substr(at + 2));
  std::string skip;
  for (int i = 0; i < 11; ++i) fields >> skip;  // state .. cmajflt
  double utime = 0, stime = 0;
  fields >> utime >> stime;
  return (utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

struct Stats {
  std::vector<double> step_s;
  int sessions_ready = 0;
  int sessions_done = 0;
  int errors = 0;
};

// One client session: connect, reset, then `steps` question steps, timing each.
class Client : public std::enable_shared_from_this<Client> {
 public:
  Client(asio::io_context& ioc, tcp::endpoint endpoint, int steps, Stats& stats, std::function<void()> on_ready)
      : ws_(ioc), endpoint_(endpoint), steps_(steps), stats_(stats), on_ready_(std::move(on_ready)) {}

  void start() {
    ws_.next_layer().async_connect(endpoint_, [self = shared_from_this()](beast::error_code ec) {
      if (ec) return self->fail();
      self->ws_.async_handshake("127.0.0.1", "/ws", [self](beast::error_code ec) {
        if (ec) return self->fail();
        self->send(R"({"type":"reset","data":{"env":"turtle","oracle":"llm","max_turns":100}})");
      });
    });
  }
  // All sessions are open: play.
  void go() { step(); }

 private:
  void send(std::string text) {
    out_ = std::move(text);
    ws_.text(true);
    ws_.async_write(asio::buffer(out_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return self->fail();
      self->ws_.async_read(self->in_, [self](beast::error_code ec, std::size_t) { self->on_reply(ec); });
    });
  }
  void on_reply(beast::error_code ec) {
    if (ec) return fail();
    std::string reply = beast::buffers_to_string(in_.data());
    in_.consume(in_.size());
    if (reply.find("\"type\":\"observation\"") == std::string::npos) return fail();
    if (!reset_) {
      reset_ = true;
      ++stats_.sessions_ready;
      on_ready_();
      return;
    }
    stats_.step_s.push_back(std::chrono::duration<double>(Clock::now() - sent_).count());
    if (++done_ == steps_) {
      ++stats_.sessions_done;
      return;
    }
    step();
  }
  void step() {
    sent_ = Clock::now();
    send(R"({"type":"step","data":{"choice":"action","content":"Did someone die?"}})");
  }
  void fail() {
    ++stats_.errors;
    ++stats_.sessions_done;
  }

  websocket::stream<tcp::socket> ws_;
  tcp::endpoint endpoint_;
  int steps_;
  Stats& stats_;
  std::function<void()> on_ready_;
  beast::flat_buffer in_;
  std::string out_;
  bool reset_ = false;
  int done_ = 0;
  Clock::time_point sent_;
};

}  // namespace

int main(int argc, char** argv) {
  int sessions = 4096, latency_ms = 200, steps = 5;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--sessions")) sessions = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--latency")) latency_ms = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--steps")) steps = std::atoi(argv[i + 1]);
  }
  rlimit files{};
  getrlimit(RLIMIT_NOFILE, &files);
  files.rlim_cur = files.rlim_max;  // the children inherit it
  setrlimit(RLIMIT_NOFILE, &files);
  if (files.rlim_cur < static_cast<rlim_t>(3 * sessions + 256))
    std::fprintf(stderr, "warning: %ld open files allowed; %d sessions need about %d\n", static_cast<long>(files.rlim_cur),
                 sessions, 3 * sessions + 256);

  Child fake = start({RAPPORT_FAKE_SERVER, "--latency", fmt::format("{}", latency_ms / 1000.0)});
  Child server = start({RAPPORT_CLI, "serve", "--port", "0", "--dir", "/nonexistent", "--max-sessions",
                        std::to_string(sessions + 16), "--user-model", "fake", "--user-base-url", fake.url + "/v1",
                        "--user-api-key", "none"});
  int port = std::stoi(server.url.substr(17));
  usleep(200 * 1000);
  double rss_before = rss_mib(server.pid);

  asio::io_context ioc{1};
  Stats stats;
  std::vector<std::shared_ptr<Client>> clients;
  tcp::endpoint endpoint{asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)};
  Clock::time_point t0;
  double rss_open = 0, server_cpu0 = 0, fake_cpu0 = 0;
  auto all_ready = [&] {
    if (stats.sessions_ready + stats.errors < sessions) return;
    rss_open = rss_mib(server.pid);
    server_cpu0 = cpu_s(server.pid);
    fake_cpu0 = cpu_s(fake.pid);
    t0 = Clock::now();
    for (auto& c : clients) c->go();
  };
  for (int i = 0; i < sessions; ++i) {
    clients.push_back(std::make_shared<Client>(ioc, endpoint, steps, stats, all_ready));
    clients.back()->start();
  }
  ioc.run();
  double elapsed = std::chrono::duration<double>(Clock::now() - t0).count();
  double server_cpu = cpu_s(server.pid), fake_cpu = cpu_s(fake.pid);

  kill(server.pid, SIGTERM);
  kill(fake.pid, SIGTERM);
  waitpid(server.pid, nullptr, 0);
  waitpid(fake.pid, nullptr, 0);

  std::sort(stats.step_s.begin(), stats.step_s.end());
  auto quantile = [&](double q) {
    if (stats.step_s.empty()) return 0.0;
    return stats.step_s[std::min(stats.step_s.size() - 1, static_cast<std::size_t>(q * stats.step_s.size()))];
  };
  double achieved = stats.step_s.size() / elapsed;
  double ideal = sessions / (latency_ms / 1000.0);
  std::printf("rapport serve: %d sessions (turtle, LLM user), model latency %d ms, %d steps each\n", sessions,
              latency_ms, steps);
  std::printf("  steps: %zu in %.2f s, errors %d\n", stats.step_s.size(), elapsed, stats.errors);
  std::printf("  steps/s: %.0f of ideal %.0f (%.1f%%)\n", achieved, ideal, 100.0 * achieved / ideal);
  std::printf("  server memory: %.1f MiB before, %.1f MiB with every session open: %.1f KiB per session\n", rss_before,
              rss_open, (rss_open - rss_before) * 1024.0 / sessions);
  std::printf("  step latency over the model's: p50 %.1f ms, p99 %.1f ms (max %.1f ms)\n",
              (quantile(0.5) - latency_ms / 1000.0) * 1000, (quantile(0.99) - latency_ms / 1000.0) * 1000,
              (quantile(1.0) - latency_ms / 1000.0) * 1000);
  std::printf("  CPU while stepping: server %.2f s (%.0f us per step), fake model server %.2f s, over %.2f s wall\n",
              server_cpu - server_cpu0, 1e6 * (server_cpu - server_cpu0) / std::max<std::size_t>(1, stats.step_s.size()),
              fake_cpu - fake_cpu0, elapsed);
  return stats.errors == 0 ? 0 : 1;
}
