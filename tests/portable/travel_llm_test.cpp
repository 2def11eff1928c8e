// TravelGym's LLM oracle: the requests it makes, the answers it accepts (JSON, fenced, Python
// literals) and the reference's fallbacks on anything else, driven through the runner with canned
// completions.
#include <catch2/catch.hpp>

#include "core/registry.h"
#include "core/runner.h"
#include "envs/travel/travel.h"

using namespace rapport;
using namespace rapport::travel;

namespace {

enum class Style { Json, Python, Garbage, Failure };

std::string between(const std::string& text, std::string_view from, std::string_view to) {
  auto a = text.find(from);
  if (a == std::string::npos) return "";
  a += from.size();
  auto b = text.find(to, a);
  return text.substr(a, b == std::string::npos ? std::string::npos : b - a);
}

// A stand-in model: judges searches by the aspect they name, calls every question a question about
// the first open preference, and answers with the scenario's example statement.
LlmResponse fake_model(const LlmRequest& r, Style style) {
  if (style == Style::Failure) return llm_failure("HTTP 503");
  if (style == Style::Garbage) return llm_text("I'm not sure what you want me to do here.");
  const std::string& user = r.messages.at(1).content;
  bool py = style == Style::Python;
  if (r.purpose == "search_judge") {
    auto named = aspects_named(between(user, "Search request:\n", "\n\nGround-truth"));
    if (named.size() != 1) return llm_text(py ? "{'alignment_judgement': 'False', 'alignment_aspect': ''}" : R"({"alignment_judgement": "False"})");
    std::string aspect = named[0] == "rental_car" ? "rental car" : named[0];
    return llm_text(py ? "Verdict:\n```python\n{'alignment_judgement': 'True', 'alignment_aspect': '" + aspect + "'}\n```"
                       : R"({"alignment_judgement": "True", "alignment_aspect": ")" + aspect + R"("})");
  }
  if (r.purpose == "utterance_judge") {
    std::string id = between(user, "Preference ID: ", "\n");
    if (id.empty()) return llm_text(py ? "{'type': 1, 'preference_id': None}" : R"({"type": "1"})");
    return llm_text(py ? "Here is my reading: {'type': 2, 'preference_id': '" + id + "', 'note': 'fine'}"
                       : R"({"type": "2", "preference_id": ")" + id + R"(", "note": "asked concretely"})");
  }
  std::string hint = between(user, "Example of an indirect statement: ", "\n");
  if (hint.empty()) hint = "Okay.";
  return llm_text(py ? "<think>stay in character</think>{'thought': 'hint it', 'response': \"" + hint + "\"}"
                     : R"({"thought": "hint it", "response": ")" + hint + R"("})");
}

Trajectory run_llm(const std::string& spec, std::uint64_t index, Style style) {
  auto game = make_game(spec);
  Task task = game->task(77, index);
  return run_episode(*game, task, EpisodeOptions{OracleKind::Llm, 5}, game->scripted_agent(5), RunSettings{20},
                     [style](const LlmRequest& r) { return fake_model(r, style); });
}

}  // namespace

TEST_CASE("travel: LLM oracle requests and well-formed answers, end to end", "[travel]") {
  for (Style style : {Style::Json, Style::Python}) {
    Trajectory t = run_llm("travel(tier=easy,shape=22)", 0, style);
    INFO(to_json_line(t));
    int calls = 0;
    for (const auto& turn : t.turns)
      for (const auto& c : turn.env_calls) {
        ++calls;
        const auto& p = c.request.purpose;
        bool judge = p == "search_judge" || p == "utterance_judge";
        CHECK((judge || p == "preference_reply" || p == "proactive_reply" || p == "natural_reply"));
        CHECK(c.request.role == (judge ? LlmRole::Judge : LlmRole::User));
        REQUIRE(c.request.messages.size() == 2);
        CHECK(c.request.messages[0].role == "system");
        CHECK(c.request.sampling.temperature == 0.0);
        // The hidden preferences reach only the judge and the traveller, never the agent.
        CHECK(turn.observation.find("Preference ID") == std::string::npos);
      }
    CHECK(calls > 4);
    const auto& m = t.metrics;
    CHECK(m.at("valid_search_rate").as_double() == 1.0);
    CHECK(m.at("active_elicited").as_int64() == m.at("preferences_total").as_int64());
    CHECK(m.at("score").as_double() == 1.0);
  }
}

