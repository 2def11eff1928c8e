// TelepathyGym: the rules of §2.5 (one reward for the first correct guess, finish, truncation),
// prefix rules (§13.2), the scripted oracle's reading of questions, LLM parsing and fallbacks, the
// importer, our dataset and the scripted agent.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <set>

#include "core/registry.h"
#include "core/rng.h"
#include "core/runner.h"
#include "envs/telepathy/telepathy.h"
#include "tests/portable/episode_support.h"

using namespace rapport;
using rapport::test::no_model;
using rapport::test::drive;
using rapport::test::drive_scripted;
using rapport::test::FixedAgent;
using telepathy::Reply;

namespace {

const telepathy::Entity& builtin(std::string_view title) {
  for (const auto& e : telepathy::builtin_entities())
    if (e.title == title) return e;
  FAIL("no built-in entity " << title);
  throw std::logic_error("unreachable");
}

Task as_task(const telepathy::Entity& e) { return Task{e.id, telepathy::to_json(e)}; }

Reply ask(std::string_view title, std::string_view question) {
  return telepathy::scripted_reply(builtin(title), question);
}

}  // namespace

TEST_CASE("telepathy: the first correct guess earns 1.0 and ends the game", "[telepathy]") {
  auto game = make_game("telepathy");
  auto e = game->new_episode(as_task(builtin("Albert Einstein")), {});
  auto r = drive_scripted(*e, "[action] Is it a person?");
  CHECK(r.observation == "Yes");
  CHECK(r.reward == 0.0);
  r = drive_scripted(*e, "[answer] Isaac Newton");
  CHECK(r.reward == 0.0);
  CHECK_FALSE(r.terminated);
  r = drive_scripted(*e, "[answer] I think it is einstein!");
  CHECK(r.reward == 1.0);
  CHECK(r.terminated);
  auto m = e->metrics();
  CHECK(m.at("success").as_bool());
  CHECK(m.at("score").as_double() == 1.0);
  CHECK(m.at("questions").as_int64() == 1);
  CHECK(m.at("guesses").as_int64() == 2);
}

TEST_CASE("telepathy: rewards with the LLM judge, reward scale, penalty and clipping", "[telepathy]") {
  auto yes = [](const LlmRequest& r) {
    CHECK(r.purpose == "guess_judge");
    CHECK(r.role == LlmRole::Judge);
    return llm_text("{\"thought\": \"same\", \"judgment\": \"Yes\", \"feedback\": \"Well done!\"}");
  };
  auto task = as_task(builtin("Piano"));
  {
    auto e = make_game("telepathy")->new_episode(task, EpisodeOptions{OracleKind::Llm, 0});
    auto r = drive(*e, "[answer] a piano", yes);
    CHECK(r.reward == 1.0);
    CHECK(r.terminated);
    CHECK(r.observation == "Well done!");
  }
  {  // scaled, then clipped to 1 when normalising; unclipped otherwise
    auto e = make_game("telepathy(reward_scale=3)")->new_episode(task, EpisodeOptions{OracleKind::Llm, 0});
    CHECK(drive(*e, "[answer] piano", yes).reward == 1.0);
    auto raw = make_game("telepathy(reward_scale=3,normalize_rewards=false)")->new_episode(task, EpisodeOptions{OracleKind::Llm, 0});
    CHECK(drive(*raw, "[answer] piano", yes).reward == 3.0);
  }
  {  // step penalty × step number
    auto e = make_game("telepathy(step_penalty=0.25,normalize_rewards=false)")->new_episode(task, {});
    CHECK(drive_scripted(*e, "[action] Is it an animal?").reward == -0.25);
    CHECK(drive_scripted(*e, "[answer] piano").reward == 1.0 - 0.5);
  }
}

