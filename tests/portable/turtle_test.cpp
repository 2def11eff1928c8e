// TurtleGym: the reference vectors (§13.5), the reward and threshold rules of §2.4, prefix rules
// (§13.2), LLM parsing and fallbacks, the importer, our dataset and the scripted agent.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <set>

#include "core/pynum.h"
#include "core/registry.h"
#include "core/rng.h"
#include "core/runner.h"
#include "envs/turtle/turtle.h"
#include "tests/portable/episode_support.h"

using namespace rapport;
using rapport::test::no_model;
using rapport::test::drive;
using rapport::test::drive_scripted;
using rapport::test::FixedAgent;

namespace {

turtle::Story reference_story() {
  turtle::Story s;
  s.id = "turtle-test";
  s.title = "The Vanished Sister";
  s.surface = "A girl asks where her sister went; her mother says she never had one.";
  s.bottom = "The 'mother' is the girl's older sister; the woman they called sister was killed to protect them.";
  s.criteria = {{"The protagonist is the girl's older sister, not her mother.", 0.5, {{"older sister"}}},
                {"The protagonist killed the woman they called 'Sister'.", 0.2, {{"killed"}}},
                {"The killing had a justifiable motive.", 0.2, {{"protect"}}},
                {"A photo brings the memory back.", 0.1, {{"photo"}}}};
  s.facts = {{{{"ghost"}}, "No"}, {{{"mother"}, {"real", "actual"}}, "No"}};
  return s;
}

Task as_task(const turtle::Story& s) { return Task{s.id, turtle::to_json(s)}; }

// A judge's reply giving `scores`, in JSON.
LlmResponse judge_reply(const std::vector<double>& scores) {
  json::array items;
  for (double x : scores) items.emplace_back(json::object{{"statement", "..."}, {"thought", "..."}, {"score", x}});
  return llm_text(to_json(json::object{{"scores", std::move(items)}, {"feedback", "You are getting closer."}}));
}

// Steps an episode, answering every request with `respond`.
}  // namespace

TEST_CASE("turtle: reference vectors of section 13.5", "[turtle]") {
  auto game = make_game("turtle(success_threshold=1.0,exact_threshold=true)");
  auto e = game->new_episode(as_task(reference_story()), EpisodeOptions{OracleKind::Llm, 0});
  std::vector<double> next_scores;
  auto judge = [&](const LlmRequest& r) {
    CHECK(r.purpose == "answer_judge");
    CHECK(r.role == LlmRole::Judge);
    return judge_reply(next_scores);
  };

  next_scores = {1, 0.5, 0, 1};
  auto r = drive(*e, "[answer] She is the older sister and the photo brought it back.", judge);
  CHECK(r.reward == 0.7);
  CHECK_FALSE(r.terminated);
  CHECK(r.observation.find("The protagonist is the girl's older sister, not her mother.: Covered") != std::string::npos);
  CHECK(r.observation.find("A photo brings the memory back.: Covered") != std::string::npos);
  CHECK(r.observation.find("killed the woman") == std::string::npos);
  CHECK(r.info.at("score").as_double() == 0.7);

  next_scores = {1, 0, 0, 0};  // 0.5: below the best so far
  r = drive(*e, "[answer] Only the sister part.", judge);
  CHECK(r.reward == 0.0);
  CHECK(r.info.at("best_score").as_double() == 0.7);

  next_scores = {1, 1, 1, 1};  // 0.5 + 0.2 + 0.2 + 0.1 in double
  r = drive(*e, "[answer] The whole story.", judge);
  CHECK(r.info.at("score").as_double() == 0.9999999999999999);
  CHECK(r.reward == 0.9999999999999999 - 0.7);
  CHECK(py_repr(r.reward) == "0.29999999999999993");
  CHECK_FALSE(r.terminated);  // exactly as the reference: 0.9999999999999999 < 1.0
  CHECK_FALSE(e->over());

  auto m = e->metrics();
  CHECK(m.at("score").as_double() == 0.7 + (0.9999999999999999 - 0.7));
  CHECK(m.at("best_score").as_double() == 0.9999999999999999);
  CHECK(m.at("answers").as_int64() == 3);
  CHECK_FALSE(m.at("success").as_bool());
}

