// The completion cache: what is stored comes back exactly, failures are never stored, read mode
// never creates or writes, and bad files are reported.
#include <catch2/catch.hpp>

#include <fstream>

#include "core/params.h"
#include "native/cache.h"
#include "tests/native/test_support.h"

using namespace rapport;
using rapport::testing::TempDir;

namespace {

LlmRequest request(std::string text, std::optional<std::int64_t> seed = std::nullopt) {
  LlmRequest r;
  r.role = LlmRole::Judge;
  r.messages = {{"system", "Judge."}, {"user", std::move(text)}};
  r.sampling.seed = seed;
  return r;
}

LlmResponse answer() {
  LlmResponse r = llm_text("{\"verdict\": \"yes\"}");
  r.message.reasoning = "Because.";
  r.message.tool_calls.push_back({"call_1", "interact_with_env", "{\"choice\":\"answer\"}"});
  r.prompt_tokens = 12;
  r.completion_tokens = 5;
  return r;
}

}  // namespace

TEST_CASE("cache: stored completions and their call reports come back exactly", "[cache]") {
  TempDir dir;
  std::string path = dir.file("c.sqlite");
  std::string key = llm_cache_key(request("is it?"), "m", "env@1");
  CallReport report;
  report.attempts = 3;
  report.failures[static_cast<int>(FailureKind::Timeout)] = 2;
  report.ok = true;
  {
    CompletionCache cache(path, CacheMode::Write);
    cache.put(key, "m", answer(), report);
    cache.put("failed-key", "m", llm_failure("HTTP 500"), report);  // ignored: failures are not stored
    CHECK_FALSE(cache.find(key));  // write mode does not read
  }  // the destructor commits
  CompletionCache cache(path, CacheMode::Read);
  CHECK(cache.entries() == 1);
  auto hit = cache.find(key);
  REQUIRE(hit);
  CHECK(to_json(to_record(hit->response)) == to_json(to_record(answer())));
  CHECK(hit->report.attempts == 3);
  CHECK(hit->report.failures[static_cast<int>(FailureKind::Timeout)] == 2);
  CHECK_FALSE(cache.find("failed-key"));
  CHECK(cache.hits() == 1);
  CHECK(cache.misses() == 1);
  cache.put("other", "m", answer(), report);  // read mode never writes
  CHECK(cache.entries() == 1);
}

TEST_CASE("cache: keys follow model, messages, sampling seed and environment", "[cache]") {
  std::string base = llm_cache_key(request("q", 1), "m", "env@1");
  CHECK(llm_cache_key(request("q", 1), "m", "env@1") == base);
  CHECK(llm_cache_key(request("q", 1), "m2", "env@1") != base);
  CHECK(llm_cache_key(request("q2", 1), "m", "env@1") != base);
  CHECK(llm_cache_key(request("q", 2), "m", "env@1") != base);
  CHECK(llm_cache_key(request("q", 1), "m", "env@2") != base);
}

TEST_CASE("cache: read mode needs an existing cache; bad files are reported", "[cache]") {
  TempDir dir;
  CHECK_THROWS_WITH(CompletionCache(dir.file("none.sqlite"), CacheMode::Read), Catch::Contains("does not exist"));
  CHECK_FALSE(testing::file_exists(dir.file("none.sqlite")));
  {
    std::ofstream junk(dir.file("junk.sqlite"));
    junk << "this is not a database, just some text that is long enough to have a header of sorts.......";
  }
  CHECK_THROWS_AS(CompletionCache(dir.file("junk.sqlite"), CacheMode::ReadWrite), ConfigError);
  CHECK(parse_cache_mode("read-write") == CacheMode::ReadWrite);
  CHECK(parse_cache_mode("read") == CacheMode::Read);
  CHECK_FALSE(parse_cache_mode("sometimes"));
  // Read-write reads what an earlier writer committed while it is still open (WAL).
  std::string path = dir.file("shared.sqlite");
  CompletionCache writer(path, CacheMode::ReadWrite);
  writer.put("k", "m", answer(), CallReport{1});
  writer.commit();
  CompletionCache reader(path, CacheMode::Read);
  CHECK(reader.find("k"));
}
