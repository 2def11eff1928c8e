// `rapport serve`: static files over HTTP on the loopback address, with the right types, gzip
// when asked, and nothing outside the served folder.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include <filesystem>
#include <string>

#include "native/files.h"

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

HttpAnswer request(int port, const std::string& method, const std::string& path, const std::string& extra = "") {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
  REQUIRE(connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
  std::string text = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extra + "\r\n";
  REQUIRE(send(fd, text.data(), text.size(), 0) == static_cast<ssize_t>(text.size()));
  std::string answer;
  char buffer[65536];
  ssize_t n;
  while ((n = recv(fd, buffer, sizeof buffer, 0)) > 0) answer.append(buffer, static_cast<std::size_t>(n));
  close(fd);
  HttpAnswer out;
  auto end = answer.find("\r\n\r\n");
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
  fs::path root = fs::temp_directory_path() / "rapport_serve_test";
  fs::remove_all(root);
  fs::create_directories(root / "site");
  rapport::write_text_file((root / "site" / "index.html").string(), "<!doctype html><title>t</title>");
  std::string script(20000, 'x');
  rapport::write_text_file((root / "site" / "app.js").string(), script);
  rapport::write_text_file((root / "site" / "app.wasm").string(), std::string("\0asm\1\0\0\0", 8));
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
  HttpAnswer plain = request(server.port(), "GET", "/app.js");
  CHECK(plain.headers.find("Content-Encoding") == std::string::npos);
  CHECK(plain.body == script);

  HttpAnswer head = request(server.port(), "HEAD", "/index.html");
  CHECK(head.status == 200);
  CHECK(head.body.empty());

  CHECK(request(server.port(), "GET", "/missing.js").status == 404);
  CHECK(request(server.port(), "GET", "/../secret.txt").status == 404);
  CHECK(request(server.port(), "GET", "/%2e%2e/secret.txt").status == 404);
  CHECK(request(server.port(), "POST", "/index.html").status == 405);
  fs::remove_all(root);
}
