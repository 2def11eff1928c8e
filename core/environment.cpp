#include "core/environment.h"

#include <fmt/format.h>

#include "core/rng.h"

namespace rapport {

const char* to_string(OracleKind kind) { return kind == OracleKind::Llm ? "llm" : "scripted"; }

std::optional<OracleKind> parse_oracle_kind(std::string_view text) {
  if (text == "scripted") return OracleKind::Scripted;
  if (text == "llm") return OracleKind::Llm;
  return std::nullopt;
}

Flow<StepResult> Episode::step(std::string_view action) {
  if (over_) {
    StepResult r;
    r.observation = "Error: the episode is already over; no further actions are accepted.";
    r.terminated = true;
    r.format_error = true;
    return r;
  }
  // One step at a time: the host must finish a pending step before starting another.
  assert(!in_step_);
  in_step_ = true;
  ++step_count_;
  return on_step(action).then([this](StepResult r) {
    in_step_ = false;
    if (step_count_ >= max_steps_ && !r.terminated) r.truncated = true;
    over_ = r.terminated || r.truncated;
    return r;
  });
}

std::string Game::fingerprint() const {
  std::string text = version_ + "|" + params_.all_values();
  return fmt::format("{}@{}:{:016x}", params_.env_name(), version_, fnv1a64(text));
}

std::vector<Task> Game::import_tasks(std::string_view, std::string_view) const {
  throw ConfigError(fmt::format("{}: this environment has no importer for data files", params_.env_name()));
}

std::vector<Task> Game::import_folder(const std::vector<std::pair<std::string, std::string>>&, std::string_view) const {
  throw ConfigError(fmt::format("{}: --data takes a data file for this environment, not a folder", params_.env_name()));
}

std::size_t shuffled_position(std::uint64_t seed, std::uint64_t index, std::size_t size, std::string_view stream) {
  assert(size > 0);
  std::vector<std::size_t> order(size);
  for (std::size_t i = 0; i < size; ++i) order[i] = i;
  Rng::derive(seed, stream).shuffle(order);
  return order[index % size];
}

const Task& find_task(const std::vector<Task>& tasks, std::string_view id) {
  for (const auto& t : tasks)
    if (t.id == id) return t;
  std::string some;
  for (std::size_t i = 0; i < tasks.size() && i < 5; ++i) some += (i ? ", " : "") + tasks[i].id;
  throw ConfigError(fmt::format("no task with id '{}' ({} tasks; e.g. {})", id, tasks.size(), some));
}

}  // namespace rapport