TEST_CASE("telepathy: finish, truncation and prefixes (13.2)", "[telepathy]") {
  auto task = as_task(builtin("Lion"));
  auto e = make_game("telepathy(max_steps=3)")->new_episode(task, {});
  CHECK(drive_scripted(*e, "[FINISH]").observation == "Maybe");  // a question, not [finish]
  CHECK_FALSE(drive_scripted(*e, " [finish]").terminated);      // no strip
  auto r = drive_scripted(*e, "[Answer] Lion");                 // a question about "[Answer] Lion"
  CHECK(r.truncated);
  CHECK(r.reward == 0.0);
  CHECK(e->over());

  auto f = make_game("telepathy")->new_episode(task, {});
  r = drive_scripted(*f, "[finish]");
  CHECK(r.terminated);
  CHECK(r.observation == "Game finished.");

  // Bare questions are asked whole by default; the reference drops eight characters regardless.
  std::vector<std::string> asked;
  auto host = [&](const LlmRequest& req) {
    CHECK(req.purpose == "question_answer");
    CHECK(req.role == LlmRole::User);
    const std::string& user = req.messages.back().content;
    auto at = user.find("The player asks:\n");
    REQUIRE(at != std::string::npos);
    asked.push_back(user.substr(at + 17, user.find("\n\n", at + 17) - at - 17));
    return llm_text("{'thought': 'x', 'response': 'No'}");
  };
  auto d = make_game("telepathy")->new_episode(task, EpisodeOptions{OracleKind::Llm, 0});
  drive(*d, "Is it alive?", host);
  drive(*d, "[action] Is it alive?", host);
  auto s = make_game("telepathy(raw_prefix_slice=true)")->new_episode(task, EpisodeOptions{OracleKind::Llm, 0});
  drive(*s, "Is it a cat?", host);
  CHECK(asked == std::vector<std::string>{"Is it alive?", "Is it alive?", "cat?"});
}

TEST_CASE("telepathy: empty questions and guesses are explained without asking the oracle", "[telepathy]") {
  auto e = make_game("telepathy")->new_episode(as_task(builtin("Lion")), EpisodeOptions{OracleKind::Llm, 0});
  for (std::string_view action : {"[action]", "[action]   ", "", "[answer]", "[answer]  "}) {
    auto flow = e->step(action);
    REQUIRE(flow.ready());
    CHECK(flow.value().format_error);
    CHECK_FALSE(flow.value().observation.empty());
  }
}

TEST_CASE("telepathy: the scripted oracle reads common questions", "[telepathy]") {
  CHECK(ask("Albert Einstein", "Is it a person?") == Reply::Yes);
  CHECK(ask("Albert Einstein", "Is he still alive?") == Reply::No);
  CHECK(ask("Albert Einstein", "Is he a European scientist?") == Reply::Yes);
  CHECK(ask("Albert Einstein", "Was he born before 1900?") == Reply::Yes);
  CHECK(ask("Albert Einstein", "Was he born in the 19th century?") == Reply::Yes);
  CHECK(ask("Albert Einstein", "Did he die after 1950?") == Reply::Yes);
  CHECK(ask("Albert Einstein", "Did he live in the 1700s?") == Reply::No);
  CHECK(ask("Albert Einstein", "Did he win a Nobel Prize?") == Reply::Yes);
  CHECK(ask("Albert Einstein", "Is he a musician or a painter?") == Reply::No);
  CHECK(ask("Albert Einstein", "Is he a physicist or a chemist?") == Reply::Yes);
  CHECK(ask("Albert Einstein", "Is he a famous woman?") == Reply::No);
  CHECK(ask("Albert Einstein", "Is he German?") == Reply::Yes);
  CHECK(ask("Albert Einstein", "Is he from Asia?") == Reply::No);
  CHECK(ask("Julius Caesar", "Did he live before 50 BC?") == Reply::Yes);
  CHECK(ask("Julius Caesar", "Was he born in ancient times?") == Reply::Yes);
  CHECK(ask("Taylor Swift", "Is she alive?") == Reply::Yes);
  CHECK(ask("Lion", "Is it a mammal?") == Reply::Yes);
  CHECK(ask("Lion", "Is it bigger than a breadbox?") == Reply::Yes);
  CHECK(ask("Lion", "Is it smaller than a cat?") == Reply::No);
  CHECK(ask("Lion", "Does it live in Africa?") == Reply::Yes);
  CHECK(ask("Lion", "Does it live in Kenya?") == Reply::Maybe);  // Africa, but which countries is not known
  CHECK(ask("Lion", "Is it from France?") == Reply::No);
  CHECK(ask("Lion", "Does it eat meat?") == Reply::Yes);
  CHECK(ask("Lion", "Can it fly?") == Reply::No);
  CHECK(ask("Lion", "Is it a person?") == Reply::No);
  CHECK(ask("Elephant", "Is it dangerous?") == Reply::Maybe);
  CHECK(ask("Piano", "Does it have keys?") == Reply::Yes);
  CHECK(ask("Piano", "Is it a musical instrument?") == Reply::Yes);
  CHECK(ask("Piano", "Can you hold it in your hand?") == Reply::No);
  CHECK(ask("Piano", "Is it alive?") == Reply::No);
  CHECK(ask("Smartphone", "Does it use electricity?") == Reply::Yes);
  CHECK(ask("Smartphone", "Was it invented after 2000?") == Reply::Yes);
  CHECK(ask("Eiffel Tower", "Is it in Europe?") == Reply::Yes);
  CHECK(ask("Eiffel Tower", "Was it built before 1800?") == Reply::No);
  CHECK(ask("Eiffel Tower", "Is it man-made?") == Reply::Yes);
  CHECK(ask("Paris", "Is it a capital city?") == Reply::Yes);
  CHECK(ask("Apple", "Can you eat it?") == Reply::Yes);
  CHECK(ask("Apple", "Is it man-made?") == Reply::No);
  CHECK(ask("Sherlock Holmes", "Is he a real person?") == Reply::No);
  CHECK(ask("Sherlock Holmes", "Is he a fictional detective?") == Reply::Yes);
  CHECK(ask("Lion", "Do you like it?") == Reply::Maybe);  // nothing the table knows
  CHECK(ask("Lion", "") == Reply::Maybe);
}

