// SearchGym and the search host service: the Flow protocol for searches, the rules (budget,
// formatting, rule check then judge, finish, truncation), our generated data, the importer,
// the judges, and records that replay with no backend.
#include <catch2/catch.hpp>

#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "core/registry.h"
#include "core/replay.h"
#include "core/runner.h"
#include "core/share_link.h"
#include "envs/search/search.h"
#include "tests/portable/episode_support.h"

using namespace rapport;
using rapport::test::no_model;
using namespace rapport::search;

namespace {

// A stand-in retriever over the built-in corpus: the passage titled as the query, then passages
// whose text contains it, in corpus order (the real backends live in native/ and are tested there).
SearchResponse substring_search(const SearchRequest& request) {
  SearchResponse r;
  r.ok = true;
  for (int pass = 0; pass < 2; ++pass)
    for (const auto& p : builtin_corpus()) {
      if (static_cast<int>(r.passages.size()) >= request.k) break;
      if (pass == 0 ? p.title == request.query : p.title != request.query && p.text.find(request.query) != std::string::npos)
        r.passages.push_back({p.id, p.title, p.text, 1.0});
    }
  return r;
}

StepResult resolve(Flow<StepResult> flow, const std::function<SearchResponse(const SearchRequest&)>& search,
                   const std::function<LlmResponse(const LlmRequest&)>& respond = no_model) {
  while (!flow.ready()) {
    if (flow.service() == HostService::Search) flow = flow.resume(search(flow.search_request()));
    else flow = flow.resume(respond(flow.request()));
  }
  return flow.value();
}

Task task_of(const QaItem& q) { return Task{q.id, to_json(q)}; }

const QaItem& first_of_tier(const std::string& tier) {
  for (const auto& q : builtin_questions())
    if (q.tier == tier) return q;
  FAIL("no question of tier " << tier);
  return builtin_questions().front();
}

}  // namespace

TEST_CASE("search: a Flow asks the host for a search and resumes with its results", "[search]") {
  Flow<int> f = Flow<int>::need_search(SearchRequest{"test", "eiffel tower", 3}, [](const SearchResponse& r) {
    return Flow<int>(static_cast<int>(r.passages.size()));
  });
  Flow<std::string> g = std::move(f).then([](int n) { return std::to_string(n) + " passages"; });
  REQUIRE_FALSE(g.ready());
  REQUIRE(g.service() == HostService::Search);
  CHECK(g.search_request().query == "eiffel tower");
  CHECK(g.search_request().k == 3);
  SearchResponse r;
  r.ok = true;
  r.passages = {{"a", "A", "x", 2.0}, {"b", "B", "y", 1.0}};
  g = g.resume(r);
  REQUIRE(g.ready());
  CHECK(g.value() == "2 passages");
  // Completions keep their API.
  Flow<int> c = Flow<int>::need(LlmRequest{}, [](const LlmResponse&) { return Flow<int>(7); });
  CHECK(c.service() == HostService::Completion);
  CHECK(c.resume(llm_text("x")).value() == 7);
}

TEST_CASE("search: request and response records round-trip, and cache keys ignore the purpose", "[search]") {
  SearchRequest q{"agent_search", "Marie Curie", 5};
  SearchResponse r;
  r.ok = true;
  r.passages = {{"tp-003", "Marie Curie", "She was born in 1867.", 12.25}};
  CHECK(to_json(to_record(search_request_from_record(to_record(q)))) == to_json(to_record(q)));
  CHECK(to_json(to_record(search_response_from_record(to_record(r)))) == to_json(to_record(r)));
  CHECK(to_json(to_record(search_response_from_record(to_record(search_failure("down"))))) ==
        R"({"ok":false,"error":"down"})");
  SearchRequest relabelled = q;
  relabelled.purpose = "other";
  CHECK(search_cache_key(q, "builtin") == search_cache_key(relabelled, "builtin"));
  CHECK(search_cache_key(q, "builtin") != search_cache_key(q, "http:http://127.0.0.1:1/retrieve"));
  SearchRequest more = q;
  more.k = 6;
  CHECK(search_cache_key(q, "builtin") != search_cache_key(more, "builtin"));
}

