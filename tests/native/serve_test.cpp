// `rapport serve`: static files over HTTP on the loopback address, with the right types, gzip
// when asked, nothing outside the served folder, no client able to hold up the others, and the
// CORS-enabled demo model. (Its OpenEnv sessions are tested from Python: python/tests.)
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include <sys/time.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

#include "core/llm.h"
#include "native/files.h"
#include "tests/native/test_support.h"

namespace fs = std::filesystem;

namespace {

// Runs `rapport serve` on a free port and stops it when done.
class ServeProcess {
 public:
  explicit ServeProcess(const std::string& dir) {
    int out[2];
    REQUIRE(pipe(out) == 0);
    pid_ = fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      dup2(out[1], STDOUT_FILENO);
      close(out[0]);
      execl(RAPPORT_CLI, RAPPORT_CLI, "serve", "--dir", dir.c_str(), "--port", "0", static_cast<char*>(nullptr));
      _exit(127);
    }
    close(out[1]);
    std::string line;
    char c;
    while (read(out[0], &c, 1) == 1 && c != '\n') line += c;
    close(out[0]);
    first_line_ = line;
    auto at = line.find("http://127.0.0.1:");
    REQUIRE(at != std::string::npos);
    port_ = std::stoi(line.substr(at + 17));
  }
  ~ServeProcess() {
    kill(pid_, SIGTERM);
    waitpid(pid_, nullptr, 0);
  }
  int port() const { return port_; }
  const std::string& first_line() const { return first_line_; }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
  std::string first_line_;
};

struct HttpAnswer {
  int status = 0;
  std::string headers;
  std::string body;
};

