#include "native/cache.h"

#include <sqlite3.h>
#include <sys/stat.h>

#include <ctime>

#include <fmt/format.h>

#include "core/params.h"

namespace rapport {

std::optional<CacheMode> parse_cache_mode(std::string_view text) {
  if (text == "off") return CacheMode::Off;
  if (text == "read") return CacheMode::Read;
  if (text == "write") return CacheMode::Write;
  if (text == "read-write" || text == "readwrite" || text == "rw") return CacheMode::ReadWrite;
  return std::nullopt;
}

const char* to_string(CacheMode mode) {
  switch (mode) {
    case CacheMode::Off: return "off";
    case CacheMode::Read: return "read";
    case CacheMode::Write: return "write";
    case CacheMode::ReadWrite: return "read-write";
  }
  return "off";
}

json::object to_record(const CallReport& report) {
  json::object failures;
  for (std::size_t k = 0; k < kFailureKinds; ++k)
    if (report.failures[k]) failures[to_string(static_cast<FailureKind>(k))] = report.failures[k];
  return json::object{{"attempts", report.attempts}, {"failures", std::move(failures)}};
}

CallReport call_report_from_record(const json::value& record) {
  CallReport r;
  if (!record.is_object()) return r;
  const auto& o = record.get_object();
  r.attempts = static_cast<int>(get_int(o, "attempts", 1));
  if (auto it = o.find("failures"); it != o.end() && it->value().is_object())
    for (std::size_t k = 0; k < kFailureKinds; ++k)
      r.failures[k] = static_cast<int>(get_int(it->value().get_object(), to_string(static_cast<FailureKind>(k))));
  r.ok = true;
  return r;
}

namespace {

constexpr const char* kSchema =
    "CREATE TABLE IF NOT EXISTS completions ("
    "  key TEXT PRIMARY KEY,"
    "  model TEXT NOT NULL,"
    "  response TEXT NOT NULL,"
    "  report TEXT NOT NULL,"
    "  created_at INTEGER NOT NULL"
    ") WITHOUT ROWID";

bool file_exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

}  // namespace

CompletionCache::CompletionCache(const std::string& path, CacheMode mode) : path_(path), mode_(mode) {
  if (mode == CacheMode::Off) return;
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode))
    throw ConfigError(fmt::format("cache '{}' is not a regular file (a folder, device, pipe or socket): give a file", path));
  if (!writes() && !file_exists(path))
    throw ConfigError(fmt::format("cache '{}' does not exist (read mode never creates one; use --cache-mode read-write)", path));
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (writes() ? SQLITE_OPEN_CREATE : 0);
  if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
    std::string why = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw ConfigError(fmt::format("cannot open cache '{}': {}", path, why));
  }
  sqlite3_busy_timeout(db_, 10000);
  try {
    // WAL: shards on one machine can share a cache, and a commit is one append, not an fsync.
    exec("PRAGMA journal_mode=WAL");
    exec("PRAGMA synchronous=NORMAL");
    if (writes()) exec(kSchema);
    if (sqlite3_prepare_v2(db_, "SELECT response, report FROM completions WHERE key = ?1", -1, &select_, nullptr) != SQLITE_OK)
      throw ConfigError(fmt::format("cache '{}' is not a completion cache: {}", path, sqlite3_errmsg(db_)));
    if (writes() &&
        sqlite3_prepare_v2(db_,
                           "INSERT OR REPLACE INTO completions (key, model, response, report, created_at) "
                           "VALUES (?1, ?2, ?3, ?4, ?5)",
                           -1, &insert_, nullptr) != SQLITE_OK)
      throw ConfigError(fmt::format("cache '{}': {}", path, sqlite3_errmsg(db_)));
  } catch (...) {
    sqlite3_finalize(select_);
    sqlite3_finalize(insert_);
    sqlite3_close(db_);
    db_ = nullptr;
    throw;
  }
}

std::int64_t CompletionCache::merge_from(const std::string& other_path) {
  if (!db_ || !writes()) throw ConfigError(fmt::format("cache '{}' is not open for writing", path_));
  if (!file_exists(other_path)) throw ConfigError(fmt::format("cache '{}' does not exist", other_path));
  commit();
  sqlite3_stmt* attach = nullptr;
  sqlite3_prepare_v2(db_, "ATTACH DATABASE ?1 AS shard", -1, &attach, nullptr);
  sqlite3_bind_text(attach, 1, other_path.data(), static_cast<int>(other_path.size()), SQLITE_STATIC);
  const int rc = sqlite3_step(attach);
  sqlite3_finalize(attach);
  if (rc != SQLITE_DONE) throw ConfigError(fmt::format("cannot open cache '{}': {}", other_path, sqlite3_errmsg(db_)));
  char* message = nullptr;
  const int copied = sqlite3_exec(db_,
                                  "INSERT OR IGNORE INTO main.completions (key, model, response, report, created_at) "
                                  "SELECT key, model, response, report, created_at FROM shard.completions",
                                  nullptr, nullptr, &message);
  const std::int64_t added = copied == SQLITE_OK ? sqlite3_changes(db_) : 0;
  std::string why = message ? message : (copied == SQLITE_OK ? "" : sqlite3_errmsg(db_));
  sqlite3_free(message);
  sqlite3_exec(db_, "DETACH DATABASE shard", nullptr, nullptr, nullptr);
  if (copied != SQLITE_OK) throw ConfigError(fmt::format("cache '{}' is not a completion cache: {}", other_path, why));
  return added;
}

