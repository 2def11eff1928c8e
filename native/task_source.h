// Which tasks a command runs: generated/built-in ones (count and seed) or those of a data file
// (and split), optionally narrowed to given ids. Shared by `run` and `play`.
#pragma once

#include <string>
#include <vector>

#include "core/environment.h"

namespace rapport {

struct TaskOptions {
  std::string data_file;       // reference-format file; empty: the built-in supply
  std::string split = "all";   // all | train | test (data files)
  std::vector<std::string> ids;
  std::uint64_t seed = 0;      // built-in supply seed
  std::size_t count = 1;       // built-in supply: tasks 0..count-1 (for a dataset, capped at its size)
};

// Throws ConfigError with what was wrong (unreadable file, bad format, unknown id).
std::vector<Task> select_tasks(const Game& game, const TaskOptions& options);

}  // namespace rapport