TEST_CASE("turtle: by default a perfect answer reaches a threshold of 1.0 despite rounding", "[turtle]") {
  auto game = make_game("turtle(success_threshold=1.0)");
  auto e = game->new_episode(as_task(reference_story()), EpisodeOptions{OracleKind::Llm, 0});
  auto r = drive(*e, "[answer] The whole story.", [](const LlmRequest&) { return judge_reply({1, 1, 1, 1}); });
  CHECK(r.reward == 0.9999999999999999);  // the score itself is summed as the reference does
  CHECK(r.terminated);
  CHECK(r.observation.find("whole story") != std::string::npos);
  CHECK(e->metrics().at("success").as_bool());
}

TEST_CASE("turtle: threshold, reward scale, step penalty and clipping", "[turtle]") {
  auto story = as_task(reference_story());
  auto scored = [](std::vector<double> s) { return [s](const LlmRequest&) { return judge_reply(s); }; };
  {  // default threshold 0.9: 0.7 continues; 0.5 + 0.2 + 0.2 (0.8999999999999999 in double) ends it
    auto e = make_game("turtle")->new_episode(story, EpisodeOptions{OracleKind::Llm, 0});
    CHECK_FALSE(drive(*e, "[answer] a", scored({1, 0.5, 0, 1})).terminated);
    auto r = drive(*e, "[answer] b", scored({1, 1, 1, 0}));
    CHECK(r.terminated);
    CHECK(r.reward == Approx(0.2));
  }
  {  // reward_scale multiplies the gain; normalisation clips it to 1
    auto e = make_game("turtle(reward_scale=2)")->new_episode(story, EpisodeOptions{OracleKind::Llm, 0});
    CHECK(drive(*e, "[answer] a", scored({0, 1, 0, 0})).reward == 0.4);
    CHECK(drive(*e, "[answer] b", scored({1, 1, 1, 1})).reward == 1.0);
  }
  {  // step penalty × step number, clipped at 0 when normalising; negative without
    auto e = make_game("turtle(step_penalty=0.1)")->new_episode(story, EpisodeOptions{OracleKind::Llm, 0});
    CHECK(drive(*e, "[action] Is it a ghost?", [](const LlmRequest&) { return llm_text("{\"response\": \"No\"}"); }).reward == 0.0);
    CHECK(drive(*e, "[answer] a", scored({1, 0, 0, 0})).reward == Approx(0.5 - 0.2));
    auto raw = make_game("turtle(step_penalty=0.1,normalize_rewards=false)")->new_episode(story, {});
    CHECK(drive_scripted(*raw, "[action] Is it a ghost?").reward == Approx(-0.1));
    CHECK(drive_scripted(*raw, "[action] Is it a ghost?").reward == Approx(-0.2));
  }
}

TEST_CASE("turtle: finish, truncation and the end of the episode", "[turtle]") {
  auto game = make_game("turtle(max_steps=2)");
  auto e = game->new_episode(as_task(reference_story()), {});
  auto r = drive_scripted(*e, "[action] Is there a ghost?");
  CHECK(r.observation == "No");
  CHECK_FALSE(r.truncated);
  r = drive_scripted(*e, "[action] Is she her real mother?");
  CHECK(r.observation == "No");
  CHECK(r.truncated);
  CHECK(e->over());

  auto f = game->new_episode(as_task(reference_story()), {});
  r = drive_scripted(*f, "[finish]");
  CHECK(r.terminated);
  CHECK(r.reward == 0.0);
  CHECK_FALSE(r.observation.empty());
}

