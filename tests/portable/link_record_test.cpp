// Version 3 envelopes (links): the compact record holds only what a replay cannot rebuild, and
// opening it rebuilds the full record byte for byte; a record the replay departs from says where.
#include <catch2/catch.hpp>

#include "core/link_record.h"
#include "core/registry.h"
#include "core/runner.h"
#include "core/sha256.h"
#include "core/share_link.h"
#include "tests/portable/episode_support.h"
#include "tests/portable/llm_episodes.h"

using namespace rapport;
using rapport::test::no_model;

namespace {

Trajectory scripted_episode(const std::string& spec, std::uint64_t seed, int max_turns = 30) {
  auto game = make_game(spec);
  Task task = game->task(seed, 0);
  RunSettings settings;
  settings.max_turns = max_turns;
  return run_episode(*game, task, EpisodeOptions{OracleKind::Scripted, seed}, game->scripted_agent(seed), settings,
                     no_model);
}

void check_rebuilds(const Trajectory& t, int max_turns) {
  std::string envelope = share_link_envelope(t, ShareSettings{max_turns, "", "", "", ""});
  CHECK(envelope.rfind(R"({"format":"rapport-episode","version":3,)", 0) == 0);
  SharedEpisode e = parse_share_envelope(envelope);
  CHECK(e.difference == "");
  CHECK(e.record_text == to_json_line(t));
  ReplayOutcome r = replay_shared(e);
  CHECK(r.identical);
  CHECK(r.difference == "");
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("link records: LLM-played episodes rebuild byte for byte", "[share][records]") {
  check_rebuilds(test::llm_travel_episode(16), 16);
  check_rebuilds(test::llm_travel_episode(5), 5);
  check_rebuilds(test::llm_function_episode(16), 16);
}

TEST_CASE("link records: scripted, unfinished and agent-stopped episodes rebuild byte for byte", "[share][records]") {
  check_rebuilds(scripted_episode("function(difficulty=easy)", 3), 30);
  check_rebuilds(scripted_episode("travel(tier=easy)", 2), 30);
  check_rebuilds(scripted_episode("function(difficulty=easy)", 5, 2), 2);  // stopped by the turn limit

  auto game = make_game("function(difficulty=easy)");
  RunSettings settings;
  settings.pause_between_turns = true;
  EpisodeRunner runner(*game, game->task(5, 0), EpisodeOptions{}, game->scripted_agent(5), settings);
  for (int i = 0; i < 4; ++i) runner.advance();
  REQUIRE(runner.trajectory().turns.size() == 3);
  check_rebuilds(runner.trajectory(), 0);
}

TEST_CASE("link records: only what a replay cannot rebuild is kept", "[share][records]") {
  Trajectory t = test::llm_travel_episode(16);
  json::object compact = link_record(t);
  const std::string text = to_json(compact);
  // The task is generated again from its index; prompts, observations and the environment's
  // request messages are rebuilt, so none of their text travels.
  CHECK(compact.at("task_index") == 0);
  CHECK_FALSE(compact.contains("task"));
  CHECK_FALSE(compact.contains("system_prompt"));
  CHECK(text.find("Conversation so far") == std::string::npos);
  CHECK(text.find(t.turns[3].observation) == std::string::npos);
  CHECK(text.find(t.system_prompt.substr(0, 60)) != std::string::npos);  // the agent's first request, once
  CHECK(count(text, t.system_prompt.substr(0, 60)) == 1);
  // Each agent response is written once: later requests refer to it.
  CHECK(count(text, t.turns[4].agent_calls[0].response.message.reasoning) == 2);  // the response and the move
  CHECK(count(text, R"({"is":"response"})") == 15);
  CHECK(count(text, R"("content_is":"observation")") == 15);
  // The environment's frames (the host's sampling, the response schema) are written once per purpose.
  CHECK(count(text, "search_judgement") == 1);
  // The same bytes on every target: the compact record of the fixed episode.
  CHECK(sha256_hex(to_json_line(t)).size() == 64);
  CHECK(text.size() * 4 < to_json_line(t).size());
}

TEST_CASE("link records: a record the replay departs from says where", "[share][records]") {
  Trajectory t = test::llm_travel_episode(8);
  std::string envelope = share_link_envelope(t, ShareSettings{8, "", "", "", ""});

  // The simulated user said something else at turn 3 than what the record's digest holds.
  std::string edited = envelope;
  const std::string said = t.turns[2].env_calls.back().response.message.content;
  const std::string before = link_record(t).at("turns").get_array()[1].get_object().at("digest").get_string().c_str();
  auto at = edited.find(to_json(json::value(said)).substr(1, 40), edited.find(before));
  REQUIRE(at != std::string::npos);
  edited.replace(at, 4, "Well");
  SharedEpisode e = parse_share_envelope(edited);
  INFO(e.difference);
  // Named by what differs: the user's words are the turn's observation and earn its reward, and
  // the response the link carries is not the one recorded.
  CHECK(e.difference == "turn 3 replays differently than recorded: its observation, its reward or ending, its info and "
                        "the environment's model calls differ");
  // A link written before turns carried their parts' digests still names the turn.
  std::string unparted = edited;
  for (auto p = unparted.find(R"(,"parts":")"); p != std::string::npos; p = unparted.find(R"(,"parts":")"))
    unparted.erase(p, unparted.find('"', p + 10) + 1 - p);
  CHECK(parse_share_envelope(unparted).difference.rfind("turn 3 replays differently than recorded (its observation", 0) == 0);
  ReplayOutcome r = replay_shared(e);
  CHECK_FALSE(r.identical);
  CHECK(r.difference == e.difference);
  CHECK(r.trajectory.turns.size() == 8);

  // A record whose hash is not the replay's, though every turn matches: the ending differs.
  std::string sha = sha256_hex(to_json_line(t));
  std::string other = envelope;
  other.replace(other.find(sha), 4, sha[0] == '0' ? "1111" : "0000");
  CHECK(parse_share_envelope(other).difference.find("ends differently") != std::string::npos);

  // An environment that asks for other calls than recorded: a mismatch names the turn.
  std::string judged = envelope;
  auto purpose = judged.find(R"("purpose":"utterance_judge")");
  REQUIRE(purpose != std::string::npos);
  judged.replace(purpose, 27, R"("purpose":"something_else")");
  CHECK(parse_share_envelope(judged).difference.find("asks for a different environment call") != std::string::npos);

  // Damaged structure is refused with a message.
  CHECK_THROWS_WITH(parse_share_envelope(R"({"format":"rapport-episode","version":3,"record_sha256":"x"})"),
                    Catch::Contains("link_record"));
  std::string no_turns = envelope;
  no_turns.replace(no_turns.find(R"("turns":)"), 8, R"("turnz":)");
  CHECK_THROWS_WITH(parse_share_envelope(no_turns), Catch::Contains("no 'turns'"));
}
