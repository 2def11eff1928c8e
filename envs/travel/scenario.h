// A TravelGym scenario: the trip, the hidden preferences per aspect, every option with its label
// (best / correct / wrong / noise) and the ground-truth search arguments. Stored in Task::data in
// the JSON form below; produced by our generator or imported from UserBench/UserRL data files.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/environment.h"
#include "envs/travel/domain.h"

namespace rapport::travel {

struct TaskPreference {
  std::string aspect;       // the aspect it constrains (normalised)
  std::string subcategory;  // e.g. "routing"
  std::string text;         // plain statement
  std::string implicit;     // the implicit statement the simulated user draws on
  std::string key;          // catalogue key; empty for imported preferences
  std::optional<Predicate> predicate;  // absent for imported preferences
};

struct AspectBlock {
  std::string aspect;
  std::vector<TaskPreference> preferences;
  json::object arguments;  // ground-truth search arguments
  std::string best_id;
  std::vector<std::string> correct_ids;  // includes best_id
  std::vector<std::string> wrong_ids;
  std::vector<std::string> noise_ids;
  json::array options;  // in the order the search shows them, exactly as shown

  enum class Label { Best, Correct, Wrong, Noise, Unknown };
  Label label(std::string_view id) const;
};

struct TravelTask {
  std::string id;
  std::string scenario;             // one-paragraph description of the traveller (for judges)
  std::string initial_description;  // the user's opening request, without the budget sentence
  std::string shape;                // e.g. "233"
  std::string tier;                 // easy | medium | hard
  std::vector<AspectBlock> aspects;  // in the task's dimension order

  const AspectBlock* block(std::string_view aspect) const;
  std::size_t preference_count() const;
};

json::value to_json(const TravelTask& task);
// Throws ConfigError naming the first missing or malformed field.
TravelTask travel_task_from(const Task& task);

// Shapes of the reference, and the tier each belongs to (UserBench Table 2).
const std::vector<std::string>& shapes();
std::string tier_of_shape(std::string_view shape);
// Reference scenario counts per shape (train + test); the generator draws shapes within a tier
// with these weights so that a tier has the reference's mix.
int reference_count(std::string_view shape);

struct GeneratorSettings {
  std::string shape = "random";  // one of shapes() or "random"
  std::string tier = "medium";   // used when shape is "random"
};

// Our generator: deterministic in (settings, seed, index).
TravelTask generate_scenario(const GeneratorSettings& settings, std::uint64_t seed, std::uint64_t index);

// UserBench/UserRL travelgym_data_<shape>.json (a dict of scenario id → scenario). `split`: all,
// train or test (85/15 after a NumPy seed-42 shuffle of the file order, as the reference's
// parquet files were made). Throws ConfigError with what was wrong.
std::vector<TravelTask> import_userbench(std::string_view text, std::string_view split);

// Whether an option id has the reference's form: one of A C F H R followed by digits.
bool valid_option_id(std::string_view id);
// The id of an option object: its "id" (or "option_id") field, else the first string value of
// option-id form. Empty if none.
std::string option_id(const json::object& option);

}  // namespace rapport::travel