TEST_CASE("telepathy: the scripted judge accepts exact names and clear synonyms only", "[telepathy]") {
  const auto& einstein = builtin("Albert Einstein");
  for (std::string g : {"Albert Einstein", "albert einstein", "Einstein", "It's Einstein!", "I think it is Albert Einstein.",
                        "the answer is einstein"})
    CHECK(telepathy::guess_matches(einstein, g));
  for (std::string g : {"a physicist", "Einstein's mother", "Newton", "", "Albert"})
    CHECK_FALSE(telepathy::guess_matches(einstein, g));
  CHECK(telepathy::guess_matches(builtin("Lion"), "lions"));
  CHECK(telepathy::guess_matches(builtin("Lion"), "a lion"));
  CHECK_FALSE(telepathy::guess_matches(builtin("Lion"), "sea lion"));
  CHECK(telepathy::guess_matches(builtin("Television"), "a TV"));
  CHECK(telepathy::guess_matches(builtin("United States"), "the USA"));
}

TEST_CASE("telepathy: the LLM judge and host are parsed robustly or fall back", "[telepathy]") {
  auto verdict = [](std::string text) { return telepathy::read_guess_verdict(llm_text(std::move(text))); };
  auto v = verdict("{\"thought\": \"x\", \"judgment\": \"Yes\", \"feedback\": \"Correct!\"}");
  CHECK(v.correct);
  CHECK_FALSE(v.fallback);
  CHECK(v.feedback == "Correct!");
  CHECK(verdict("{'judgment': 'No', 'feedback': 'Not quite.'}").correct == false);
  CHECK(verdict("```json\n{\"judgment\": \" yes. \"}\n```").correct);
  CHECK_FALSE(verdict("{\"judgment\": \"yes\"}").feedback.empty());  // missing feedback: a fixed line
  CHECK(verdict("{\"judgment\": true, \"feedback\": \"ok\"}").correct);
  for (std::string bad : {"", "Yes", "{\"judgment\": \"Partly\"}", "{\"feedback\": \"hmm\"}", "{\"judgment\": 1}",
                          "<think>...</think>"}) {
    INFO(bad);
    auto b = verdict(bad);
    CHECK(b.fallback);
    CHECK_FALSE(b.correct);
    CHECK(b.feedback == telepathy::kGuessFallback);
  }
  CHECK(telepathy::read_guess_verdict(llm_failure("HTTP 503")).fallback);

  auto reply = [](std::string text) { return telepathy::read_question_reply(llm_text(std::move(text))); };
  CHECK(reply("{\"thought\": \"x\", \"response\": \"Yes\"}").text == "Yes");
  CHECK(reply("{'response': 'No'}").text == "No");
  CHECK(reply("maybe").text == "Maybe");
  for (std::string bad : {"", "{\"response\": \"\"}", "{\"response\": null}", "I would rather not say."}) {
    INFO(bad);
    CHECK(reply(bad).fallback);
    CHECK(reply(bad).text == telepathy::kQuestionFallback);
  }
}

