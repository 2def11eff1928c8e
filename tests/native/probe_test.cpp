// Bad input at every `rapport` command and every `rapport serve` route, as a careless user or an
// attacker would send it: damaged, empty, huge and binary trajectory files, folders and devices
// for files, broken share links and environment specs, out-of-range flags; malformed HTTP requests,
// oversized headers, bodies of the wrong shape, WebSocket frames that break the protocol and
// messages that break the session protocol. Each must end with a documented exit code (2 for a
// configuration error, with a message), or an error reply, and the server must go on serving;
// never a crash, a hang or (under the asan preset) a sanitizer report.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/json.h"
#include "native/files.h"
#include "tests/native/test_support.h"

using namespace rapport;
using namespace rapport::testing;

extern char** environ;

namespace {

// Text that only a crash, an uncaught exception or a sanitizer prints.
std::string crash_sign(const std::string& output) {
  for (const char* sign : {"AddressSanitizer", "LeakSanitizer", "UndefinedBehaviorSanitizer", "runtime error:",
                           "terminate called", "Assertion", "Segmentation fault", "core dumped"})
    if (output.find(sign) != std::string::npos) return sign;
  return "";
}

// Runs the CLI under `timeout`, so that a hang is reported (as 124) rather than waited on.
CliResult run_bounded(const std::vector<std::string>& args, const std::string& folder, const std::string& input = "") {
  std::vector<std::string> all{"timeout", "-s", "KILL", "30", RAPPORT_CLI};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : all) argv.push_back(a.data());
  argv.push_back(nullptr);
  const std::string out_path = folder + "/probe-output.txt", in_path = folder + "/probe-input.txt";
  write_text_file(in_path, input);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  posix_spawn_file_actions_addopen(&actions, 0, in_path.c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_addchdir_np(&actions, folder.c_str());
  pid_t pid = -1;
  REQUIRE(posix_spawnp(&pid, "timeout", &actions, nullptr, argv.data(), environ) == 0);
  posix_spawn_file_actions_destroy(&actions);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  CliResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.output = read_file(out_path);
  return r;
}

struct Case {
  std::vector<std::string> args;
  std::set<int> codes;  // the documented exit codes this input may give
  std::string input = "";
};

void check_case(const Case& c, const std::string& folder) {
  CliResult r = run_bounded(c.args, folder, c.input);
  INFO(fmt::format("rapport {}\nexit {}\n{}", fmt::join(c.args, " "), r.exit_code, r.output.substr(0, 3000)));
  CHECK(crash_sign(r.output).empty());
  CHECK(c.codes.count(r.exit_code) == 1);
  if (r.exit_code == 2) {
    CHECK(!r.output.empty());      // says what is wrong
    CHECK(r.output.size() < 20000);  // without echoing the input
  }
}

const std::set<int> kUsage{2};
// Input that may be read in part (a record whose unused fields are damaged, an empty file) ends
// with any documented status: done, failed, a configuration error or failed infrastructure.
const std::set<int> kDocumented{0, 1, 2, 3};

}  // namespace

