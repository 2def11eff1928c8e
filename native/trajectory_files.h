// Reading trajectory JSONL files (as `rapport run` writes them) one record at a time, with errors
// that name the file and line.
#pragma once

#include <functional>
#include <string>

#include "core/json.h"
#include "core/trajectory.h"

namespace rapport {

// Calls `each` for every non-empty line of `path`, with the trajectory and the line's llm_calls
// object (empty when absent). Throws ConfigError naming "path:line" on an unreadable file or a
// malformed record. A last line cut off without its newline is reported too, unless
// `skip_torn_last_line`.
void for_each_trajectory(const std::string& path,
                         const std::function<void(const Trajectory&, const json::object& llm_calls)>& each,
                         bool skip_torn_last_line = false);

}  // namespace rapport
