// Record formats: model calls stored as deltas (format 2) rebuild their full requests exactly,
// records grow linearly with the episode, format-1 records (tests/data) still load, replay and
// give the cache keys they always had, and damaged deltas are refused with a clear message.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "core/cache_key.h"
#include "core/params.h"
#include "core/registry.h"
#include "core/replay.h"
#include "core/share_link.h"
#include "tests/portable/llm_episodes.h"

using namespace rapport;

namespace {

std::vector<std::string> data_lines(const std::string& name) {
  std::ifstream in(std::string(RAPPORT_TEST_DATA) + "/" + name);
  REQUIRE(in);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) lines.push_back(line);
  return lines;
}

Trajectory read_line(const std::string& line) {
  auto parsed = parse_json(line);
  REQUIRE(parsed);
  return trajectory_from_record(*parsed);
}

// Every call of a trajectory, in record order.
std::vector<const LlmExchange*> calls_of(const Trajectory& t) {
  std::vector<const LlmExchange*> out;
  for (const auto& turn : t.turns) {
    for (const auto& c : turn.agent_calls) out.push_back(&c);
    for (const auto& c : turn.env_calls) out.push_back(&c);
  }
  return out;
}

std::vector<const json::object*> call_records_of(const json::object& record) {
  std::vector<const json::object*> out;
  for (const auto& turn : record.at("turns").get_array())
    for (const char* key : {"agent_calls", "env_calls"})
      if (auto it = turn.get_object().find(key); it != turn.get_object().end())
        for (const auto& c : it->value().get_array()) out.push_back(&c.get_object());
  return out;
}