TEST_CASE("telepathy: the LLM path runs through the runner with canned responses", "[telepathy]") {
  auto game = make_game("telepathy");
  Task task = as_task(builtin("Lion"));
  auto run = [&](std::function<LlmResponse(const LlmRequest&)> respond) {
    return run_episode(*game, task, EpisodeOptions{OracleKind::Llm, 2},
                       std::make_unique<FixedAgent>(std::vector<std::string>{"[action] Is it a cat?", "[answer] tiger",
                                                                             "[answer] lion"}),
                       RunSettings{10}, respond);
  };
  Trajectory t = run([](const LlmRequest& r) {
    if (r.purpose == "question_answer") {
      CHECK(r.messages.back().content.find("Lion - ") != std::string::npos);
      return llm_text("{\"thought\": \"a big cat\", \"response\": \"Yes\"}");
    }
    bool lion = r.messages.back().content.find("guess:\nlion") != std::string::npos;
    return llm_text(lion ? "{'judgment': 'Yes', 'feedback': 'You got it.'}" : "{'judgment': 'No', 'feedback': 'No.'}");
  });
  REQUIRE(t.turns.size() == 3);
  CHECK(t.turns[0].observation == "Yes");
  CHECK(t.turns[1].reward == 0.0);
  CHECK(t.turns[2].reward == 1.0);
  CHECK(t.stop_reason == "terminated");
  CHECK(t.metrics.at("success").as_bool());
  // Garbage: fixed fallbacks, no reward, and the fixed agent's [finish] still ends it.
  t = run([](const LlmRequest&) { return llm_text("Sorry, I can't help with that."); });
  REQUIRE(t.turns.size() == 4);
  CHECK(t.turns[0].observation == telepathy::kQuestionFallback);
  CHECK(t.turns[2].observation == telepathy::kGuessFallback);
  CHECK(t.metrics.at("score").as_double() == 0.0);
  CHECK(t.metrics.at("oracle_failures").as_int64() == 3);
  CHECK(t.stop_reason == "terminated");
}

TEST_CASE("telepathy: our entities are complete and consistent", "[telepathy]") {
  const auto& entities = telepathy::builtin_entities();
  REQUIRE(entities.size() >= 200);
  std::set<std::string> ids, names;
  for (const auto& e : entities) {
    INFO(e.id << " " << e.title);
    ids.insert(e.id);
    CHECK_FALSE(e.gloss.empty());
    CHECK(e.attributes.complete);
    CHECK_FALSE(e.attributes.kind.empty());
    // No two entities share a name or synonym, so a guess names at most one.
    std::vector<std::string> own{e.title};
    own.insert(own.end(), e.synonyms.begin(), e.synonyms.end());
    for (const auto& n : own) {
      CHECK(names.insert(fmt::format("{}", n)).second);
      CHECK(telepathy::guess_matches(e, n));
    }
    // The oracle agrees with the basic facts of every entity.
    CHECK(telepathy::scripted_reply(e, "Is it a real person?") == (e.attributes.kind == "person" ? Reply::Yes : Reply::No));
    CHECK(telepathy::scripted_reply(e, "Is it fictional?") == (e.attributes.kind == "character" ? Reply::Yes : Reply::No));
    if (e.attributes.kind == "person") {
      CHECK(e.attributes.born.has_value());
      CHECK_FALSE(e.attributes.gender.empty());
      CHECK_FALSE(e.attributes.field.empty());
      CHECK_FALSE(e.attributes.continents.empty());
    }
    if (e.attributes.kind == "animal") CHECK_FALSE(e.attributes.type.empty());
  }
  CHECK(ids.size() == entities.size());
}

TEST_CASE("telepathy: the built-in supply visits every entity once per seed", "[telepathy]") {
  auto game = make_game("telepathy");
  std::set<std::string> seen;
  for (std::size_t i = 0; i < game->builtin_size(); ++i) seen.insert(game->task(8, i).id);
  CHECK(seen.size() == game->builtin_size());
  CHECK(game->task(8, 3).id == game->task(8, 3 + game->builtin_size()).id);
}

