// Reading and appending files for the native programs, with errors a user can act on.
#pragma once

#include <string>

namespace rapport {

// Whole file as text; throws ConfigError naming the path and the reason.
std::string read_text_file(const std::string& path);
// Replaces the file's content (through a temporary file and rename, so a crash loses nothing).
void write_text_file(const std::string& path, const std::string& text);

}  // namespace rapport
