// `rapport serve`: serves the built playground (or any folder of static files) over HTTP on this
// machine, so the WebAssembly app can be opened in a browser. GET and HEAD only, one request per
// connection, gzip for text and wasm when the browser accepts it. Meant for local use and tests;
// the same files work on any static web host.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <zlib.h>

#include <fmt/format.h>

#include <csignal>
#include <filesystem>
#include <iostream>
#include <cstring>
#include <map>
#include <optional>

#include "core/params.h"
#include "native/cli/command.h"
#include "native/files.h"

#ifndef RAPPORT_WEB_DIR
#define RAPPORT_WEB_DIR "build/wasm/web"
#endif

namespace rapport::cli {
namespace {

namespace fs = std::filesystem;

struct ServeOptions {
  std::string dir = RAPPORT_WEB_DIR;
  std::string host = "127.0.0.1";
  int port = 8080;
};

struct Response {
  int status = 200;
  std::string type = "text/plain; charset=utf-8";
  std::string body;
  bool gzip = false;
};

const char* reason(int status) {
  switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    default: return "Error";
  }
}

std::string content_type(const fs::path& path) {
  static const std::map<std::string, std::string> types = {
      {".html", "text/html; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"}, {".wasm", "application/wasm"},
      {".json", "application/json"}, {".css", "text/css; charset=utf-8"},
      {".png", "image/png"}, {".svg", "image/svg+xml"},
      {".txt", "text/plain; charset=utf-8"}, {".ico", "image/x-icon"},
      {".data", "application/octet-stream"}};
  auto it = types.find(path.extension().string());
  return it == types.end() ? "application/octet-stream" : it->second;
}

bool compressible(const std::string& type) {
  return type.rfind("text/", 0) == 0 || type == "application/wasm" || type == "application/json" ||
         type == "image/svg+xml" || type == "application/octet-stream";
}

std::string gzip(const std::string& bytes) {
  z_stream z{};
  deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);  // +16: gzip wrapper
  std::string out(deflateBound(&z, bytes.size()) + 32, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  z.avail_in = static_cast<uInt>(bytes.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The file a request path names inside root, or nullopt when it would leave root.
std::optional<fs::path> resolve(const fs::path& root, std::string target) {
  target = target.substr(0, target.find_first_of("?#"));
  std::string path;
  for (std::size_t i = 0; i < target.size(); ++i) {
    if (target[i] == '%' && i + 2 < target.size() && hex_value(target[i + 1]) >= 0 && hex_value(target[i + 2]) >= 0) {
      path += static_cast<char>(hex_value(target[i + 1]) * 16 + hex_value(target[i + 2]));
      i += 2;
    } else {
      path += target[i];
    }
  }
  if (path.empty() || path[0] != '/' || path.find('\0') != std::string::npos) return std::nullopt;
  fs::path relative = fs::path(path.substr(1)).lexically_normal();
  for (const auto& part : relative)
    if (part == "..") return std::nullopt;
  fs::path full = root / relative;
  std::error_code ec;
  if (fs::is_directory(full, ec)) full /= "index.html";
  return full;
}

class Server {
 public:
  explicit Server(ServeOptions options) : options_(std::move(options)), root_(fs::absolute(options_.dir)) {}

  void run() {
    std::error_code ec;
    if (!fs::is_directory(root_, ec))
      throw ConfigError(fmt::format("'{}' is not a folder. Build the playground first (cmake --preset wasm && cmake "
                                    "--build --preset wasm), or give --dir",
                                    root_.string()));
    if (!fs::exists(root_ / "index.html", ec))
      std::cerr << fmt::format("warning: {} has no index.html\n", root_.string());
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) throw ConfigError("cannot open a socket");
    int yes = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(options_.port));
    if (inet_pton(AF_INET, options_.host.c_str(), &address.sin_addr) != 1)
      throw ConfigError(fmt::format("--host '{}' is not an IPv4 address", options_.host));
    if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 || listen(fd, 64) != 0)
      throw ConfigError(fmt::format("cannot listen on {}:{}: {}", options_.host, options_.port, std::strerror(errno)));
    socklen_t length = sizeof address;
    getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
    std::cout << fmt::format("Serving {} at http://{}:{}/ (Ctrl-C to stop)", root_.string(), options_.host,
                             ntohs(address.sin_port))
              << std::endl;
    std::signal(SIGPIPE, SIG_IGN);
    while (true) {
      int client = accept(fd, nullptr, nullptr);
      if (client < 0) continue;
      timeval timeout{5, 0};
      setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
      serve(client);
      close(client);
    }
  }