TEST_CASE("probe: bad files, links, specs and flags at every command end with a message and exit 2", "[probe][cli]") {
  TempDir dir;
  const std::string good = dir.file("good.jsonl");
  CliResult made = run_cli({"run", "--env", "travel", "--episodes", "2", "--out", good, "-q"});
  REQUIRE(made.exit_code == 0);
  const std::string line = read_lines(good).at(0);
  json::value record = *parse_json(line);

  // Trajectory files of every broken kind.
  std::vector<std::string> files;
  auto add = [&](const std::string& name, const std::string& text) {
    write_text_file(dir.file(name), text);
    files.push_back(dir.file(name));
  };
  add("empty.jsonl", "");
  add("blank.jsonl", "\n\n   \n");
  add("garbage.jsonl", "this is not json\n");
  add("truncated.jsonl", line.substr(0, line.size() / 2));
  add("truncated_mid.jsonl", line.substr(0, line.size() / 3) + "\n" + line + "\n");
  add("binary.jsonl", std::string("\x00\xff\xfe\x01\n\x00", 6));
  add("deep.jsonl", std::string(100000, '[') + "\n");
  const std::size_t unreadable = files.size();  // files before this one are no trajectories at all
  for (const auto& [key, bad] : std::vector<std::pair<const char*, json::value>>{
           {"turns", json::value("x")}, {"sample", json::value(1e308)}, {"seed", json::value(-1)},
           {"record_version", json::value(std::uint64_t(18446744073709551615ull))}, {"task", json::value(nullptr)}}) {
    json::value m = record;
    m.as_object()[key] = bad;
    add(fmt::format("wrong_{}.jsonl", key), to_json(m) + "\n");
  }
  json::value long_text = record;
  long_text.as_object()["env"] = std::string(1 << 20, 'x');
  add("huge_env.jsonl", to_json(long_text) + "\n");
  const std::string folder = dir.file("folder");
  std::filesystem::create_directory(folder);
  files.push_back(folder);
  files.push_back("/dev/zero");
  files.push_back("/dev/null");
  files.push_back(dir.file("missing.jsonl"));

  std::vector<Case> cases;
  for (std::size_t i = 0; i < files.size(); ++i) {
    const std::string& f = files[i];
    // Not JSON lines (an empty file is nothing to do), or not a file at all (/dev/null is empty).
    const bool not_a_file = i + 4 >= files.size() && f != "/dev/null";
    const bool broken = (i >= 2 && i < unreadable) || not_a_file;
    const std::set<int> kUsage = broken ? std::set<int>{2} : kDocumented;
    cases.push_back({{"eval", "--verify", "--json", f}, kUsage});
    cases.push_back({{"export", "sft", f, "--out", dir.file("sft.json")}, kUsage});
    cases.push_back({{"export", "rl", f, "--out", dir.file("rl.jsonl")}, kUsage});
    // A missing shard is "not ready" (1); any other bad shard a configuration error.
    cases.push_back({{"merge", f, good, "--out", dir.file("merged.jsonl")}, i + 1 == files.size() ? std::set<int>{1} : kUsage});
    cases.push_back({{"usersim", "export", f, "--out", dir.file("user.jsonl")}, kUsage});
    cases.push_back({{"usersim", "reward", "--in", f}, not_a_file ? std::set<int>{2} : kDocumented});
    cases.push_back({{"replay", f}, kUsage});
    cases.push_back({{"run", "--agent", "replay:" + f, "--out", dir.file("again.jsonl"), "--overwrite", "-q"}, kUsage});
    cases.push_back({{"index", f, "--out", dir.file("index.sqlite"), "-q"}, not_a_file ? std::set<int>{2} : kDocumented});
    cases.push_back({{"run", "--search", "index:" + f, "--env", "search", "--episodes", "1", "-q", "--out",
                      dir.file("s.jsonl"), "--overwrite"},
                     kUsage});
    cases.push_back({{"run", "--cache", f, "--cache-mode", "read", "--out", dir.file("c.jsonl"), "--overwrite", "-q"}, kDocumented});
  }
  // Files that are not trajectories but are read as such on --resume, or as data.
  for (const auto& f : files) {
    if (f.find("wrong_") != std::string::npos) continue;  // a record's types do not matter to --data
    for (const char* env : {"function", "travel", "tau"}) {
      cases.push_back({{"run", "--env", env, "--data", f, "--out", dir.file("d.jsonl"), "--overwrite", "-q"}, kUsage});
      if (std::string(env) == "function") cases.push_back({{"play", "--env", env, "--data", f}, kUsage, "[finish]\n"});
    }
  }
  for (const char* name : {"garbage.jsonl", "binary.jsonl", "deep.jsonl", "truncated_mid.jsonl", "wrong_turns.jsonl"}) {
    std::string copy = dir.file(std::string("resume_") + name);
    std::filesystem::copy_file(dir.file(name), copy, std::filesystem::copy_options::overwrite_existing);
    cases.push_back({{"run", "--resume", "--out", copy, "--episodes", "2", "-q"}, kUsage});
  }
  // usersim reward answers a bad line with an error object on its line of output.
  cases.push_back({{"usersim", "reward", "--in", "-"}, kDocumented, "not json\n{\"x\": 1}\n"});
  cases.push_back({{"usersim", "reward", "--in", "-"}, kDocumented, std::string("\x00\x01\xff\n", 4)});
  cases.push_back({{"merge", dir.file("shard-{i}.jsonl"), "--shards", "2", "--out", dir.file("m.jsonl")}, {1}});
  cases.push_back({{"merge", good, "--shards", "3", "--out", dir.file("m.jsonl")}, kUsage});
  cases.push_back({{"merge", dir.file("shard-{i}.jsonl"), "--shards", "2000000000", "--out", dir.file("m.jsonl")}, kUsage});
  cases.push_back({{"merge", dir.file("shard-{i}.jsonl"), "--shards", "-1", "--out", dir.file("m.jsonl")}, kUsage});
  // A data folder with folders in folders: only two levels are read.
  std::filesystem::create_directories(dir.file("deep/a/b/c/d"));
  write_text_file(dir.file("deep/a/b/c/d/tasks.json"), "[]");
  cases.push_back({{"run", "--env", "tau", "--data", dir.file("deep"), "-q"}, kUsage});
  cases.push_back({{"merge", good, good, "--out", dir.file("twice.jsonl")}, kDocumented});
  cases.push_back({{"merge", good, "--out", dir.file("m2.jsonl"), "--caches", files[2], "--cache-out", dir.file("c.sqlite")}, kUsage});

  // Share links, damaged in every part.
  for (const std::string& link : std::vector<std::string>{
       "e1.", "e2.", "#e2.", "e3.0000000000000000.AAAA", "e2.zz.AAAA", "e2.0000000000000000.", "e2.0000000000000000.AAAA",
        "e2.0000000000000000.!!!!", "e2.0000000000000000.A", "e1.0.a", "http://127.0.0.1:8080/#e2.", "http://x/#",
        "#", "e2..", "e2.ffffffffffffffff.q1YqSs0rySxLVbJSKkktLlGqBQA", std::string("e2.0000000000000000.") + std::string(100000, 'A'),
        std::string("e2.0000000000000000.") + std::string(100000, '_')})
    cases.push_back({{"replay", link}, kUsage});
  cases.push_back({{"replay", good}, kUsage});  // two trajectories: replay takes one

  // Environment specs and flag values.
  for (const char* spec : {"tau(domain=", "tau(domain=)", "tau(domain=nowhere)", "travel(tier=hard))", "travel((", "",
                           "function(difficulty=)", "function(max_steps=-1)", "function(max_steps=1e999)",
                           "function(max_steps=99999999999999999999)", "nope", "function(a=1,a=2)"}) {
    cases.push_back({{"run", "--env", spec, "-q"}, kUsage});
    cases.push_back({{"play", "--env", spec}, kUsage, "[finish]\n"});
    cases.push_back({{"serve", "--env", spec, "--port", "0"}, kUsage});
  }
  const std::vector<std::vector<std::string>> flags = {
      {"--shard", "5/4"},          {"--shard", "x"},           {"--shard", "0/0"},            {"--shard", "-1/4"},
      {"--shard", "1/"},           {"--turn-credit", "bogus"}, {"--turn-credit", "r2g(2)"},   {"--turn-credit", "em(-1)"},
      {"--turn-credit", "r2g("},   {"--turn-credit", "em(nan)"}, {"--trajectory-score", "x"}, {"--trajectory-score", "r2g(1e999)"},
      {"--agent", "bogus"},        {"--agent", "replay:"},     {"--user", "bogus"},           {"--agent", "llm", "--model", "m", "--base-url", "ftp://x"},
      {"--agent", "llm", "--base-url", "file:///etc/passwd#", "--model", "m"},               {"--agent", "llm", "--base-url", "http://", "--model", "m", "--episodes", "1", "--retries", "0"},
      {"--progress", "x"},         {"--split", "x"},           {"--task", "no-such-task"},    {"--cache-mode", "x"},
      {"--cache-mode", "read"},    {"--search", "bogus"},      {"--search", "index:"},        {"--concurrency", "0"},
      {"--max-turns", "100000000000"}, {"--episodes", "1e3"},  {"--samples", "0"},            {"--tpm", "-1"},
      {"--max-requests", "-1"},    {"--timeout", "inf"},       {"--temperature", "inf"},      {"--tool-choice", "x"},
      {"--out", "/dev/null", "--overwrite"},                   {"--out", "/"},                {"--out", dir.file("no/such/dir.jsonl")},
      {"--episodes", "99999999999999999999999"}};
  for (const auto& f : flags) {
    std::vector<std::string> args{"run"};
    args.insert(args.end(), f.begin(), f.end());
    args.push_back("-q");
    cases.push_back({args, kUsage});
  }
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"usersim", "eval", "--sim", "bogus"},      {"usersim", "eval", "--per-trap", "0"},
           {"usersim", "eval", "--judge", "bogus"},    {"usersim", "session", "--sessions", "0"},
           {"usersim", "session", "--turns", "1000"},  {"usersim", "probes", "--per-trap", "x"},
           {"usersim", "reward", "--judge", "bogus"},  {"usersim", "probes", "--out", "/"},
           {"usersim", "bogus"},                       {"usersim"},
           {"export"},                                 {"export", "bogus"},
           {"export", "sft", good, "--out", good + ".txt", "--format", "bogus"},
           {"export", "sft", good, "--out", dir.file("x.json"), "--min-reward", "nan"},
           {"export", "sft", good, "--out", "/dev/null"},
           {"index", "builtin", "--out", "/"},
           {"serve", "--port", "70000"},               {"serve", "--port", "-1"},
           {"serve", "--host", "not a host", "--port", "0"},
           {"serve", "--max-message", "1"},            {"serve", "--cache-mode", "x"},
           {"serve", "--cache-mode", "read", "--port", "0"},
           {"serve", "--search", "index:/dev/zero", "--port", "0"},
           {"serve", "--idle-timeout", "nan"},         {"serve", "--step-timeout", "inf"},
           {"usersim", "probes", "--seed", "-1"},      {"usersim", "eval", "--seed", "18446744073709551616"},         {"play", "--task", "no-such-task"},
           {"play", "--user", "bogus"},                {"eval"},
           {"replay"},                                 {"envs", "extra"},
           {"--no-such-flag"},                         {"run", "--episodes", "2", "extra-argument"}}) {
    cases.push_back({args, kUsage});
  }
  // Bad moves in a game are observations, not errors.
  cases.push_back({{"play", "--env", "function"}, {0}, std::string("\x00\xff garbage\n[answer] 1e999999\n[action]\n\n[finish]\n", 43)});
  cases.push_back({{"play", "--env", "tau", "--json"}, {0}, "[tool] nope {\n[tool] get_user_details 5\n" + std::string(200000, 'x') + "\n"});

  for (const auto& c : cases) check_case(c, dir.path());
}