TEST_CASE("telepathy: the scripted agent plays every entity to the end", "[telepathy]") {
  auto game = make_game("telepathy");
  int solved = 0;
  std::size_t turns = 0;
  std::vector<std::string> missed;
  for (std::size_t i = 0; i < game->builtin_size(); ++i) {
    Task task = game->task(0, i);
    Trajectory t = run_episode(*game, task, EpisodeOptions{OracleKind::Scripted, i}, game->scripted_agent(0),
                               RunSettings{30}, no_model);
    INFO(task.id);
    CHECK(t.stop_reason == "terminated");
    bool ok = t.metrics.at("success").as_bool();
    solved += ok ? 1 : 0;
    if (!ok) missed.push_back(task.data.at("title").as_string().c_str());
    turns += t.turns.size();
  }
  double rate = double(solved) / double(game->builtin_size());
  INFO("solved " << solved << " of " << game->builtin_size() << ", mean turns "
                 << double(turns) / double(game->builtin_size()));
  for (const auto& m : missed) INFO("missed " << m);
  CHECK(rate >= 0.8);
}

namespace {

std::string reference_file(int n) {
  json::array items;
  for (int i = 0; i < n; ++i)
    items.emplace_back(json::object{{"id", fmt::format("entity_{:03}", i + 1)},
                                    {"title", fmt::format("Thing {}", i)},
                                    {"description", "I am thinking of an animal. Try to guess what it is!"},
                                    {"goal", "Guess the animal I am thinking of."},
                                    {"target_entity", fmt::format("Thing {} - a made-up animal number {}", i, i)},
                                    {"category", i % 2 ? "animal" : "famous_person"}});
  return to_json(items);
}

}  // namespace

TEST_CASE("telepathy: the importer reads the reference entities file", "[telepathy]") {
  auto game = make_game("telepathy");
  std::string text = reference_file(401);
  auto all = game->import_tasks(text, "all");
  REQUIRE(all.size() == 401);
  auto train = game->import_tasks(text, "train");
  auto test = game->import_tasks(text, "test");
  CHECK(train.size() == 360);
  CHECK(test.size() == 41);
  auto order = numpy_legacy_permutation(401, 42);
  CHECK(train.front().id == all[order[0]].id);
  CHECK(test.back().id == all[order[400]].id);

  auto e = telepathy::entity_from(all[1]);
  CHECK(e.id == "entity_002");
  CHECK(e.title == "Thing 1");
  CHECK(e.gloss == "a made-up animal number 1");
  CHECK(e.category == "animal");
  CHECK_FALSE(e.attributes.complete);
  CHECK(e.attributes.kind == "animal");
  // What the category tells is answered; the rest is unknown.
  CHECK(telepathy::scripted_reply(e, "Is it an animal?") == Reply::Yes);
  CHECK(telepathy::scripted_reply(e, "Is it a person?") == Reply::No);
  CHECK(telepathy::scripted_reply(e, "Is it a mammal?") == Reply::Maybe);
  CHECK(telepathy::scripted_reply(telepathy::entity_from(all[0]), "Is he still alive?") == Reply::Maybe);
  auto episode = game->new_episode(all[1], {});
  CHECK(drive_scripted(*episode, "[answer] thing 1").reward == 1.0);

  // Categories of the reference's kind.
  CHECK(telepathy::attributes_from_category("musical_instrument").type == "instrument");
  CHECK(telepathy::attributes_from_category("fictional_character").kind == "character");
  CHECK(telepathy::attributes_from_category("landmark").kind == "structure");
  CHECK(telepathy::attributes_from_category("something else").kind.empty());

  CHECK_THROWS_WITH(game->import_tasks("{}", "all"), Catch::Contains("list of {id, title"));
  CHECK_THROWS_WITH(game->import_tasks("[{\"id\": \"e1\", \"title\": \"X\"}]", "all"), Catch::Contains("description"));
  CHECK_THROWS_WITH(game->import_tasks("[{", "all"), Catch::Contains("not valid JSON"));
  CHECK_THROWS_WITH(game->import_tasks(text, "validation"), Catch::Contains("unknown split"));
}
