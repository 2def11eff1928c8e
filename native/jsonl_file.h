// Append-only JSONL files that survive a killed process: whole lines are written with single
// write() calls, and a reader can cut off the one torn line a kill may leave.
#pragma once

#include <string>
#include <vector>

namespace rapport {

class AppendFile {
 public:
  AppendFile() = default;
  // Opens (creating) `path` for appending; throws ConfigError naming the path and the reason.
  explicit AppendFile(const std::string& path);
  ~AppendFile();
  AppendFile(AppendFile&& o) noexcept;
  AppendFile& operator=(AppendFile&& o) noexcept;
  bool open() const { return fd_ >= 0; }
  // Appends `text` (whole lines) at once; throws ConfigError on a write error.
  void write(const std::string& text);

 private:
  int fd_ = -1;
  std::string path_;
};

// An output that replaces PATH only once it is whole: written to PATH.partial and renamed over
// PATH by commit(); a command that fails before that removes the partial file and leaves PATH as
// it was. PATH must be absent or a regular file.
class ReplacingFile {
 public:
  explicit ReplacingFile(const std::string& path);
  ~ReplacingFile();
  ReplacingFile(const ReplacingFile&) = delete;
  ReplacingFile& operator=(const ReplacingFile&) = delete;
  void write(const std::string& text) { file_.write(text); }
  void commit();

 private:
  std::string path_, partial_;
  AppendFile file_;
  bool committed_ = false;
};

bool file_exists(const std::string& path);

// The complete lines of a JSONL file (none when it does not exist); a last line without its
// newline (a write cut short by a kill) is left out, and cut off the file when `repair` is set.
std::vector<std::string> read_complete_lines(const std::string& path, bool repair);

}  // namespace rapport
