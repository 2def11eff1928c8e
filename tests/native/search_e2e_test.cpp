// SearchGym end to end on real backends: the FTS5 index (built from JSONL corpora in both forms,
// and in memory from our corpus), a loopback retrieval server of our own in the standard protocol,
// the same episodes against both, the cache replaying both with no backend, the scripted agent's
// lead over answering without search, and the CLI (`rapport index`, `rapport play`, `run --search`).
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <filesystem>
#include <fstream>

#include "core/params.h"
#include "envs/search/search.h"
#include "native/cache.h"
#include "native/files.h"
#include "native/scheduler.h"
#include "native/search_backend.h"
#include "native/search_index.h"
#include "tests/native/retrieval_server.h"
#include "tests/native/test_support.h"

using namespace rapport;
using namespace rapport::testing;
namespace fs = std::filesystem;

namespace {

RunOptions search_run(const std::string& env, const std::string& search, const std::string& out, int tasks) {
  RunOptions o;
  o.env_spec = env;
  o.tasks.count = static_cast<std::size_t>(tasks);
  o.tasks.seed = 7;
  o.search = search;
  o.out = out;
  o.overwrite = true;
  o.concurrency = 4;
  o.progress = ProgressMode::Off;
  return o;
}

void write_text(const std::string& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

}  // namespace

TEST_CASE("search index: JSONL corpora in both forms, BM25 order, clear errors", "[search]") {
  TempDir dir;
  write_text(dir.file("corpus.jsonl"),
             "{\"id\": \"1\", \"contents\": \"\\\"Paris\\\"\\nParis is the capital of France, on the Seine.\"}\n"
             "{\"id\": 2, \"title\": \"Lyon\", \"text\": \"Lyon is a city in France on the Rhone and the Saone.\"}\n"
             "\n"
             "{\"id\": \"3\", \"title\": \"Berlin\", \"text\": \"Berlin is the capital of Germany, on the Spree.\"}\n");
  std::vector<IndexProgress> seen;
  IndexStats stats = build_search_index(dir.file("corpus.jsonl"), dir.file("index.db"),
                                        [&](const IndexProgress& p) { seen.push_back(p); });
  CHECK(stats.passages == 3);
  CHECK(stats.bytes_on_disk > 0);
  REQUIRE_FALSE(seen.empty());
  CHECK(seen.back().bytes_read == seen.back().bytes_total);

  SearchIndex index(dir.file("index.db"));
  CHECK(index.size() == 3);
  SearchResponse r = index.search("capital of France", 5);
  REQUIRE(r.ok);
  REQUIRE(r.passages.size() == 3);  // "capital" and "france" match all three; Paris has both
  CHECK(r.passages[0].title == "Paris");
  CHECK(r.passages[0].text == "Paris is the capital of France, on the Seine.");
  CHECK(r.passages[0].score >= r.passages[1].score);
  CHECK(index.search("Spree", 5).passages.at(0).id == "3");
  CHECK(index.search("rivers", 1).passages.size() <= 1);
  CHECK(index.search("the of", 5).passages.empty());       // only common words: nothing to match
  CHECK(index.search("\"; DROP TABLE x; --", 5).ok);      // query syntax never reaches FTS5
  CHECK(fts_query("Who was Marie Curie's teacher?") == R"("marie" OR "curie" OR "s" OR "teacher")");

  write_text(dir.file("bad.jsonl"), "{\"id\": \"1\", \"contents\": \"x\"}\n{\"title\": \"no id\"}\n");
  CHECK_THROWS_WITH(build_search_index(dir.file("bad.jsonl"), dir.file("bad.db")), Catch::Contains("bad.jsonl:2: no 'id'"));
  CHECK_FALSE(file_exists(dir.file("bad.db")));
  CHECK_THROWS_WITH(SearchIndex(dir.file("missing.db")), Catch::Contains("rapport index"));
  write_text(dir.file("notindex.db"), "hello");
  CHECK_THROWS_AS(SearchIndex(dir.file("notindex.db")), ConfigError);
  CHECK_THROWS_WITH(parse_search_spec("bing"), Catch::Contains("builtin, index:PATH, http:URL or serper"));
  CHECK(parse_search_spec("http:http://127.0.0.1:9/retrieve").target == "http://127.0.0.1:9/retrieve");
}

TEST_CASE("search: the same episodes against the built-in index and a loopback retrieval server, replayed from the cache",
          "[search]") {
  TempDir dir;
  // The built-in corpus, as an index file and behind a server in the standard protocol.
  write_search_index(search::builtin_corpus(), dir.file("builtin.db"));
  SearchIndex server_index(dir.file("builtin.db"));
  LoopbackRetrievalServer server(server_index);
  const std::string env = "search(tier=multi_hop)";

  RunOptions local = search_run(env, "index:" + dir.file("builtin.db"), dir.file("local.jsonl"), 12);
  local.cache_path = dir.file("local.sqlite");
  local.cache_mode = CacheMode::Write;
  RunResult a = run_batch(local, nullptr);
  RunOptions remote = search_run(env, "http:" + server.url(), dir.file("remote.jsonl"), 12);
  remote.cache_path = dir.file("remote.sqlite");
  remote.cache_mode = CacheMode::Write;
  RunResult b = run_batch(remote, nullptr);
  CHECK(a.counters.searches > 12);
  CHECK(a.counters.failed_searches == 0);
  CHECK(b.counters.failed_searches == 0);
  CHECK(server.queries() == b.counters.searches);
  // Same passages, same scores, same bytes.
  std::string local_text = read_file(dir.file("local.jsonl"));
  REQUIRE_FALSE(local_text.empty());
  CHECK(local_text == read_file(dir.file("remote.jsonl")));
  CHECK(b.totals.successes >= 11);
  // The built-in backend in memory answers the same.
  RunResult c = run_batch(search_run(env, "builtin", dir.file("memory.jsonl"), 12), nullptr);
  CHECK(c.counters.failed_searches == 0);
  CHECK(read_file(dir.file("memory.jsonl")) == local_text);

  // No backend at all: the server is gone and the index deleted; the caches answer.
  server.stop();
  std::remove(dir.file("builtin.db").c_str());
  for (auto* o : {&local, &remote}) {
    RunOptions replay = *o;
    replay.cache_mode = CacheMode::Read;
    replay.out = o->out + ".replay";
    RunResult r = run_batch(replay, nullptr);
    CHECK(r.counters.failed_searches == 0);
    CHECK(r.cache_misses == 0);
    CHECK(read_file(replay.out) == local_text);
  }
  // A search the cache lacks is a failed search (seen by the agent), not a request.
  RunOptions other = search_run("search(tier=hard)", "http:" + server.url(), dir.file("miss.jsonl"), 2);
  other.cache_path = dir.file("remote.sqlite");
  other.cache_mode = CacheMode::Read;
  RunResult miss = run_batch(other, nullptr);
  CHECK(miss.counters.failed_searches > 0);
  CHECK(read_file(dir.file("miss.jsonl")).find("not in the cache") != std::string::npos);
}

TEST_CASE("search: a retrieval server that is down or answers junk becomes an observation", "[search]") {
  TempDir dir;
  SearchIndex index(search::builtin_corpus());
  LoopbackRetrievalServer server(index);
  std::string url = server.url();
  server.stop();
  RunOptions o = search_run("search(tier=one_hop)", "http:" + url, dir.file("down.jsonl"), 1);
  RunResult r = run_batch(o, nullptr);
  CHECK(r.counters.failed_searches > 0);
  CHECK(read_file(dir.file("down.jsonl")).find("failed (retrieval server (connection") != std::string::npos);
}

TEST_CASE("search: the scripted agent beats answering without search on the multi-hop tier", "[search]") {
  TempDir dir;
  RunResult with = run_batch(search_run("search(tier=multi_hop)", "builtin", dir.file("with.jsonl"), 60), nullptr);
  RunResult without =
      run_batch(search_run("search(tier=multi_hop,max_search_steps=0)", "builtin", dir.file("without.jsonl"), 60), nullptr);
  INFO(with.totals.successes << " vs " << without.totals.successes);
  CHECK(with.totals.successes >= 57);
  CHECK(without.totals.successes <= 36);  // comparisons are a coin toss without the facts
  CHECK(with.totals.successes - without.totals.successes >= 20);
  CHECK(without.counters.searches == 0);
}

TEST_CASE("cli: rapport index, play --env search offline, run --search", "[search][cli]") {
  TempDir dir;
  CliResult built = run_cli({"index", "builtin", "--out", dir.file("b.db")});
  CHECK(built.exit_code == 0);
  CHECK(built.output.find("passages indexed") != std::string::npos);
  write_text(dir.file("c.jsonl"), "{\"id\": \"a\", \"title\": \"Alpha\", \"text\": \"Alpha comes first.\"}\n");
  CliResult small = run_cli({"index", dir.file("c.jsonl"), "--out", dir.file("c.db"), "-q"});
  CHECK(small.exit_code == 0);
  CHECK(run_cli({"index", dir.file("nothing.jsonl"), "--out", dir.file("n.db")}).exit_code == 2);
  // What is at --out stays as it was unless a whole index replaces it: a folder (empty or not),
  // the corpus itself, or an index whose rebuild fails on a bad line.
  fs::create_directories(dir.file("folder"));
  CliResult folder = run_cli({"index", "builtin", "--out", dir.file("folder")});
  CHECK(folder.exit_code == 2);
  CHECK(folder.output.find("is a folder") != std::string::npos);
  CHECK(fs::is_directory(dir.file("folder")));
  CliResult itself = run_cli({"index", dir.file("c.jsonl"), "--out", dir.file("c.jsonl")});
  CHECK(itself.exit_code == 2);
  CHECK(itself.output.find("would replace its own corpus") != std::string::npos);
  CHECK(rapport::read_text_file(dir.file("c.jsonl")).find("Alpha comes first.") != std::string::npos);
  const auto good_index = fs::file_size(dir.file("c.db"));
  write_text(dir.file("bad.jsonl"), "{\"id\": \"a\", \"text\": \"fine\"}\nnot json\n");
  CliResult bad = run_cli({"index", dir.file("bad.jsonl"), "--out", dir.file("c.db"), "-q"});
  CHECK(bad.exit_code == 2);
  CHECK(bad.output.find("bad.jsonl:2") != std::string::npos);
  CHECK(fs::file_size(dir.file("c.db")) == good_index);
  CHECK_FALSE(fs::exists(dir.file("c.db.partial")));
  CHECK(run_cli({"play", "--env", "search", "--search", "index:" + dir.file("c.db"), "--json"}, "[search] alpha\n[answer] x\n")
            .output.find("Alpha comes first.") != std::string::npos);

  // Play offline with no key: the built-in corpus answers.
  CliResult play = run_cli({"play", "--env", "search(tier=one_hop)", "--task", "sq-one_hop-tp-001-born", "--json"},
                           "[search] Albert Einstein born\n[answer] 1879\n");
  CHECK(play.exit_code == 0);
  CHECK(play.output.find("Search results for 'Albert Einstein born':\\n1. Albert Einstein") != std::string::npos);
  CHECK(play.output.find("\"terminated\":true") != std::string::npos);
  CHECK(run_cli({"play", "--env", "search", "--search", "index:" + dir.file("none.db")}, "[search] x\n").exit_code == 2);

  CliResult help = run_cli({"run", "--help"});
  CHECK(help.output.find("--search") != std::string::npos);
  CliResult run = run_cli({"run", "--env", "search(tier=hard)", "--tasks", "3", "--search", "index:" + dir.file("b.db"), "--out",
                           dir.file("r.jsonl"), "--progress", "off"});
  CHECK(run.exit_code == 0);
  CHECK(run.output.find("searches ") != std::string::npos);
  CHECK(run_cli({"run", "--env", "search", "--search", "serper-ish"}).exit_code == 2);
}
