#include "native/jsonl_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include <fmt/format.h>

#include "core/params.h"
#include "native/files.h"

namespace rapport {

AppendFile::AppendFile(const std::string& path) : path_(path) {
  fd_ = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) throw ConfigError(fmt::format("cannot open '{}' for writing: {}", path, std::strerror(errno)));
}

AppendFile::~AppendFile() {
  if (fd_ >= 0) ::close(fd_);
}

AppendFile::AppendFile(AppendFile&& o) noexcept : fd_(o.fd_), path_(std::move(o.path_)) { o.fd_ = -1; }

AppendFile& AppendFile::operator=(AppendFile&& o) noexcept {
  std::swap(fd_, o.fd_);
  std::swap(path_, o.path_);
  return *this;
}

void AppendFile::write(const std::string& text) {
  std::size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd_, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw ConfigError(fmt::format("cannot write '{}': {}", path_, std::strerror(errno)));
    done += static_cast<std::size_t>(n);
  }
}

ReplacingFile::ReplacingFile(const std::string& path) : path_(path), partial_(path + ".partial") {
  require_replaceable(path_);
  require_replaceable(partial_);
  ::unlink(partial_.c_str());
  file_ = AppendFile(partial_);
}

ReplacingFile::~ReplacingFile() {
  if (!committed_) {
    file_ = AppendFile();
    ::unlink(partial_.c_str());
  }
}

void ReplacingFile::commit() {
  file_ = AppendFile();  // closed before it takes PATH's place
  if (::rename(partial_.c_str(), path_.c_str()) != 0)
    throw ConfigError(fmt::format("cannot replace '{}': {}", path_, std::strerror(errno)));
  committed_ = true;
}

bool file_exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

std::vector<std::string> read_complete_lines(const std::string& path, bool repair) {
  std::vector<std::string> lines;
  if (!file_exists(path)) return lines;
  std::string text = read_text_file(path);
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) {
      if (repair && ::truncate(path.c_str(), static_cast<off_t>(start)) != 0)
        throw ConfigError(fmt::format("cannot repair '{}': {}", path, std::strerror(errno)));
      break;
    }
    if (end > start) lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

}  // namespace rapport
