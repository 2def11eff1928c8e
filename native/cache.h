// The record/replay cache: every completion the runner obtains, in an SQLite file, keyed by
// llm_cache_key (model, messages, sampling with seed, tools, environment fingerprint), and every
// search, keyed by search_cache_key (query, k, backend). A rerun in read mode makes no network call
// and needs no search backend, and reproduces its trajectories byte for byte.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/llm.h"
#include "core/search.h"
#include "native/http_client.h"

struct sqlite3;
struct sqlite3_stmt;

namespace rapport {

// off: no cache. read: answer from the cache only (a miss is a failed call, never a request).
// write: always ask the model, store the answers. read-write: answer from the cache, ask on a miss.
enum class CacheMode { Off, Read, Write, ReadWrite };
std::optional<CacheMode> parse_cache_mode(std::string_view text);  // off | read | write | read-write
const char* to_string(CacheMode mode);

// A stored completion with how it was obtained (attempts and failures), so that a replay reports
// the same per-trajectory call statistics as the original run.
struct CachedCompletion {
  LlmResponse response;
  CallReport report;
};

class CompletionCache {
 public:
  // Opens the database (created in the write modes). Throws ConfigError naming the path and the
  // problem (read mode with no such file, not an SQLite file, locked, ...).
  CompletionCache(const std::string& path, CacheMode mode);
  ~CompletionCache();
  CompletionCache(const CompletionCache&) = delete;
  CompletionCache& operator=(const CompletionCache&) = delete;

  CacheMode mode() const { return mode_; }
  bool reads() const { return mode_ == CacheMode::Read || mode_ == CacheMode::ReadWrite; }
  bool writes() const { return mode_ == CacheMode::Write || mode_ == CacheMode::ReadWrite; }

  std::optional<CachedCompletion> find(const std::string& key);
  // Stores a successful completion (failures are never stored: a rerun should try again). Writes
  // are batched into one transaction until commit().
  void put(const std::string& key, std::string_view model, const LlmResponse& response, const CallReport& report);
  // Searches, in the same table and with the same modes: `backend` takes the model's column.
  std::optional<SearchResponse> find_search(const std::string& key);
  void put_search(const std::string& key, std::string_view backend, const SearchResponse& response);
  // Makes every put so far durable. The runner commits before it writes a trajectory out.
  void commit();

  std::int64_t entries() const;
  // Adds every entry of another cache file that this one lacks (write modes); returns how many.
  // Throws ConfigError naming the file when it cannot be read as a completion cache.
  std::int64_t merge_from(const std::string& other_path);
  std::int64_t hits() const { return hits_; }
  std::int64_t misses() const { return misses_; }
  std::int64_t stored() const { return stored_; }

 private:
  void exec(const char* sql);
  // The stored (response, report) texts of a key, counted as a hit or a miss by the caller.
  std::optional<std::pair<std::string, std::string>> lookup(const std::string& key);
  void store(const std::string& key, std::string_view model, const std::string& response, const std::string& report);

  std::string path_;
  CacheMode mode_;
  sqlite3* db_ = nullptr;
  sqlite3_stmt* select_ = nullptr;
  sqlite3_stmt* insert_ = nullptr;
  bool in_transaction_ = false;
  std::int64_t hits_ = 0, misses_ = 0, stored_ = 0;
};

// The call statistics of a report as JSON ({"attempts": n, "failures": {"timeout": 1, ...}}), and back.
json::object to_record(const CallReport& report);
CallReport call_report_from_record(const json::value& record);

}  // namespace rapport
