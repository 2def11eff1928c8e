// Share links: base64url, the envelope (no secrets), link parsing with clear errors, and replaying
// shared records byte for byte, including model calls and unfinished episodes.
#include <catch2/catch.hpp>

#include "core/params.h"
#include "core/registry.h"
#include "core/runner.h"
#include "core/share_link.h"
#include "tests/portable/episode_support.h"

using namespace rapport;
using rapport::test::no_model;

namespace {

Trajectory scripted_function_episode(std::uint64_t seed) {
  auto game = make_game("function(difficulty=easy)");
  Task task = game->task(seed, 0);
  RunSettings settings;
  settings.max_turns = 30;
  return run_episode(*game, task, EpisodeOptions{OracleKind::Scripted, seed}, game->scripted_agent(seed), settings,
                     no_model);
}

// An agent that asks a model for every move and reads "[...] ..." from its text, so records hold
// agent calls.
class AskingAgent : public Agent {
 public:
  std::string name() const override { return "asking"; }
  void start(const std::string&, const std::string&) override {}
  Flow<AgentMove> next_move() override {
    LlmRequest request;
    request.role = LlmRole::Policy;
    request.purpose = "move";
    request.messages.push_back({"user", "Your move " + std::to_string(++moves_), "", {}, ""});
    return Flow<AgentMove>::need(request, [](const LlmResponse& r) {
      AgentMove m;
      m.action = r.ok ? r.message.content : "";
      m.reasoning = r.message.reasoning;
      return m;
    });
  }
  void observe(const StepResult&) override {}

 private:
  int moves_ = 0;
};

SharedEpisode shared(const Trajectory& t, ShareSettings settings = {}) {
  return parse_share_envelope(share_envelope(t, settings));
}

}  // namespace

TEST_CASE("share link: base64url round trip", "[share]") {
  std::string all;
  for (int c = 0; c < 256; ++c) all += static_cast<char>(c);
  for (std::size_t n = 0; n <= all.size(); n += (n < 8 ? 1 : 37)) {
    std::string bytes = all.substr(0, n);
    std::string text = base64url_encode(bytes);
    CHECK(text.find_first_of("+/=") == std::string::npos);
    auto back = base64url_decode(text);
    REQUIRE(back);
    CHECK(*back == bytes);
  }
  CHECK(base64url_encode("hi?>") == "aGk_Pg");
  CHECK_FALSE(base64url_decode("aGk/Pg"));  // '/' is standard base64, not base64url
  CHECK_FALSE(base64url_decode("aGk_P"));   // impossible length
  CHECK(base64url_decode("aGk_Pg==") == std::string("hi?>"));
}