TEST_CASE("search: the retrieval protocol's wire forms", "[search]") {
  CHECK(retrieval_request_body({"who", "what"}, 3) == R"({"queries":["who","what"],"topk":3,"return_scores":true})");
  SearchResponse a;
  a.ok = true;
  a.passages = {{"7", "Paris", "Paris is a city.", 3.5}, {"8", "Lyon", "Lyon is a city.", 1.5}};
  std::string body = retrieval_response_body({a});
  CHECK(body.find(R"("contents":"\"Paris\"\nParis is a city.")") != std::string::npos);
  SearchResponse back = parse_retrieval_response(body, 5);
  REQUIRE(back.ok);
  CHECK(to_json(to_record(back)) == to_json(to_record(a)));
  CHECK(parse_retrieval_response(body, 1).passages.size() == 1);
  // Servers that return documents without scores, or titles without quotes.
  SearchResponse plain = parse_retrieval_response(R"({"result": [[{"id": 1, "contents": "Title\nText"}]]})", 5);
  REQUIRE(plain.ok);
  CHECK(plain.passages[0].id == "1");
  CHECK(plain.passages[0].title == "Title");
  CHECK(plain.passages[0].text == "Text");
  CHECK_FALSE(parse_retrieval_response("[]", 5).ok);
  CHECK_FALSE(parse_retrieval_response(R"({"result": {}})", 5).ok);
  CHECK_FALSE(parse_retrieval_response("not json", 5).ok);
}

TEST_CASE("search: our corpus and questions answer each other by construction", "[search]") {
  const auto& corpus = builtin_corpus();
  const auto& questions = builtin_questions();
  REQUIRE(corpus.size() > 331);
  std::map<std::string, int> per_tier;
  std::set<std::string> ids;
  for (const auto& q : questions) {
    ++per_tier[q.tier];
    CHECK(ids.insert(q.id).second);
  }
  CHECK(per_tier["one_hop"] > 200);
  CHECK(per_tier["multi_hop"] > 200);
  CHECK(per_tier["hard"] > 100);
  // Every gold answer is written in the corpus.
  for (const auto& q : questions) {
    bool found = false;
    for (const auto& p : corpus) found = found || p.text.find(q.answer) != std::string::npos || p.title == q.answer;
    INFO(q.id);
    CHECK(found);
  }
  // The game's tiers select them.
  CHECK(make_game("search(tier=multi_hop)")->builtin_size() == static_cast<std::size_t>(per_tier["multi_hop"]));
  CHECK(make_game("search")->builtin_size() == questions.size());
}

TEST_CASE("search: rules of search, answer and finish", "[search]") {
  auto game = make_game("search(max_search_steps=2)");
  const QaItem& q = first_of_tier("one_hop");
  auto ep = game->new_episode(task_of(q), EpisodeOptions{});
  CHECK(ep->opening().find(q.question) != std::string::npos);

  StepResult bad = resolve(ep->step("what is this"), substring_search);
  CHECK(bad.format_error);
  CHECK(bad.reward == 0.0);
  StepResult empty = resolve(ep->step("[search]   "), substring_search);
  CHECK(empty.format_error);
  CHECK(empty.observation.find("empty") != std::string::npos);

  std::string title = q.question.substr(std::string("In what year was ").size());
  title = title.substr(0, title.find(" born?"));
  StepResult found = resolve(ep->step("  [search] " + title), substring_search);
  CHECK(found.observation.rfind("Search results for '" + title + "':\n1. " + title + "\n- Snippet: ", 0) == 0);
  CHECK(found.reward == 0.0);
  StepResult none = resolve(ep->step("[search] zzzz qqqq"), substring_search);
  CHECK(none.observation.find("No results found for 'zzzz qqqq'") == 0);
  StepResult refused = resolve(ep->step("[search] " + title), [](const SearchRequest&) -> SearchResponse {
    FAIL("a refused search reaches the host");
    return {};
  });
  CHECK(refused.observation.find("used all 2 searches") != std::string::npos);

  StepResult wrong = resolve(ep->step("[answer] 1"), substring_search);
  CHECK_FALSE(wrong.terminated);
  CHECK(wrong.reward == 0.0);
  CHECK(wrong.observation.find("Incorrect") == 0);
  StepResult right = resolve(ep->step("[answer] " + q.answer + "."), substring_search);
  CHECK(right.terminated);
  CHECK(right.reward == 1.0);
  CHECK(get_string(right.info, "decided_by") == "rule");
  CHECK(get_bool(ep->metrics(), "success"));
  CHECK(get_int(ep->metrics(), "searches") == 2);  // the refused one never ran
}

TEST_CASE("search: failed searches, finish, truncation and the compatibility budget", "[search]") {
  auto game = make_game("search(max_steps=3)");
  const QaItem& q = first_of_tier("multi_hop");
  auto ep = game->new_episode(task_of(q), EpisodeOptions{});
  StepResult failed = resolve(ep->step("[search] anything"), [](const SearchRequest&) { return search_failure("timeout"); });
  CHECK(failed.observation.find("failed (timeout)") != std::string::npos);
  StepResult fin = resolve(ep->step("[finish]"), substring_search);
  CHECK(fin.terminated);
  CHECK(fin.observation.find("The correct answer was: " + q.answer) != std::string::npos);

  auto ep2 = game->new_episode(task_of(q), EpisodeOptions{});
  resolve(ep2->step("[answer] nope"), substring_search);
  resolve(ep2->step("[answer] nope"), substring_search);
  CHECK(resolve(ep2->step("[answer] nope"), substring_search).truncated);

  // The reference counts empty and refused searches too.
  auto compat = make_game("search(max_search_steps=1,count_every_search=true)");
  auto ep3 = compat->new_episode(task_of(q), EpisodeOptions{});
  resolve(ep3->step("[search]"), substring_search);
  CHECK(resolve(ep3->step("[search] x"), substring_search).observation.find("used all 1 searches") != std::string::npos);
  auto ep4 = game->new_episode(task_of(q), EpisodeOptions{});
  auto fixed = make_game("search(max_search_steps=1)")->new_episode(task_of(q), EpisodeOptions{});
  resolve(fixed->step("[search]"), substring_search);
  CHECK(resolve(fixed->step("[search] x"), substring_search).observation.find("used all") == std::string::npos);
}

TEST_CASE("search: the rule check, the scripted judge with aliases, and the LLM judge", "[search]") {
  CHECK(normalize_answer(" Marie  Curie! ") == "mariecurie");
  CHECK(normalize_answer("Skłodowska") == "skłodowska");
  QaItem item{"x", "Who was born first, Isaac Newton or Albert Einstein?", "Isaac Newton", {"Newton", "Sir Isaac Newton"}, "multi_hop", 2};
  CHECK(answer_matches(item, "The answer is Newton."));
  CHECK(answer_matches(item, "sir isaac newton"));
  CHECK_FALSE(answer_matches(item, "Einstein"));
  CHECK_FALSE(answer_matches(item, ""));

  Task task = task_of(item);
  auto game = make_game("search");
  // Scripted oracle: aliases count after the rule check fails.
  auto ep = game->new_episode(task, EpisodeOptions{OracleKind::Scripted, 1});
  StepResult alias = resolve(ep->step("[answer] Newton"), substring_search);
  CHECK(alias.terminated);
  CHECK(get_string(alias.info, "decided_by") == "judge");
  // judge=false: the rule check alone.
  auto strict = make_game("search(judge=false)")->new_episode(task, EpisodeOptions{OracleKind::Scripted, 1});
  CHECK_FALSE(resolve(strict->step("[answer] Newton"), substring_search).terminated);

  // LLM oracle: the judge is asked only when the rule check fails; "Yes" counts.
  auto llm = game->new_episode(task, EpisodeOptions{OracleKind::Llm, 1});
  int calls = 0;
  auto judge = [&](const LlmRequest& r) {
    ++calls;
    CHECK(r.role == LlmRole::Judge);
    CHECK(r.purpose == "answer_judge");
    CHECK(r.messages.at(1).content.find("Gold answer: Isaac Newton") != std::string::npos);
    return llm_text(R"({"reasoning": "same person", "judgment": "yes.", "feedback": "ok"})");
  };
  CHECK(resolve(llm->step("[answer] Isaac Newton"), substring_search, judge).terminated);
  CHECK(calls == 0);
  auto llm2 = game->new_episode(task, EpisodeOptions{OracleKind::Llm, 1});
  CHECK(resolve(llm2->step("[answer] Sir Isaac"), substring_search, judge).terminated);
  CHECK(calls == 1);
  // A failed or junk judge counts as wrong, and is counted.
  auto llm3 = game->new_episode(task, EpisodeOptions{OracleKind::Llm, 1});
  StepResult junk = resolve(llm3->step("[answer] Sir Isaac"), substring_search,
                            [](const LlmRequest&) { return llm_text(R"({"judgment": "Partly"})"); });
  CHECK_FALSE(junk.terminated);
  CHECK(get_int(llm3->metrics(), "judge_failures") == 1);
  CHECK(read_verdict(llm_failure("down")).fallback);
  CHECK_FALSE(read_verdict(llm_text(R"({"judgment": "No"})")).correct);
}

TEST_CASE("search: the scripted agent answers every tier from the corpus; without searches it mostly cannot", "[search]") {
  for (const std::string tier : {"one_hop", "multi_hop", "hard"}) {
    auto game = make_game("search(tier=" + tier + ")");
    auto blind = make_game("search(tier=" + tier + ",max_search_steps=0)");
    int solved = 0, solved_blind = 0;
    const int n = 40;
    for (int i = 0; i < n; ++i) {
      Task task = game->task(3, static_cast<std::uint64_t>(i));
      Trajectory t = run_episode(*game, task, EpisodeOptions{}, game->scripted_agent(1), RunSettings{}, no_model, substring_search);
      Trajectory b = run_episode(*blind, task, EpisodeOptions{}, blind->scripted_agent(1), RunSettings{}, no_model, substring_search);
      solved += get_bool(t.metrics, "success");
      solved_blind += get_bool(b.metrics, "success");
      for (const auto& turn : b.turns) CHECK(turn.search_calls.empty());
    }
    INFO(tier << ": " << solved << " vs " << solved_blind << " of " << n);
    CHECK(solved >= n * 9 / 10);
    // Comparisons are a coin toss without the facts.
    CHECK(solved_blind <= n * 3 / 5);
    CHECK(solved - solved_blind >= n / 3);
  }
}

TEST_CASE("search: searches are recorded and the episode replays with no backend", "[search]") {
  auto game = make_game("search(tier=hard)");
  Task task = game->task(5, 0);
  Trajectory t = run_episode(*game, task, EpisodeOptions{}, game->scripted_agent(1), RunSettings{}, no_model, substring_search);
  REQUIRE(t.turns.size() >= 3);
  REQUIRE(t.turns[0].search_calls.size() == 1);
  CHECK(t.turns[0].search_calls[0].request.purpose == "agent_search");
  std::string line = to_json_line(t);
  CHECK(line.find(R"("search_calls":[{"kind":"search","request":{"purpose":"agent_search")") != std::string::npos);
  Trajectory back = trajectory_from_record(to_record(t));
  CHECK(to_json_line(back) == line);
  // Replays answer searches from the record alone.
  CHECK(to_json_line(replay_trajectory(back)) == line);
  SharedEpisode shared = parse_share_envelope(share_envelope(t, ShareSettings{}));
  ReplayOutcome outcome = replay_shared(shared);
  CHECK(outcome.identical);
  // A record whose searches were removed no longer replays, and says why.
  Trajectory missing = back;
  for (auto& turn : missing.turns) turn.search_calls.clear();
  CHECK_THROWS_WITH(replay_trajectory(missing), Catch::Contains("recorded searches"));
  // A host that serves completions only answers searches as failures, which the episode shows.
  EpisodeRunner runner(*game, task, EpisodeOptions{}, game->scripted_agent(1), RunSettings{});
  while (const LlmRequest* r = runner.advance()) runner.supply(no_model(*r));
  const Trajectory& plain = runner.trajectory();
  REQUIRE_FALSE(plain.turns.empty());
  REQUIRE(plain.turns[0].search_calls.size() == 1);
  CHECK_FALSE(plain.turns[0].search_calls[0].response.ok);
  CHECK(plain.turns[0].observation.find("serves no searches") != std::string::npos);
}

TEST_CASE("search: the reference question file is imported", "[search]") {
  std::ifstream in(std::string(RAPPORT_TEST_DATA) + "/search_questions.json");
  std::stringstream text;
  text << in.rdbuf();
  auto game = make_game("search");
  auto tasks = game->import_tasks(text.str(), "test");
  REQUIRE(tasks.size() == 3);
  QaItem q = qa_item_from(tasks[1]);
  CHECK(q.id == "Fixture-2");
  CHECK(q.answer == "1932");
  QaItem q3 = qa_item_from(tasks[2]);
  CHECK(q3.question == "Who painted the ceiling in the test corpus's chapel?");
  CHECK(q3.answer == "Michelangelo");
  CHECK(game->import_tasks(text.str(), "all").size() == 3);
  CHECK_THROWS_WITH(game->import_tasks(text.str(), "train"), Catch::Contains("test data"));
  CHECK_THROWS_WITH(game->import_tasks("{}", "test"), Catch::Contains("JSON list"));
  CHECK_THROWS_WITH(game->import_tasks(R"([{"id": "a", "question": "q"}])", "test"), Catch::Contains("non-empty"));
  CHECK_THROWS_WITH(game->import_tasks(R"([{"id": "a", "question": "q", "answer": "x"}, {"id": "a", "question": "q", "answer": "y"}])", "all"),
                    Catch::Contains("twice"));
}
