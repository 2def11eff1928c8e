#include "native/trajectory_files.h"

#include <cerrno>
#include <cstring>
#include <fstream>

#include <fmt/format.h>

#include "core/params.h"
#include "native/files.h"

namespace rapport {

void for_each_trajectory(const std::string& path,
                         const std::function<void(const Trajectory&, const json::object& llm_calls)>& each,
                         bool skip_torn_last_line) {
  require_regular_file(path);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(fmt::format("cannot read '{}': {}", path, std::strerror(errno)));
  std::string line;
  std::size_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    const bool torn = in.eof();  // no newline after this line
    if (line.empty()) continue;
    std::string where = fmt::format("{}:{}", path, number);
    auto v = parse_json(line);
    if (!v || !v->is_object()) {
      if (torn && skip_torn_last_line) return;
      throw ConfigError(fmt::format("{}: not a JSON object{}", where, torn ? " (the last line is cut off)" : ""));
    }
    Trajectory t;
    try {
      t = trajectory_from_record(*v);
    } catch (const ConfigError& e) {
      throw ConfigError(fmt::format("{}: {}", where, e.what()));
    }
    json::object calls;
    if (auto it = v->get_object().find("llm_calls"); it != v->get_object().end() && it->value().is_object())
      calls = it->value().get_object();
    each(t, calls);
  }
}

}  // namespace rapport