TEST_CASE("share link: the envelope keeps the record's bytes and only known settings", "[share]") {
  Trajectory t = scripted_function_episode(7);
  ShareSettings settings;
  settings.max_turns = 30;
  settings.agent_model = "some-model";
  settings.turn_credit = "r2g";
  std::string envelope = share_envelope(t, settings);
  CHECK(envelope.rfind(R"({"format":"rapport-episode","version":2,"settings":{"max_turns":30,)", 0) == 0);
  SharedEpisode e = parse_share_envelope(envelope);
  CHECK(e.record_text == to_json_line(t));
  CHECK(e.settings.max_turns == 30);
  CHECK(e.settings.agent_model == "some-model");
  CHECK(e.settings.turn_credit == "r2g");
  CHECK(e.trajectory.turns.size() == t.turns.size());

  // A crafted file may hold more; only the known settings survive a round trip.
  std::string crafted = envelope;
  crafted.replace(crafted.find("\"max_turns\""), 0, R"("api_key":"sk-secret","base_url":"http://10.0.0.1",)");
  SharedEpisode c = parse_share_envelope(crafted);
  std::string again = share_envelope(c.trajectory, c.settings);
  CHECK(again.find("sk-secret") == std::string::npos);
  CHECK(again.find("base_url") == std::string::npos);
  CHECK(again == envelope);

  // A bare trajectory record (a line of a trajectories file) is accepted too.
  SharedEpisode bare = parse_share_envelope(to_json_line(t) + "\n");
  CHECK(bare.record_text == to_json_line(t));
}

TEST_CASE("share link: bad envelopes say what is wrong", "[share]") {
  auto message = [](std::string_view text) {
    try {
      parse_share_envelope(text);
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK(message("{not json").find("not valid JSON") != std::string::npos);
  CHECK(message("[1,2]").find("not a JSON object") != std::string::npos);
  CHECK(message(R"({"format":"other","version":1})").find("not a Rapport episode") != std::string::npos);
  CHECK(message(R"({"format":"rapport-episode","version":9,"record":{}})").find("newer Rapport") != std::string::npos);
  CHECK(message(R"({"format":"rapport-episode","version":1})").find("no 'record'") != std::string::npos);
  CHECK(message(R"({"format":"rapport-episode","version":1,"record":{"env":"function"}})").find("fingerprint") !=
        std::string::npos);
  CHECK(message(R"({"hello":1})").find("neither") != std::string::npos);
}

TEST_CASE("share link: fragments parse from URLs and damage is reported", "[share]") {
  std::string envelope = share_envelope(scripted_function_episode(3), {});
  std::string compressed = "\x01\x02\xff compressed bytes";
  std::string fragment = share_fragment(compressed, envelope);
  CHECK(fragment.rfind("e3.", 0) == 0);

  for (std::string link : {fragment, "#" + fragment, "http://127.0.0.1:8080/index.html#" + fragment, "  " + fragment + "\n"}) {
    ShareFragment f = parse_share_fragment(link);
    CHECK(f.version == 3);
    CHECK(f.compressed == compressed);
    CHECK_NOTHROW(open_shared_envelope(f, envelope));
  }
  CHECK(parse_share_fragment("e1." + fragment.substr(3)).version == 1);  // links made before format 2
  CHECK(parse_share_fragment("e2." + fragment.substr(3)).version == 2);

  auto message = [](std::string_view link) {
    try {
      parse_share_fragment(link);
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK(message("https://example.org/").find("holds no episode") == std::string::npos);  // no '#': the whole text
  CHECK(message("https://example.org/#").find("holds no episode") != std::string::npos);
  CHECK(message("#hello").find("not a Rapport episode link") != std::string::npos);
  CHECK(message("#e7.0000000000000000.AAAA").find("newer Rapport") != std::string::npos);
  CHECK(message("#e1.00000000.AAAA").find("checksum") != std::string::npos);
  CHECK(message("#e1.000000000000000g.AAAA").find("hexadecimal") != std::string::npos);
  CHECK(message("#e1.0000000000000000.").find("no episode data") != std::string::npos);
  std::string broken = fragment;
  broken[broken.size() - 3] = '%';
  CHECK(message(broken).find("cannot occur in an episode link") != std::string::npos);
  CHECK(message("#e1.0000000000000000.AAAAA").find("cut short") != std::string::npos);  // 5 characters: no whole byte
  CHECK(message("#e1." + std::string(kMaxShareLinkChars, 'A')).find("too long") != std::string::npos);

  // Content that does not match the checksum: damaged or altered.
  ShareFragment f = parse_share_fragment(fragment);
  std::string altered = envelope;
  altered[altered.find("\"seed\":3") + 7] = '4';
  try {
    open_shared_envelope(f, altered);
    FAIL("an altered envelope was accepted");
  } catch (const ConfigError& e) {
    CHECK(std::string(e.what()).find("damaged or was altered") != std::string::npos);
  }
}

TEST_CASE("share link: a scripted episode replays byte for byte", "[share]") {
  for (std::uint64_t seed : {1, 2, 3}) {
    Trajectory t = scripted_function_episode(seed);
    REQUIRE(t.turns.size() >= 3);
    ReplayOutcome r = replay_shared(shared(t));
    CHECK(r.identical);
    CHECK(r.difference.empty());
    CHECK(r.record_text == to_json_line(t));
  }
}

TEST_CASE("share link: an unfinished episode replays as far as it went", "[share]") {
  auto game = make_game("function(difficulty=easy)");
  Task task = game->task(5, 0);
  RunSettings settings;
  settings.pause_between_turns = true;
  EpisodeRunner runner(*game, task, EpisodeOptions{}, game->scripted_agent(5), settings);
  // Paused before the first move, then after each of three moves.
  CHECK(runner.advance() == nullptr);
  CHECK(runner.paused());
  CHECK(runner.trajectory().turns.empty());
  for (int i = 0; i < 3; ++i) {
    CHECK(runner.advance() == nullptr);
    CHECK(runner.paused());
    CHECK_FALSE(runner.finished());
  }
  REQUIRE(runner.trajectory().turns.size() == 3);
  Trajectory partial = runner.trajectory();
  CHECK(partial.stop_reason.empty());
  ReplayOutcome r = replay_shared(shared(partial));
  CHECK(r.identical);
  CHECK(r.trajectory.turns.size() == 3);
}

TEST_CASE("share link: recorded model calls are replayed for agent and record alike", "[share]") {
  auto game = make_game("function");
  Task task = game->task(11, 0);
  std::vector<std::string> script = {"[search] test", "[action] 1 2 3 4", "[answer] 12", "[finish]"};
  std::size_t next = 0;
  RunSettings settings;
  settings.max_turns = 10;
  Trajectory t = run_episode(*game, task, EpisodeOptions{}, std::make_unique<AskingAgent>(), settings,
                             [&](const LlmRequest&) {
                               LlmResponse r = llm_text(script[next++ % script.size()]);
                               r.message.reasoning = "thinking about it";
                               return r;
                             });
  REQUIRE(t.turns.size() >= 3);
  REQUIRE(t.turns[0].agent_calls.size() == 1);
  ReplayOutcome r = replay_shared(shared(t, ShareSettings{10, "m", "", "", ""}));
  CHECK(r.identical);
  CHECK(r.trajectory.agent == "asking");
  CHECK(r.trajectory.turns[1].agent_calls[0].response.message.content == "[action] 1 2 3 4");
}

TEST_CASE("share link: a tampered transcript is caught by the replay", "[share]") {
  Trajectory t = scripted_function_episode(4);
  REQUIRE(t.turns.size() >= 3);
  Trajectory tampered = t;
  tampered.turns[2].observation = "For numbers [1.0, 1.0, 1.0, 1.0], the function gives 42.0.";
  ReplayOutcome r = replay_shared(shared(tampered));
  CHECK_FALSE(r.identical);
  CHECK(r.difference.rfind("turns[2].observation: ", 0) == 0);
  CHECK(r.difference.find("42.0") != std::string::npos);

  tampered = t;
  tampered.turns[1].reward = 0.5;
  r = replay_shared(shared(tampered));
  CHECK(r.difference.rfind("turns[1].reward: 0.5 in the record, 0.0 in the replay", 0) == 0);

  tampered = t;
  tampered.fingerprint = "function@0:0000000000000000";
  r = replay_shared(shared(tampered));
  CHECK(r.difference.find("environment has changed") != std::string::npos);

  tampered = t;
  tampered.env = "no_such_env";
  CHECK_THROWS_WITH(replay_shared(shared(tampered)), Catch::Contains("unknown environment"));
  tampered = t;
  tampered.oracle = "psychic";
  CHECK_THROWS_WITH(replay_shared(shared(tampered)), Catch::Contains("oracle 'psychic'"));
}

TEST_CASE("share link: first_difference names the path", "[share]") {
  auto a = *parse_json(R"({"x":[1,{"y":"a"}],"z":1.0})");
  CHECK(first_difference(a, a).empty());
  CHECK(first_difference(a, *parse_json(R"({"x":[1,{"y":"b"}],"z":1.0})")) == R"(x[1].y: "a" in the record, "b" in the replay)");
  CHECK(first_difference(a, *parse_json(R"({"x":[1],"z":1.0})")) == "x: 2 items in the record, 1 in the replay");
  CHECK(first_difference(a, *parse_json(R"({"x":[1,{"y":"a"}]})")) == "z: in the record but not in the replay");
}