CompletionCache::~CompletionCache() {
  if (!db_) return;
  try {
    commit();
  } catch (const std::exception&) {
    // Nothing sensible to do while closing; the entries of this batch are lost, the file is intact.
  }
  sqlite3_finalize(select_);
  sqlite3_finalize(insert_);
  sqlite3_close(db_);
}

void CompletionCache::exec(const char* sql) {
  char* message = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &message) != SQLITE_OK) {
    std::string why = message ? message : sqlite3_errmsg(db_);
    sqlite3_free(message);
    throw ConfigError(fmt::format("cache '{}': {} ({})", path_, why, sql));
  }
}

std::optional<std::pair<std::string, std::string>> CompletionCache::lookup(const std::string& key) {
  sqlite3_reset(select_);
  sqlite3_bind_text(select_, 1, key.data(), static_cast<int>(key.size()), SQLITE_STATIC);
  std::optional<std::pair<std::string, std::string>> out;
  if (sqlite3_step(select_) == SQLITE_ROW) {
    auto text = [&](int column) {
      const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(select_, column));
      return std::string(p ? p : "", static_cast<std::size_t>(sqlite3_column_bytes(select_, column)));
    };
    out.emplace(text(0), text(1));
  }
  sqlite3_reset(select_);
  sqlite3_clear_bindings(select_);
  return out;
}

std::optional<CachedCompletion> CompletionCache::find(const std::string& key) {
  if (!db_ || !reads()) return std::nullopt;
  std::optional<CachedCompletion> out;
  if (auto row = lookup(key)) {
    auto response = parse_json(row->first);
    auto report = parse_json(row->second);
    if (response && report) {
      CachedCompletion c{llm_response_from_record(*response), call_report_from_record(*report)};
      if (c.response.ok) out = std::move(c);
    }
  }
  ++(out ? hits_ : misses_);
  return out;
}

std::optional<SearchResponse> CompletionCache::find_search(const std::string& key) {
  if (!db_ || !reads()) return std::nullopt;
  std::optional<SearchResponse> out;
  if (auto row = lookup(key))
    if (auto response = parse_json(row->first))
      if (SearchResponse r = search_response_from_record(*response); r.ok) out = std::move(r);
  ++(out ? hits_ : misses_);
  return out;
}

void CompletionCache::store(const std::string& key, std::string_view model, const std::string& response_text,
                            const std::string& report_text) {
  if (!in_transaction_) {
    exec("BEGIN");
    in_transaction_ = true;
  }
  sqlite3_reset(insert_);
  sqlite3_bind_text(insert_, 1, key.data(), static_cast<int>(key.size()), SQLITE_STATIC);
  sqlite3_bind_text(insert_, 2, model.data(), static_cast<int>(model.size()), SQLITE_STATIC);
  sqlite3_bind_text(insert_, 3, response_text.data(), static_cast<int>(response_text.size()), SQLITE_STATIC);
  sqlite3_bind_text(insert_, 4, report_text.data(), static_cast<int>(report_text.size()), SQLITE_STATIC);
  sqlite3_bind_int64(insert_, 5, static_cast<sqlite3_int64>(std::time(nullptr)));
  int rc = sqlite3_step(insert_);
  sqlite3_reset(insert_);
  sqlite3_clear_bindings(insert_);
  if (rc != SQLITE_DONE) throw ConfigError(fmt::format("cache '{}': cannot store an entry: {}", path_, sqlite3_errmsg(db_)));
  ++stored_;
}

void CompletionCache::put(const std::string& key, std::string_view model, const LlmResponse& response,
                          const CallReport& report) {
  if (!db_ || !writes() || !response.ok) return;
  store(key, model, to_json(to_record(response)), to_json(to_record(report)));
}

void CompletionCache::put_search(const std::string& key, std::string_view backend, const SearchResponse& response) {
  if (!db_ || !writes() || !response.ok) return;
  CallReport report;
  report.attempts = 1;
  store(key, backend, to_json(to_record(response)), to_json(to_record(report)));
}

void CompletionCache::commit() {
  if (!db_ || !in_transaction_) return;
  in_transaction_ = false;
  exec("COMMIT");
}

std::int64_t CompletionCache::entries() const {
  if (!db_) return 0;
  sqlite3_stmt* count = nullptr;
  std::int64_t n = 0;
  if (sqlite3_prepare_v2(db_, "SELECT COUNT(*) FROM completions", -1, &count, nullptr) == SQLITE_OK &&
      sqlite3_step(count) == SQLITE_ROW)
    n = sqlite3_column_int64(count, 0);
  sqlite3_finalize(count);
  return n;
}

}  // namespace rapport
