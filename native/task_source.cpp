#include "native/task_source.h"

#include <algorithm>
#include <filesystem>

#include "native/files.h"

namespace rapport {

void add_task_options(CLI::App& command, TaskOptions& options) {
  command.add_option("--data", options.data_file, "Reference-format data file (or folder, for environments whose data is several files) to take tasks from (default: built-in tasks)");
  command.add_option("--split", options.split, "Split of the data file: all, train, test or dev (the splits the reference data has)")
      ->check(CLI::IsMember({"all", "train", "test", "dev"}))
      ->capture_default_str();
  command.add_option("--task", options.ids, "Task id(s) to run (from the data file or the built-in supply)");
  command.add_option("--seed", options.seed, "Seed of the built-in task supply and of the episodes")->capture_default_str();
}

std::vector<Task> select_tasks(const Game& game, const TaskOptions& options) {
  std::vector<Task> pool;
  if (!options.data_file.empty() && std::filesystem::is_directory(options.data_file)) {
    // A data folder: its regular files, and those one folder down as "sub/name", sorted by name.
    std::vector<std::pair<std::string, std::string>> files;
    namespace fs = std::filesystem;
    for (const auto& entry : fs::recursive_directory_iterator(options.data_file)) {
      if (!entry.is_regular_file()) continue;
      fs::path rel = fs::relative(entry.path(), options.data_file);
      if (std::distance(rel.begin(), rel.end()) > 2) continue;
      files.emplace_back(rel.generic_string(), read_text_file(entry.path().string()));
    }
    std::sort(files.begin(), files.end());
    pool = game.import_folder(files, options.split);
  } else if (!options.data_file.empty()) {
    pool = game.import_tasks(read_text_file(options.data_file), options.split);
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
