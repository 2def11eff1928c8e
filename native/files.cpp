#include "native/files.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "core/params.h"

namespace rapport {

std::string read_text_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(fmt::format("cannot read '{}': {}", path, std::strerror(errno)));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void write_text_file(const std::string& path, const std::string& text) {
  std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    if (!out) throw ConfigError(fmt::format("cannot write '{}': {}", temporary, std::strerror(errno)));
    out << text;
    if (!out.flush()) throw ConfigError(fmt::format("cannot write '{}': {}", temporary, std::strerror(errno)));
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0)
    throw ConfigError(fmt::format("cannot replace '{}': {}", path, std::strerror(errno)));
}

}  // namespace rapport
