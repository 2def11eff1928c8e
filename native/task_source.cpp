#include "native/task_source.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

#include "core/params.h"
#include "native/files.h"

namespace rapport {

std::vector<Task> select_tasks(const Game& game, const TaskOptions& options) {
  std::vector<Task> pool;
  if (!options.data_file.empty() && std::filesystem::is_directory(options.data_file)) {
    // A data folder: its regular files, and those one folder down as "sub/name", sorted by name.
    std::vector<std::pair<std::string, std::string>> files;
    namespace fs = std::filesystem;
    std::uint64_t total = 0;
    std::error_code error;
    // Only the folder and its subfolders are read, so nothing deeper is ever walked.
    for (fs::recursive_directory_iterator it(options.data_file, error), end; !error && it != end; it.increment(error)) {
      const auto& entry = *it;
      if (it.depth() >= 1) it.disable_recursion_pending();
      std::error_code kind_error;
      if (!entry.is_regular_file(kind_error)) continue;
      fs::path rel = fs::relative(entry.path(), options.data_file);
      files.emplace_back(rel.generic_string(), read_text_file(entry.path().string(), kMaxDataFileBytes));
      total += files.back().second.size();
      if (total > kMaxDataFileBytes)
        throw ConfigError(fmt::format("the files of '{}' are too large together (the limit is {} bytes)",
                                      options.data_file, kMaxDataFileBytes));
    }
    if (error) throw ConfigError(fmt::format("cannot read the folder '{}': {}", options.data_file, error.message()));
    std::sort(files.begin(), files.end());
    pool = game.import_folder(files, options.split);
  } else if (!options.data_file.empty()) {
    pool = game.import_tasks(read_text_file(options.data_file, kMaxDataFileBytes), options.split);
  }
  if (!options.data_file.empty()) {
    if (pool.empty())
      throw ConfigError(fmt::format("'{}' holds no tasks{}", options.data_file,
                                    options.split == "all" ? "" : fmt::format(" in the {} split", options.split)));
  } else {
    std::size_t n = options.count;
    if (game.builtin_size() > 0 && options.ids.empty()) n = std::min(n, game.builtin_size());
    if (!options.ids.empty() && game.builtin_size() > 0) n = game.builtin_size();
    for (std::size_t i = 0; i < n; ++i) pool.push_back(game.task(options.seed, i));
  }
  if (options.ids.empty()) return pool;
  std::vector<Task> chosen;
  for (const auto& id : options.ids) chosen.push_back(find_task(pool, id));
  return chosen;
}

}  // namespace rapport