namespace {

// `rapport serve` on a free port, its output in a file, stopped with SIGTERM.
class Server {
 public:
  explicit Server(const std::string& folder) : log_(folder + "/serve.log") {
    std::filesystem::create_directories(folder + "/site");
    write_text_file(folder + "/site/index.html", "<!doctype html><title>probe</title>");
    pid_ = fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      int fd = ::open(log_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      dup2(fd, STDOUT_FILENO);
      dup2(fd, STDERR_FILENO);
      std::string site = folder + "/site";
      execl(RAPPORT_CLI, RAPPORT_CLI, "serve", "--dir", site.c_str(), "--port", "0", "--max-message", "65536",
            static_cast<char*>(nullptr));
      _exit(127);
    }
    for (int i = 0; i < 3000 && port_ == 0; ++i) {
      std::string text = read_file(log_);
      auto at = text.find("http://127.0.0.1:");
      if (at != std::string::npos && text.find('\n', at) != std::string::npos) port_ = std::stoi(text.substr(at + 17));
      else std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    REQUIRE(port_ > 0);
  }
  // Stops the server; returns its exit status (-1 for a signal) and leaves its output in log().
  int stop() {
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  ~Server() {
    if (pid_ > 0) stop();
  }
  int port() const { return port_; }
  std::string log() const { return read_file(log_); }

 private:
  std::string log_;
  pid_t pid_ = -1;
  int port_ = 0;
};

int connect_to(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
  REQUIRE(connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
  timeval timeout{15, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  return fd;
}

void send_all(int fd, const std::string& bytes) {
  std::size_t at = 0;
  while (at < bytes.size()) {
    ssize_t n = send(fd, bytes.data() + at, bytes.size() - at, MSG_NOSIGNAL);
    if (n <= 0) return;  // the server may close on garbage before reading it all
    at += static_cast<std::size_t>(n);
  }
}

std::string receive_all(int fd) {
  std::string answer;
  char buffer[65536];
  ssize_t n;
  while ((n = recv(fd, buffer, sizeof buffer, 0)) > 0) answer.append(buffer, static_cast<std::size_t>(n));
  return answer;
}

// Sends raw bytes on a fresh connection, half-closes it and returns all the server said.
std::string talk(int port, const std::string& bytes) {
  int fd = connect_to(port);
  send_all(fd, bytes);
  shutdown(fd, SHUT_WR);
  std::string answer = receive_all(fd);
  close(fd);
  return answer;
}

int status_of(const std::string& answer) {
  if (answer.rfind("HTTP/1.", 0) != 0 || answer.size() < 12) return 0;
  return std::stoi(answer.substr(9, 3));
}

std::string post(const std::string& path, const std::string& body, const std::string& extra = "") {
  return "POST " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\n" + extra +
         "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

// A WebSocket frame as a client sends it (masked unless told otherwise).
std::string frame(int opcode, const std::string& payload, bool fin = true, bool masked = true, std::uint64_t claimed = ~0ull) {
  std::string f;
  f += static_cast<char>((fin ? 0x80 : 0) | opcode);
  std::uint64_t n = claimed == ~0ull ? payload.size() : claimed;
  const char mask_bit = masked ? static_cast<char>(0x80) : 0;
  if (n < 126) {
    f += static_cast<char>(mask_bit | static_cast<char>(n));
  } else if (n < 65536) {
    f += static_cast<char>(mask_bit | 126);
    f += static_cast<char>(n >> 8);
    f += static_cast<char>(n & 0xff);
  } else {
    f += static_cast<char>(mask_bit | 127);
    for (int i = 7; i >= 0; --i) f += static_cast<char>((n >> (8 * i)) & 0xff);
  }
  const char key[4] = {0x12, 0x34, 0x56, 0x78};
  if (masked) f.append(key, 4);
  for (std::size_t i = 0; i < payload.size(); ++i) f += masked ? static_cast<char>(payload[i] ^ key[i % 4]) : payload[i];
  return f;
}

const std::string kUpgrade =
    "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";

// A WebSocket connection that sends text messages and reads the server's (unmasked) replies.
class Socket {
 public:
  explicit Socket(int port) : fd_(connect_to(port)) {
    send_all(fd_, kUpgrade);
    std::string head;
    char c;
    while (head.find("\r\n\r\n") == std::string::npos && recv(fd_, &c, 1, 0) == 1) head += c;
    REQUIRE(status_of(head) == 101);
  }
  ~Socket() { close(fd_); }
  void send_raw(const std::string& bytes) { send_all(fd_, bytes); }
  void finish() { shutdown(fd_, SHUT_WR); }
  // The next data message's text; "" when the connection closed (or sent a close frame).
  std::string read_message() {
    for (;;) {
      unsigned char h[2];
      if (!read_exact(h, 2)) return "";
      std::uint64_t n = h[1] & 0x7f;
      if (n == 126 || n == 127) {
        unsigned char ext[8];
        int k = n == 126 ? 2 : 8;
        if (!read_exact(ext, k)) return "";
        n = 0;
        for (int i = 0; i < k; ++i) n = (n << 8) | ext[i];
      }
      std::string payload(n, '\0');
      if (n > 0 && !read_exact(reinterpret_cast<unsigned char*>(payload.data()), n)) return "";
      int opcode = h[0] & 0x0f;
      if (opcode == 8) return "";
      if (opcode == 1 || opcode == 2) return payload;
    }
  }
  std::string ask(const std::string& text) {
    send_raw(frame(1, text));
    return read_message();
  }

 private:
  bool read_exact(unsigned char* at, std::size_t n) {
    while (n > 0) {
      ssize_t got = recv(fd_, at, n, 0);
      if (got <= 0) return false;
      at += got;
      n -= static_cast<std::size_t>(got);
    }
    return true;
  }
  int fd_;
};

}  // namespace

TEST_CASE("probe: malformed HTTP, oversized requests and WebSocket garbage leave rapport serve serving", "[probe][serve]") {
  TempDir dir;
  Server server(dir.path());
  const int port = server.port();
  auto healthy = [&] { return status_of(talk(port, "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")) == 200; };
  REQUIRE(healthy());

  // Requests that are not HTTP, or break its rules: a 4xx or a closed connection, never a crash.
  const std::vector<std::string> raw = {
      "GARBAGE\r\n\r\n",
      std::string("\x00\xff\x16\x03\x01\x02\x00", 7),  // a TLS hello to a plain port
      "GET / HTTP/9.9\r\n\r\n",
      "GET /\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: x\r\nNo colon here\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(1 << 20, 'a') + "\r\n\r\n",
      "GET /" + std::string(1 << 20, 'a') + " HTTP/1.1\r\nHost: x\r\n\r\n",
      "GET / HTTP/1.1\r\n" + [] {
        std::string h;
        for (int i = 0; i < 5000; ++i) h += fmt::format("X-{}: y\r\n", i);
        return h;
      }() + "\r\n",
      "GET /%00 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
      "GET /%zz%2 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
      "GET /..%2f..%2f..%2fetc%2fpasswd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
      "GET //etc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
      "GET http://x/../../etc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
      "GET * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
      "DELETE / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
      "BREW /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
      "OPTIONS /v1/chat/completions HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
      "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
      "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999\r\n\r\n{}",
      "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000000\r\n\r\n{}",
      "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}",
      "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nZZZ\r\n{}\r\n0\r\n\r\n",
      "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\n",
      "GET /ws HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
      "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 99\r\n\r\n",
      "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: !\r\n"
      "Sec-WebSocket-Version: 13\r\n\r\n",
      "GET /elsewhere HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
  };
  for (const auto& bytes : raw) {
    std::string answer = talk(port, bytes);
    INFO(bytes.substr(0, 200) << "\n->\n" << answer.substr(0, 400));
    int status = status_of(answer);
    // 101 too: Beast upgrades whatever the key's form (the key only proves a WebSocket client).
    CHECK((status == 0 || (status >= 101 && status < 500)));
    CHECK(answer.find("root:") == std::string::npos);  // never a file from outside the folder
  }

  // The demo model and the JSON routes with bodies of every wrong shape: a 4xx with a reason.
  for (const std::string& body : std::vector<std::string>{
       "", "not json", "{", "[]", "null", "5", "{}", "{\"messages\": 5}", "{\"messages\": [5]}", "{\"messages\": [{}]}",
        "{\"messages\": [{\"role\": 5, \"content\": []}]}", "{\"messages\": [{\"role\": \"user\", \"content\": {}}]}",
        "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"tools\": \"x\"}",
        "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"tools\": [5, {}]}",
        "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"max_tokens\": -1e308, \"n\": 1e308}",
        "{\"messages\": [{\"role\": \"tool\", \"content\": null, \"tool_calls\": [{\"function\": 5}]}], \"tools\": [{}]}",
        std::string(100000, '[')}) {
    std::string answer = talk(port, post("/v1/chat/completions", body));
    INFO(body.substr(0, 200) << "\n->\n" << answer.substr(0, 400));
    int status = status_of(answer);
    CHECK((status == 200 || (status >= 400 && status < 500)));
  }
  CHECK(status_of(talk(port, post("/v1/chat/completions", std::string(200000, ' ')))) == 413);
  for (const char* path : {"/health", "/schema", "/metadata", "/environments", "/v1/models"})
    CHECK(status_of(talk(port, post(path, "{\"x\": [1, 2")))  < 500);

  // WebSocket frames that break the protocol: the connection closes, the server goes on.
  const std::vector<std::string> frames = {
      frame(1, "{\"type\":\"state\"}", true, false),       // unmasked client frame
      frame(3, "reserved opcode"),                          // reserved data opcode
      frame(0xb, "reserved control opcode"),
      frame(9, std::string(200, 'p')),                      // a control frame longer than 125 bytes
      frame(9, "fragmented ping", false),                   // a fragmented control frame
      frame(0, "continuation with no start"),
      frame(1, "", true, true, std::uint64_t(1) << 62),    // a length far beyond --max-message
      frame(1, std::string(70000, 'x')),                    // just beyond --max-message
      frame(1, "\xff\xfe invalid UTF-8 text"),
      frame(8, "\x03"),                                    // a close frame with a one-byte reason
      frame(1, "{\"type\":\"re", false) + frame(1, "set\"}"),  // a new message inside a fragmented one
      std::string("\x81"),                                  // a frame cut off after one byte
  };
  for (const auto& bytes : frames) {
    Socket s(port);
    s.send_raw(bytes);
    s.finish();
    s.read_message();  // a close or an error; either way the server lives
    CHECK(healthy());
  }

  // Messages that break the session protocol: an error reply, and the session goes on.
  {
    Socket s(port);
    for (const std::string& text : std::vector<std::string>{
         "not json", "", "[]", "5", "null", "{}", "{\"type\":5}", "{\"type\":\"bogus\"}", "{\"type\":\"step\"}",
          "{\"type\":\"state\",\"data\":5}", "{\"type\":\"reset\",\"data\":5}", "{\"type\":\"reset\",\"data\":{\"env\":\"tau(domain=\"}}",
          "{\"type\":\"reset\",\"data\":{\"env\":5}}", "{\"type\":\"reset\",\"data\":{\"seed\":-1,\"task_index\":1e300}}",
          "{\"type\":\"reset\",\"data\":{\"task_index\":18446744073709551615,\"max_turns\":-5}}",
          "{\"type\":\"reset\",\"data\":{\"oracle\":\"bogus\"}}", "{\"type\":\"reset\",\"data\":{\"task_id\":[]}}",
          "{\"type\":\"reset\",\"data\":{\"sample\":1e308,\"episode_id\":{}}}", "{\"type\":\"reset\",\"data\":{\"max_turns\":1e9}}"}) {
      std::string reply = s.ask(text);
      INFO(text << " -> " << reply.substr(0, 300));
      auto v = parse_json(reply);
      CHECK((v && v->is_object() && v->as_object().contains("type")));
    }
    std::string reset = s.ask("{\"type\":\"reset\",\"data\":{\"env\":\"tau\",\"seed\":0,\"task_index\":0}}");
    REQUIRE(reset.find("\"observation\"") != std::string::npos);
    for (const std::string& text : std::vector<std::string>{
         "{\"type\":\"step\",\"data\":5}", "{\"type\":\"step\",\"data\":{}}", "{\"type\":\"step\",\"data\":{\"tool\":5}}",
          "{\"type\":\"step\",\"data\":{\"tool\":\"nope\",\"arguments\":\"x\"}}",
          "{\"type\":\"step\",\"data\":{\"tool\":\"get_user_details\",\"arguments\":{\"user_id\":[1e308]}}}",
          "{\"type\":\"step\",\"data\":{\"choice\":5,\"content\":{}}}", "{\"type\":\"step\",\"data\":{\"action\":[]}}",
          "{\"type\":\"step\",\"data\":{\"choice\":\"action\",\"content\":\"" + std::string(50000, 'x') + "\"}}",
          "{\"type\":\"step\",\"data\":{\"action\":\"[answer] x\",\"reasoning\":5}}"}) {
      std::string reply = s.ask(text);
      INFO(text.substr(0, 200) << " -> " << reply.substr(0, 300));
      CHECK(!reply.empty());  // an error or an observation (a bad move is the agent's mistake)
    }
    CHECK(s.ask("{\"type\":\"state\"}").find("\"episode_id\"") != std::string::npos);
  }
  CHECK(healthy());
  int code = server.stop();
  std::string log = server.log();
  INFO(log.substr(0, 4000));
  CHECK(crash_sign(log).empty());
  CHECK(code == 0);
}