TEST_CASE("turtle: prefixes are case-sensitive and the input is not stripped (13.2)", "[turtle]") {
  std::vector<std::string> asked;
  auto host = [&](const LlmRequest& r) {
    REQUIRE(r.purpose == "question_answer");
    CHECK(r.role == LlmRole::User);
    const std::string& user = r.messages.back().content;
    auto at = user.find("The player asks:\n");
    REQUIRE(at != std::string::npos);
    asked.push_back(user.substr(at + 17, user.find("\n\n", at + 17) - at - 17));
    return llm_text("{\"thought\": \"...\", \"response\": \"No\"}");
  };
  auto e = make_game("turtle")->new_episode(as_task(reference_story()), EpisodeOptions{OracleKind::Llm, 0});
  CHECK_FALSE(drive(*e, "[FINISH]", host).terminated);     // not [finish]: a question
  CHECK_FALSE(drive(*e, " [finish]", host).terminated);    // no strip: not [finish] either
  CHECK_FALSE(drive(*e, "[Answer] a story", host).terminated);  // not [answer]: a question
  drive(*e, "[action]   Was it night?  ", host);
  drive(*e, "[search] Was it night?", host);
  drive(*e, "Was it night?", host);  // no prefix: the whole question by default
  CHECK(asked == std::vector<std::string>{"[FINISH]", "[finish]", "[Answer] a story", "Was it night?", "Was it night?",
                                          "Was it night?"});

  // The reference's slicing: the first eight characters go, prefix or not.
  asked.clear();
  auto raw = make_game("turtle(raw_prefix_slice=true)")->new_episode(as_task(reference_story()), EpisodeOptions{OracleKind::Llm, 0});
  drive(*raw, "Was it night?", host);
  drive(*raw, "[FINISH] now?", host);
  CHECK(asked == std::vector<std::string>{"ight?", "now?"});  // "Was it n" | "ight?"
}

TEST_CASE("turtle: empty questions and answers are explained without asking the oracle", "[turtle]") {
  auto e = make_game("turtle")->new_episode(as_task(reference_story()), EpisodeOptions{OracleKind::Llm, 0});
  for (std::string_view action : {"[action]", "[action]    ", "", "[answer]", "[answer]   "}) {
    auto flow = e->step(action);
    REQUIRE(flow.ready());
    CHECK(flow.value().format_error);
    CHECK(flow.value().reward == 0.0);
    CHECK_FALSE(flow.value().observation.empty());
  }
  CHECK(e->metrics().at("answers").as_int64() == 0);
}

TEST_CASE("turtle: the answer judge's output is parsed robustly or falls back", "[turtle]") {
  auto story = reference_story();
  auto read = [&](std::string text) { return turtle::read_answer_verdict(story, llm_text(std::move(text))); };
  auto v = read("{\"scores\": [{\"score\": 1.0}, {\"score\": 0.5}, {\"score\": 0}, {\"score\": 1}], \"feedback\": \"x\"}");
  CHECK_FALSE(v.fallback);
  CHECK(v.judgments == std::vector<double>{1, 0.5, 0, 1});
  // Python literal, in a fence, with prose around it and string scores.
  v = read("Here you go:\n```json\n{'scores': [{'statement': 'a', 'score': '1.0'}, {'score': 0.5}, {'score': 0.0}, "
           "{'score': 1}], 'feedback': None}\n```");
  CHECK_FALSE(v.fallback);
  CHECK(v.judgments == std::vector<double>{1, 0.5, 0, 1});
  // Off-ladder numbers snap to 0 / 0.5 / 1; bare numbers are accepted.
  CHECK(read("{\"scores\": [0.9, 0.6, 0.2, 7], \"feedback\": \"\"}").judgments == std::vector<double>{1, 0.5, 0, 1});
  CHECK(read("<think>hmm</think>{\"scores\": [1, 1, 1, 1]}").judgments == std::vector<double>{1, 1, 1, 1});
  // Wrong number of scores, garbage, missing or non-numeric scores, empty text, a failed call.
  for (std::string bad : {"{\"scores\": [1, 1, 1]}", "{\"scores\": [1, 1, 1, 1, 1]}", "I think it is right.",
                          "{\"feedback\": \"good\"}", "{\"scores\": [{\"score\": \"high\"}, 1, 1, 1]}",
                          "{\"scores\": [{\"thought\": \"x\"}, 1, 1, 1]}", "{\"scores\": \"1,1,1,1\"}", "", "   "}) {
    INFO(bad);
    v = read(bad);
    CHECK(v.fallback);
    CHECK(v.judgments == std::vector<double>{0, 0, 0, 0});
  }
  CHECK(turtle::read_answer_verdict(story, llm_failure("timeout")).fallback);
}

