#include "core/link_record.h"

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "core/params.h"
#include "core/registry.h"
#include "core/replay.h"
#include "core/runner.h"
#include "core/sha256.h"

namespace rapport {
namespace {

// Generated tasks are looked for among the first indices of the episode's seed: the playground's
// picker and `rapport run` draw from there.
constexpr std::uint64_t kTaskIndexSearch = 16;
constexpr std::size_t kDigestChars = 12;

std::string turn_digest(const json::value& turn_record) { return sha256_hex(to_json(turn_record)).substr(0, kDigestChars); }

// The parts of a turn record a replay rebuilds (the rest the link carries as it is), each with a
// short digest in the link, so that a turn that replays differently is told by what differs.
struct TurnPart {
  const char* name;
  std::vector<const char*> keys;
};
const std::vector<TurnPart>& turn_parts() {
  static const std::vector<TurnPart> parts = {{"its observation", {"observation"}},
                                              {"its reward or ending", {"reward", "terminated", "truncated"}},
                                              {"its info", {"info"}},
                                              {"the environment's model calls", {"env_calls"}},
                                              {"the agent's model requests", {"agent_calls"}}};
  return parts;
}
constexpr std::size_t kPartDigestChars = 4;

std::string part_digests(const json::object& turn_record) {
  std::string out;
  for (const auto& part : turn_parts()) {
    json::array values;
    for (const char* key : part.keys) {
      auto it = turn_record.find(key);
      values.push_back(it != turn_record.end() ? it->value() : json::value(nullptr));
    }
    out += sha256_hex(to_json(json::value(std::move(values)))).substr(0, kPartDigestChars);
  }
  return out;
}

// "its observation and its info differ", or empty when the recorded digests are missing (links
// written before they were) or all match.
std::string differing_parts(const std::string& recorded, const json::object& replayed_turn) {
  const std::string replayed = part_digests(replayed_turn);
  if (recorded.size() != replayed.size()) return {};
  std::vector<std::string> names;
  for (std::size_t i = 0; i < turn_parts().size(); ++i)
    if (recorded.compare(i * kPartDigestChars, kPartDigestChars, replayed, i * kPartDigestChars, kPartDigestChars) != 0)
      names.push_back(turn_parts()[i].name);
  if (names.empty()) return {};
  std::string list = names.front();
  for (std::size_t i = 1; i < names.size(); ++i) list += (i + 1 == names.size() ? " and " : ", ") + names[i];
  return list + (names.size() == 1 ? " differs" : " differ");
}

std::optional<std::uint64_t> generated_index(const Trajectory& t) {
  std::unique_ptr<Game> game;
  try {
    game = make_game(t.env);
  } catch (const ConfigError&) {
    return std::nullopt;
  }
  std::uint64_t n = kTaskIndexSearch;
  if (game->builtin_size() > 0) n = std::min<std::uint64_t>(n, game->builtin_size());
  for (std::uint64_t i = 0; i < n; ++i) {
    Task task = game->task(t.seed, i);
    if (task.id == t.task_id) {
      if (task.data == t.task) return i;
      return std::nullopt;  // the same id with other data: an edited or imported task
    }
  }
  return std::nullopt;
}

// An agent call with the added messages that repeat the record written as references.
json::value compact_agent_call(json::object call, const std::vector<const LlmExchange*>& calls,
                               const std::string* previous_observation) {
  auto& request = call["request"].as_object();
  auto base = request.find("base");
  if (base == request.end() || !base->value().is_number()) return call;
  const auto index = base->value().to_number<std::size_t>();
  if (index >= calls.size()) return call;
  const json::value base_message = to_record(calls[index]->response.message);
  auto messages = request.find("messages");
  if (messages == request.end() || !messages->value().is_array()) return call;
  for (auto& m : messages->value().as_array()) {
    if (m == base_message) {
      m = json::object{{"is", "response"}};
      continue;
    }
    if (!m.is_object() || !previous_observation || previous_observation->empty()) continue;
    const auto& mo = m.get_object();
    auto content = mo.find("content");
    if (content == mo.end() || !content->value().is_string() || content->value().get_string() != *previous_observation)
      continue;
    json::object ref;
    for (const auto& member : mo) {
      if (member.key() == "content") ref["content_is"] = "observation";
      else ref[member.key()] = member.value();
    }
    m = std::move(ref);
  }
  return call;
}

const json::value& member(const json::object& o, std::string_view key, std::string_view where) {
  auto it = o.find(key);
  if (it == o.end()) throw ConfigError(fmt::format("the link's record: {} has no '{}'", where, key));
  return it->value();
}

const json::object& object_at(const json::value& v, std::string_view where) {
  if (!v.is_object()) throw ConfigError(fmt::format("the link's record: {} is not an object", where));
  return v.get_object();
}

}  // namespace

json::object link_record(const Trajectory& t) {
  json::object full = to_record(t);
  // Every call by number, in record order (core/call_record.h).
  std::vector<const LlmExchange*> calls;
  for (const auto& turn : t.turns) {
    for (const auto& c : turn.agent_calls) calls.push_back(&c);
    for (const auto& c : turn.env_calls) calls.push_back(&c);
  }
  json::object out;
  for (const char* key : {"record_version", "env", "fingerprint", "task_id"}) out[key] = full.at(key);
  if (auto index = generated_index(t)) out["task_index"] = *index;
  else out["task"] = full.at("task");
  for (const char* key : {"seed", "oracle", "agent", "group", "sample", "stop_reason"}) out[key] = full.at(key);
  if (auto shaping = full.find("shaping"); shaping != full.end()) out["shaping"] = shaping->value();

  std::map<std::pair<LlmRole, std::string>, json::object> frames;  // latest environment frame by role and purpose
  json::array turns;
  auto& full_turns = full.at("turns").as_array();
  for (std::size_t k = 0; k < t.turns.size(); ++k) {
    const Turn& turn = t.turns[k];
    const json::object& ft = full_turns[k].as_object();
    json::object o;
    for (const char* key : {"action", "choice", "content", "reasoning"})
      if (auto it = ft.find(key); it != ft.end()) o[key] = it->value();
    if (auto it = ft.find("agent_calls"); it != ft.end()) {
      json::array agent;
      for (const auto& c : it->value().as_array())
        agent.push_back(compact_agent_call(c.as_object(), calls, k > 0 ? &t.turns[k - 1].observation : nullptr));
      o["agent_calls"] = std::move(agent);
    }
    o["format_error"] = turn.format_error;
    // The last observation may be the agent's own note, which no replay of the environment makes.
    if (k + 1 == t.turns.size()) o["observation"] = turn.observation;
    if (!turn.env_calls.empty()) {
      json::array env;
      for (const auto& c : turn.env_calls) {
        json::object frame = request_frame_record(c.request);
        json::object request{{"role", frame.at("role")}, {"purpose", frame.at("purpose")}};
        auto key = std::make_pair(c.request.role, c.request.purpose);
        auto latest = frames.find(key);
        for (const auto& m : frame) {
          if (m.key() == "role" || m.key() == "purpose") continue;
          if (latest != frames.end())
            if (auto was = latest->second.find(m.key()); was != latest->second.end() && was->value() == m.value()) continue;
          request[m.key()] = m.value();
        }
        if (latest != frames.end())
          for (const auto& m : latest->second)
            if (!frame.contains(m.key())) request[m.key()] = nullptr;
        frames.insert_or_assign(key, std::move(frame));
        env.push_back(json::object{{"request", std::move(request)}, {"response", to_record(c.response)}});
      }
      o["env_calls"] = std::move(env);
    }
    if (auto it = ft.find("search_calls"); it != ft.end()) o["search_calls"] = it->value();
    o["digest"] = turn_digest(full_turns[k]);
    o["parts"] = part_digests(ft);
    turns.push_back(std::move(o));
  }
  out["turns"] = std::move(turns);
  return out;
}

RebuiltEpisode rebuild_link_record(const json::value& compact, const std::string& record_sha256, int max_turns) {
  const json::object& c = object_at(compact, "the record");
  // A record the trajectory reader accepts, with what the replay rebuilds left neutral: it holds
  // the moves and responses that drive the replay.
  json::object driver;
  for (const char* key : {"record_version", "env", "fingerprint", "task_id", "seed", "oracle", "agent", "group", "sample",
                          "stop_reason"})
    driver[key] = member(c, key, "the record");
  driver["task"] = c.contains("task") ? c.at("task") : json::value(nullptr);
  driver["system_prompt"] = "";
  driver["opening"] = "";
  driver["metrics"] = json::object{};
  if (auto shaping = c.find("shaping"); shaping != c.end()) driver["shaping"] = shaping->value();

  std::map<std::pair<std::string, std::string>, json::object> frames;
  const json::value& compact_turns_value = member(c, "turns", "the record");
  if (!compact_turns_value.is_array()) throw ConfigError("the link's record: 'turns' is not a list");
  const json::array& compact_turns = compact_turns_value.get_array();
  json::array turns;
  for (std::size_t k = 0; k < compact_turns.size(); ++k) {
    const std::string where = fmt::format("turn {}", k);
    const json::object& ct = object_at(compact_turns[k], where);
    json::object o;
    for (const char* key : {"action", "choice", "content", "reasoning"})
      if (auto it = ct.find(key); it != ct.end()) o[key] = it->value();
    if (auto it = ct.find("agent_calls"); it != ct.end()) {
      if (!it->value().is_array()) throw ConfigError(fmt::format("the link's record: {}.agent_calls is not a list", where));
      json::array agent;
      for (const auto& call : it->value().get_array()) {
        const json::object& co = object_at(call, where + ".agent_calls[]");
        object_at(member(co, "request", where + ".agent_calls[]"), where + ".agent_calls[].request");
        // The request is rebuilt when it comes due; the reader needs only its place.
        agent.push_back(json::object{{"request", json::object{{"role", "policy"}, {"purpose", ""}, {"messages", json::array{}}}},
                                     {"response", member(co, "response", where + ".agent_calls[]")}});
      }
      o["agent_calls"] = std::move(agent);
    }
    o["observation"] = ct.contains("observation") ? ct.at("observation") : json::value("");
    o["reward"] = 0.0;
    o["terminated"] = false;
    o["truncated"] = false;
    o["format_error"] = member(ct, "format_error", where);
    if (auto it = ct.find("env_calls"); it != ct.end()) {
      if (!it->value().is_array()) throw ConfigError(fmt::format("the link's record: {}.env_calls is not a list", where));
      json::array env;
      for (const auto& call : it->value().get_array()) {
        const json::object& co = object_at(call, where + ".env_calls[]");
        const json::object& changes = object_at(member(co, "request", where + ".env_calls[]"), where + ".env_calls[].request");
        auto key = std::make_pair(get_string(changes, "role"), get_string(changes, "purpose"));
        json::object& frame = frames[key];
        for (const auto& m : changes) {
          if (m.value().is_null()) frame.erase(m.key());
          else frame[m.key()] = m.value();
        }
        json::object request = frame;
        request["messages"] = json::array{};
        env.push_back(json::object{{"request", std::move(request)}, {"response", member(co, "response", where + ".env_calls[]")}});
      }
      o["env_calls"] = std::move(env);
    }
    if (auto it = ct.find("search_calls"); it != ct.end()) o["search_calls"] = it->value();
    turns.push_back(std::move(o));
  }
  driver["turns"] = std::move(turns);

  auto game = make_game(get_string(c, "env"));
  Trajectory driving = trajectory_from_record(driver);
  auto oracle = parse_oracle_kind(driving.oracle);
  if (!oracle) throw ConfigError(fmt::format("the episode's oracle '{}' is unknown (valid: scripted, llm)", driving.oracle));
  Task task{driving.task_id, driving.task};
  if (auto index = c.find("task_index"); index != c.end()) {
    if (!index->value().is_number() || index->value().to_number<double>() < 0)
      throw ConfigError("the link's record: 'task_index' is not a task number");
    task = game->task(driving.seed, index->value().to_number<std::uint64_t>());
    if (task.id != driving.task_id)
      throw ConfigError(fmt::format("the link's task '{}' is no longer generated by this build (task {} of seed {} is '{}')",
                                    driving.task_id, index->value().to_number<std::uint64_t>(), driving.seed, task.id));
    driving.task = task.data;
  }
  auto recorded = std::make_shared<const Trajectory>(std::move(driving));

  // The record's calls in order: per turn the agent's, then the environment's.
  struct Slot {
    std::size_t turn, index;
    bool agent;
  };
  std::vector<Slot> slots;
  for (std::size_t k = 0; k < recorded->turns.size(); ++k) {
    for (std::size_t i = 0; i < recorded->turns[k].agent_calls.size(); ++i) slots.push_back({k, i, true});
    for (std::size_t i = 0; i < recorded->turns[k].env_calls.size(); ++i) slots.push_back({k, i, false});
  }
  std::size_t next = 0;
  // Requests are numbered and read back as the record's reader does, so deltas rebuild exactly.
  CallRecordReader reader(kRecordVersion);
  std::vector<LlmExchange> numbered;
  EpisodeRunner* running = nullptr;

  auto request_of = [&](std::size_t turn, std::size_t call) {
    const std::string where = fmt::format("turn {}.agent_calls[{}]", turn, call);
    json::object resolved = compact_turns[turn].get_object().at("agent_calls").get_array()[call].get_object();
    json::object& request = resolved["request"].as_object();
    if (auto messages = request.find("messages"); messages != request.end() && messages->value().is_array() &&
                                                  request.contains("base")) {
      const auto& base_value = request.at("base");
      const std::size_t base = base_value.is_number() ? base_value.to_number<std::size_t>() : numbered.size();
      const auto& turns_so_far = running->trajectory().turns;
      for (auto& m : messages->value().as_array()) {
        if (!m.is_object()) continue;
        auto& mo = m.as_object();
        if (get_string(mo, "is") == "response") {
          if (base >= numbered.size())
            throw ConfigError(fmt::format("the link's record: {} refers to call {}, which is not an earlier call", where, base));
          m = to_record(numbered[base].response.message);
        } else if (get_string(mo, "content_is") == "observation") {
          json::object message;
          const std::string observation = turn > 0 && turn - 1 < turns_so_far.size() ? turns_so_far[turn - 1].observation : "";
          for (const auto& part : mo) {
            if (part.key() == "content_is") message["content"] = observation;
            else message[part.key()] = part.value();
          }
          m = std::move(message);
        }
      }
    }
    numbered.push_back(reader.read(resolved, where));
    return numbered.back().request;
  };

  ReplayResponder searches(recorded);
  auto respond = [&](const LlmRequest& r) -> LlmResponse {
    if (next >= slots.size())
      throw ReplayMismatch(fmt::format("replay: the episode asks for a {} call ({}) after the {} recorded ones",
                                       to_string(r.role), r.purpose, slots.size()));
    const Slot slot = slots[next++];
    const Turn& turn = recorded->turns[slot.turn];
    if (slot.agent) return turn.agent_calls[slot.index].response;
    const LlmExchange& e = turn.env_calls[slot.index];
    if (e.request.role != r.role || e.request.purpose != r.purpose)
      throw ReplayMismatch(fmt::format(
          "replay: turn {} asks for a different environment call than recorded (call {} of the record: recorded {} '{}', "
          "now {} '{}'); the environment changed since the episode was recorded",
          slot.turn + 1, next, to_string(e.request.role), e.request.purpose, to_string(r.role), r.purpose));
    numbered.push_back(reader.read(json::object{{"request", to_record(r)}, {"response", to_record(e.response)}},
                                   fmt::format("turn {}.env_calls[{}]", slot.turn, slot.index)));
    return e.response;
  };

  RunSettings settings;
  settings.group = recorded->group;
  settings.sample = recorded->sample;
  settings.pause_between_turns = true;
  const int recorded_turns = static_cast<int>(recorded->turns.size());
  settings.max_turns = max_turns > 0 ? max_turns : recorded->stop_reason == "max_turns" ? recorded_turns : recorded_turns + 1;
  settings.adjust_request = [&](LlmRequest& r) {
    // The host's settings (sampling, response format) as recorded for the next environment call.
    if (r.role == LlmRole::Policy || next >= slots.size() || slots[next].agent) return;
    const LlmRequest& was = recorded->turns[slots[next].turn].env_calls[slots[next].index].request;
    if (was.role != r.role) return;
    r.sampling = was.sampling;
    r.response_format = was.response_format;
  };
  EpisodeRunner runner(*game, task, EpisodeOptions{*oracle, recorded->seed},
                       std::make_unique<ReplayAgent>(recorded, true, request_of), settings);
  running = &runner;
  std::string mismatch;
  while (true) {
    if (auto call = runner.next_call()) {
      try {
        if (call->search) runner.supply(searches.search(*call->search));
        else runner.supply(respond(*call->completion));
      } catch (const ReplayMismatch& e) {
        mismatch = e.what();
        break;
      }
      continue;
    }
    if (runner.finished() || runner.trajectory().turns.size() >= recorded->turns.size()) break;
  }

  RebuiltEpisode out;
  out.trajectory = runner.take_trajectory();
  out.trajectory.shaping = recorded->shaping;
  out.record_text = to_json_line(out.trajectory);
  if (!mismatch.empty()) {
    out.difference = mismatch;
  } else if (sha256_hex(out.record_text) != record_sha256) {
    const json::object replayed = to_record(out.trajectory);
    const json::array& replayed_turns = replayed.at("turns").get_array();
    for (std::size_t k = 0; k < compact_turns.size() && out.difference.empty(); ++k) {
      if (k >= replayed_turns.size()) {
        out.difference = fmt::format("the replay ends after {} turns; the record has {}", replayed_turns.size(),
                                     compact_turns.size());
      } else if (get_string(compact_turns[k].get_object(), "digest") != turn_digest(replayed_turns[k])) {
        const std::string what =
            replayed_turns[k].is_object()
                ? differing_parts(get_string(compact_turns[k].get_object(), "parts"), replayed_turns[k].get_object())
                : "";
        out.difference = what.empty() ? fmt::format("turn {} replays differently than recorded (its observation, reward "
                                                    "or the environment's model requests)",
                                                    k + 1)
                                      : fmt::format("turn {} replays differently than recorded: {}", k + 1, what);
      }
    }
    if (out.difference.empty() && replayed_turns.size() > compact_turns.size())
      out.difference = fmt::format("the replay goes on after the record's {} turns", compact_turns.size());
    if (out.difference.empty()) out.difference = "the replay ends differently than recorded (its stop reason, metrics or totals)";
    if (out.trajectory.fingerprint != recorded->fingerprint)
      out.difference = fmt::format("the environment has changed since the episode was recorded (recorded with {}, this "
                                   "build has {}); {}",
                                   recorded->fingerprint, out.trajectory.fingerprint, out.difference);
  }
  return out;
}

}  // namespace rapport
