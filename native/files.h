// Reading and appending files for the native programs, with errors a user can act on.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace rapport {

// Largest file the programs read whole (trajectory files); task data files have a lower limit.
inline constexpr std::uint64_t kMaxTextFileBytes = std::uint64_t{4} << 30;
inline constexpr std::uint64_t kMaxDataFileBytes = std::uint64_t{256} << 20;

// Whole file as text; throws ConfigError naming the path and the reason (missing, a folder, not a
// regular file — devices and pipes never end —, or larger than `max_bytes`).
std::string read_text_file(const std::string& path, std::uint64_t max_bytes = kMaxTextFileBytes);
// Throws the same ConfigError as read_text_file when `path` is not a readable regular file.
void require_regular_file(const std::string& path, std::uint64_t max_bytes = kMaxTextFileBytes);
// Throws ConfigError unless `path` is absent or a regular file (a symlink counts as what it points
// to): outputs only ever replace regular files, never devices, folders or sockets.
void require_replaceable(const std::string& path);
// require_replaceable(out), and `out` is none of `inputs` (under any name): a command must not
// replace a file it is reading.
void require_output(const std::string& out, const std::vector<std::string>& inputs);
// Replaces the file's content whole (a ReplacingFile: PATH.partial renamed over PATH, so a crash loses nothing).
void write_text_file(const std::string& path, const std::string& text);

}  // namespace rapport