std::string message_of(const std::string& line) {
  try {
    read_line(line);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("records: format-1 files load, and are rewritten in format 2 with the same calls", "[records]") {
  for (const std::string& line : data_lines("records_v1.jsonl")) {
    Trajectory old = read_line(line);
    CHECK(old.record_version == 1);
    json::value v1 = *parse_json(line);
    auto v1_calls = call_records_of(v1.get_object());
    auto calls = calls_of(old);
    REQUIRE(calls.size() == v1_calls.size());
    REQUIRE_FALSE(calls.empty());
    // The full requests, exactly as format 1 wrote them.
    for (std::size_t i = 0; i < calls.size(); ++i)
      CHECK(to_json(to_record(calls[i]->request)) == to_json(v1_calls[i]->at("request")));

    std::string v2 = to_json_line(old);
    CHECK(v2.rfind(R"({"record_version":2,)", 0) == 0);
    CHECK(v2.size() * 2 < line.size());
    Trajectory again = read_line(v2);
    CHECK(again.record_version == 2);
    auto calls2 = calls_of(again);
    REQUIRE(calls2.size() == calls.size());
    for (std::size_t i = 0; i < calls.size(); ++i) {
      CHECK(calls2[i]->request == calls[i]->request);
      CHECK(to_json(to_record(calls2[i]->response)) == to_json(to_record(calls[i]->response)));
    }
    CHECK(to_json_line(again) == v2);
  }
}

TEST_CASE("records: format-1 records replay, from files and from e1 envelopes", "[records][replay]") {
  for (const std::string& line : data_lines("records_v1.jsonl")) {
    Trajectory old = read_line(line);
    INFO(old.env);
    Trajectory replayed = replay_trajectory(old);
    // An environment whose parameters changed since the fixture was written (TravelGym gained
    // parameters and metrics) has a new fingerprint: the replay says so, and still reproduces
    // every turn (moves, observations, rewards, calls).
    const bool unchanged = make_game(old.env)->fingerprint() == old.fingerprint;
    if (unchanged) CHECK(to_json_line(replayed) == to_json_line(old));
    else CHECK(to_json(to_record(replayed).at("turns")) == to_json(to_record(old).at("turns")));
    SharedEpisode episode = parse_share_envelope(line);
    ReplayOutcome outcome = replay_shared(episode);
    std::string envelope = R"({"format":"rapport-episode","version":1,"settings":{"max_turns":8},"record":)" + line + "}";
    ReplayOutcome from_envelope = replay_shared(parse_share_envelope(envelope));
    if (unchanged) {
      CHECK(outcome.difference == "");
      CHECK(outcome.identical);
      CHECK(from_envelope.identical);
    } else {
      CHECK(outcome.difference.find("the environment has changed since the episode was recorded") == 0);
      CHECK(from_envelope.difference == outcome.difference);
    }
  }
}

TEST_CASE("records: an LLM agent's calls are stored as what each adds to the conversation", "[records]") {
  Trajectory t = test::llm_function_episode(16);
  REQUIRE(t.turns.size() == 16);
  std::string line = to_json_line(t);
  json::value record = *parse_json(line);
  auto records = call_records_of(record.get_object());
  REQUIRE(records.size() == 16);
  CHECK(records[0]->at("request").get_object().contains("tools"));
  for (std::size_t i = 1; i < records.size(); ++i) {
    const auto& r = records[i]->at("request").get_object();
    INFO("call " << i << ": " << to_json(r));
    CHECK(r.at("base").to_number<std::int64_t>() == static_cast<std::int64_t>(i - 1));
    CHECK(r.at("keep").to_number<std::int64_t>() == static_cast<std::int64_t>(2 * i));  // all of the previous call's
    CHECK(r.at("messages").get_array().size() == 2);  // the agent's move and the observation
    CHECK_FALSE(r.contains("tools"));
    CHECK_FALSE(r.contains("sampling"));
  }
  // The requests rebuilt from the record are the requests made, and share their messages.
  Trajectory back = read_line(line);
  auto made = calls_of(t), read = calls_of(back);
  REQUIRE(read.size() == made.size());
  for (std::size_t i = 0; i < made.size(); ++i) CHECK(read[i]->request == made[i]->request);
  CHECK(&read[15]->request.messages[0] == &read[0]->request.messages[0]);
  CHECK(&made[15]->request.messages[2] == &made[1]->request.messages[2]);
  CHECK(to_json_line(back) == line);
}

TEST_CASE("records: bytes per turn do not grow with the turn's position", "[records]") {
  auto turn_bytes = [](const Trajectory& t) {
    std::vector<std::size_t> sizes;
    json::value record = *parse_json(to_json_line(t));
    for (const auto& turn : record.at("turns").get_array()) sizes.push_back(to_json(turn).size());
    return sizes;
  };
  for (const Trajectory& t : {test::llm_function_episode(32), test::llm_travel_episode(16)}) {
    INFO(t.env);
    auto sizes = turn_bytes(t);
    REQUIRE(sizes.size() >= 16);
    // The last turns cost what the early ones did (observations vary a little, histories do not add up).
    std::size_t early = std::max(sizes[2], sizes[3]), late = std::min(sizes[sizes.size() - 3], sizes[sizes.size() - 2]);
    CHECK(late < 2 * early);
  }
}

TEST_CASE("records: deltas carry changed frames, removed members and rewritten histories", "[records]") {
  Trajectory t = test::llm_function_episode(3);
  LlmExchange first;
  first.request.role = LlmRole::Judge;
  first.request.purpose = "judge";
  first.request.messages = {{"system", "Judge strictly."}, {"user", "Was it right?"}};
  first.request.tools = json::array{json::object{{"type", "function"}}};
  first.request.tool_choice = "auto";
  first.response = llm_text("yes");
  LlmExchange second = first;
  second.request.messages = first.request.messages;
  second.request.messages.edit(1).content = "Was it right this time?";  // the history is not a prefix
  second.request.messages.push_back({"user", "Answer yes or no."});
  second.request.tools = {};
  second.request.tool_choice = "";
  second.request.sampling.temperature = 0.5;
  second.request.sampling.seed = 9;
  second.response = llm_failure("HTTP 500");
  t.turns[0].env_calls = {first};
  t.turns[1].env_calls = {second, first};
  std::string line = to_json_line(t);
  json::value record = *parse_json(line);
  auto records = call_records_of(record.get_object());
  REQUIRE(records.size() == 6);
  const auto& delta = records[3]->at("request").get_object();  // turn 1's agent call is call 2
  CHECK(delta.at("base").to_number<int>() == 1);
  CHECK(delta.at("keep").to_number<int>() == 1);
  CHECK(delta.at("tools").is_null());
  CHECK(delta.at("tool_choice").is_null());
  CHECK(delta.at("sampling").at("seed").to_number<int>() == 9);
  CHECK(delta.at("messages").get_array().size() == 2);
  Trajectory back = read_line(line);
  CHECK(back.turns[1].env_calls[0].request == second.request);
  CHECK(back.turns[1].env_calls[1].request == first.request);
  CHECK(back.turns[0].env_calls[0].request == first.request);
  CHECK_FALSE(back.turns[1].env_calls[0].response.ok);
  CHECK(to_json_line(back) == line);
}

TEST_CASE("records: damaged deltas and newer formats are refused with a clear message", "[records]") {
  std::string line = to_json_line(test::llm_function_episode(3));
  auto replace = [&](std::string from, std::string to) {
    std::string s = line;
    auto at = s.find(from);
    REQUIRE(at != std::string::npos);
    return s.replace(at, from.size(), to);
  };
  CHECK(message_of(replace(R"("base":1,)", R"("base":7,)")).find("base 7 is not an earlier call") != std::string::npos);
  CHECK(message_of(replace(R"("base":1,)", R"("base":"one",)")).find("not a call number") != std::string::npos);
  CHECK(message_of(replace(R"("keep":4,)", R"("keep":40,)")).find("keeps 40 messages of call 1, which has 4") !=
        std::string::npos);
  CHECK(message_of(replace(R"("keep":4,)", "")).find("'keep'") != std::string::npos);
  CHECK(message_of(replace(R"({"record_version":2,)", "{")).find("a delta request ('base') in a record of format 1") !=
        std::string::npos);
  CHECK(message_of(replace(R"({"record_version":2,)", R"({"record_version":3,)")).find("newer Rapport (record format 3") !=
        std::string::npos);
  CHECK(message_of(replace(R"({"request":{"base":1)", R"({"kind":"search","request":{"base":1)")).find("kind \"search\"") !=
        std::string::npos);
  CHECK(message_of(replace(R"({"request":{"base":1)", R"({"kind":"completion","request":{"base":1)")) == "");
}

TEST_CASE("cache keys: computed along the conversation, the same as format 1 builds computed", "[records][cache_key]") {
  std::vector<std::string> expected = data_lines("cache_keys_v1.txt");
  std::size_t next = 0;
  for (const std::string& line : data_lines("records_v1.jsonl")) {
    Trajectory old = read_line(line);
    Trajectory v2 = read_line(to_json_line(old));
    CacheKeyChain chain;
    for (const LlmExchange* call : calls_of(v2)) {
      REQUIRE(next < expected.size());
      CHECK(llm_cache_key(call->request, "canned", v2.fingerprint) == expected[next]);
      CHECK(chain.key(call->request, "canned", v2.fingerprint) == expected[next]);
      ++next;
    }
  }
  CHECK(next == expected.size());
  // Another model or environment is another key, also along a chain.
  Trajectory t = test::llm_function_episode(4);
  CacheKeyChain chain;
  for (const LlmExchange* call : calls_of(t)) {
    CHECK(chain.key(call->request, "other", t.fingerprint) == llm_cache_key(call->request, "other", t.fingerprint));
    CHECK(chain.key(call->request, "other", t.fingerprint) != llm_cache_key(call->request, "canned", t.fingerprint));
  }
}