TEST_CASE("turtle: the host's output is parsed robustly or falls back", "[turtle]") {
  auto read = [](std::string text) { return turtle::read_question_reply(llm_text(std::move(text))); };
  CHECK(read("{\"thought\": \"...\", \"response\": \"Yes\"}").text == "Yes");
  CHECK(read("{'thought': 'it is', 'response': 'No'}").text == "No");
  CHECK(read("```json\n{\"response\": \" Maybe \"}\n```").text == "Maybe");
  CHECK(read("{\"response\": \"Irrelevant\"}").text == "Irrelevant");  // passed through, as the reference does
  CHECK(read("Yes.").text == "Yes");                                   // a bare word is enough
  for (std::string bad : {"", "{\"response\": \"\"}", "{\"response\": true}", "{\"answer\": \"Yes\"}",
                          "I cannot say whether that is true."}) {
    INFO(bad);
    auto r = read(bad);
    CHECK(r.fallback);
    CHECK(r.text == turtle::kQuestionFallback);
  }
  CHECK(turtle::read_question_reply(llm_failure("HTTP 500")).fallback);
}

TEST_CASE("turtle: the LLM path runs through the runner with canned responses", "[turtle]") {
  auto game = make_game("turtle");
  Task task = as_task(reference_story());
  auto run = [&](std::function<LlmResponse(const LlmRequest&)> respond) {
    return run_episode(*game, task, EpisodeOptions{OracleKind::Llm, 1},
                       std::make_unique<FixedAgent>(std::vector<std::string>{"[action] Did someone die?",
                                                                             "[answer] The mother is her older sister."}),
                       RunSettings{10}, respond);
  };
  // JSON host, Python-literal judge.
  Trajectory t = run([](const LlmRequest& r) {
    if (r.purpose == "question_answer") return llm_text("{\"thought\": \"x\", \"response\": \"Yes\"}");
    return llm_text("{'scores': [{'score': 1.0}, {'score': 0.0}, {'score': 0.0}, {'score': 0.5}], 'feedback': 'ok'}");
  });
  REQUIRE(t.turns.size() == 3);
  CHECK(t.turns[0].observation == "Yes");
  CHECK(t.turns[0].env_calls.size() == 1);
  CHECK(t.turns[1].reward == 0.5 + 0.0 + 0.0 + 0.05);
  CHECK(t.turns[2].terminated);
  CHECK(t.metrics.at("score").as_double() == 0.55);
  CHECK(t.metrics.at("oracle_failures").as_int64() == 0);
  // Garbage everywhere: fixed fallbacks, score 0, and the episode still ends.
  t = run([](const LlmRequest&) { return llm_text("as an AI I cannot"); });
  REQUIRE(t.turns.size() == 3);
  CHECK(t.turns[0].observation == turtle::kQuestionFallback);
  CHECK(t.turns[1].observation == turtle::kAnswerFallback);
  CHECK(t.turns[1].reward == 0.0);
  CHECK(t.stop_reason == "terminated");
  CHECK(t.metrics.at("oracle_failures").as_int64() == 2);
  // A judge with the wrong number of scores.
  t = run([](const LlmRequest& r) {
    if (r.purpose == "question_answer") return llm_text("No");
    return judge_reply({1, 1});
  });
  CHECK(t.turns[0].observation == "No");
  CHECK(t.turns[1].observation == turtle::kAnswerFallback);
  CHECK(t.metrics.at("score").as_double() == 0.0);
}