 private:
  void serve(int client) {
    std::string request;
    char buffer[4096];
    while (request.find("\r\n\r\n") == std::string::npos && request.size() < 16384) {
      ssize_t n = recv(client, buffer, sizeof buffer, 0);
      if (n <= 0) return;
      request.append(buffer, static_cast<std::size_t>(n));
    }
    std::string line = request.substr(0, request.find("\r\n"));
    std::size_t a = line.find(' '), b = line.rfind(' ');
    Response response;
    bool head = false;
    if (a == std::string::npos || b <= a) {
      response = {400, "text/plain; charset=utf-8", "bad request\n"};
    } else {
      std::string method = line.substr(0, a);
      head = method == "HEAD";
      if (method != "GET" && !head) response = {405, "text/plain; charset=utf-8", "only GET and HEAD\n"};
      else response = file(line.substr(a + 1, b - a - 1), accepts_gzip(request));
    }
    std::string header = fmt::format(
        "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nCache-Control: no-cache\r\n"
        "X-Content-Type-Options: nosniff\r\n{}Connection: close\r\n\r\n",
        response.status, reason(response.status), response.type, response.body.size(),
        response.gzip ? "Content-Encoding: gzip\r\nVary: Accept-Encoding\r\n" : "");
    send_all(client, header);
    if (!head) send_all(client, response.body);
  }

  static bool accepts_gzip(const std::string& request) {
    std::string lower = request;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    auto at = lower.find("\r\naccept-encoding:");
    if (at == std::string::npos) return false;
    return lower.substr(at, lower.find("\r\n", at + 2) - at).find("gzip") != std::string::npos;
  }

  Response file(const std::string& target, bool gzip_ok) {
    auto path = resolve(root_, target);
    std::error_code ec;
    if (!path || !fs::is_regular_file(*path, ec)) return {404, "text/plain; charset=utf-8", "not found\n"};
    Response r;
    r.type = content_type(*path);
    try {
      r.body = read_text_file(path->string());
    } catch (const ConfigError&) {
      return {404, "text/plain; charset=utf-8", "not found\n"};
    }
    if (gzip_ok && compressible(r.type) && r.body.size() > 512) {
      r.body = gzip(r.body);
      r.gzip = true;
    }
    return r;
  }

  static void send_all(int client, const std::string& bytes) {
    std::size_t sent = 0;
    while (sent < bytes.size()) {
      ssize_t n = send(client, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return;
      sent += static_cast<std::size_t>(n);
    }
  }

  ServeOptions options_;
  fs::path root_;
};

void install(CLI::App& app) {
  auto options = std::make_shared<ServeOptions>();
  auto* cmd = app.add_subcommand("serve", "Serve the browser playground on this machine (http://127.0.0.1:8080/)");
  cmd->add_option("--dir", options->dir, "Folder to serve (the WebAssembly build's web/ folder)")->capture_default_str();
  cmd->add_option("--host", options->host, "Address to listen on")->capture_default_str();
  cmd->add_option("--port", options->port, "Port (0: any free port; the URL is printed)")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  cmd->callback([options] { Server(*options).run(); });
}

RAPPORT_CLI_COMMAND(70, install);

}  // namespace
}  // namespace rapport::cli
