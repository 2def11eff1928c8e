// `rapport replay`: share links made natively (zlib raw deflate) or in a browser replay byte for
// byte; exported files and trajectory lines too; damaged links and tampered transcripts fail with
// a clear message and their own exit codes.
#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "core/params.h"
#include "core/registry.h"
#include "core/runner.h"
#include "native/files.h"
#include "native/share_codec.h"
#include "tests/portable/llm_episodes.h"

using namespace rapport;

namespace {

struct CliRun {
  int code = -1;
  std::string out;
};

std::string quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

CliRun rapport_cli(const std::string& args) {
  CliRun run;
  FILE* pipe = popen((std::string(RAPPORT_CLI) + " " + args + " 2>&1").c_str(), "r");
  REQUIRE(pipe);
  std::array<char, 65536> buffer;
  std::size_t n;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) run.out.append(buffer.data(), n);
  int status = pclose(pipe);
  run.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

Trajectory scripted_episode(std::uint64_t seed) {
  auto game = make_game("function(difficulty=easy)");
  RunSettings settings;
  settings.max_turns = 30;
  return run_episode(*game, game->task(seed, 0), EpisodeOptions{OracleKind::Scripted, seed}, game->scripted_agent(seed),
                     settings, [](const LlmRequest&) { return llm_failure("no model"); });
}

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("rapport_replay_test_" + name)).string();
}

}  // namespace

TEST_CASE("replay: raw deflate round trip and a refused bomb", "[replay_cli]") {
  std::string text = to_json_line(scripted_episode(1));
  std::string packed = deflate_raw(text);
  CHECK(packed.size() < text.size());
  CHECK(inflate_raw(packed) == text);
  CHECK_THROWS_WITH(inflate_raw(packed.substr(0, packed.size() / 2)), Catch::Contains("does not decompress"));
  std::string zeros(kMaxShareEnvelopeBytes + 1024, '\0');
  CHECK_THROWS_WITH(inflate_raw(deflate_raw(zeros)), Catch::Contains("inflates beyond"));
}

TEST_CASE("replay: a native share link replays byte for byte", "[replay_cli]") {
  Trajectory t = scripted_episode(2);
  std::string link = make_share_link(t, ShareSettings{30, "", "", "equalized", "mean"}, "http://127.0.0.1:8080/");
  CHECK(link.rfind("http://127.0.0.1:8080/#e3.", 0) == 0);
  SharedEpisode back = read_shared_episode(link);
  CHECK(back.record_text == to_json_line(t));
  CHECK(back.settings.max_turns == 30);

  CliRun run = rapport_cli("replay " + quote(link));
  INFO(run.out);
  CHECK(run.code == 0);
  CHECK(run.out.find("byte-identical") != std::string::npos);
  // The fragment alone works too.
  run = rapport_cli("replay " + quote(link.substr(link.find('#'))));
  CHECK(run.code == 0);
}

TEST_CASE("replay: exported files and trajectory lines", "[replay_cli]") {
  Trajectory t = scripted_episode(3);
  std::string envelope_file = temp_path("episode.json");
  write_text_file(envelope_file, share_envelope(t, ShareSettings{30, "", "", "", ""}));
  std::string out_file = temp_path("replayed.jsonl");
  CliRun run = rapport_cli("replay " + quote(envelope_file) + " --out " + quote(out_file) + " --print-link");
  INFO(run.out);
  CHECK(run.code == 0);
  CHECK(read_text_file(out_file) == to_json_line(t) + "\n");
  // The printed link opens to the same record.
  std::size_t at = run.out.find("#e3.");
  REQUIRE(at != std::string::npos);
  std::string link = run.out.substr(at, run.out.find('\n', at) - at);
  CHECK(read_shared_episode(link).record_text == to_json_line(t));

  std::string line_file = temp_path("line.jsonl");
  write_text_file(line_file, to_json_line(t) + "\n");
  run = rapport_cli("replay " + quote(line_file));
  CHECK(run.code == 0);
  std::filesystem::remove(envelope_file);
  std::filesystem::remove(out_file);
  std::filesystem::remove(line_file);
}

