// The trajectory record: everything needed to evaluate, train on, or replay one episode. Written
// as one JSON object per line; the same episode gives the same bytes on every target. Versioned
// ("record_version", first member; core/call_record.h describes the formats): model calls are
// stored as what each adds to its conversation, so a record grows linearly with the episode.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/call_record.h"
#include "core/json.h"
#include "core/llm.h"
#include "core/search.h"

namespace rapport {

struct Turn {
  // The agent's move
  std::string action;
  std::string choice;
  std::string content;
  std::string reasoning;
  std::vector<LlmExchange> agent_calls;
  // The environment's answer
  std::string observation;
  double reward = 0.0;
  bool terminated = false;
  bool truncated = false;
  bool format_error = false;
  json::object info;
  std::vector<LlmExchange> env_calls;
  std::vector<SearchExchange> search_calls;  // the environment's searches, in order
};

// Shaped rewards for trainers, filled in once the trajectory's GRPO group is complete.
struct ShapingRecord {
  std::string turn_credit;       // method names, e.g. "equalized"
  std::string trajectory_score;  // e.g. "mean"
  double gamma = 0.0;
  double score = 0.0;      // trajectory-level score S
  double advantage = 0.0;  // group-normalised z
  std::vector<double> credits;         // per turn c_t
  std::vector<double> turn_advantage;  // per turn, the value every token of that turn receives
};

struct Trajectory {
  std::string env;          // spec string
  std::string fingerprint;  // environment version and parameters
  std::string task_id;
  json::value task;
  std::uint64_t seed = 0;
  std::string oracle;  // scripted | llm
  std::string agent;
  std::string group;  // GRPO group id (same task, same settings)
  int sample = 0;     // index within the group
  std::string system_prompt;
  std::string opening;
  json::array tools;  // OpenAI schemas of the environment's own tools offered to the agent (core/tools.h)
  std::vector<Turn> turns;
  std::string stop_reason;  // terminated | truncated | agent_stopped | max_turns
  json::object metrics;
  std::optional<ShapingRecord> shaping;
  // The format of the record this was read from; records are always written in kRecordVersion.
  int record_version = kRecordVersion;

  double total_reward() const;
  int format_errors() const;
  std::vector<double> rewards() const;
};

json::object to_record(const Trajectory& t);
// Reads a record of any format up to kRecordVersion; throws ConfigError naming the first missing
// or mistyped field, or a newer format.
Trajectory trajectory_from_record(const json::value& record);
inline std::string to_json_line(const Trajectory& t) { return to_json(to_record(t)); }

}  // namespace rapport
