#include "native/files.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "core/params.h"
#include "native/jsonl_file.h"

namespace rapport {

void require_regular_file(const std::string& path, std::uint64_t max_bytes) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) throw ConfigError(fmt::format("cannot read '{}': {}", path, std::strerror(errno)));
  if (S_ISDIR(st.st_mode)) throw ConfigError(fmt::format("'{}' is a folder, not a file", path));
  if (!S_ISREG(st.st_mode))
    throw ConfigError(fmt::format("'{}' is not a regular file (a device, pipe or socket): give a file", path));
  if (static_cast<std::uint64_t>(st.st_size) > max_bytes)
    throw ConfigError(fmt::format("'{}' is too large ({} bytes; the limit is {} bytes)", path, st.st_size, max_bytes));
}

std::string read_text_file(const std::string& path, std::uint64_t max_bytes) {
  require_regular_file(path, max_bytes);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(fmt::format("cannot read '{}': {}", path, std::strerror(errno)));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void require_replaceable(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return;  // nothing there
  if (S_ISLNK(st.st_mode) && ::stat(path.c_str(), &st) != 0) return;  // a dangling link: replaced like a file
  if (S_ISDIR(st.st_mode)) throw ConfigError(fmt::format("'{}' is a folder: give a file name to write", path));
  if (!S_ISREG(st.st_mode))
    throw ConfigError(fmt::format("'{}' is not a regular file (a device, pipe or socket): only regular files are replaced",
                                  path));
}

void require_output(const std::string& out, const std::vector<std::string>& inputs) {
  require_replaceable(out);
  struct stat target {};
  if (::stat(out.c_str(), &target) != 0) return;  // a new file
  for (const auto& input : inputs) {
    struct stat st {};
    if (::stat(input.c_str(), &st) == 0 && st.st_dev == target.st_dev && st.st_ino == target.st_ino)
      throw ConfigError(fmt::format("the output '{}' is also an input ('{}'): name a new file for the output", out, input));
  }
}

void write_text_file(const std::string& path, const std::string& text) {
  ReplacingFile out(path);
  out.write(text);
  out.commit();
}

}  // namespace rapport