TEST_CASE("turtle: the scripted host and judge", "[turtle]") {
  auto story = reference_story();
  CHECK(turtle::scripted_reply(story, "Is there a ghost?") == "No");
  CHECK(turtle::scripted_reply(story, "Is the mother her actual mother?") == "No");
  CHECK(turtle::scripted_reply(story, "Is a witch involved?") == "No");   // shared: nothing supernatural
  CHECK(turtle::scripted_reply(story, "Was someone killed?") == "Yes");   // the hidden story's words
  CHECK(turtle::scripted_reply(story, "Was it raining?") == "No");
  CHECK(turtle::scripted_reply(story, "Did the sister eat cake?") == "Maybe");
  CHECK(turtle::scripted_reply(story, "?!") == "Maybe");
  CHECK(turtle::scripted_judgments(story, "Her older sister killed a woman to protect her, and a photo...") ==
        std::vector<double>{1, 1, 1, 1});
  CHECK(turtle::scripted_judgments(story, "No idea.") == std::vector<double>{0, 0, 0, 0});
  // Partial coverage of a criterion with several keyword groups.
  turtle::Story two = story;
  two.criteria = {{"a", 1.0, {{"sister", "sibling"}, {"older", "elder"}}}};
  CHECK(turtle::scripted_judgments(two, "her sibling") == std::vector<double>{0.5});
  CHECK(turtle::scripted_judgments(two, "her elder sibling") == std::vector<double>{1});
  // Criteria without keywords (imported stories) are judged by the statement's own words.
  two.criteria = {{"The lighthouse keeper switched off the lamp.", 1.0, {}}};
  CHECK(turtle::scripted_judgments(two, "The keeper switched off the lighthouse lamp") == std::vector<double>{1});
  CHECK(turtle::scripted_judgments(two, "The lamp went out") == std::vector<double>{0});
}

TEST_CASE("turtle: our stories are complete and consistent", "[turtle]") {
  const auto& stories = turtle::builtin_stories();
  REQUIRE(stories.size() >= 60);
  std::set<std::string> ids, titles;
  for (const auto& s : stories) {
    INFO(s.id << " " << s.title);
    ids.insert(s.id);
    titles.insert(s.title);
    CHECK(s.criteria.size() >= 1);
    CHECK(s.criteria.size() <= 5);
    double total = 0;
    for (const auto& c : s.criteria) total += c.weight;
    CHECK(total == Approx(1.0).margin(1e-9));
    // The scripted host answers every question the baseline agent asks from the story's facts.
    for (const auto& q : turtle::generic_questions()) {
      INFO(q.question);
      CHECK(turtle::fact_reply(s, q.question).has_value());
    }
    // The hidden story itself satisfies the scripted judge.
    auto judgments = turtle::scripted_judgments(s, s.bottom);
    CHECK(turtle::weighted_score(s.criteria, judgments) >= 0.9 - 1e-9);
    // The surface alone does not.
    CHECK(turtle::weighted_score(s.criteria, turtle::scripted_judgments(s, s.surface)) < 0.9);
  }
  CHECK(ids.size() == stories.size());
  CHECK(titles.size() == stories.size());
}

TEST_CASE("turtle: the built-in supply visits every story once per seed", "[turtle]") {
  auto game = make_game("turtle");
  REQUIRE(game->builtin_size() == turtle::builtin_stories().size());
  std::set<std::string> seen;
  for (std::size_t i = 0; i < game->builtin_size(); ++i) seen.insert(game->task(4, i).id);
  CHECK(seen.size() == game->builtin_size());
  CHECK(game->task(4, 0).id == game->task(4, game->builtin_size()).id);  // index modulo the size
  CHECK(game->task(4, 0).id != game->task(5, 0).id);
}

TEST_CASE("turtle: the scripted agent plays every story to the end", "[turtle]") {
  auto game = make_game("turtle");
  double total = 0;
  int solved = 0;
  for (std::size_t i = 0; i < game->builtin_size(); ++i) {
    Task task = game->task(0, i);
    INFO(task.id);
    Trajectory t = run_episode(*game, task, EpisodeOptions{OracleKind::Scripted, i}, game->scripted_agent(0),
                               RunSettings{30}, no_model);
    CHECK(t.stop_reason == "terminated");
    CHECK(t.turns.size() <= 20);
    CHECK(t.metrics.at("questions").as_int64() == 8);
    total += t.metrics.at("score").as_double();
    solved += t.metrics.at("success").as_bool() ? 1 : 0;
  }
  // A baseline that never looks past generic questions rarely explains the twist.
  double mean = total / static_cast<double>(game->builtin_size());
  INFO("mean score " << mean << ", solved " << solved);
  CHECK(mean < 0.5);
}