TEST_CASE("replay: damaged links and tampered transcripts", "[replay_cli]") {
  Trajectory t = scripted_episode(4);
  std::string link = make_share_link(t, {}, "http://127.0.0.1:8080/");

  CliRun cut = rapport_cli("replay " + quote(link.substr(0, link.size() - 40)));
  INFO(cut.out);
  CHECK(cut.code == 2);
  CHECK(cut.out.find("damaged") != std::string::npos);

  std::string flipped = link;
  std::size_t middle = link.find('#') + 30 + (link.size() - link.find('#') - 30) / 2;
  flipped[middle] = flipped[middle] == 'A' ? 'B' : 'A';
  CliRun bad = rapport_cli("replay " + quote(flipped));
  INFO(bad.out);
  CHECK(bad.code == 2);
  CHECK(bad.out.find("the link is damaged") != std::string::npos);

  CliRun other = rapport_cli("replay " + quote("http://127.0.0.1:8080/#hello"));
  CHECK(other.code == 2);
  CHECK(other.out.find("not a Rapport episode link") != std::string::npos);

  // A well-formed link whose transcript was edited: the replay says where it diverges.
  Trajectory tampered = t;
  REQUIRE(tampered.turns.size() > 2);
  tampered.turns[2].observation = "For numbers [1.0, 1.0, 1.0, 1.0], the function gives 42.0.";
  CliRun diverged = rapport_cli("replay " + quote(make_share_link(tampered, {})));
  INFO(diverged.out);
  CHECK(diverged.code == 1);
  // A link holds no observations (the replay rebuilds them): it names the turn that differs.
  CHECK(diverged.out.find("diverges: turn 3 replays differently than recorded") != std::string::npos);
  // An exported file holds the full record: it names the field.
  std::string file = temp_path("tampered.json");
  write_text_file(file, share_envelope(tampered, {}));
  CliRun from_file = rapport_cli("replay " + quote(file));
  INFO(from_file.out);
  CHECK(from_file.code == 1);
  CHECK(from_file.out.find("diverges: turns[2].observation") != std::string::npos);
  std::filesystem::remove(file);
}

TEST_CASE("replay: a 16-turn LLM travel episode's link replays byte for byte", "[replay_cli][records]") {
  Trajectory t = test::llm_travel_episode(16);
  REQUIRE(t.turns.size() == 16);
  std::string link = make_share_link(t, ShareSettings{16, "canned", "canned", "", ""}, "http://127.0.0.1:8080/");
  // The link carries only what a replay cannot rebuild (core/link_record.h): under 8k characters,
  // where the full record's envelope takes about 14k.
  CHECK(link.size() < 8000);
  SharedEpisode back = read_shared_episode(link);
  CHECK(back.record_text == to_json_line(t));
  ReplayOutcome outcome = replay_shared(back);
  CHECK(outcome.difference == "");
  CHECK(outcome.identical);
  CliRun run = rapport_cli("replay " + quote(link));
  INFO(run.out);
  CHECK(run.code == 0);
  CHECK(run.out.find("byte-identical") != std::string::npos);
}

TEST_CASE("replay: format-1 files and e1 links still replay, and replay:FILE plays them", "[replay_cli][records]") {
  const std::string data = RAPPORT_TEST_DATA;
  // TravelGym gained parameters since these fixtures were written, so its fingerprint changed:
  // the old link and record still open and replay to the end, and replay says what changed.
  const std::string changed = "diverges: the environment has changed since the episode was recorded";
  CliRun link = rapport_cli("replay " + quote(data + "/link_v1_travel.txt"));
  INFO(link.out);
  CHECK(link.code == 1);
  CHECK(link.out.find(changed) != std::string::npos);

  std::ifstream in(data + "/records_v1.jsonl");
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  REQUIRE(lines.size() == 2);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    std::string file = temp_path(fmt::format("v1_{}.jsonl", i));
    write_text_file(file, lines[i] + "\n");
    CliRun run = rapport_cli("replay " + quote(file));
    INFO(run.out);
    const bool travel = lines[i].find(R"("env":"travel)") != std::string::npos;
    CHECK(run.code == (travel ? 1 : 0));
    CHECK(run.out.find(travel ? changed : "byte-identical") != std::string::npos);
    std::filesystem::remove(file);
  }

  // The FunctionGym line, played again by `rapport run --agent replay:FILE`: the same moves and
  // observations, written in today's format.
  std::string file = temp_path("v1_function.jsonl"), out = temp_path("v1_replayed.jsonl");
  write_text_file(file, lines[0] + "\n");
  std::filesystem::remove(out);
  CliRun run = rapport_cli("run --agent " + quote("replay:" + file) + " --out " + quote(out) + " -q");
  INFO(run.out);
  REQUIRE(run.code == 0);
  Trajectory before = trajectory_from_record(*parse_json(lines[0]));
  std::string replayed = read_text_file(out);
  CHECK(replayed.rfind(R"({"record_version":2,)", 0) == 0);
  Trajectory after = trajectory_from_record(*parse_json(replayed));
  REQUIRE(after.turns.size() == before.turns.size());
  for (std::size_t k = 0; k < before.turns.size(); ++k) {
    CHECK(after.turns[k].action == before.turns[k].action);
    CHECK(after.turns[k].observation == before.turns[k].observation);
  }
  CHECK(after.total_reward() == before.total_reward());
  std::filesystem::remove(file);
  std::filesystem::remove(out);
}
