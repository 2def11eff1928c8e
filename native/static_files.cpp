#include "native/static_files.h"

#include <zlib.h>

#include <map>
#include <vector>

#include "core/params.h"
#include "native/files.h"

namespace rapport {

namespace fs = std::filesystem;

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool compressible(const std::string& type) {
  return type.rfind("text/", 0) == 0 || type == "application/wasm" || type == "application/json" ||
         type == "image/svg+xml" || type == "application/octet-stream" || type == "font/ttf" || type == "font/otf";
}

std::string gzip(const std::string& bytes) {
  z_stream z{};
  // The best level: each file is compressed once per version and then served from memory.
  deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY);  // +16: gzip wrapper
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

// `inner` is `root` or lies below it (both canonical).
bool inside(const fs::path& root, const fs::path& inner) {
  auto r = root.begin(), i = inner.begin();
  for (; r != root.end(); ++r, ++i)
    if (i == inner.end() || *r != *i) return false;
  return true;
}

}  // namespace

std::string content_type(const fs::path& path) {
  static const std::map<std::string, std::string> types = {
      {".html", "text/html; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"}, {".wasm", "application/wasm"},
      {".json", "application/json"}, {".css", "text/css; charset=utf-8"},
      {".png", "image/png"}, {".svg", "image/svg+xml"},
      {".txt", "text/plain; charset=utf-8"}, {".ico", "image/x-icon"},
      {".ttf", "font/ttf"}, {".woff2", "font/woff2"},
      {".data", "application/octet-stream"}};
  auto it = types.find(path.extension().string());
  return it == types.end() ? "application/octet-stream" : it->second;
}

StaticFiles::StaticFiles(const fs::path& root) {
  std::error_code ec;
  fs::path canonical = fs::canonical(root, ec);
  if (!ec && fs::is_directory(canonical, ec)) root_ = canonical;
}

std::optional<fs::path> StaticFiles::resolve(std::string_view target) const {
  if (root_.empty()) return std::nullopt;
  target = target.substr(0, target.find_first_of("?#"));
  if (target.empty() || target[0] != '/') return std::nullopt;
  std::string path;
  for (std::size_t i = 0; i < target.size(); ++i) {
    if (target[i] == '%') {
      if (i + 2 >= target.size() || hex_value(target[i + 1]) < 0 || hex_value(target[i + 2]) < 0) return std::nullopt;
      path += static_cast<char>(hex_value(target[i + 1]) * 16 + hex_value(target[i + 2]));
      i += 2;
    } else {
      path += target[i];
    }
  }
  // Segment by segment: empty segments ("//etc", a decoded "%2F") and "." are dropped, so no
  // request can name an absolute path; ".." is refused outright; so are NUL and backslashes.
  if (path.find('\0') != std::string::npos || path.find('\\') != std::string::npos) return std::nullopt;
  fs::path relative;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    std::string segment = path.substr(start, end - start);
    start = end + 1;
    if (segment.empty() || segment == ".") continue;
    if (segment == "..") return std::nullopt;
    relative /= segment;
  }
  fs::path full = root_ / relative;
  std::error_code ec;
  if (fs::is_directory(full, ec)) full /= "index.html";
  // Symlinks are followed only while they stay inside the folder.
  fs::path real = fs::canonical(full, ec);
  if (ec || !inside(root_, real) || !fs::is_regular_file(real, ec)) return std::nullopt;
  return real;
}

std::optional<StaticFile> StaticFiles::get(std::string_view target, bool gzip_ok) const {
  auto path = resolve(target);
  if (!path) return std::nullopt;
  StaticFile f;
  f.type = content_type(*path);
  try {
    f.body = read_text_file(path->string());
  } catch (const ConfigError&) {
    return std::nullopt;
  }
  if (gzip_ok && compressible(f.type) && f.body.size() > 512) {
    std::shared_ptr<const std::string> body;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (auto it = compressed_.find(*path); it != compressed_.end() && it->second.original == f.body) body = it->second.body;
    }
    if (!body) {
      body = std::make_shared<const std::string>(gzip(f.body));
      std::lock_guard<std::mutex> lock(mutex_);
      compressed_.insert_or_assign(*path, Compressed{f.body, body});
    }
    f.body = *body;
    f.gzip = true;
  }
  return f;
}

}  // namespace rapport