namespace {

// A reference-format stories file: `n` stories keyed by number strings, every seventh judged "No".
std::string reference_file(int n) {
  json::object file;
  for (int i = 0; i < n; ++i) {
    json::array evaluation{json::object{{"statement", fmt::format("Alpha {}", i)}, {"score", 0.5}},
                           json::object{{"statement", "Bravo"}, {"score", 0.2}},
                           json::object{{"statement", "Charlie"}, {"score", 0.2}},
                           json::object{{"statement", "Delta"}, {"score", 0.1}}};
    file[std::to_string(i * 3 + 1)] = json::object{{"judgment_thought", "fine"},
                                                   {"judgment", i % 7 == 6 ? "No" : "Yes"},
                                                   {"new_title", fmt::format("Story {}", i)},
                                                   {"new_surface", fmt::format("Surface {}", i)},
                                                   {"new_bottom", fmt::format("Bottom {}", i)},
                                                   {"evaluation_thought", "..."},
                                                   {"evaluation", std::move(evaluation)}};
  }
  return to_json(file);
}

}  // namespace

TEST_CASE("turtle: the importer reads the reference stories file", "[turtle]") {
  auto game = make_game("turtle");
  // 549 entries, 78 of them judged "No": 471 stories kept, as in the reference.
  std::string text = reference_file(549);
  auto all = game->import_tasks(text, "all");
  REQUIRE(all.size() == 471);
  auto train = game->import_tasks(text, "train");
  auto test = game->import_tasks(text, "test");
  CHECK(train.size() == 423);
  CHECK(test.size() == 48);
  auto order = numpy_legacy_permutation(471, 42);
  CHECK(train.front().id == all[order[0]].id);
  CHECK(test.front().id == all[order[423]].id);
  std::set<std::string> ids;
  for (const auto& t : train) ids.insert(t.id);
  for (const auto& t : test) ids.insert(t.id);
  CHECK(ids.size() == 471);

  turtle::Story s = turtle::story_from(all[0]);
  CHECK(s.id == "Story 0");
  CHECK(s.title == "Story 0");
  CHECK(s.surface == "Surface 0");
  CHECK(s.bottom == "Bottom 0");
  REQUIRE(s.criteria.size() == 4);
  CHECK(s.criteria[0].weight == 0.5);
  CHECK(s.criteria[0].statement == "Alpha 0");
  for (const auto& t : all) CHECK(t.id != "Story 6");  // judged "No": skipped

  // An imported story plays with the scripted oracle and the LLM oracle alike.
  auto e = game->new_episode(all[0], {});
  CHECK(drive_scripted(*e, "[answer] Alpha").reward == 0.5);

  CHECK_THROWS_WITH(game->import_tasks("[1, 2]", "all"), Catch::Contains("keyed by story number"));
  CHECK_THROWS_WITH(game->import_tasks("{\"1\": {\"judgment\": \"Yes\", \"new_title\": \"t\"}}", "all"),
                    Catch::Contains("new_surface"));
  CHECK_THROWS_WITH(game->import_tasks("not json", "all"), Catch::Contains("not valid JSON"));
  CHECK_THROWS_WITH(game->import_tasks(text, "dev"), Catch::Contains("unknown split"));
}

TEST_CASE("turtle: parameters are validated", "[turtle]") {
  CHECK_THROWS_WITH(make_game("turtle(success_threshold=1.5)"), Catch::Contains("success_threshold"));
  CHECK_THROWS_WITH(make_game("turtle(max_steps=0)"), Catch::Contains("max_steps"));
  CHECK_THROWS_AS(make_game("turtle(exact_threshold=maybe)"), ConfigError);
  CHECK(make_game("turtle(success_threshold=1.0)")->spec() == "turtle(success_threshold=1.0)");
}
