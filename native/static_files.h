// The static half of `rapport serve`: request paths mapped to files inside one folder, never
// outside it (no absolute paths, no "..", no symlinks leading out), with their MIME types and
// gzip when the browser accepts it.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace rapport {

struct StaticFile {
  std::string body;
  std::string type;   // Content-Type
  bool gzip = false;  // body is gzip-encoded
};

class StaticFiles {
 public:
  explicit StaticFiles(const std::filesystem::path& root);

  bool root_exists() const { return !root_.empty(); }
  const std::filesystem::path& root() const { return root_; }

  // The regular file a request target ("/app.js?v=1") names under the root, or nullopt when it
  // names nothing there or would leave the folder in any way.
  std::optional<std::filesystem::path> resolve(std::string_view target) const;
  // The file's bytes, gzip-encoded when allowed and worth it; nullopt when resolve() refuses.
  // Compressed bodies are kept while the file's bytes stay the same: the playground's 3 MB of
  // WebAssembly is compressed once, not on every page load.
  std::optional<StaticFile> get(std::string_view target, bool gzip_ok) const;

 private:
  struct Compressed {
    std::string original;
    std::shared_ptr<const std::string> body;
  };
  std::filesystem::path root_;  // canonical; empty when the folder does not exist
  mutable std::mutex mutex_;
  mutable std::map<std::filesystem::path, Compressed> compressed_;
};

// MIME type by extension (".wasm" → "application/wasm"); application/octet-stream when unknown.
std::string content_type(const std::filesystem::path& path);

}  // namespace rapport
