#include "core/trajectory.h"

#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "core/params.h"

namespace rapport {

double Trajectory::total_reward() const {
  double sum = 0.0;
  for (const auto& t : turns) sum += t.reward;
  return sum;
}

int Trajectory::format_errors() const {
  int n = 0;
  for (const auto& t : turns) n += t.format_error ? 1 : 0;
  return n;
}

std::vector<double> Trajectory::rewards() const {
  std::vector<double> out;
  for (const auto& t : turns) out.push_back(t.reward);
  return out;
}

namespace {

json::array exchanges_record(const std::vector<LlmExchange>& calls, CallRecordWriter& writer) {
  json::array out;
  out.reserve(calls.size());
  for (const auto& c : calls) out.push_back(writer.write(c));
  return out;
}

// Each recorded search says which host service it was, like every recorded host call.
json::array searches_record(const std::vector<SearchExchange>& calls) {
  json::array out;
  for (const auto& c : calls)
    out.push_back(json::object{{"kind", "search"}, {"request", to_record(c.request)}, {"response", to_record(c.response)}});
  return out;
}

json::array numbers(const std::vector<double>& xs) {
  json::array out;
  for (double x : xs) out.push_back(x);
  return out;
}

// Strict readers for records: a missing or mistyped field names itself.
const json::value& field(const json::object& o, std::string_view key, std::string_view where) {
  auto it = o.find(json::string_view(key.data(), key.size()));
  if (it == o.end()) throw ConfigError(fmt::format("trajectory record: {} has no '{}'", where, key));
  return it->value();
}
std::string text_field(const json::object& o, std::string_view key, std::string_view where) {
  const auto& v = field(o, key, where);
  if (!v.is_string()) throw ConfigError(fmt::format("trajectory record: {}.{} is not a string", where, key));
  return std::string(v.get_string());
}
double number_field(const json::object& o, std::string_view key, std::string_view where) {
  const auto& v = field(o, key, where);
  if (v.is_double()) return v.get_double();
  if (v.is_int64()) return static_cast<double>(v.get_int64());
  if (v.is_uint64()) return static_cast<double>(v.get_uint64());
  throw ConfigError(fmt::format("trajectory record: {}.{} is not a number", where, key));
}
bool bool_field(const json::object& o, std::string_view key, std::string_view where) {
  const auto& v = field(o, key, where);
  if (!v.is_bool()) throw ConfigError(fmt::format("trajectory record: {}.{} is not a boolean", where, key));
  return v.get_bool();
}
const json::array& array_field(const json::object& o, std::string_view key, std::string_view where) {
  const auto& v = field(o, key, where);
  if (!v.is_array()) throw ConfigError(fmt::format("trajectory record: {}.{} is not a list", where, key));
  return v.get_array();
}
const json::object& object_of(const json::value& v, std::string_view where) {
  if (!v.is_object()) throw ConfigError(fmt::format("trajectory record: {} is not an object", where));
  return v.get_object();
}

std::vector<LlmExchange> exchanges_from(const json::array& a, CallRecordReader& reader, const std::string& where) {
  std::vector<LlmExchange> out;
  out.reserve(a.size());
  for (std::size_t i = 0; i < a.size(); ++i) out.push_back(reader.read(a[i], fmt::format("{}[{}]", where, i)));
  return out;
}

std::vector<SearchExchange> searches_from(const json::array& a) {
  std::vector<SearchExchange> out;
  for (const auto& item : a) {
    const auto& o = object_of(item, "search call");
    out.push_back({search_request_from_record(field(o, "request", "search call")),
                   search_response_from_record(field(o, "response", "search call"))});
  }
  return out;
}

std::vector<double> numbers_from(const json::array& a, std::string_view where) {
  std::vector<double> out;
  for (const auto& v : a) {
    if (v.is_double()) out.push_back(v.get_double());
    else if (v.is_int64()) out.push_back(static_cast<double>(v.get_int64()));
    else throw ConfigError(fmt::format("trajectory record: {} holds a non-number", where));
  }
  return out;
}

}  // namespace

json::object to_record(const Trajectory& t) {
  json::array turns;
  turns.reserve(t.turns.size());
  CallRecordWriter calls;
  for (const auto& turn : t.turns) {
    json::object o{{"action", turn.action}};
    if (!turn.choice.empty() || !turn.content.empty()) {
      o["choice"] = turn.choice;
      o["content"] = turn.content;
    }
    if (!turn.reasoning.empty()) o["reasoning"] = turn.reasoning;
    if (!turn.agent_calls.empty()) o["agent_calls"] = exchanges_record(turn.agent_calls, calls);
    o["observation"] = turn.observation;
    o["reward"] = turn.reward;
    o["terminated"] = turn.terminated;
    o["truncated"] = turn.truncated;
    o["format_error"] = turn.format_error;
    if (!turn.info.empty()) o["info"] = turn.info;
    if (!turn.env_calls.empty()) o["env_calls"] = exchanges_record(turn.env_calls, calls);
    if (!turn.search_calls.empty()) o["search_calls"] = searches_record(turn.search_calls);
    turns.push_back(std::move(o));
  }
  json::object out{{"record_version", kRecordVersion},
                   {"env", t.env},
                   {"fingerprint", t.fingerprint},
                   {"task_id", t.task_id},
                   {"task", t.task},
                   {"seed", t.seed},
                   {"oracle", t.oracle},
                   {"agent", t.agent},
                   {"group", t.group},
                   {"sample", t.sample},
                   {"system_prompt", t.system_prompt},
                   {"opening", t.opening},
                   {"turns", std::move(turns)},
                   {"stop_reason", t.stop_reason},
                   {"total_reward", t.total_reward()},
                   {"format_errors", t.format_errors()},
                   {"metrics", t.metrics}};
  // Only environments with tools carry the key, so the records of the others keep their bytes.
  if (!t.tools.empty()) out["tools"] = t.tools;
  if (t.shaping) {
    const auto& s = *t.shaping;
    out["shaping"] = json::object{{"turn_credit", s.turn_credit},
                                  {"trajectory_score", s.trajectory_score},
                                  {"gamma", s.gamma},
                                  {"score", s.score},
                                  {"advantage", s.advantage},
                                  {"credits", numbers(s.credits)},
                                  {"turn_advantage", numbers(s.turn_advantage)}};
  }
  return out;
}

Trajectory trajectory_from_record(const json::value& record) {
  const auto& o = object_of(record, "the line");
  Trajectory t;
  if (auto v = o.find("record_version"); v != o.end()) {
    if (!v->value().is_int64() && !v->value().is_uint64())
      throw ConfigError("trajectory record: record_version is not a whole number");
    // Beyond int64 is a uint64 in Boost.JSON: newer than any format, like every large version.
    const std::int64_t version = v->value().is_int64() ? v->value().get_int64() : std::numeric_limits<std::int64_t>::max();
    if (version > kRecordVersion)
      throw ConfigError(fmt::format("trajectory record: written by a newer Rapport (record format {}; this build reads "
                                    "formats 1 to {})",
                                    version, kRecordVersion));
    if (version < 2) throw ConfigError(fmt::format("trajectory record: record_version {} is not a format", version));
    t.record_version = static_cast<int>(version);
  } else {
    t.record_version = 1;  // the first format had no version
  }
  CallRecordReader calls(t.record_version);
  t.env = text_field(o, "env", "trajectory");
  t.fingerprint = text_field(o, "fingerprint", "trajectory");
  t.task_id = text_field(o, "task_id", "trajectory");
  t.task = field(o, "task", "trajectory");
  const auto& seed = field(o, "seed", "trajectory");
  if (seed.is_uint64()) t.seed = seed.get_uint64();
  else if (seed.is_int64() && seed.get_int64() >= 0) t.seed = static_cast<std::uint64_t>(seed.get_int64());
  else throw ConfigError("trajectory record: seed is not a non-negative integer");
  t.oracle = text_field(o, "oracle", "trajectory");
  t.agent = text_field(o, "agent", "trajectory");
  t.group = text_field(o, "group", "trajectory");
  const double sample = number_field(o, "sample", "trajectory");
  // Checked before the conversion: a double beyond int has no int value.
  if (!(sample >= 0 && sample <= std::numeric_limits<int>::max()) || std::trunc(sample) != sample)
    throw ConfigError("trajectory record: sample is not a non-negative whole number");
  t.sample = static_cast<int>(sample);
  t.system_prompt = text_field(o, "system_prompt", "trajectory");
  t.opening = text_field(o, "opening", "trajectory");
  t.stop_reason = text_field(o, "stop_reason", "trajectory");
  if (o.contains("tools")) t.tools = array_field(o, "tools", "trajectory");
  t.metrics = object_of(field(o, "metrics", "trajectory"), "metrics");
  int index = 0;
  for (const auto& item : array_field(o, "turns", "trajectory")) {
    std::string where = fmt::format("turn {}", index++);
    const auto& to = object_of(item, where);
    Turn turn;
    turn.action = text_field(to, "action", where);
    turn.choice = get_string(to, "choice");
    turn.content = get_string(to, "content");
    turn.reasoning = get_string(to, "reasoning");
    if (to.contains("agent_calls")) turn.agent_calls = exchanges_from(array_field(to, "agent_calls", where), calls, where + ".agent_calls");
    turn.observation = text_field(to, "observation", where);
    turn.reward = number_field(to, "reward", where);
    turn.terminated = bool_field(to, "terminated", where);
    turn.truncated = bool_field(to, "truncated", where);
    turn.format_error = bool_field(to, "format_error", where);
    if (to.contains("info")) turn.info = object_of(to.at("info"), where + ".info");
    if (to.contains("env_calls")) turn.env_calls = exchanges_from(array_field(to, "env_calls", where), calls, where + ".env_calls");
    if (to.contains("search_calls")) turn.search_calls = searches_from(array_field(to, "search_calls", where));
    t.turns.push_back(std::move(turn));
  }
  if (o.contains("shaping")) {
    const auto& so = object_of(o.at("shaping"), "shaping");
    ShapingRecord s;
    s.turn_credit = text_field(so, "turn_credit", "shaping");
    s.trajectory_score = text_field(so, "trajectory_score", "shaping");
    s.gamma = number_field(so, "gamma", "shaping");
    s.score = number_field(so, "score", "shaping");
    s.advantage = number_field(so, "advantage", "shaping");
    s.credits = numbers_from(array_field(so, "credits", "shaping"), "shaping.credits");
    s.turn_advantage = numbers_from(array_field(so, "turn_advantage", "shaping"), "shaping.turn_advantage");
    t.shaping = std::move(s);
  }
  return t;
}

}  // namespace rapport