int connect_to(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
  REQUIRE(connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
  return fd;
}

// One request on its own connection (closed after it). With `wait_s`, an answer that has not
// come within that time counts as none (status 0).
HttpAnswer request(int port, const std::string& method, const std::string& path, const std::string& extra = "",
                   const std::string& body = "", double wait_s = 0) {
  int fd = connect_to(port);
  if (wait_s > 0) {
    timeval timeout{static_cast<time_t>(wait_s), static_cast<suseconds_t>((wait_s - static_cast<long>(wait_s)) * 1e6)};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  }
  std::string text = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" + extra;
  if (!body.empty()) text += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  text += "\r\n" + body;
  REQUIRE(send(fd, text.data(), text.size(), 0) == static_cast<ssize_t>(text.size()));
  std::string answer;
  char buffer[65536];
  ssize_t n;
  while ((n = recv(fd, buffer, sizeof buffer, 0)) > 0) answer.append(buffer, static_cast<std::size_t>(n));
  close(fd);
  HttpAnswer out;
  auto end = answer.find("\r\n\r\n");
  if (end == std::string::npos && wait_s > 0) return out;
  REQUIRE(end != std::string::npos);
  out.status = std::stoi(answer.substr(9, 3));
  out.headers = answer.substr(0, end);
  out.body = answer.substr(end + 4);
  return out;
}

std::string gunzip(const std::string& bytes) {
  z_stream z{};
  inflateInit2(&z, 15 + 16);
  std::string out(1 << 20, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  z.avail_in = static_cast<uInt>(bytes.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  inflate(&z, Z_FINISH);
  out.resize(z.total_out);
  inflateEnd(&z);
  return out;
}

}  // namespace

TEST_CASE("serve: static files with types, gzip and no escape from the folder", "[serve]") {
  // A folder of its own: other test runs on this machine use /tmp too.
  rapport::testing::TempDir scratch;
  fs::path root = scratch.path();
  fs::create_directories(root / "site");
  rapport::write_text_file((root / "site" / "index.html").string(), "<!doctype html><title>t</title>");
  std::string script(20000, 'x');
  rapport::write_text_file((root / "site" / "app.js").string(), script);
  rapport::write_text_file((root / "site" / "app.wasm").string(), std::string("\0asm\1\0\0\0", 8));
  std::string font(4000, '\0');  // fonts (TrueType, OpenType) are sent compressed too
  rapport::write_text_file((root / "site" / "font.ttf").string(), font);
  rapport::write_text_file((root / "secret.txt").string(), "secret");

  ServeProcess server((root / "site").string());
  CHECK(server.first_line().find("Serving") != std::string::npos);

  HttpAnswer index = request(server.port(), "GET", "/");
  CHECK(index.status == 200);
  CHECK(index.body == "<!doctype html><title>t</title>");
  CHECK(index.headers.find("Content-Type: text/html") != std::string::npos);

  HttpAnswer wasm = request(server.port(), "GET", "/app.wasm?v=1");
  CHECK(wasm.status == 200);
  CHECK(wasm.headers.find("Content-Type: application/wasm") != std::string::npos);
  CHECK(wasm.body.size() == 8);

  HttpAnswer zipped = request(server.port(), "GET", "/app.js", "Accept-Encoding: gzip, deflate\r\n");
  CHECK(zipped.headers.find("Content-Encoding: gzip") != std::string::npos);
  CHECK(zipped.body.size() < 1000);
  CHECK(gunzip(zipped.body) == script);
  HttpAnswer font_zipped = request(server.port(), "GET", "/font.ttf", "Accept-Encoding: gzip\r\n");
  CHECK(font_zipped.headers.find("Content-Type: font/ttf") != std::string::npos);
  CHECK(font_zipped.headers.find("Content-Encoding: gzip") != std::string::npos);
  CHECK(gunzip(font_zipped.body) == font);
  HttpAnswer plain = request(server.port(), "GET", "/app.js");
  CHECK(plain.headers.find("Content-Encoding") == std::string::npos);
  CHECK(plain.body == script);
  // Compressed once and kept; a file rebuilt in place is served as it is now.
  CHECK(request(server.port(), "GET", "/app.js", "Accept-Encoding: gzip\r\n").body == zipped.body);
  std::string rebuilt(20000, 'y');
  rapport::write_text_file((root / "site" / "app.js").string(), rebuilt);
  CHECK(gunzip(request(server.port(), "GET", "/app.js", "Accept-Encoding: gzip\r\n").body) == rebuilt);

  HttpAnswer head = request(server.port(), "HEAD", "/index.html");
  CHECK(head.status == 200);
  CHECK(head.body.empty());

  CHECK(request(server.port(), "GET", "/missing.js").status == 404);
  CHECK(request(server.port(), "GET", "/../secret.txt").status == 404);
  CHECK(request(server.port(), "GET", "/%2e%2e/secret.txt").status == 404);
  CHECK(request(server.port(), "POST", "/index.html").status == 405);
  fs::remove_all(root);
}

TEST_CASE("serve: no request path reads outside the folder", "[serve]") {
  // A folder of its own: other test runs on this machine use /tmp too.
  rapport::testing::TempDir scratch;
  fs::path root = scratch.path();
  fs::create_directories(root / "site" / "sub");
  rapport::write_text_file((root / "site" / "index.html").string(), "home");
  rapport::write_text_file((root / "site" / "sub" / "inner.txt").string(), "inner");
  std::string font(4000, '\0');  // fonts (TrueType, OpenType) are sent compressed too
  rapport::write_text_file((root / "site" / "font.ttf").string(), font);
  rapport::write_text_file((root / "secret.txt").string(), "secret");
  fs::create_symlink(root / "secret.txt", root / "site" / "leak.txt");       // leads out
  fs::create_symlink("/etc", root / "site" / "etc");                         // leads out
  fs::create_symlink(root / "site" / "sub" / "inner.txt", root / "site" / "alias.txt");  // stays inside

  ServeProcess server((root / "site").string());
  for (const char* path : {"//etc/passwd", "///etc/passwd", "/%2Fetc/passwd", "/%2Fetc%2Fpasswd",
                           "/%2Fproc/self/environ", "/%2f%2fproc%2fself%2fenviron", "/..%2fsecret.txt",
                           "/sub/../../secret.txt", "/sub/%2e%2e/%2e%2e/secret.txt", "/leak.txt", "/etc/passwd",
                           "/etc/hostname", "/%00index.html", "/index.html%00.txt", "/%zz", "/sub\\..\\..\\secret.txt"}) {
    INFO(path);
    HttpAnswer a = request(server.port(), "GET", path);
    CHECK(a.status == 404);
    CHECK(a.body.find("secret") == std::string::npos);
    CHECK(a.body.find("root:") == std::string::npos);
  }
  HttpAnswer inner = request(server.port(), "GET", "/sub//inner.txt");
  CHECK(inner.status == 200);
  CHECK(inner.body == "inner");
  HttpAnswer alias = request(server.port(), "GET", "/./alias.txt");
  CHECK(alias.status == 200);
  CHECK(alias.body == "inner");
  fs::remove_all(root);
}

TEST_CASE("serve: a slow or idle client holds up nobody else", "[serve]") {
  // A folder of its own: other test runs on this machine use /tmp too.
  rapport::testing::TempDir scratch;
  fs::path root = scratch.path();
  fs::create_directories(root);
  rapport::write_text_file((root / "index.html").string(), "home");
  ServeProcess server(root.string());

  // An idle connection (a browser's spare keep-alive socket) and one that sends its request a
  // byte at a time, both opened first.
  int idle = connect_to(server.port());
  int slow = connect_to(server.port());
  std::atomic<bool> stop{false};
  std::thread trickle([&] {
    const std::string text = "GET /index.html HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ";
    for (std::size_t i = 0; !stop; ++i) {
      char c = i < text.size() ? text[i] : 'x';
      if (send(slow, &c, 1, MSG_NOSIGNAL) != 1) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  });
  // Everyone else is answered meanwhile, well before any of those could time out.
  for (int i = 0; i < 5; ++i) {
    HttpAnswer a = request(server.port(), "GET", "/index.html", "", "", 2.5);
    CHECK(a.status == 200);
    CHECK(a.body == "home");
  }
  stop = true;
  trickle.join();
  close(slow);
  close(idle);
  fs::remove_all(root);
}

TEST_CASE("serve: the demo model answers OpenAI requests with CORS", "[serve]") {
  // A folder of its own: other test runs on this machine use /tmp too.
  rapport::testing::TempDir scratch;
  fs::path root = scratch.path();
  fs::create_directories(root);
  ServeProcess server(root.string());

  HttpAnswer preflight = request(server.port(), "OPTIONS", "/v1/chat/completions",
                                 "Origin: http://example.org\r\nAccess-Control-Request-Method: POST\r\n");
  CHECK(preflight.status == 204);
  CHECK(preflight.headers.find("Access-Control-Allow-Origin: *") != std::string::npos);
  CHECK(preflight.headers.find("Authorization") != std::string::npos);

  const std::string agent = R"({"model":"x","messages":[{"role":"system","content":"s"},{"role":"user","content":"u"}],)"
                            R"("tools":[{"type":"function","function":{"name":"interact_with_env"}}]})";
  HttpAnswer first = request(server.port(), "POST", "/v1/chat/completions", "Content-Type: application/json\r\n", agent);
  CHECK(first.status == 200);
  CHECK(first.headers.find("Access-Control-Allow-Origin: *") != std::string::npos);
  auto completion = rapport::parse_openai_response(first.body);
  REQUIRE(completion.ok);
  REQUIRE(completion.message.tool_calls.size() == 1);
  CHECK(completion.message.tool_calls[0].name == "interact_with_env");
  CHECK(completion.message.tool_calls[0].arguments.find("\"choice\":\"action\"") != std::string::npos);
  // The same request gives the same bytes.
  CHECK(request(server.port(), "POST", "/v1/chat/completions", "", agent).body == first.body);

  const std::string user = R"({"model":"x","messages":[{"role":"user","content":"hello"}]})";
  auto reply = rapport::parse_openai_response(request(server.port(), "POST", "/v1/chat/completions", "", user).body);
  REQUIRE(reply.ok);
  CHECK(reply.message.content.find("demo model") != std::string::npos);
  CHECK(request(server.port(), "POST", "/v1/chat/completions", "", "not json").status == 400);
  CHECK(request(server.port(), "GET", "/health").body.find("healthy") != std::string::npos);
  fs::remove_all(root);
}