TEST_CASE("travel: LLM oracle fallbacks on unusable output", "[travel]") {
  for (Style style : {Style::Garbage, Style::Failure}) {
    Trajectory t = run_llm("travel", 1, style);
    // Every search reads as the backend failing; the agent gives up and finishes.
    CHECK(t.metrics.at("valid_searches").as_int64() == 0);
    CHECK(t.metrics.at("score").as_double() == 0.0);
    for (const auto& turn : t.turns)
      if (turn.choice == "search") CHECK(turn.observation.find("technical problems") != std::string::npos);
  }
  // A message: judge fallback is type 1, and the natural reply's fallback is the apology.
  auto game = make_game("travel");
  auto e = game->new_episode(game->task(77, 2), EpisodeOptions{OracleKind::Llm, 0});
  auto flow = e->step("[action] Do you like to swim?");
  std::vector<std::string> purposes;
  while (!flow.ready()) {
    purposes.push_back(flow.request().purpose);
    flow = flow.resume(llm_text("```json\n{\"kind\": \"unknown\"}\n```"));
  }
  CHECK(purposes == std::vector<std::string>{"utterance_judge", "natural_reply"});
  CHECK(flow.value().info.at("utterance_type").as_int64() == 1);
  CHECK(flow.value().observation.find("lost my train of thought") != std::string::npos);
}

TEST_CASE("travel: LLM verdict parsing", "[travel]") {
  auto s = parse_search_verdict(R"(Sure! {"alignment_judgement": "True", "alignment_aspect": "Hotel "})", false);
  CHECK(s.alignment == Alignment::Aligned);
  CHECK(s.aspect == "Hotel ");  // the rules normalise it
  CHECK(parse_search_verdict(R"({"alignment_judgement": "N/A"})", true).alignment == Alignment::Unrelated);
  CHECK(parse_search_verdict("{'alignment_judgement': 'False'}", true).alignment == Alignment::Misaligned);
  // A JSON boolean: accepted by default, the reference's error path under compat.
  CHECK(parse_search_verdict(R"({"alignment_judgement": true, "alignment_aspect": "flight"})", false).alignment == Alignment::Aligned);
  CHECK(parse_search_verdict(R"({"alignment_judgement": true, "alignment_aspect": "flight"})", true).alignment == Alignment::Error);
  CHECK(parse_search_verdict("no idea", false).alignment == Alignment::Error);

  auto u = parse_utterance_verdict("```json\n{\"type\": 2, \"preference_id\": \" P3 \"}\n```");
  CHECK(u.type == 2);
  CHECK(u.preference_id == "P3");
  CHECK(parse_utterance_verdict(R"({"type": 2.0, "preference_id": "P3"})").type == 1);  // str(2.0) is "2.0"
  CHECK(parse_utterance_verdict(R"({"type": "5"})").type == 1);
  CHECK(parse_utterance_verdict(R"({"preference_id": "P1"})").type == 1);
  CHECK(parse_utterance_verdict("{'type': '4', 'preference_id': None}").type == 4);

  CHECK(parse_reply(R"({"thought": "x", "response": "  I swim daily.  "})").text == "I swim daily.");
  CHECK_FALSE(parse_reply(R"({"thought": "x"})").ok);
  CHECK_FALSE(parse_reply(R"({"response": 3})").ok);
  CHECK_FALSE(parse_reply("").ok);
}

TEST_CASE("travel: a judge naming an aspect outside the trip reads as a backend error", "[travel]") {
  auto game = make_game("travel(shape=22)");
  Task task = game->task(1, 0);
  TravelTask t = travel_task_from(task);
  std::string outside;
  for (const auto& a : aspect_names())
    if (!t.block(a)) outside = a;
  auto e = game->new_episode(task, EpisodeOptions{OracleKind::Llm, 0});
  auto flow = e->step("[search] something");
  flow = flow.resume(llm_text(R"({"alignment_judgement": "True", "alignment_aspect": ")" + outside + R"("})"));
  REQUIRE(flow.ready());
  CHECK(flow.value().info.at("verdict").as_string() == "error");
  CHECK(flow.value().observation.find("technical problems") != std::string::npos);
}
